"""Over-pronation proxies from the shank (and the foot when it is instrumented), per stride."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.metrics._reference import NORMATIVE, NormativeRange
from gaitkit.metrics._tables import (
    prepare_angles,
    stride_key_frame,
    stride_windows,
    window_rate,
)

__all__ = ["OVERPRONATION_COMPONENTS", "compute_pronation_proxies", "overpronation_index"]

#: Metrics averaged (as z-scores) into :func:`overpronation_index`, when a reference exists.
OVERPRONATION_COMPONENTS: tuple[str, ...] = (
    "lr_tibial_ir_excursion_deg",
    "lr_tibial_ir_peak_velocity_dps",
    "tibial_ir_excursion_deg",
    "shank_frontal_excursion_deg",
    "shank_frontal_peak_velocity_dps",
    "foot_eversion_excursion_deg",
)


def _excursion_and_rate(
    s: pd.DataFrame,
    angles: pd.DataFrame,
    column: str,
    t0: np.ndarray,
    t1: np.ndarray,
    n: int,
    direction: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Excursion ``max(d·θ) − d·θ(t0)`` and peak rate of ``d·θ`` over ``[t0, t1]``."""
    w = direction * stride_windows(s, angles, column, t0, t1, n)
    return w.max(axis=1) - w[:, 0], window_rate(w, t0, t1).max(axis=1)


def _contralateral_fc_after(s: pd.DataFrame, ic: np.ndarray) -> np.ndarray:
    """First final contact of the other leg after each stride's IC (NaN when none)."""
    sides = s["side"].to_numpy()
    fc = s["fc_time_s"].to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(s), np.nan)
    for side, other in (("left", "right"), ("right", "left")):
        m = np.flatnonzero(sides == side)
        o = np.sort(fc[(sides == other) & np.isfinite(fc)])
        if m.size == 0 or o.size == 0:
            continue
        k = np.searchsorted(o, ic[m], side="right")
        ok = k < o.size
        out[m[ok]] = o[k[ok]]
    return out


def compute_pronation_proxies(
    strides: pd.DataFrame,
    angles: pd.DataFrame,
    *,
    loading_fraction: float = 0.2,
    loading_end: Literal["fraction", "contralateral_fc"] = "fraction",
    midstance_fraction: float = 0.5,
    foot_eversion_column: str = "foot_eversion_deg",
    n_points: int = 101,
) -> pd.DataFrame:
    """Shank-based over-pronation proxies (and a direct foot measure if available), per stride.

    These are **proxies**. Rearfoot eversion is not measured by shank sensors: it is inferred
    through its mechanical coupling with tibial internal rotation and shank frontal-plane tilt.
    The coupling is real but loose: in a bone-pin study each degree of calcaneal eversion came
    with 0.68 ± 0.15° of tibial rotation (Fischer et al. 2018, J Anat 233:64-72, in vitro),
    and in running it varies between people and across stance (Reinschmidt et al. 1997, Clin
    Biomech 12:8-16). Treat large values as "more tibial internal rotation / medial shank tilt
    in loading", not as a measured foot posture. (The direction of the shank-tilt proxy was
    reversed in the first version, which assumed the ankle moves medially; corrected after
    review with the sources below.)

    Parameters
    ----------
    strides, angles
        As for :func:`gaitkit.metrics.compute_tibial_rotation`; ``angles`` needs
        ``shank_axial_deg``; ``shank_frontal_deg`` and ``foot_eversion_column`` are optional.
    loading_fraction
        End of the loading-response window as a fraction of stance (IC → FC). Default 0.2:
        loading response spans the first ~10 % of the walking cycle (≈ 1/6 of stance, Perry
        1992) and the impact/loading phase of running ~20 % of stance; one fixed window keeps
        the measure defined without force data or contralateral events.
    loading_end
        ``"fraction"`` (default): the window above. ``"contralateral_fc"``: loading response
        ends at the other leg's final contact (Perry 1992's walking definition, end of initial
        double support), taken from the strides table; strides with no contralateral FC
        inside their stance (running, one-leg tables, bout edges) fall back to the fraction.
    midstance_fraction
        Mid-stance as a fraction of stance (default 0.5) for the frontal-plane excursion.
    foot_eversion_column
        Name of a foot frontal-plane angle column (eversion positive, degrees) in ``angles``,
        used when foot sensors provide it; ignored when absent.
    n_points
        Grid points per window.

    Returns
    -------
    pandas.DataFrame
        Same rows and order as ``strides``: ``side, stride_id`` and

        ``lr_tibial_ir_excursion_deg``
            ``max θ − θ(IC)`` over the loading-response window, θ = ``shank_axial_deg``.
        ``lr_tibial_ir_peak_velocity_dps``
            ``max dθ/dt`` over the loading-response window (deg/s).
        ``shank_frontal_excursion_deg``, ``shank_frontal_peak_velocity_dps``
            Signed change ``−(φ(MS) − φ(IC))`` and peak rate of ``−φ`` over IC → mid-stance,
            φ = ``shank_frontal_deg`` (ankle medial of knee positive): the shank's tilt toward
            *abduction*, i.e. the knee moving medially over the planted foot; negative when
            the shank tilts toward adduction instead. Signed because a normal shank may tilt
            either way in early stance and pronation *shifts* that tilt rather than adding a
            peak of its own. In closed chain, pronation lowers the medial arch and the
            proximal tibia follows medially: pronated feet go with dynamic knee valgus (Yoo et
            al. 2022, Phys Ther Korea 29:208-214) and with shank internal rotation (Khamis &
            Yizhar 2007, Gait Posture 25:127-134). Only when present.
        ``foot_eversion_excursion_deg``, ``foot_eversion_peak_velocity_dps``
            Same on the foot eversion column over IC → mid-stance. Only when present.
    """
    if not 0.02 <= loading_fraction <= 0.6:
        raise ConfigError(f"loading_fraction must be in [0.02, 0.6], got {loading_fraction!r}")
    if not loading_fraction <= midstance_fraction <= 1.0:
        raise ConfigError(
            f"midstance_fraction must be in [loading_fraction, 1], got {midstance_fraction!r}"
        )
    s = stride_key_frame(strides)
    angles = prepare_angles(angles, ("shank_axial_deg",))
    ic = s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    fc = s["fc_time_s"].to_numpy(dtype=float, na_value=np.nan)
    lr = ic + loading_fraction * (fc - ic)
    if loading_end == "contralateral_fc":
        cfc = _contralateral_fc_after(s, ic)
        inside = np.isfinite(cfc) & (cfc > ic) & (cfc < fc)
        lr = np.where(inside, cfc, lr)
    elif loading_end != "fraction":
        raise ConfigError(
            f"loading_end must be 'fraction' or 'contralateral_fc', got {loading_end!r}"
        )
    ms = ic + midstance_fraction * (fc - ic)
    out: dict[str, np.ndarray] = {
        "side": s["side"].to_numpy(),
        "stride_id": s["stride_id"].to_numpy(),
    }
    exc, vel = _excursion_and_rate(s, angles, "shank_axial_deg", ic, lr, n_points)
    out["lr_tibial_ir_excursion_deg"] = exc
    out["lr_tibial_ir_peak_velocity_dps"] = vel
    if angles.has("shank_frontal_deg"):
        # toward abduction (−φ): the knee moving medially over the loaded foot; a signed
        # change, because a normal shank may tilt either way in early stance and pronation
        # shifts that tilt toward abduction rather than creating a separate peak
        w = -stride_windows(s, angles, "shank_frontal_deg", ic, ms, n_points)
        out["shank_frontal_excursion_deg"] = w[:, -1] - w[:, 0]
        out["shank_frontal_peak_velocity_dps"] = window_rate(w, ic, ms).max(axis=1)
    if angles.has(foot_eversion_column):
        exc, vel = _excursion_and_rate(s, angles, foot_eversion_column, ic, ms, n_points)
        out["foot_eversion_excursion_deg"] = exc
        out["foot_eversion_peak_velocity_dps"] = vel
    return pd.DataFrame(out)


