"""Infer the unit of accelerometer and gyroscope columns from the data themselves.

Used by the mapped-CSV reader when a column map says ``"auto"``. Every inference returns the
reason in words, which the reader puts in ``meta.notes`` and a warning; when the data cannot
tell, it raises instead of guessing.
"""

from __future__ import annotations

import numpy as np

from gaitkit.errors import ConfigError
from gaitkit.units import DEG_PER_RAD, G0

__all__ = ["infer_acc_unit", "infer_gyr_unit"]

#: ``(unit, low, high)``: accepted range of the median |a| (norm of the three axes) per unit.
#: The median is near 1 g in gait (gravity dominates); running with a ±2 g sensor clipping
#: reaches 2.3 g in the HuGaDB sample. Ranges do not overlap.
ACC_MEDIAN_RANGES: tuple[tuple[str, float, float], ...] = (
    ("g", 0.5, 4.0),
    ("m/s^2", 0.5 * G0, 4.0 * G0),
    ("mg", 500.0, 4000.0),
)
#: Accepted range of :func:`gravity_turn_ratio` for rad/s; times 57.3 for deg/s. Dynamic
#: acceleration makes gravity's direction seem to turn faster than the segment does, so the
#: ratio sits below 1: 0.27-0.93 on every healthy sensor of the HuGaDB sample (0.27-0.93 × 57.3
#: = 15.7-53.1 in deg/s), while gyros amplified ~10× give 3.8-6.9, outside both ranges.
RAD_RATIO_RANGE: tuple[float, float] = (0.15, 2.5)
#: Fallback: a 99th percentile of |ω| above this is implausible in rad/s (3400 deg/s).
GYR_P99_SURELY_DEG = 60.0


def infer_acc_unit(raw: np.ndarray, placement: str) -> tuple[str, str]:
    """Return ``(unit, reason)`` for a placement's ``(n, 3)`` acceleration in unknown units.

    The median of ``|a|`` over a recording is close to 1 g because gravity dominates the
    specific force whenever the subject is not in free fall (Moe-Nilssen 1998, Clin Biomech
    13:320-327, uses the same fact to correct accelerometer tilt). It is about 1 in g, 9.8 in
    m/s² and 1000 in mg; see :data:`ACC_MEDIAN_RANGES`.

    Raises
    ------
    ConfigError
        No finite sample, or a median in none of the ranges.
    """
    norm = np.linalg.norm(raw, axis=1)
    norm = norm[np.isfinite(norm)]
    if norm.size == 0:
        raise ConfigError(f"{placement} acc: no finite samples to detect the unit from")
    med = float(np.median(norm))
    for unit, lo, hi in ACC_MEDIAN_RANGES:
        if lo <= med <= hi:
            return unit, f"assumed {unit} for {placement} acc because median |acc| = {med:.3g}"
    raise ConfigError(
        f"{placement} acc: cannot tell the unit, median |acc| = {med:.3g} (expected about 1 for "
        "g, 9.8 for m/s², 1000 for mg); declare the unit in the column map"
    )


def _moving_mean(x: np.ndarray, w: int) -> np.ndarray:
    """Return the moving mean over ``w`` samples along axis 0 (length ``n - w + 1``).

    A window with any non-finite sample gives NaN there only (a NaN or inf does not spread
    through the running sum to the rest of the recording).
    """
    finite = np.isfinite(x)
    z = np.where(finite, x, 0.0)
    pad = np.zeros((1, x.shape[1]))
    c = np.cumsum(np.concatenate([pad, z]), axis=0)
    k = np.cumsum(np.concatenate([pad, (~finite).astype(float)]), axis=0)
    mean = (c[w:] - c[:-w]) / w
    return np.where((k[w:] - k[:-w]) > 0, np.nan, mean)


