"""Mid-swing, initial and final contact from the shank's sagittal angular velocity.

All functions take the projected sagittal angular velocity ``omega`` (rad/s, positive = distal
end moving forward, so the mid-swing peak is positive; see :mod:`gaitkit.events._axis`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitkit.events._signal import segment_lowpass

#: Cut-off (Hz) of the signal used to *find* mid-swing peaks: keeps the swing lobe (≈ 0.25-0.5 s
#: wide), suppresses impact transients and noise so one peak is found per stride.
DETECT_CUTOFF_HZ = 4.0
#: Cut-off (Hz) of the signal used to *time* walking events: Salarian et al. (2004) and Greene
#: et al. (2010) low-pass the shank gyroscope at a few Hz to ~ 15 Hz before picking extrema.
TIMING_CUTOFF_HZ = 12.0
#: Cut-off (Hz) for running events and mid-swing: running contact transients last ~45 ms.
RUN_TIMING_CUTOFF_HZ = 25.0
#: Absolute floor for a mid-swing peak: 50 °/s (Salarian et al. 2004).
MS_MIN_HEIGHT_RADPS = np.deg2rad(50.0)
#: Adaptive floor: a peak must reach this fraction of the median of its 9 neighbours' heights
#: (Greene et al. 2010 derive their thresholds from the signal in the same spirit).
MS_RELATIVE_HEIGHT = 0.4
MIN_STRIDE_S = 0.4
MAX_STRIDE_S = 2.5


@dataclass(frozen=True)
class LegCycles:
    """Mid-swing peaks of one leg and the filtered signals (internal working set)."""

    side: str
    placement: str
    omega_detect: np.ndarray  # 4 Hz detection signal, decimated by detect_step
    detect_step: int
    omega_timing: np.ndarray
    ms_index: np.ndarray  # sample index of the refined mid-swing peak
    ms_time_s: np.ndarray  # sub-sample (parabolic) time of the peak
    ms_height_radps: np.ndarray
    segment_id: np.ndarray


def _parabolic(y: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Sub-sample offset of an extremum at ``k`` from a 3-point parabola, in samples."""
    n = y.shape[0]
    km = np.clip(k - 1, 0, n - 1)
    kp = np.clip(k + 1, 0, n - 1)
    a, b, c = y[km], y[k], y[kp]
    den = a - 2 * b + c
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(np.abs(den) > 1e-12, 0.5 * (a - c) / den, 0.0)
    d = np.where(np.isfinite(d), d, 0.0)
    return np.clip(d, -0.5, 0.5)


