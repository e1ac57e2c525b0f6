"""Stride segmentation from a foot-mounted gyroscope (a cross-check for the shank events)."""

from __future__ import annotations

import numpy as np

from gaitkit.events._axis import estimate_sagittal_axes
from gaitkit.events._shank_gyro import find_mid_swings
from gaitkit.model import Recording


def foot_mid_swings(recording: Recording, side: str) -> np.ndarray:
    """Return the times (s) of the foot's mid-swing peaks, one per stride.

    The foot's sagittal angular velocity has one dominant forward-rotation peak per stride in
    mid-swing, between the toe-off and heel-strike troughs; stride segmentation by that peak
    is the standard foot-gyro method (Sabatini et al. 2005, IEEE Trans Biomed Eng
    52:486-494; Mariani et al. 2010, J Biomech 43:2999-3006). The axis is the principal
    gyroscope axis and its sign follows the same-side shank (:func:`estimate_sagittal_axes`);
    the peak detector is the shank's (50 °/s floor, adaptive relative height, ≥ 0.4 s apart).

    Parameters
    ----------
    recording
        Recording with ``foot_{side}`` (and ideally ``shank_{side}``).
    side
        ``"left"`` or ``"right"``.
    """
    sig = estimate_sagittal_axes(recording)
    p = f"foot_{side}"
    if p not in sig.omega:
        raise KeyError(f"no stream {p!r}; present: {', '.join(recording.placements)}")
    leg = find_mid_swings(
        sig.omega[p],
        recording.time_s,
        recording.sampling_rate_hz,
        sig.segments,
        side=side,
        placement=p,
    )
    return leg.ms_time_s