def gravity_turn_ratio(
    gyr_raw: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float
) -> tuple[float, int]:
    """Ratio of the gyro's reading to the rate at which gravity turns in the sensor frame.

    When a sensor rotates slowly, the gravity vector seen by its accelerometer turns at the
    angular speed ``|ω⊥|``, the part of the angular velocity perpendicular to gravity (a
    rotation about the vertical leaves gravity's direction unchanged). Comparing the gyro's
    ``|ω⊥|`` in its unknown unit with that turn rate in rad/s gives ≈ 1 for rad/s and ≈ 57.3
    for deg/s: a factor large enough to survive the errors of the quasi-static assumption.

    Method: both signals are averaged over 0.1 s; gravity's direction ``u`` is compared with
    itself 0.05 s later (angle ``θ``, turn rate ``θ / 0.05 s``); the gyro is averaged over the
    same 0.05 s and projected perpendicular to ``u``. Only quasi-static pairs are used:
    ``| |a| - g | < 0.15 g`` at both ends and a turn rate above 0.3 rad/s (above noise).

    Returns
    -------
    ratio, n_used
        Median of ``|ω⊥| / turn rate`` over the pairs used (NaN if none) and their number.
    """
    fs = float(sampling_rate_hz)
    w = max(1, round(0.1 * fs))
    lag = max(1, round(0.05 * fs))
    n = acc_mps2.shape[0]
    if n < w + lag + 1:
        return float("nan"), 0
    with np.errstate(all="ignore"):
        a = _moving_mean(acc_mps2, w)
        g = _moving_mean(gyr_raw, w)
        an = np.linalg.norm(a, axis=1)
        u = a / an[:, None]
        cosang = np.clip(np.sum(u[:-lag] * u[lag:], axis=1), -1.0, 1.0)
        turn = np.arccos(cosang) * fs / lag
        um = u[:-lag] + u[lag:]
        um /= np.linalg.norm(um, axis=1)[:, None]
        gbar = _moving_mean(g, lag)[: um.shape[0]]
        perp = gbar - np.sum(gbar * um, axis=1)[:, None] * um
        wperp = np.linalg.norm(perp, axis=1)
        quasi = (np.abs(an[:-lag] - G0) < 0.15 * G0) & (np.abs(an[lag:] - G0) < 0.15 * G0)
        ok = quasi & (turn > 0.3) & np.isfinite(turn) & np.isfinite(wperp)
        if np.count_nonzero(ok) < max(10, round(0.5 * fs)):
            return float("nan"), int(np.count_nonzero(ok))
        return float(np.median(wperp[ok] / turn[ok])), int(np.count_nonzero(ok))


def infer_gyr_unit(
    raw: np.ndarray, acc_mps2: np.ndarray, sampling_rate_hz: float, placement: str
) -> tuple[str, str]:
    """Return ``(unit, reason)`` for a placement's ``(n, 3)`` angular velocity in unknown units.

    Primary evidence: :func:`gravity_turn_ratio` in :data:`RAD_RATIO_RANGE` (0.15-2.5) →
    rad/s, in 57.3 times that range (8.6-143) → deg/s, elsewhere → neither (e.g. an amplified
    gyro), an error. Fallback when the recording has too few quasi-static
    turns: a 99th percentile of ``|ω|`` above 60 can only be deg/s (leg segments do not turn
    at 3400 deg/s; shank mid-swing peaks are a few hundred deg/s in walking, Aminian et al.
    2002, J Biomech 35:689-699). Otherwise the unit cannot be told and must be declared.

    Raises
    ------
    ConfigError
        When the data cannot tell (the message gives the figures).
    """
    norm = np.linalg.norm(raw, axis=1)
    ok = np.isfinite(norm)
    if not ok.any():
        raise ConfigError(f"{placement} gyr: no finite samples to detect the unit from")
    p99 = float(np.percentile(norm[ok], 99))
    ratio, used = gravity_turn_ratio(raw, acc_mps2, sampling_rate_hz)
    if np.isfinite(ratio):
        lo, hi = RAD_RATIO_RANGE
        if lo <= ratio <= hi:
            return "rad/s", (
                f"assumed rad/s for {placement} gyr because it reads {ratio:.2f}× the rate at "
                f"which gravity turns in the accelerometer (1 for rad/s, 57.3 for deg/s; "
                f"{used} quasi-static samples)"
            )
        if lo * DEG_PER_RAD <= ratio <= hi * DEG_PER_RAD:
            return "deg/s", (
                f"assumed deg/s for {placement} gyr because it reads {ratio:.1f}× the rate at "
                f"which gravity turns in the accelerometer (1 for rad/s, 57.3 for deg/s; "
                f"{used} quasi-static samples)"
            )
        raise ConfigError(
            f"{placement} gyr: cannot tell deg/s from rad/s: it reads {ratio:.3g}× the rate at "
            f"which gravity turns in the accelerometer (expected {lo:g}-{hi:g} for rad/s or "
            f"{lo * DEG_PER_RAD:.3g}-{hi * DEG_PER_RAD:.3g} for deg/s; a gyro amplified or in "
            "another unit?); declare the unit in the column map"
        )
    if p99 > GYR_P99_SURELY_DEG:
        return "deg/s", (
            f"assumed deg/s for {placement} gyr because the 99th percentile of |gyr| = "
            f"{p99:.3g} (> {GYR_P99_SURELY_DEG:g}, implausible in rad/s)"
        )
    raise ConfigError(
        f"{placement} gyr: cannot tell deg/s from rad/s (99th percentile of |gyr| = {p99:.3g}, "
        f"only {used} quasi-static turning samples to compare with the accelerometer); "
        "declare the unit in the column map"
    )