def interp_time(time_s: np.ndarray, idx: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Time at fractional sample ``idx + frac`` (linear between neighbours)."""
    n = time_s.shape[0]
    i0 = np.clip(idx, 0, n - 1)
    j = np.clip(np.where(frac >= 0, i0 + 1, i0 - 1), 0, n - 1)
    dt = np.abs(time_s[j] - time_s[i0])
    return time_s[i0] + frac * dt


def _windows(centre: np.ndarray, lo: int, hi: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    off = np.arange(lo, hi + 1)
    idx = centre[:, None] + off[None, :]
    inside = (idx >= 0) & (idx < n)
    return np.clip(idx, 0, n - 1), inside


def find_mid_swings(
    omega: np.ndarray,
    time_s: np.ndarray,
    sampling_rate_hz: float,
    segments: np.ndarray,
    *,
    side: str,
    placement: str,
) -> LegCycles:
    """Find mid-swing peaks of the shank sagittal angular velocity.

    Peaks of the 4 Hz low-passed signal higher than 50 °/s (Salarian et al. 2004), with
    prominence of the same size, at least :data:`MIN_STRIDE_S` apart, and at least
    :data:`MS_RELATIVE_HEIGHT` × the median height of their nine neighbours (adaptive to speed).
    Each peak is then re-timed on the 12 Hz signal (maximum within ±80 ms) with parabolic
    interpolation. A saturated (clipped) peak is a plateau; after the 12 Hz low-pass its maximum
    lies at the plateau's centre, which is then used.
    """
    from scipy.signal import find_peaks

    fs = sampling_rate_hz
    n = omega.shape[0]
    w_tim = segment_lowpass(omega, segments, fs, TIMING_CUTOFF_HZ)
    # The 4 Hz detection signal is computed on the 12 Hz signal decimated to ~25-50 Hz (the
    # 12 Hz low-pass is its anti-alias filter): same peaks, a fraction of the work.
    q = max(1, int(fs // 25))
    seg_q = -(-segments // q)  # ceil: first kept sample of each segment, and its end
    w_det = segment_lowpass(w_tim[::q], seg_q, fs / q, DETECT_CUTOFF_HZ)
    idx_l, seg_l = [], []
    for k, (a, b) in enumerate(seg_q):
        if b - a < 3:
            continue
        pk, _ = find_peaks(
            w_det[a:b],
            height=MS_MIN_HEIGHT_RADPS,
            prominence=MS_MIN_HEIGHT_RADPS,
            distance=max(1, int(np.ceil(MIN_STRIDE_S * fs / q))),
        )
        idx_l.append((pk + a) * q)
        seg_l.append(np.full(pk.size, k))
    idx = np.concatenate(idx_l) if idx_l else np.empty(0, int)
    seg = np.concatenate(seg_l) if seg_l else np.empty(0, int)
    h = w_det[idx // q]
    if idx.size:
        from numpy.lib.stride_tricks import sliding_window_view

        pad = np.pad(h, 4, mode="edge")
        ref = np.median(sliding_window_view(pad, 9), axis=1)
        keep = h >= MS_RELATIVE_HEIGHT * ref
        idx, seg = idx[keep], seg[keep]
    # re-time on the timing signal
    r = max(1, round(0.08 * fs))
    win, inside = _windows(idx, -r, r, n)
    seg_lo = segments[seg, 0][:, None] if idx.size else np.empty((0, 1), int)
    seg_hi = segments[seg, 1][:, None] if idx.size else np.empty((0, 1), int)
    inside &= (win >= seg_lo) & (win < seg_hi)
    vals = np.where(inside, w_tim[win], -np.inf)
    best = win[np.arange(idx.size), np.argmax(vals, axis=1)] if idx.size else idx
    frac = _parabolic(w_tim, best)
    t = interp_time(time_s, best, frac)
    order = np.argsort(t)
    best, t, seg = best[order], t[order], seg[order]
    # drop duplicates created by re-timing
    if t.size > 1:
        keep = np.concatenate([[True], np.diff(t) > 0.5 * MIN_STRIDE_S])
        best, t, seg = best[keep], t[keep], seg[keep]
    return LegCycles(
        side=side,
        placement=placement,
        omega_detect=w_det,
        detect_step=q,
        omega_timing=w_tim,
        ms_index=best,
        ms_time_s=t,
        ms_height_radps=w_tim[best] if best.size else np.empty(0),
        segment_id=seg,
    )


def retime_peaks(
    w: np.ndarray, time_s: np.ndarray, idx: np.ndarray, half_window_s: float, fs: float
) -> np.ndarray:
    """Time (s) of the maximum of ``w`` within ±``half_window_s`` of each index (parabolic)."""
    n = w.shape[0]
    r = max(1, round(half_window_s * fs))
    win, inside = _windows(idx, -r, r, n)
    vals = np.where(inside, np.nan_to_num(w[win], nan=-np.inf), -np.inf)
    best = win[np.arange(idx.size), np.argmax(vals, axis=1)]
    return interp_time(time_s, best, _parabolic(w, best))


def contact_events(
    leg: LegCycles,
    time_s: np.ndarray,
    sampling_rate_hz: float,
    segments: np.ndarray,
    ms_sel: np.ndarray,
    stride_s: np.ndarray,
    running: np.ndarray,
    omega_run: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Find initial and final contact around each selected mid-swing.

    Features (Aminian et al. 2002, J Biomech 35:689-699; Salarian et al. 2004, IEEE TBME
    51:1434-1443; Greene et al. 2010, Med Biol Eng Comput 48:1251-1260; for running the same shank
    features as the Greene/McGrath and Aminian/O'Donovan methods compared by Kiernan et al.
    2023, Sensors 23:5022):

    - **IC**: the first local minimum of the timing signal after mid-swing that falls below
      20 % of the mid-swing height, searched up to half a stride later (the sharp backward
      rotation of the shank as the foot strikes).
    - **FC**: the deepest minimum before mid-swing (the pre-swing minimum, fastest knee
      flexion at push-off), searched from 20 % of a stride after the previous initial contact
      (so the contact trough, deeper in running, is excluded) or, without one, from 0.5 (walking)
      / 0.75 (running) of a stride before mid-swing. Running has a long swing (FC→MS is up to
      half the stride at 5 m/s), hence the longer look-back.

    Walking uses the 12 Hz timing signal; running the 25 Hz one (``omega_run``), because its
    contact transients are about twice as brief (≈ 45 ms against ≈ 85 ms at half depth).

    Parameters
    ----------
    ms_sel
        Positions (into ``leg.ms_index``) of the mid-swings to use, in time order.
    stride_s
        Local stride time (s) of each selected mid-swing (sets the search windows).
    running
        Boolean per selected mid-swing.
    omega_run
        Timing signal for running strides (defaults to the walking one).

    Returns
    -------
    ic_time, fc_time, ic_index, fc_index
        Times (s, NaN when not found) and sample indices (−1 when not found).
    """
    fs = sampling_rate_hz
    leg.omega_timing.shape[0]
    ms = leg.ms_index[ms_sel]
    seg = leg.segment_id[ms_sel]
    h = leg.ms_height_radps[ms_sel]
    m = ms.size
    ic_t = np.full(m, np.nan)
    fc_t = np.full(m, np.nan)
    ic_i = np.full(m, -1)
    fc_i = np.full(m, -1)
    if m == 0:
        return ic_t, fc_t, ic_i, fc_i
    rows_all = np.arange(m)
    for is_run in (False, True):
        sel = rows_all[running == is_run]
        if sel.size == 0:
            continue
        w = omega_run if (is_run and omega_run is not None) else leg.omega_timing
        r = _contacts(w, time_s, fs, segments, ms[sel], seg[sel], h[sel], stride_s[sel], is_run)
        ic_t[sel], fc_t[sel], ic_i[sel], fc_i[sel] = r
    return ic_t, fc_t, ic_i, fc_i


def _contacts(
    w: np.ndarray,
    time_s: np.ndarray,
    fs: float,
    segments: np.ndarray,
    ms: np.ndarray,
    seg: np.ndarray,
    h: np.ndarray,
    stride_s: np.ndarray,
    running: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = w.shape[0]
    m = ms.size
    rows = np.arange(m)
    seg_lo = segments[seg, 0]
    seg_hi = segments[seg, 1]
    half = np.maximum(2, np.round(0.5 * stride_s * fs)).astype(int)
    lm = np.zeros(n, bool)
    lm[1:-1] = (w[1:-1] <= w[:-2]) & (w[1:-1] < w[2:])
    # --- initial contact: first local minimum below 0.2 h within half a stride after MS
    L = int(half.max())
    win, inside = _windows(ms, 1, L, n)
    inside &= (win < seg_hi[:, None]) & (np.arange(1, L + 1)[None, :] <= half[:, None])
    cand = inside & lm[win] & (w[win] < 0.2 * h[:, None])
    has = cand.any(axis=1)
    col = np.where(
        has, np.argmax(cand, axis=1), np.argmin(np.where(inside, w[win], np.inf), axis=1)
    )
    ic_idx = win[rows, col]
    ic_ok = inside[rows, col] & (ic_idx < seg_hi - 1)
    # --- final contact: deepest minimum between (previous IC + 0.2 T) and MS
    back = np.round((0.75 if running else 0.5) * stride_s * fs).astype(int)
    lo = ms - back
    prev_ic = np.concatenate([[-1], np.where(ic_ok, ic_idx, -1)[:-1]])
    prev_ok = (prev_ic >= 0) & (prev_ic < ms) & (ms - prev_ic < 1.5 * stride_s * fs)
    prev_ok &= np.concatenate([[False], seg[1:] == seg[:-1]])
    lo = np.where(prev_ok, np.maximum(lo, prev_ic + np.round(0.2 * stride_s * fs)), lo)
    lo = np.maximum(lo, seg_lo).astype(int)
    Lb = int(max(1, (ms - lo).max()))
    win, inside = _windows(ms, -Lb, -1, n)
    inside &= win >= lo[:, None]
    col = np.argmin(np.where(inside, w[win], np.inf), axis=1)
    fc_idx = win[rows, col]
    fc_ok = inside[rows, col] & (fc_idx > seg_lo)
    ic_t = np.where(ic_ok, interp_time(time_s, ic_idx, _parabolic(-w, ic_idx)), np.nan)
    fc_t = np.where(fc_ok, interp_time(time_s, fc_idx, _parabolic(-w, fc_idx)), np.nan)
    return ic_t, fc_t, np.where(ic_ok, ic_idx, -1), np.where(fc_ok, fc_idx, -1)