def overpronation_index(
    per_stride: pd.DataFrame,
    *,
    activity: str | None = None,
    reference: Mapping[tuple[str, str], NormativeRange] | None = None,
) -> pd.Series:
    """Over-pronation index: mean z-score of the pronation proxies against normative ranges.

    ``index = mean_k (x_k − μ_k) / σ_k`` over the components in
    :data:`OVERPRONATION_COMPONENTS` that are present in ``per_stride`` and have a reference
    ``(activity, metric)`` in ``reference`` (default :data:`gaitkit.metrics.NORMATIVE`).
    Dimensionless, in normative SDs: 0 is the normative mean, +1 one SD more internal
    rotation/eversion-like motion than the reference group.

    Parameters
    ----------
    per_stride
        Table with the component columns, and ``activity`` per row unless ``activity`` is given.
    activity
        ``"walk"`` or ``"run"`` for every row; overrides the table's ``activity`` column.
    reference
        ``{(activity, metric): NormativeRange}``.

    Returns
    -------
    pandas.Series
        ``overpronation_index`` per row; NaN where no component has a reference for the row's
        activity.

    Notes
    -----
    It is a **proxy** of rearfoot pronation (see :func:`compute_pronation_proxies`). The
    default running references are partly assumptions (``NormativeRange.verified`` is
    ``False`` for all of them, see :mod:`gaitkit.metrics._reference`): use it to compare a
    runner with themself over time or between legs, and pass measured normative data for
    between-person comparisons. Components are averaged with equal weight, assuming they are
    comparably informative.
    """
    ref = NORMATIVE if reference is None else reference
    if activity is not None:
        acts = np.full(len(per_stride), activity, dtype=object)
    elif "activity" in per_stride.columns:
        acts = per_stride["activity"].to_numpy(dtype=object)
    else:
        raise ConfigError(
            "overpronation_index needs activity= or an 'activity' column in the table"
        )
    total = np.zeros(len(per_stride))
    count = np.zeros(len(per_stride))
    for metric in OVERPRONATION_COMPONENTS:
        if metric not in per_stride.columns:
            continue
        x = per_stride[metric].to_numpy(dtype=float, na_value=np.nan)
        for act in pd.unique(acts):
            r = ref.get((act, metric))
            if r is None:
                continue
            m = (acts == act) & np.isfinite(x)
            total[m] += (x[m] - r.mean) / r.sd
            count[m] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.Series(idx, index=per_stride.index, name="overpronation_index")
