"""Gait bout detection and walk/run classification from the shanks' mid-swing peaks."""

from __future__ import annotations

import dataclasses
import weakref
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.events._axis import SagittalSignals, estimate_sagittal_axes
from gaitkit.events._shank_gyro import (
    MAX_STRIDE_S,
    MIN_STRIDE_S,
    LegCycles,
    find_mid_swings,
    interp_time,
)
from gaitkit.events._signal import annotation_mask, bridge_short_gaps
from gaitkit.model import Recording, check_recording
from gaitkit.schema import BOUT_COLUMNS, SIDES
from gaitkit.units import G0

#: Bout table columns: the shared schema plus detection details.
BOUT_TABLE_COLUMNS: tuple[str, ...] = (
    *BOUT_COLUMNS,
    "n_mid_swings",
    "stride_time_s",
    "run_score",
    "confidence",
)
#: Largest fraction of the cycle a gait-like signal spends above 20 % of its mid-swing peak
#: (see :func:`detect_bouts`).
MAX_SWING_DUTY = 0.40
#: Stride time (s) at the walk/run boundary of the cadence term of the run score.
RUN_STRIDE_S = 0.74
#: Peak shank acceleration (g) at the walk/run boundary of the impact term.
RUN_PEAK_ACC_G = 3.5


@dataclass(frozen=True)
class Prepared:
    """Shared working set of bout and event detection (internal)."""

    bridged: Recording | None  # copy with short gaps bridged, None when nothing was bridged
    signals: SagittalSignals
    legs: dict[str, LegCycles]
    clipped: dict[str, np.ndarray]  # per mid-swing of each leg
    acc_saturated: dict[str, bool]


