"""Tibial (shank axial) rotation and knee transverse rotation in stance, per stride."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.metrics._tables import (
    prepare_angles,
    stride_key_frame,
    stride_windows,
    window_rate,
)

__all__ = ["compute_tibial_rotation"]


def compute_tibial_rotation(
    strides: pd.DataFrame,
    angles: pd.DataFrame,
    *,
    midstance_fraction: float = 0.5,
    n_points: int = 101,
) -> pd.DataFrame:
    """Tibial internal rotation in early stance and knee rotation excursion, per stride.

    Parameters
    ----------
    strides
        Strides table (``side, stride_id, ic_time_s, fc_time_s, next_ic_time_s``; see
        :data:`gaitkit.schema.STRIDE_COLUMNS`).
    angles
        Long per-sample angle table ``time_s, side`` and ``shank_axial_deg`` (internal rotation
        positive on both legs); ``knee_rotation_deg`` optional.
    midstance_fraction
        Mid-stance as a fraction of stance time (IC → FC); default 0.5.
    n_points
        Grid points per window (the sampling of each window; >= 11).

    Returns
    -------
    pandas.DataFrame
        Same rows and order as ``strides``: ``side, stride_id`` and

        ``tibial_ir_excursion_deg``
            ``max(θ(t), IC ≤ t ≤ MS) − θ(IC)`` with θ = ``shank_axial_deg`` and MS = IC +
            ``midstance_fraction`` × stance time. The internal rotation of the tibia that
            accompanies rearfoot pronation from contact to mid-stance (≥ 0 by construction).
        ``tibial_ir_peak_deg``
            ``max θ`` over stance (IC → FC), a signed angle relative to the angle table's
            zero. With :func:`gaitkit.kinematics.compute_angles` that zero is the segment's
            mean heading over a few strides (no magnetometer), not a standing posture, so the
            peak is relative to the stride-average axial angle and understates leg-to-leg
            differences of static rotation (toe-in/out is not observable).
        ``tibial_ir_peak_velocity_dps``
            ``max dθ/dt`` over IC → MS, degrees per second (internal-rotation velocity).
        ``knee_rotation_excursion_deg``
            ``max − min`` of ``knee_rotation_deg`` over stance (tibia relative to femur,
            Grood & Suntay 1983 joint coordinate system); only when that column is present.

    Notes
    -----
    Assumptions and limits: mid-stance is a fixed fraction of stance (50 % by default), not the
    frame of peak knee flexion, so it is defined without force data; shank axial rotation from
    IMUs is relative to the calibration posture and to a heading reference, so the *peak* angle
    carries any calibration offset, while the *excursion* and velocity do not. Skin-mounted
    sensors overestimate bone rotation (Reinschmidt et al. 1997, Clin Biomech 12:8-16, bone
    pins vs skin markers); treat values as sensor-segment rotation.

    Tibial internal rotation in early stance is the transverse-plane part of the
    pronation-tibial rotation coupling thought to load the knee in runners (Nigg et al. 1998,
    Med Sci Sports Exerc 30:550-555, review in their introduction).
    """
    if not 0.05 <= midstance_fraction <= 1.0:
        raise ConfigError(f"midstance_fraction must be in [0.05, 1], got {midstance_fraction!r}")
    if n_points < 11:
        raise ConfigError(f"n_points must be >= 11, got {n_points!r}")
    s = stride_key_frame(strides)
    angles = prepare_angles(angles, ("shank_axial_deg",))
    ic = s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    fc = s["fc_time_s"].to_numpy(dtype=float, na_value=np.nan)
    ms = ic + midstance_fraction * (fc - ic)
    out: dict[str, np.ndarray] = {
        "side": s["side"].to_numpy(),
        "stride_id": s["stride_id"].to_numpy(),
    }

    early = stride_windows(s, angles, "shank_axial_deg", ic, ms, n_points)
    stance = stride_windows(s, angles, "shank_axial_deg", ic, fc, n_points)
    out["tibial_ir_excursion_deg"] = early.max(axis=1) - early[:, 0]
    out["tibial_ir_peak_deg"] = stance.max(axis=1)
    out["tibial_ir_peak_velocity_dps"] = window_rate(early, ic, ms).max(axis=1)
    if angles.has("knee_rotation_deg"):
        knee = stride_windows(s, angles, "knee_rotation_deg", ic, fc, n_points)
        out["knee_rotation_excursion_deg"] = np.ptp(knee, axis=1)
    return pd.DataFrame(out)
