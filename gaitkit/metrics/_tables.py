"""Shared helpers: input checks and vectorised window sampling of per-sample angle tables.

Every metric samples an angle signal over a window of each stride (e.g. IC to mid-stance) on a
fixed grid of ``n`` points by linear interpolation, for all strides at once
(``np.interp`` on the flattened ``(n_strides, n)`` query), so no Python loop runs per sample
or per stride.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from gaitkit.errors import InputFormatError
from gaitkit.schema import SIDES

__all__ = [
    "check_columns",
    "sample_windows",
    "side_signal",
    "sides_present",
    "stride_key_frame",
    "stride_windows",
    "window_rate",
]


def check_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise :class:`InputFormatError` naming the first required column missing from ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise InputFormatError(f"{table} must be a pandas DataFrame, got {type(df).__name__}")
    for c in columns:
        if c not in df.columns:
            raise InputFormatError(
                f"{table} table has no column '{c}'; found: {', '.join(map(str, df.columns))}",
                column=c,
            )


def side_signal(angles: pd.DataFrame, side: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(time_s, values)`` of one side's ``column``, sorted by time.

    Rows whose value is NaN are kept (interpolation then yields NaN near them, which marks the
    affected strides rather than bridging a gap silently).
    """
    sub = angles.loc[angles["side"] == side, ["time_s", column]]
    t = sub["time_s"].to_numpy(dtype=float)
    x = sub[column].to_numpy(dtype=float)
    if t.size > 1 and np.any(np.diff(t) < 0):
        order = np.argsort(t, kind="stable")
        t, x = t[order], x[order]
    return t, x


def sample_windows(
    t: np.ndarray, x: np.ndarray, start_s: np.ndarray, end_s: np.ndarray, n: int
) -> np.ndarray:
    """Sample ``x(t)`` on ``n`` evenly spaced points from ``start_s`` to ``end_s`` per row.

    Parameters
    ----------
    t, x
        Signal times (s, increasing) and values.
    start_s, end_s
        ``(m,)`` window bounds in seconds.
    n
        Points per window (>= 2), including both ends.

    Returns
    -------
    numpy.ndarray
        ``(m, n)``; rows whose window is not finite, empty or outside the signal are NaN.
    """
    start_s = np.asarray(start_s, dtype=float)
    end_s = np.asarray(end_s, dtype=float)
    frac = np.linspace(0.0, 1.0, n)
    q = start_s[:, None] + (end_s - start_s)[:, None] * frac[None, :]
    if t.size < 2:
        return np.full(q.shape, np.nan)
    out = np.interp(q.ravel(), t, x).reshape(q.shape)
    bad = (
        ~np.isfinite(start_s)
        | ~np.isfinite(end_s)
        | (end_s <= start_s)
        | (start_s < t[0])
        | (end_s > t[-1])
    )
    out[bad] = np.nan
    return out


def stride_key_frame(strides: pd.DataFrame) -> pd.DataFrame:
    """Validate a strides table and return it with a fresh RangeIndex (a copy)."""
    check_columns(
        strides, ("side", "stride_id", "ic_time_s", "fc_time_s", "next_ic_time_s"), "strides"
    )
    bad = ~strides["side"].isin(SIDES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFormatError(
            f"strides row {i}: side must be 'left' or 'right', found {strides['side'].iloc[i]!r}",
            column="side",
        )
    return strides.reset_index(drop=True)


def stride_windows(
    strides: pd.DataFrame,
    angles: pd.DataFrame,
    column: str,
    start_s: np.ndarray,
    end_s: np.ndarray,
    n: int,
) -> np.ndarray:
    """Sample ``angles[column]`` of each stride's own side over ``[start_s, end_s]``.

    Returns ``(len(strides), n)``; one interpolation call per side (two in all).
    """
    out = np.full((len(strides), n), np.nan)
    sides = strides["side"].to_numpy()
    for side in SIDES:
        m = sides == side
        if not m.any():
            continue
        t, x = side_signal(angles, side, column)
        out[m] = sample_windows(t, x, np.asarray(start_s)[m], np.asarray(end_s)[m], n)
    return out


def window_rate(samples: np.ndarray, start_s: np.ndarray, end_s: np.ndarray) -> np.ndarray:
    """Time derivative (units per second) of windows sampled by :func:`sample_windows`."""
    n = samples.shape[1]
    dt = (np.asarray(end_s, dtype=float) - np.asarray(start_s, dtype=float)) / (n - 1)
    return np.gradient(samples, axis=1) / dt[:, None]


def sides_present(angles: pd.DataFrame, column: str) -> bool:
    """Return whether ``column`` exists in the angle table and is not entirely NaN."""
    return column in angles.columns and bool(angles[column].notna().any())
