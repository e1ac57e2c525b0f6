"""Knee-to-hip "tug-of-war": ROM ratio, continuous relative phase and vector coding.

All functions work on time-normalised cycle arrays of shape ``(n_strides, n_points)``
(IC → next IC of the same leg, 101 points by default), vectorised across strides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.metrics._tables import prepare_angles, stride_key_frame, stride_windows
from gaitkit.schema import SIDES

__all__ = [
    "COUPLING_BINS",
    "circular_mean_sd_deg",
    "compute_coordination",
    "continuous_relative_phase",
    "coordination_summary",
    "coupling_phase_bins",
    "stride_cycles",
    "vector_coding",
]

#: Chang et al. (2008) four coordination patterns, in the order of the bin columns.
COUPLING_BINS: tuple[str, ...] = ("inphase", "antiphase", "proximal", "distal")


def stride_cycles(
    strides: pd.DataFrame, angles: pd.DataFrame, column: str, n_points: int = 101
) -> np.ndarray:
    """Time-normalise ``angles[column]`` over each stride (IC → next IC): ``(n_strides, n)``.

    Linear interpolation onto ``n_points`` equally spaced instants, 0 % and 100 % included.
    Strides whose window is missing or outside the signal are NaN rows.
    """
    s = stride_key_frame(strides)
    angles = prepare_angles(angles, (column,))
    return stride_windows(
        s,
        angles,
        column,
        s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan),
        s["next_ic_time_s"].to_numpy(dtype=float, na_value=np.nan),
        n_points,
    )


def _check_cycles(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.atleast_2d(np.asarray(a, dtype=float)) for a in arrays]
    if any(a.shape != out[0].shape for a in out) or out[0].shape[1] < 4:
        raise InputFormatError(
            "cycle arrays must share one shape (n_strides, n_points >= 4), got "
            + ", ".join(str(a.shape) for a in out)
        )
    return out


def _phase_angle(x: np.ndarray) -> np.ndarray:
    """Hilbert phase (rad) of each cycle, treated as one period of a periodic signal."""
    n = x.shape[1]
    ramp = np.linspace(0.0, 1.0, n)
    # Close the cycle: remove the linear drift from the first to the last point so the
    # periodic extension has no jump (no Gibbs ringing at the cycle ends).
    closed = x - (x[:, -1:] - x[:, :1]) * ramp
    centred = closed - 0.5 * (closed.max(axis=1, keepdims=True) + closed.min(axis=1, keepdims=True))
    period = centred[:, :-1]
    m = period.shape[1]
    ok = np.isfinite(period).all(axis=1)
    phase = np.full(x.shape, np.nan)
    if ok.any():
        # Hilbert transform of a periodic real signal: multiply positive frequencies by -i,
        # zero the mean and (even length) Nyquist terms; equivalent to the imaginary part of
        # the analytic signal (scipy.signal.hilbert), with real FFTs.
        spec = np.fft.rfft(period[ok], axis=1)
        spec[:, 0] = 0.0
        if m % 2 == 0:
            spec[:, -1] = 0.0
        h = np.fft.irfft(-1j * spec, m, axis=1)
        ph = np.arctan2(h, period[ok])
        phase[ok, :-1] = ph
        phase[ok, -1] = ph[:, 0]
    return phase


def continuous_relative_phase(proximal: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Continuous relative phase (degrees) of two cycle arrays, Hilbert-transform method.

    Each cycle is (1) closed by removing the linear drift between its first and last point,
    (2) centred on zero amplitude, ``x − (max + min)/2``, and (3) treated as one period of a
    periodic signal, whose analytic signal ``x + i·H[x]`` is exact by FFT with no end padding
    needed (one period of a periodic extension has no end effects). Phase
    ``φ = atan2(H[x], x)``; ``CRP = φ_proximal − φ_distal`` wrapped to (−180°, 180°].

    Parameters
    ----------
    proximal, distal
        ``(n_strides, n_points)`` cycles (e.g. thigh and shank sagittal angles), IC → next IC.

    Returns
    -------
    numpy.ndarray
        ``(n_strides, n_points)`` CRP in degrees (NaN rows where an input row has NaN).

    Notes
    -----
    Follows the recommendations of Lamb & Stöckl (2014, Clin Biomech 29:484-493): use the
    Hilbert transform rather than phase portraits of normalised angle/velocity, and centre the
    signals around zero before transforming. 0° means the segments move in phase, ±180° in
    anti-phase. Assumes each cycle is close to one oscillation; signals with several
    oscillations per cycle give a phase that winds several times.
    """
    p, d = _check_cycles(proximal, distal)
    rel = np.degrees(_phase_angle(p) - _phase_angle(d))
    return 180.0 - np.mod(180.0 - rel, 360.0)  # wrap to (−180, 180]


