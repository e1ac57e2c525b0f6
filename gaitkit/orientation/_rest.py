"""Rest (stillness) detection from accelerometer and gyroscope."""

from __future__ import annotations

import numpy as np

from gaitkit.errors import ConfigError
from gaitkit.orientation._blocks import block_means
from gaitkit.units import G0

__all__ = ["detect_rest", "mask_runs"]


def _moving_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Centred moving mean over ``w`` samples along axis 0 (shrinking at the ends)."""
    n = x.shape[0]
    c = np.zeros((n + 1, *x.shape[1:]))
    np.cumsum(x, axis=0, out=c[1:])
    half = w // 2
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) - half + w, 0, n)
    cnt = (hi - lo).reshape((-1,) + (1,) * (x.ndim - 1))
    return (np.take(c, hi, axis=0) - np.take(c, lo, axis=0)) / cnt


def mask_runs(mask: np.ndarray) -> np.ndarray:
    """Start (inclusive) and end (exclusive) indices of the ``True`` runs of a boolean mask.

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` integer array.
    """
    m = np.asarray(mask, dtype=bool)
    d = np.diff(np.concatenate([[0], m.astype(np.int8), [0]]))
    return np.stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)], axis=-1)


def detect_rest(
    acc_mps2: np.ndarray,
    gyr_radps: np.ndarray,
    sampling_rate_hz: float,
    *,
    window_s: float = 0.5,
    min_duration_s: float = 1.0,
    gyr_std_max_radps: float = 0.05,
    acc_std_max_mps2: float = 0.3,
    acc_norm_tol_mps2: float = 0.8,
) -> np.ndarray:
    """Flag samples where one IMU is at rest (not moving, only gravity sensed).

    A sample is at rest when, over a centred window of ``window_s``: the standard deviation of
    the gyroscope (root of the summed per-axis variances) is below ``gyr_std_max_radps``; that
    of the accelerometer below ``acc_std_max_mps2``; and the mean specific-force magnitude is
    within ``acc_norm_tol_mps2`` of standard gravity. Runs shorter than ``min_duration_s`` are
    dropped. Using the gyroscope's *spread* rather than its magnitude makes the test blind to a
    constant gyroscope bias, which is what rest periods are used to estimate. This is the
    classic stance/zero-velocity detector family (Skog et al. 2010, IEEE Trans Biomed Eng
    57:2657-2666) reduced to fixed thresholds.

    Parameters
    ----------
    acc_mps2, gyr_radps
        ``(n, 3)`` sensor-frame samples in m/s² and rad/s.
    sampling_rate_hz
        Sampling rate (explicit).
    window_s, min_duration_s
        Window of the moving statistics and the shortest accepted rest run, in seconds.
    gyr_std_max_radps, acc_std_max_mps2, acc_norm_tol_mps2
        Thresholds (defaults suit consumer MEMS IMUs at 50–200 Hz).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` boolean mask.
    """
    if not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise ConfigError(f"sampling_rate_hz must be finite and > 0, got {sampling_rate_hz!r}")
    if window_s <= 0 or min_duration_s < 0:
        raise ConfigError(
            f"window_s must be > 0 and min_duration_s >= 0, got {window_s!r}, {min_duration_s!r}"
        )
    acc = np.asarray(acc_mps2, dtype=float)
    gyr = np.asarray(gyr_radps, dtype=float)
    n = acc.shape[0]
    # statistics on 0.1 s blocks, then a moving window of blocks: same test, 1/blk the work
    blk = max(1, round(0.1 * sampling_rate_hz))
    a_cm = np.ascontiguousarray(acc.T)
    g_cm = np.ascontiguousarray(gyr.T)
    sb = np.concatenate(
        [
            block_means(a_cm, blk),
            block_means(g_cm, blk),
            block_means(a_cm * a_cm, blk),
            block_means(g_cm * g_cm, blk),
        ]
    ).T
    w = max(1, round(window_s * sampling_rate_hz / blk))
    mm = _moving_mean(sb, w)
    acc_m, gyr_m = mm[:, 0:3], mm[:, 3:6]
    acc_var = np.maximum(mm[:, 6:9] - acc_m**2, 0.0).sum(axis=1)
    gyr_var = np.maximum(mm[:, 9:12] - gyr_m**2, 0.0).sum(axis=1)
    rest_b = (
        (gyr_var < gyr_std_max_radps**2)
        & (acc_var < acc_std_max_mps2**2)
        & (np.abs(np.sqrt(np.sum(acc_m * acc_m, axis=1)) - G0) < acc_norm_tol_mps2)
    )
    rest = np.repeat(rest_b, blk)[:n]
    min_len = round(min_duration_s * sampling_rate_hz)
    if min_len > 1:
        for a, b in mask_runs(rest):  # loop over runs (few), not samples
            if b - a < min_len:
                rest[a:b] = False
    return rest
