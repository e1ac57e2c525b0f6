"""Running contact events from shank acceleration (Purcell et al. 2006 features).

Kiernan et al. (2023, Sensors 23:5022) compared 18 single-sensor methods against force plates
in 74 runners and recommend, for a shank sensor, Purcell et al.'s features for IC (bias
+17.4 ms) and TC (bias +3.5 ms). As described there (Purcell, Channells, James & Barrett 2006,
Proc SPIE 6036:603615, "Use of accelerometers for detecting foot-ground contact time during
running"):

- **IC**: the minimum of the shank's anteroposterior acceleration nearest in time to the peak
  of the resultant acceleration (the landing impact);
- **TC**: midway between the most prominent anteroposterior acceleration minimum and the
  nearest medial acceleration maximum, searched from 20 % to 60 % of the IC-to-IC interval.

The sensor's orientation is unknown, so the shank frame is built from the data: ``z`` is the
signed sagittal gyroscope axis (ISB: to the right), ``y`` (superior) is the mean specific force
over the bout made orthogonal to ``z`` (on average the shank is near vertical and the mean
specific force is gravity, pointing up), ``x = y × z`` (anterior). Medial is ``+z`` on the left
leg and ``−z`` on the right.
"""

from __future__ import annotations

import numpy as np

from gaitkit.events._shank_gyro import _parabolic, _windows, interp_time

#: Low-pass (Hz) applied to the accelerations: keeps the impact, removes sensor noise at high
#: sampling rates (Purcell et al. used the raw 250 Hz signal).
ACC_CUTOFF_HZ = 30.0


def shank_frame(acc: np.ndarray, z: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anterior (``x``) and superior (``y``) unit axes of a shank sensor from its data."""
    m = acc[mask]
    m = m[np.isfinite(m).all(axis=1)]
    up = m.mean(axis=0) if m.shape[0] else np.array([0.0, 1.0, 0.0])
    y = up - (up @ z) * z
    ny = np.linalg.norm(y)
    if ny < 1e-9:
        y = np.cross(z, [1.0, 0.0, 0.0])
        ny = np.linalg.norm(y)
    y = y / ny
    x = np.cross(y, z)
    return x / np.linalg.norm(x), y


def purcell_events(
    acc: np.ndarray,
    z_axis: np.ndarray,
    side: str,
    time_s: np.ndarray,
    sampling_rate_hz: float,
    segments: np.ndarray,
    ms_index: np.ndarray,
    seg_id: np.ndarray,
    stride_s: np.ndarray,
    bout_mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IC after and TC before each mid-swing, from shank accelerations (Purcell et al. 2006).

    Returns ``ic_time, fc_time, ic_index, fc_index`` (NaN / −1 when not found).
    """
    from gaitkit.events._signal import segment_lowpass

    fs = sampling_rate_hz
    n = acc.shape[0]
    if ms_index.size == 0:
        e = np.empty(0)
        return e, e, np.empty(0, int), np.empty(0, int)
    x, _ = shank_frame(acc, z_axis, bout_mask)
    a = segment_lowpass(acc, segments, fs, ACC_CUTOFF_HZ)
    ax = a @ x
    medial = (a @ z_axis) * (1.0 if side == "left" else -1.0)
    res = np.sqrt(np.einsum("ij,ij->i", a, a))
    seg_lo = segments[seg_id, 0][:, None]
    seg_hi = segments[seg_id, 1][:, None]
    half = np.maximum(2, np.round(0.5 * stride_s * fs)).astype(int)
    L = int(half.max())
    rows = np.arange(ms_index.size)
    # --- IC: resultant peak after MS, then the nearest local minimum of a_x (±40 ms)
    win, inside = _windows(ms_index, 1, L, n)
    inside &= (win < seg_hi) & (np.arange(1, L + 1)[None, :] <= half[:, None])
    peak = win[rows, np.argmax(np.where(inside, res[win], -np.inf), axis=1)]
    ic_ok = inside.any(axis=1)
    r = max(1, round(0.04 * fs))
    lmx = np.zeros(n, bool)
    lmx[1:-1] = (ax[1:-1] <= ax[:-2]) & (ax[1:-1] < ax[2:])
    w2, in2 = _windows(peak, -r, r, n)
    in2 &= (w2 >= seg_lo) & (w2 < seg_hi)
    cand = in2 & lmx[w2]
    dist = np.where(cand, np.abs(np.arange(-r, r + 1))[None, :], 10 * r)
    col = np.argmin(dist, axis=1)
    ic_idx = np.where(cand.any(axis=1), w2[rows, col], peak)
    # --- TC before MS: 20-60 % of the stride after the previous IC (≈ MS − T + IC offset);
    # searched in [MS − 0.8 T, MS − 0.1 T] clipped to the segment, which holds that span.
    lo = np.round(0.8 * stride_s * fs).astype(int)
    hi = np.maximum(1, np.round(0.1 * stride_s * fs).astype(int))
    Lb = int(lo.max())
    win, inside = _windows(ms_index, -Lb, 0, n)
    off = np.arange(-Lb, 1)[None, :]
    inside &= (win >= seg_lo) & (off >= -lo[:, None]) & (off <= -hi[:, None])
    # most prominent a_x minimum in the window (deepest), then the nearest medial maximum
    xm = win[rows, np.argmin(np.where(inside, ax[win], np.inf), axis=1)]
    lmz = np.zeros(n, bool)
    lmz[1:-1] = (medial[1:-1] >= medial[:-2]) & (medial[1:-1] > medial[2:])
    candz = inside & lmz[win]
    dz = np.where(candz, np.abs(win - xm[:, None]), n)
    zm = win[rows, np.argmin(dz, axis=1)]
    tc_idx = np.where(candz.any(axis=1), np.round(0.5 * (xm + zm)).astype(int), xm)
    fc_ok = inside.any(axis=1)
    ic_t = np.where(ic_ok, interp_time(time_s, ic_idx, _parabolic(-ax, ic_idx)), np.nan)
    fc_t = np.where(fc_ok, time_s[np.clip(tc_idx, 0, n - 1)], np.nan)
    return ic_t, fc_t, np.where(ic_ok, ic_idx, -1), np.where(fc_ok, tc_idx, -1)
