"""Knee, thigh and shank kinematics from calibrated IMU orientations.

Pipeline: :func:`calibrate_segments` (functional sensor-to-segment alignment from standing and
walking) → :func:`compute_angles` (per-sample segment and knee angles, using
:mod:`gaitkit.orientation`) → :func:`time_normalise` and :func:`stride_features` (per stride).
"""

from gaitkit.kinematics._angles import compute_angles, segment_orientations
from gaitkit.kinematics._calibration import (
    CalibrationMethod,
    SegmentCalibration,
    Span,
    calibrate_segments,
    detect_walking,
    estimate_hinge_axes,
)
from gaitkit.kinematics._strides import (
    KNEE_FEATURES,
    SHANK_FEATURES,
    THIGH_FEATURES,
    stride_features,
    time_normalise,
)

__all__ = [
    "KNEE_FEATURES",
    "SHANK_FEATURES",
    "THIGH_FEATURES",
    "CalibrationMethod",
    "SegmentCalibration",
    "Span",
    "calibrate_segments",
    "compute_angles",
    "detect_walking",
    "estimate_hinge_axes",
    "segment_orientations",
    "stride_features",
    "time_normalise",
]
