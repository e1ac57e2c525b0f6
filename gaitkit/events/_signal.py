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
