"""Find each sensor's sagittal (flexion/extension) gyroscope axis and its sign, unsupervised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaitkit.events._signal import contiguous_segments, segment_lowpass
from gaitkit.frames import placement_segment, placement_side
from gaitkit.model import Recording

#: Columns of the axis report returned by :func:`estimate_sagittal_axes`.
AXIS_COLUMNS: tuple[str, ...] = (
    "placement",
    "axis_x",
    "axis_y",
    "axis_z",
    "nearest_axis",
    "explained_variance",
    "sign_method",
    "sign_confidence",
    "confidence",
)

#: Low-pass cut-off (Hz) of the signal used to find the axis and its sign: keeps the gait
#: cycle's first harmonics, removes impact spikes (which are multi-axial and would bias both).
AXIS_CUTOFF_HZ = 4.0
#: Samples whose low-passed angular speed exceeds this (rad/s, ≈ 57 °/s) count as "moving".
ACTIVE_RADPS = 1.0


@dataclass(frozen=True)
class SagittalSignals:
    """Projected sagittal angular velocity per placement (internal working set)."""

    axes: pd.DataFrame
    omega: dict[str, np.ndarray]  # projected raw gyro (rad/s) of shanks and feet, swing positive
    segments: np.ndarray


def _principal_axis(g: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, float]:
    sel = g[active] if active.sum() >= 20 else g[np.all(np.isfinite(g), axis=1)]
    if sel.shape[0] < 3:
        return np.array([0.0, 0.0, 1.0]), float("nan")
    c = np.cov((sel - sel.mean(axis=0)).T)
    w, v = np.linalg.eigh(c)
    e = v[:, -1]
    e = e * np.sign(e[np.argmax(np.abs(e))])
    return e, float(w[-1] / max(w.sum(), 1e-300))


def _asymmetry_sign(p: np.ndarray, active: np.ndarray) -> tuple[float, float]:
    """Sign making the large swing lobe positive, and a confidence in [0, 1].

    The shank's mid-swing angular velocity peak is the largest, broadest lobe of the low-passed
    sagittal signal in both walking and running (Aminian et al. 2002; Salarian et al. 2004); the
    stance lobe of opposite sign is smaller. The sign is chosen so that the 99th percentile
    exceeds the magnitude of the 1st percentile; confidence is their normalised difference.
    """
    x = p[active] if active.sum() >= 20 else p[np.isfinite(p)]
    if x.size < 3:
        return 1.0, 0.0
    hi = float(np.percentile(x, 99))
    lo = -float(np.percentile(x, 1))
    s = 1.0 if hi >= lo else -1.0
    conf = abs(hi - lo) / max(hi + lo, 1e-12)
    return s, float(min(1.0, 3.0 * conf))


def _xcorr_sign(p: np.ndarray, ref: np.ndarray, fs: float) -> tuple[float, float]:
    """Sign of the strongest cross-correlation of ``p`` with ``ref`` within ±0.25 s."""
    step = max(1, int(fs // 25))  # ~25 Hz is plenty for a 4 Hz low-passed signal
    p, ref, fs = p[::step], ref[::step], fs / step
    m = np.isfinite(p) & np.isfinite(ref)
    if m.sum() < 20:
        return 1.0, 0.0
    a = np.where(m, p - np.nanmean(p[m]), 0.0)
    b = np.where(m, ref - np.nanmean(ref[m]), 0.0)
    max_lag = round(0.25 * fs)
    n = a.size
    lags = np.arange(-max_lag, max_lag + 1)
    denom = np.sqrt(np.einsum("i,i->", a, a) * np.einsum("i,i->", b, b)) or 1.0
    r = np.array(
        [
            np.einsum("i,i->", a[max(0, k) : n + min(0, k)], b[max(0, -k) : n - max(0, k)])
            for k in lags
        ]
    )
    r = r / denom
    k = int(np.argmax(np.abs(r)))
    return (1.0 if r[k] >= 0 else -1.0), float(min(1.0, abs(r[k]) / 0.5))


def _nearest(e: np.ndarray) -> str:
    i = int(np.argmax(np.abs(e)))
    return ("+" if e[i] >= 0 else "-") + "xyz"[i]


def estimate_sagittal_axes(recording: Recording) -> SagittalSignals:
    """Estimate every placement's sagittal gyroscope axis and sign from the data alone.

    Method
    ------
    1. Gyroscope low-passed at :data:`AXIS_CUTOFF_HZ` (zero-phase Butterworth, per gap-free
       segment); samples with angular speed above :data:`ACTIVE_RADPS` are "moving".
    2. **Axis**: principal eigenvector of the covariance of the moving samples. Flexion/
       extension dominates thigh and shank rotation in gait (> 80 % of the variance in HuGaDB
       walking and running), so it is the sagittal axis whatever the mounting.
    3. **Sign** (convention: positive = distal end moving forward = ISB ``+z`` on either leg,
       so the shank's mid-swing peak is positive): for shanks, the large swing lobe must be
       positive (:func:`_asymmetry_sign`); thighs and feet take the sign that correlates
       positively with the same-side shank (their swing rotation is forward as well); without a
       shank they fall back to the asymmetry rule.

    Returns
    -------
    SagittalSignals
        ``axes``: one row per placement with :data:`AXIS_COLUMNS` (axis as a unit vector in the
        sensor frame, already signed; ``nearest_axis`` like ``"-y"``; ``explained_variance`` of
        the axis; ``confidence`` = explained variance × sign confidence). ``omega``: the raw
        gyroscope of shanks and feet projected on that axis (rad/s). ``segments``: sample ranges
        free of gaps and of non-finite shank samples.

    Notes
    -----
    Assumes the recording contains gait (a few strides at least); on standing-only data the
    axis is meaningless and the confidence is low. Abduction/adduction and axial rotation are
    assumed to carry less variance than flexion/extension, true of healthy gait.
    """
    fs = recording.sampling_rate_hz
    fin: dict[str, np.ndarray] = {}
    for p, s in recording.streams.items():
        g = s.gyr_radps
        fin[p] = np.isfinite(g[:, 0] + g[:, 1] + g[:, 2])
    # Event segments: gap-free and finite on the shanks (the detectors' inputs); a NaN run in a
    # thigh does not cut the shanks' signals.
    shanks = [p for p in fin if placement_segment(p) == "shank"] or list(fin)
    finite = np.logical_and.reduce([fin[p] for p in shanks])
    segments = contiguous_segments(recording.time_s, fs, finite, min_len=int(fs))
    # The axis and sign live in the first few Hz: work on a ~25 Hz decimated copy (the 4 Hz
    # low-pass below is applied after decimation; impact spikes that alias are multi-axial
    # and brief, and hardly move a covariance or a 1st/99th percentile). Each placement uses
    # its own finite samples.
    q = max(1, int(fs // 25))
    fs_d = fs / q
    t_d = recording.time_s[::q]
    lp: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows = []
    for placement, stream in recording.streams.items():
        seg_d = contiguous_segments(t_d, fs_d, fin[placement][::q], min_len=max(8, int(fs_d)))
        g = segment_lowpass(stream.gyr_radps[::q], seg_d, fs_d, AXIS_CUTOFF_HZ)
        ok = np.isfinite(g[:, 0] + g[:, 1] + g[:, 2])
        active = ok & (
            np.einsum("ij,ij->i", np.where(ok[:, None], g, 0.0), np.where(ok[:, None], g, 0.0))
            > ACTIVE_RADPS**2
        )
        e, ev = _principal_axis(g, active)
        lp[placement] = (g @ e, active)
        rows.append([placement, e, ev])
    out_rows = []
    omega: dict[str, np.ndarray] = {}
    for placement, e, ev in rows:
        p, active = lp[placement]
        seg = placement_segment(placement)
        side = placement_side(placement)
        shank = f"shank_{side}" if side else None
        if seg != "shank" and shank in lp:
            sp, _ = lp[shank]
            ss, _ = _asymmetry_sign(sp, lp[shank][1])
            s, sc = _xcorr_sign(p, ss * sp, fs_d)
            method = "correlation_with_shank"
        else:
            s, sc = _asymmetry_sign(p, active)
            method = "swing_peak_asymmetry"
        axis = s * e
        if seg in ("shank", "foot"):  # the event detectors' inputs (thighs: axis only)
            g = recording.streams[placement].gyr_radps
            omega[placement] = g[:, 0] * axis[0] + g[:, 1] * axis[1] + g[:, 2] * axis[2]
        out_rows.append(
            {
                "placement": placement,
                "axis_x": float(axis[0]),
                "axis_y": float(axis[1]),
                "axis_z": float(axis[2]),
                "nearest_axis": _nearest(axis),
                "explained_variance": ev,
                "sign_method": method,
                "sign_confidence": sc,
                "confidence": float(np.nan_to_num(ev) * sc),
            }
        )
    axes = pd.DataFrame(out_rows, columns=list(AXIS_COLUMNS))
    return SagittalSignals(axes=axes, omega=omega, segments=segments)
