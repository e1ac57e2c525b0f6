"""Gait bouts, gait events (initial contact, final contact, mid-swing) and the strides table.

Pipeline: :func:`detect_bouts` → :func:`detect_gait_events` → :func:`segment_strides`.
Everything works from the shanks' gyroscopes in any mounting orientation: the sagittal axis
and its sign are estimated from the data (:func:`estimate_sagittal_axes`).
"""

from gaitkit.events._axis import AXIS_COLUMNS, estimate_sagittal_axes
from gaitkit.events._bouts import BOUT_TABLE_COLUMNS, detect_bouts
from gaitkit.events._detect import (
    EVENT_OFFSETS_S,
    EVENT_TABLE_COLUMNS,
    EventDetection,
    detect_gait_events,
)
from gaitkit.events._strides import STRIDE_TABLE_COLUMNS, segment_strides

__all__ = [
    "AXIS_COLUMNS",
    "BOUT_TABLE_COLUMNS",
    "EVENT_OFFSETS_S",
    "EVENT_TABLE_COLUMNS",
    "STRIDE_TABLE_COLUMNS",
    "EventDetection",
    "detect_bouts",
    "detect_gait_events",
    "estimate_sagittal_axes",
    "segment_strides",
]
