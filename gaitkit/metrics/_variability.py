"""Stride-to-stride variability: SD, CV and detrended fluctuation analysis of stride time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.metrics._tables import check_columns
from gaitkit.schema import SIDES

__all__ = ["DFA_MIN_STRIDES", "DFAResult", "dfa_alpha", "stride_time_dfa"]

#: Minimum series length for DFA. With boxes from 4 to N/4 strides, 256 strides give boxes
#: 4..64, 1.2 decades of scale to fit the slope over; shorter series give unstable α.
DFA_MIN_STRIDES: int = 256


@dataclass(frozen=True)
class DFAResult:
    """Result of :func:`dfa_alpha`.

    Attributes
    ----------
    alpha
        Scaling exponent (NaN when not computed).
    n
        Length of the series used.
    box_sizes
        Box sizes n (samples) of the fit.
    fluctuation
        F(n) for each box size.
    reason
        Why ``alpha`` is NaN, else ``None``.
    """

    alpha: float
    n: int
    box_sizes: tuple[int, ...] = ()
    fluctuation: tuple[float, ...] = ()
    reason: str | None = None


def dfa_alpha(
    x: np.ndarray,
    *,
    min_length: int = DFA_MIN_STRIDES,
    min_box: int = 4,
    max_box: int | None = None,
    n_scales: int = 16,
) -> DFAResult:
    """Detrended fluctuation analysis (DFA-1) scaling exponent α of a series.

    Algorithm (Peng et al. 1995, Chaos 5:82-87): integrate the mean-removed series,
    ``y(k) = Σ_{i≤k} (x_i − x̄)``; for each box size n, cut y into ⌊N/n⌋ non-overlapping boxes,
    remove each box's least-squares line, and take ``F(n) = √(mean squared residual)``.
    α is the slope of ``log F(n)`` on ``log n`` over ``n_scales`` log-spaced box sizes from
    ``min_box`` to ``max_box`` (default N/4).

    Interpretation for stride times (Hausdorff et al. 1995, J Appl Physiol 78:349-358):
    α ≈ 0.5 uncorrelated (white noise), 0.5 < α < 1 long-range correlated (healthy walking
    ≈ 0.75–1), α ≈ 1 1/f noise, α ≈ 1.5 Brownian motion.

    Parameters
    ----------
    x
        1-D series (e.g. stride times in s, in temporal order). NaNs are dropped.
    min_length
        Below this length α is NaN with a reason (default :data:`DFA_MIN_STRIDES`).
    min_box, max_box, n_scales
        Box sizes, in samples.

    Returns
    -------
    DFAResult
    """
    x = np.asarray(x, dtype=float).ravel()
    x = x[np.isfinite(x)]
    n = x.size
    if min_box < 3:
        raise ConfigError(f"min_box must be >= 3, got {min_box!r}")
    if n < min_length:
        return DFAResult(
            float("nan"), n, reason=f"series has {n} strides; DFA needs >= {min_length}"
        )
    top = n // 4 if max_box is None else min(max_box, n // 2)
    if top <= min_box:
        return DFAResult(float("nan"), n, reason=f"max box {top} <= min box {min_box}")
    sizes = np.unique(np.round(np.geomspace(min_box, top, n_scales)).astype(int))
    y = np.cumsum(x - x.mean())
    f = np.empty(sizes.size)
    for i, s in enumerate(sizes):  # loop over box sizes only (~16), vectorised inside
        k = n // s
        seg = y[: k * s].reshape(k, s)
        u = np.arange(s, dtype=float) - (s - 1) / 2.0
        slope = seg @ u / (u @ u)
        resid = seg - seg.mean(axis=1, keepdims=True) - slope[:, None] * u[None, :]
        f[i] = np.sqrt(np.mean(resid**2))
    if np.any(f <= 0):
        return DFAResult(float("nan"), n, reason="constant series: F(n) is zero")
    alpha = float(np.polyfit(np.log(sizes), np.log(f), 1)[0])
    return DFAResult(alpha, n, tuple(int(v) for v in sizes), tuple(float(v) for v in f), None)


def stride_time_dfa(
    strides: pd.DataFrame, *, min_length: int = DFA_MIN_STRIDES, valid_only: bool = True
) -> dict[str, DFAResult]:
    """DFA α of each leg's stride-time series (valid strides in IC order).

    Strides from several bouts are concatenated in time order; breaks between bouts then add
    a little non-stationarity, which DFA's detrending tolerates but does not remove.
    """
    check_columns(strides, ("side", "ic_time_s", "stride_time_s"), "strides")
    df = strides
    if valid_only and "valid" in df.columns:
        df = df.loc[df["valid"].fillna(False).astype(bool)]
    out = {}
    for side in SIDES:
        sub = df.loc[df["side"] == side].sort_values("ic_time_s")
        out[side] = dfa_alpha(
            sub["stride_time_s"].to_numpy(dtype=float, na_value=np.nan), min_length=min_length
        )
    return out