def _ms_clipped(rec: Recording, placement: str, ms_index: np.ndarray) -> np.ndarray:
    """Flag mid-swings where a gyroscope channel sits on a saturation plateau.

    A plateau is ≥ 3 consecutive samples, within ±0.1 s of the mid-swing, at 99.9 % or more of
    the channel's largest magnitude. It counts when that magnitude exceeds 5 rad/s (no
    physiological plateau is that fast) or when the mid-swing lies in a span annotated
    ``clipping`` for that placement and a gyroscope channel. Only the mid-swing neighbourhood
    is examined: that is where shank gyroscopes saturate, and it keeps the check cheap.
    """
    g = rec.streams[placement].gyr_radps
    out = np.zeros(ms_index.size, bool)
    if ms_index.size == 0:
        return out
    fs = rec.sampling_rate_hz
    r = max(2, round(0.1 * fs))
    win = np.clip(ms_index[:, None] + np.arange(-r, r + 1)[None, :], 0, rec.n_samples - 1)
    gw = np.abs(g[win])  # (n_ms, 2r+1, 3)
    q = max(1, int(fs // 25))
    top = np.fmax(np.fmax.reduce(np.abs(g[::q]), axis=0), np.fmax.reduce(gw, axis=(0, 1)))
    at = gw >= 0.999 * top[None, None, :]
    run3 = (at[:, :-2] & at[:, 1:-1] & at[:, 2:]).any(axis=1)  # (n_ms, 3)
    t_ms = rec.time_s[ms_index]
    for c in range(3):
        ok = np.full(ms_index.size, top[c] >= 5.0)
        for a in rec.annotation_rows:
            if (
                a.kind == "clipping"
                and a.placement == placement
                and a.channel in (None, f"gyr_{'xyz'[c]}")
            ):
                ok |= (t_ms >= a.start_s) & (t_ms <= a.end_s)
        out |= run3[:, c] & ok
    return out


def _plateau_centres(
    leg: LegCycles, omega: np.ndarray, rec: Recording, clipped: np.ndarray
) -> LegCycles:
    """Re-time clipped mid-swings at the centre of their saturation plateau.

    The plateau is the contiguous run of samples around the peak where the projected raw
    angular velocity stays within 2 % of its local maximum (a clipped channel dominates the
    sagittal projection, so its plateau shows there).
    """
    fs = rec.sampling_rate_hz
    r = max(2, round(0.15 * fs))
    k = np.flatnonzero(clipped)
    off = np.arange(-r, r + 1)
    win = np.clip(leg.ms_index[k][:, None] + off[None, :], 0, rec.n_samples - 1)
    w = np.nan_to_num(omega[win], nan=-np.inf)
    top = w.max(axis=1, keepdims=True)
    near = w >= top - 0.02 * np.abs(top)
    # contiguous run containing the window centre (the detected peak)
    c = r
    left = np.where(~near[:, : c + 1][:, ::-1], np.arange(c + 1)[None, :], c + 1).min(axis=1)
    right = np.where(~near[:, c:], np.arange(r + 1)[None, :], r + 1).min(axis=1)
    centre = 0.5 * ((c - left + 1) + (c + right - 1))
    i0 = np.floor(centre).astype(int)
    frac = centre - i0
    idx = win[np.arange(k.size), np.clip(i0, 0, 2 * r)]
    t = leg.ms_time_s.copy()
    t[k] = interp_time(rec.time_s, idx, frac)
    mi = leg.ms_index.copy()
    mi[k] = idx
    return dataclasses.replace(leg, ms_time_s=t, ms_index=mi)


def _acc_saturated(rec: Recording, placement: str) -> bool:
    """Tell whether the accelerometer saturates (> 0.5 % of samples at its full scale).

    Estimated on a ~25 Hz subsample (saturation plateaus are long and frequent when present).
    """
    q = max(1, int(rec.sampling_rate_hz // 25))
    acc = np.abs(rec.streams[placement].acc_mps2[::q])
    top = np.fmax.reduce(acc, axis=0)
    frac = np.count_nonzero(acc >= 0.995 * top, axis=0) / max(acc.shape[0], 1)
    annotated = any(
        a.kind == "clipping" and a.placement == placement and (a.channel or "").startswith("acc")
        for a in rec.annotation_rows
    )
    return bool(annotated or np.any(frac > 0.005))


_MEMO: list = []  # [(weakref to Recording, Prepared)] of the last call


def prepare(rec: Recording) -> Prepared:
    """Axes, sagittal signals and mid-swing peaks of both shanks.

    The result for the most recent recording is memoised (by identity, through a weak
    reference), so :func:`detect_bouts` followed by :func:`detect_gait_events` on the same
    recording computes it once. Recordings are immutable, so this cannot go stale.
    """
    if _MEMO and _MEMO[0][0]() is rec:
        return _MEMO[0][1]
    out = _prepare(rec)
    _MEMO[:] = [(weakref.ref(rec), out)]
    return out


def _prepare(original: Recording) -> Prepared:
    rec = bridge_short_gaps(original)
    sig = estimate_sagittal_axes(rec)
    legs: dict[str, LegCycles] = {}
    clipped: dict[str, np.ndarray] = {}
    sat: dict[str, bool] = {}
    for side in SIDES:
        p = f"shank_{side}"
        if p not in rec.streams:
            continue
        sat[side] = _acc_saturated(rec, p)
        legs[side] = find_mid_swings(
            sig.omega[p],
            rec.time_s,
            rec.sampling_rate_hz,
            sig.segments,
            side=side,
            placement=p,
        )
        clipped[side] = _ms_clipped(rec, p, legs[side].ms_index)
        if clipped[side].any():
            legs[side] = _plateau_centres(legs[side], sig.omega[p], rec, clipped[side])
    if not legs:
        raise InsufficientDataError(
            "gait events need a shank sensor (shank_left or shank_right); "
            f"the recording has {', '.join(rec.placements)}"
        )
    # never hold the caller's recording (the memo refers to it weakly)
    return Prepared(None if rec is original else rec, sig, legs, clipped, sat)


def _sequences(leg: LegCycles, min_mid_swings: int) -> list[tuple[int, int]]:
    """Find runs of regular, stride-like mid-swing intervals: ``[(first, last)]`` positions."""
    t, s = leg.ms_time_s, leg.segment_id
    if t.size < min_mid_swings:
        return []
    d = np.diff(t)
    link = (s[1:] == s[:-1]) & (d >= MIN_STRIDE_S) & (d <= MAX_STRIDE_S)
    # regularity: an interval may not differ from its predecessor by more than a factor 2
    prev = np.concatenate([[np.nan], d[:-1]])
    reg = ~((d > 2.0 * prev) | (d < 0.5 * prev))
    link &= reg | ~np.concatenate([[False], link[:-1]])
    brk = np.flatnonzero(~link)
    starts = np.concatenate([[0], brk + 1])
    ends = np.concatenate([brk, [t.size - 1]])
    keep = (ends - starts + 1) >= min_mid_swings
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


def _swing_duty(leg: LegCycles, a: int, b: int) -> float:
    """Fraction of the time from mid-swing ``a`` to ``b`` spent above 20 % of the peak height."""
    i0, i1 = leg.ms_index[a], leg.ms_index[b]
    if i1 <= i0:
        return 0.0
    q = leg.detect_step
    w = leg.omega_detect[i0 // q : i1 // q]
    h = np.median(leg.ms_height_radps[a : b + 1])
    return float(np.mean(w > 0.2 * h))


def _local_stride(t: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per mid-swing stride time: mean of the intervals to its neighbours in the same group."""
    if t.size == 0:
        return t
    d = np.diff(t)
    same = group[1:] == group[:-1]
    nxt = np.concatenate([np.where(same, d, np.nan), [np.nan]])
    prv = np.concatenate([[np.nan], np.where(same, d, np.nan)])
    return _nanmean_rows(np.vstack([prv, nxt]))


def _nanmean_rows(a: np.ndarray) -> np.ndarray:
    cnt = np.isfinite(a).sum(axis=0)
    s = np.nansum(a, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)


def run_scores(
    rec: Recording, prep: Prepared, side: str, positions: np.ndarray, stride_s: np.ndarray
) -> np.ndarray:
    """Walk/run score per mid-swing (positive = running).

    ``score = (50 % − stance) / 4 % + (0.74 s − T) / 0.15 s + clip((a_peak − 3.5 g) / 1.5 g,
    −1, 1)``

    - ``stance``: duty factor estimated with the walking contact features (IC after this
      mid-swing to FC before the next, over the stride). Running *is* the gait with a duty
      factor below 50 % (a flight phase; Alexander 1989, Physiol Rev 69:1199-1227); on
      HuGaDB the estimate is 53-65 % in walking and on stairs, 34-36 % in running.
    - ``T``: local stride time; cadence rises from walking to running (Cavanagh & Kram 1989,
      Med Sci Sports Exerc 21:467-479).
    - ``a_peak``: largest shank acceleration magnitude in the 0.6 T after mid-swing (landing);
      tibial peaks are several g in running and ≈ 1.5-3 g in walking (Lafortune 1991,
      J Biomech 24:877-886). Dropped when the accelerometer saturates (HuGaDB's ±2 g).
    """
    from gaitkit.events._shank_gyro import contact_events

    leg = prep.legs[side]
    fs = rec.sampling_rate_hz
    stride = np.nan_to_num(stride_s, nan=1.0)
    score = (RUN_STRIDE_S - stride) / 0.15
    if positions.size >= 2:
        ic_t, fc_t, _, _ = contact_events(
            leg,
            rec.time_s,
            fs,
            prep.signals.segments,
            positions,
            stride,
            np.zeros(positions.size, bool),
        )
        tms = leg.ms_time_s[positions]
        pct = 100.0 * (fc_t[1:] - ic_t[:-1]) / np.diff(tms)
        pct = np.concatenate([pct, [np.nan]])
        pct = np.where(np.isfinite(pct), pct, np.concatenate([[np.nan], pct[:-1]]))
        score = score + np.nan_to_num((50.0 - pct) / 4.0)
    if not prep.acc_saturated[side] and positions.size:
        acc = rec.streams[leg.placement].acc_mps2
        ms = leg.ms_index[positions]
        L = int(np.ceil(0.6 * np.max(stride) * fs)) + 1
        off = np.arange(L)
        win = np.clip(ms[:, None] + off[None, :], 0, acc.shape[0] - 1)
        aw = acc[win]
        a_norm = np.sqrt(np.einsum("ijk,ijk->ij", aw, aw)) / G0
        lim = np.round(0.6 * stride * fs)[:, None]
        peak = np.fmax.reduce(np.where(off[None, :] <= lim, a_norm, 0.0), axis=1)
        score = score + np.clip((peak - RUN_PEAK_ACC_G) / 1.5, -1.0, 1.0)
    return score


def bouts_from_prepared(
    rec: Recording, prep: Prepared, *, min_mid_swings: int = 3, activity: str = "auto"
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Bout table and, per side, the bout id of every mid-swing (−1 outside bouts)."""
    rec = prep.bridged or rec
    seg_t = rec.time_s[prep.signals.segments[:, 0]], rec.time_s[prep.signals.segments[:, 1] - 1]
    spans = []  # (start, end, segment, side, a, b)
    for side, leg in prep.legs.items():
        for a, b in _sequences(leg, min_mid_swings):
            if _swing_duty(leg, a, b) > MAX_SWING_DUTY:
                continue
            spans.append((leg.ms_time_s[a], leg.ms_time_s[b], int(leg.segment_id[a]), side, a, b))
    spans.sort()
    merged: list[list] = []
    for s in spans:
        if merged and s[2] == merged[-1][2] and s[0] <= merged[-1][1] + 0.75:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append([s[0], s[1], s[2]])
    # per-mid-swing features within merged spans, both legs pooled
    rows = []
    ms_bout = {side: np.full(leg.ms_time_s.size, -1) for side, leg in prep.legs.items()}
    pieces: list[tuple[float, float, int, np.ndarray, np.ndarray]] = []
    for k, (t0, t1, sg) in enumerate(merged):
        tt, sc = [], []
        for side, leg in prep.legs.items():
            pos = np.flatnonzero(
                (leg.ms_time_s >= t0 - 1e-9) & (leg.ms_time_s <= t1 + 1e-9) & (leg.segment_id == sg)
            )
            if pos.size == 0:
                continue
            stride = _local_stride(leg.ms_time_s[pos], np.zeros(pos.size))
            tt.append(leg.ms_time_s[pos])
            sc.append(run_scores(rec, prep, side, pos, stride))
        t_all = np.concatenate(tt)
        s_all = np.concatenate(sc)
        o = np.argsort(t_all)
        t_all, s_all = t_all[o], np.nan_to_num(s_all[o])
        if activity == "auto":
            lab = _median_filter_labels(s_all > 0, 5)
            lab = _absorb_short_runs(lab, 2 * min_mid_swings)
        else:  # forced by the caller: one label, no split
            lab = np.full(t_all.size, activity == "run")
        # split where the smoothed label changes
        cut = np.flatnonzero(lab[1:] != lab[:-1])
        bounds = np.concatenate([[0], cut + 1, [t_all.size]])
        for i in range(bounds.size - 1):
            a, b = bounds[i], bounds[i + 1]
            pieces.append((t_all[a], t_all[b - 1], sg, t_all[a:b], s_all[a:b]))
        del k
    for bout_id, (t0, t1, sg, tms, sc) in enumerate(pieces):
        d = np.diff(tms)
        # both legs pooled: consecutive mid-swings are steps, a stride is two of them
        stride = float(2 * np.median(d)) if d.size else float("nan")
        if not np.isfinite(stride):
            stride = 1.0
        start = max(float(seg_t[0][sg]), t0 - 0.5 * stride)
        end = min(float(seg_t[1][sg]), t1 + 0.5 * stride)
        if rows and rows[-1]["end_s"] > start:  # split of one span: meet half-way
            mid = 0.5 * (pieces[bout_id - 1][1] + t0)
            rows[-1]["end_s"] = mid
            start = mid
        rows.append(
            {
                "bout_id": bout_id,
                "start_s": start,
                "end_s": end,
                "activity": (
                    activity if activity != "auto" else ("run" if np.median(sc) > 0 else "walk")
                ),
                "n_mid_swings": int(tms.size),
                "stride_time_s": stride,
                "run_score": float(np.median(sc)),
                "confidence": float(min(1.0, abs(np.median(sc)) / 1.0)),
            }
        )
    bouts = pd.DataFrame(rows, columns=list(BOUT_TABLE_COLUMNS))
    bouts = bouts.astype({"bout_id": int, "start_s": float, "end_s": float, "n_mid_swings": int})
    for side, leg in prep.legs.items():
        ms_bout[side] = assign_bouts(leg.ms_time_s, bouts)
    return bouts, ms_bout


def _median_filter_labels(x: np.ndarray, k: int) -> np.ndarray:
    if x.size < 3:
        return x
    from numpy.lib.stride_tricks import sliding_window_view

    k = min(k, x.size if x.size % 2 else x.size - 1)
    pad = np.pad(x.astype(float), k // 2, mode="edge")
    return np.median(sliding_window_view(pad, k), axis=1) > 0.5


def _absorb_short_runs(lab: np.ndarray, min_len: int) -> np.ndarray:
    """Flip label runs shorter than ``min_len`` to their longer neighbour's label."""
    lab = lab.copy()
    while True:
        cut = np.flatnonzero(lab[1:] != lab[:-1])
        if cut.size == 0:
            return lab
        b = np.concatenate([[0], cut + 1, [lab.size]])
        runs = np.diff(b)
        i = int(np.argmin(runs))
        if runs[i] >= min_len:
            return lab
        lab[b[i] : b[i + 1]] = ~lab[b[i]]


def assign_bouts(t: np.ndarray, bouts: pd.DataFrame) -> np.ndarray:
    """Bout id containing each time (−1 when none); bouts must not overlap."""
    if len(bouts) == 0 or t.size == 0:
        return np.full(t.size, -1)
    b = bouts.sort_values("start_s")
    st = b["start_s"].to_numpy(float)
    en = b["end_s"].to_numpy(float)
    ids = b["bout_id"].to_numpy()
    k = np.searchsorted(st, t, side="right") - 1
    ok = (k >= 0) & (t <= en[np.clip(k, 0, None)])
    return np.where(ok, ids[np.clip(k, 0, None)], -1)


def detect_bouts(
    recording: Recording,
    *,
    min_mid_swings: int = 3,
    activity: Literal["auto", "walk", "run"] = "auto",
) -> pd.DataFrame:
    """Detect walking and running bouts from the shanks' sagittal angular velocity.

    Method
    ------
    1. The sagittal axis of each shank gyroscope and its sign are found from the data
       (:func:`gaitkit.events.estimate_sagittal_axes`), so mounting does not matter.
    2. **Mid-swing peaks** of the 4 Hz low-passed signal above 50 °/s (the mid-swing threshold
       of Salarian et al. 2004, IEEE Trans Biomed Eng 51:1434-1443) and above 0.4 × the median
       of neighbouring peaks (adaptive, after Greene et al. 2010, Med Biol Eng Comput
       48:1251-1260).
    3. **Periodicity**: a bout is a run of ≥ ``min_mid_swings`` peaks on one leg whose intervals
       are stride-like (0.4-2.5 s) and regular (each within a factor 2 of the previous), the
       stride-sequence idea of gait-sequence detectors (Salarian et al. 2004; for foot sensors
       Rampp et al. 2015, IEEE Trans Biomed Eng 62:1089-1097, and the periodicity-based
       detector of Ullrich et al. 2020, IEEE J Biomed Health Inform 24:1869-1878). Runs of the
       two legs that overlap are merged. Bouts never cross a gap longer than 0.1 s.
    4. **Gait-likeness**: the signal may spend at most 40 % of the cycle above 20 % of the
       mid-swing height. Gait is asymmetric: a brief, fast forward swing (≈ 25-33 % of the
       cycle above that level in HuGaDB walking, stairs and running) and a long, slow stance,
       whereas pedalling is close to a sinusoid (≈ 44 % of the cycle above 20 % of its peak).
       Passive vibration (car rides), standing and sitting give no peaks above 50 °/s.
    5. **Walk or run** per mid-swing from duty factor, cadence and landing impact (see
       :func:`run_scores`),
       median-filtered over five mid-swings; a bout is split where the label changes.

    Parameters
    ----------
    recording
        Any recording with at least one shank stream.
    min_mid_swings
        Smallest number of consecutive mid-swings (on one leg) that makes a bout (≥ 2).
    activity
        ``"auto"`` classifies each bout; ``"walk"`` or ``"run"`` labels every bout so (for
        users who know what was recorded; ``run_score`` is still reported).

    Returns
    -------
    DataFrame
        :data:`BOUT_TABLE_COLUMNS`: ``bout_id``, ``start_s``, ``end_s``, ``activity``
        (``"walk"``/``"run"``), ``n_mid_swings`` (both legs), ``stride_time_s`` (median),
        ``run_score`` (median; > 0 = run), ``confidence`` (0-1, of the walk/run label). A bout
        spans half a stride before its first and after its last mid-swing (within its
        gap-free segment), so it holds the final contact before the first and the initial
        contact after the last mid-swing.

    Limits
    ------
    Turning, stairs and speed changes keep the mid-swing peak and do not break bouts; a stop
    shorter than a stride may not. Shuffling gait with swing peaks below 50 °/s is missed.
    Cycling rejection relies on the swing-duty test only (not validated on cycling data here).
    """
    rec = check_recording(recording)
    if not isinstance(min_mid_swings, (int, np.integer)) or min_mid_swings < 2:
        raise ConfigError(f"min_mid_swings must be an integer >= 2, got {min_mid_swings!r}")
    if activity not in ("auto", "walk", "run"):
        raise ConfigError(f"activity must be 'auto', 'walk' or 'run', got {activity!r}")
    prep = prepare(rec)
    bouts, _ = bouts_from_prepared(rec, prep, min_mid_swings=int(min_mid_swings), activity=activity)
    return bouts


def suspect_mask(rec: Recording, placement: str) -> np.ndarray:
    """Mark samples annotated ``suspect_gyro`` for ``placement`` (or the whole recording)."""
    return annotation_mask(rec, "suspect_gyro", placement)
