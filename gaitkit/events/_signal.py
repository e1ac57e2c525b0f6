"""Signal helpers shared by the event detectors: contiguous segments and zero-phase filters."""

from __future__ import annotations

import functools

import numpy as np

from gaitkit.model import Recording


def contiguous_segments(
    time_s: np.ndarray, sampling_rate_hz: float, finite: np.ndarray, min_len: int = 2
) -> np.ndarray:
    """Return ``(k, 2)`` ``[start, stop)`` index ranges of gap-free, all-finite samples.

    A gap is a time step larger than 1.5 sample periods (the :class:`~gaitkit.model.Recording`
    definition); a non-finite sample also breaks a segment. Events are never detected across a
    segment boundary.
    """
    n = time_s.shape[0]
    ok = np.asarray(finite, bool)
    gap_before = np.zeros(n + 1, bool)
    gap_before[1:n] = np.diff(time_s) > 1.5 / sampling_rate_hz
    prev_ok = np.concatenate([[False], ok[:-1]])
    next_ok = np.concatenate([ok[1:], [False]])
    starts = np.flatnonzero(ok & (~prev_ok | gap_before[:n]))
    stops = np.flatnonzero(ok & (~next_ok | gap_before[1:])) + 1
    seg = np.array([starts, stops], dtype=int).T.reshape(-1, 2)
    return seg[(seg[:, 1] - seg[:, 0]) >= min_len]


@functools.lru_cache(maxsize=64)
def _butter_sos(order: int, wn: float) -> np.ndarray:
    from scipy.signal import butter

    return butter(order, wn, output="sos")


def lowpass(x: np.ndarray, sampling_rate_hz: float, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 (``scipy.signal.sosfiltfilt``).

    The cut-off is capped at 0.45 × the sampling rate so the same call works from 50 to 1000 Hz;
    the filter is designed for the given rate, so its time behaviour does not change with it.
    """
    from scipy.signal import sosfiltfilt

    sos = _butter_sos(order, min(cutoff_hz, 0.45 * sampling_rate_hz) / (0.5 * sampling_rate_hz))
    padlen = min(x.shape[0] - 1, 3 * (2 * len(sos) + 1) * 4)
    if x.shape[0] < 8:
        return np.array(x, dtype=float, copy=True)
    return sosfiltfilt(sos, x, axis=0, padlen=padlen)


def segment_lowpass(
    x: np.ndarray, segments: np.ndarray, sampling_rate_hz: float, cutoff_hz: float
) -> np.ndarray:
    """Low-pass each segment separately; samples outside segments become NaN."""
    out = np.full(x.shape, np.nan)
    for a, b in segments:
        out[a:b] = lowpass(x[a:b], sampling_rate_hz, cutoff_hz)
    return out


def annotation_mask(rec: Recording, kind: str, placement: str | None) -> np.ndarray:
    """Boolean per-sample mask of annotations of ``kind`` for ``placement`` (or all)."""
    m = np.zeros(rec.n_samples, bool)
    for a in rec.annotation_rows:
        if a.kind != kind:
            continue
        if placement is not None and a.placement not in (None, placement):
            continue
        m |= (rec.time_s >= a.start_s) & (rec.time_s <= a.end_s)
    return m


#: Gaps up to this long (s) are bridged by linear interpolation before detection (BLE packet
#: loss drops bursts of 1-5 samples); longer gaps split the recording into segments.
MAX_BRIDGED_GAP_S = 0.1


def bridge_short_gaps(rec: Recording, max_gap_s: float = MAX_BRIDGED_GAP_S) -> Recording:
    """Fill gaps of at most ``max_gap_s`` with linearly interpolated samples on the nominal grid.

    0.1 s is about a fifth of a swing phase: a mid-swing peak or a contact trough inside such a
    gap is interpolated, so the events it touches are flagged ``bridged_gap``.

    The missing samples of each short gap are placed at ``t_before + k / fs`` and every channel
    is interpolated linearly (``numpy.interp``); longer gaps are left as they are (events are
    never detected across them). A ``resampled`` annotation lists each bridged span, so events
    that fall inside one can be flagged. Returns ``rec`` itself when nothing is bridged.
    """
    import dataclasses

    from gaitkit.model import Annotation, SensorStream

    fs = rec.sampling_rate_hz
    t = rec.time_s
    dt = np.diff(t)
    miss = np.round(dt * fs).astype(np.int64) - 1
    bridge = (dt > 1.5 / fs) & (dt <= max_gap_s + 1.0 / fs) & (miss >= 1)
    if not bridge.any():
        return rec
    add = np.where(bridge, miss, 0)
    new_pos = np.arange(t.size) + np.concatenate([[0], np.cumsum(add)])
    n_new = int(new_pos[-1] + 1)
    tn = np.empty(n_new)
    tn[new_pos] = t
    filled = np.ones(n_new, bool)
    filled[new_pos] = False
    # inserted samples: previous original time + k / fs
    prev = np.maximum.accumulate(np.where(filled, -1, np.arange(n_new)))
    k = np.arange(n_new) - prev
    tn[filled] = tn[prev[filled]] + k[filled] / fs
    streams = {}
    for p, s in rec.streams.items():
        acc = np.empty((n_new, 3))
        gyr = np.empty((n_new, 3))
        for c in range(3):
            acc[:, c] = np.interp(tn, t, s.acc_mps2[:, c])
            gyr[:, c] = np.interp(tn, t, s.gyr_radps[:, c])
        streams[p] = SensorStream(acc, gyr)
    gi = np.flatnonzero(bridge)
    rows = tuple(
        Annotation("resampled", float(t[i]), float(t[i + 1]), detail="short gap bridged")
        for i in gi
    )
    return dataclasses.replace(
        rec, time_s=tn, streams=streams, annotation_rows=rec.annotation_rows + rows
    )