def vector_coding(proximal: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Coupling angles γ (degrees, [0, 360)) between consecutive frames of angle–angle plots.

    ``γ_i = atan2(D_{i+1} − D_i, P_{i+1} − P_i)`` with the proximal segment on the horizontal
    axis (Chang et al. 2008, J Biomech 41:3101-3105), ``(n_strides, n_points − 1)``. Frames
    where neither segment moves give γ = 0 (proximal phase), a known degenerate case.
    """
    p, d = _check_cycles(proximal, distal)
    g = np.degrees(np.arctan2(np.diff(d, axis=1), np.diff(p, axis=1)))
    return np.mod(g, 360.0)


def coupling_phase_bins(gamma_deg: np.ndarray) -> np.ndarray:
    """Percent of frames in each of Chang et al.'s (2008) four coordination patterns.

    Bins (γ in degrees): in-phase [22.5, 67.5) ∪ [202.5, 247.5); anti-phase [112.5, 157.5) ∪
    [292.5, 337.5); proximal phase [0, 22.5) ∪ [157.5, 202.5) ∪ [337.5, 360); distal phase
    [67.5, 112.5) ∪ [247.5, 292.5). Returns ``(..., 4)`` percentages in :data:`COUPLING_BINS`
    order (NaN frames excluded; all-NaN rows give NaN).
    """
    g = np.asarray(gamma_deg, dtype=float)
    # 45°-wide sectors centred on multiples of 45°: sector k = floor((γ + 22.5) / 45) mod 8.
    k = np.floor(np.mod(g + 22.5, 360.0) / 45.0)
    sector_to_bin = np.array([2, 0, 3, 1, 2, 0, 3, 1])  # proximal, in, distal, anti, ...
    valid = np.isfinite(g)
    b = np.where(valid, sector_to_bin[np.where(valid, k, 0).astype(int)], -1)
    n = valid.sum(axis=-1, keepdims=True)
    counts = np.stack([(b == i).sum(axis=-1) for i in range(4)], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * counts / np.maximum(n, 1), np.nan)


def circular_mean_sd_deg(angles_deg: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Circular mean (degrees, [0, 360)) and circular SD (degrees) along ``axis``.

    ``x̄ = mean cos γ``, ``ȳ = mean sin γ``, mean ``atan2(ȳ, x̄)``, mean resultant length
    ``r = √(x̄² + ȳ²)`` and SD ``√(2(1 − r))`` in radians converted to degrees — the coupling
    angle variability of Needham et al. (2014, J Biomech 47:1020-1026).
    """
    a = np.radians(np.asarray(angles_deg, dtype=float))
    x = np.cos(a).mean(axis=axis)
    y = np.sin(a).mean(axis=axis)
    r = np.minimum(np.hypot(x, y), 1.0)
    return np.mod(np.degrees(np.arctan2(y, x)), 360.0), np.degrees(np.sqrt(2.0 * (1.0 - r)))


def _sagittal_cycles(
    s: pd.DataFrame, angles: pd.DataFrame, n: int
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    t0 = s["ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    t1 = s["next_ic_time_s"].to_numpy(dtype=float, na_value=np.nan)
    has_thigh = angles.has("thigh_sagittal_deg")
    has_shank = angles.has("shank_sagittal_deg")
    thigh = stride_windows(s, angles, "thigh_sagittal_deg", t0, t1, n) if has_thigh else None
    shank = stride_windows(s, angles, "shank_sagittal_deg", t0, t1, n) if has_shank else None
    if angles.has("knee_flexion_deg"):
        knee = stride_windows(s, angles, "knee_flexion_deg", t0, t1, n)
    elif thigh is not None and shank is not None:
        knee = thigh - shank  # 2-D knee flexion (gaitkit.schema)
    else:
        knee = None
    return thigh, shank, knee


def compute_coordination(
    strides: pd.DataFrame, angles: pd.DataFrame, *, n_points: int = 101
) -> pd.DataFrame:
    """Per-stride knee-to-hip ROM ratio and thigh–shank coordination.

    Parameters
    ----------
    strides, angles
        Strides table and long angle table; uses ``thigh_sagittal_deg``,
        ``shank_sagittal_deg`` and ``knee_flexion_deg`` (or thigh − shank when absent).
    n_points
        Points per time-normalised cycle (IC → next IC).

    Returns
    -------
    pandas.DataFrame
        Same rows as ``strides``: ``side, stride_id`` and, where the inputs exist,

        ``thigh_rom_deg``, ``knee_flexion_rom_deg``
            ``max − min`` over the stride cycle.
        ``knee_thigh_rom_ratio``
            ``knee_flexion_rom_deg / thigh_rom_deg``: how much the knee moves per unit
            of hip (thigh) motion; rises when the hip gives less range and the knee makes up for
            it — the knee-to-hip "tug-of-war".
        ``thigh_shank_marp_deg``, ``thigh_shank_crp_sd_deg``
            Mean absolute and within-stride SD of the continuous relative phase
            (:func:`continuous_relative_phase`, thigh proximal, shank distal).
        ``coupling_inphase_pct``, ``coupling_antiphase_pct``, ``coupling_proximal_pct``,
        ``coupling_distal_pct``
            Share of the cycle in each vector-coding coordination pattern
            (:func:`vector_coding`, :func:`coupling_phase_bins`).

    Notes
    -----
    Thigh sagittal inclination stands in for hip flexion (no pelvis sensor), so the ratio
    reflects segment, not joint, hip motion. Without thigh sensors only
    ``knee_flexion_rom_deg`` (if the angle table has it) is returned.
    """
    if n_points < 11:
        raise ConfigError(f"n_points must be >= 11, got {n_points!r}")
    s = stride_key_frame(strides)
    angles = prepare_angles(angles)
    out: dict[str, np.ndarray] = {
        "side": s["side"].to_numpy(),
        "stride_id": s["stride_id"].to_numpy(),
    }
    thigh, shank, knee = _sagittal_cycles(s, angles, n_points)
    if thigh is not None:
        out["thigh_rom_deg"] = np.ptp(thigh, axis=1)
    if knee is not None:
        out["knee_flexion_rom_deg"] = np.ptp(knee, axis=1)
    if thigh is not None and knee is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["knee_thigh_rom_ratio"] = out["knee_flexion_rom_deg"] / out["thigh_rom_deg"]
    if thigh is not None and shank is not None:
        crp = continuous_relative_phase(thigh, shank)
        out["thigh_shank_marp_deg"] = np.abs(crp).mean(axis=1)
        out["thigh_shank_crp_sd_deg"] = crp.std(axis=1)
        pct = coupling_phase_bins(vector_coding(thigh, shank))
        for i, name in enumerate(COUPLING_BINS):
            out[f"coupling_{name}_pct"] = pct[:, i]
    return pd.DataFrame(out)


def coordination_summary(
    strides: pd.DataFrame, angles: pd.DataFrame, *, n_points: int = 101, valid_only: bool = True
) -> pd.DataFrame:
    """Across-stride thigh–shank coordination variability, one row per side.

    Columns: ``side, n_strides``,
    ``crp_deviation_phase_deg`` (mean over the cycle of the across-stride circular SD of CRP —
    the deviation phase, here computed with circular statistics because CRP wraps),
    ``coupling_angle_variability_deg`` (mean over the cycle of the across-stride circular SD of
    the vector-coding coupling angle, Needham et al. 2014), and
    ``ensemble_{inphase,antiphase,proximal,distal}_pct`` (the four Chang et al. 2008 bins
    applied to the across-stride circular mean coupling angle at each frame, as Needham et al.
    2014 recommend). Sides without usable thigh and shank angles are left out.
    """
    s = stride_key_frame(strides)
    if valid_only and "valid" in s.columns:
        s = s.loc[s["valid"].fillna(False).astype(bool)].reset_index(drop=True)
    angles = prepare_angles(angles)
    thigh, shank, _ = _sagittal_cycles(s, angles, n_points)
    rows = []
    if thigh is None or shank is None:
        return pd.DataFrame(rows)
    sides = s["side"].to_numpy()
    for side in SIDES:
        m = (sides == side) & np.isfinite(thigh).all(axis=1) & np.isfinite(shank).all(axis=1)
        if m.sum() < 2:
            continue
        crp = continuous_relative_phase(thigh[m], shank[m])
        gamma = vector_coding(thigh[m], shank[m])
        _, crp_sd = circular_mean_sd_deg(crp, axis=0)
        g_mean, g_sd = circular_mean_sd_deg(gamma, axis=0)
        bins = coupling_phase_bins(g_mean)
        row = {
            "side": side,
            "n_strides": int(m.sum()),
            "crp_deviation_phase_deg": float(crp_sd.mean()),
            "coupling_angle_variability_deg": float(g_sd.mean()),
        }
        row.update({f"ensemble_{b}_pct": float(bins[i]) for i, b in enumerate(COUPLING_BINS)})
        rows.append(row)
    return pd.DataFrame(rows)
