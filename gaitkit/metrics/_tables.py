"""Shared helpers: input checks and vectorised window sampling of per-sample angle tables.

Every metric samples an angle signal over a window of each stride (e.g. IC to mid-stance) on a
fixed grid of ``n`` points by linear interpolation, for all strides at once
(``np.interp`` on the flattened ``(n_strides, n)`` query), so no Python loop runs per sample
or per stride.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaitkit.errors import InputFormatError
from gaitkit.model import MAX_BRIDGED_GAP_S, gap_threshold_s
from gaitkit.schema import SIDES

__all__ = [
    "MAX_GAP_S",
    "SideAngles",
    "check_columns",
    "prepare_angles",
    "sample_windows",
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


@dataclass(frozen=True)
class SideAngles:
    """A long angle table split once per side into sorted numpy arrays (internal fast path).

    ``data[side]["time_s"]`` and ``data[side][column]`` are 1-D arrays sorted by time.
    """

    columns: frozenset[str]
    data: Mapping[str, Mapping[str, np.ndarray]]

    def signal(self, side: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(time_s, values)`` of one side (empty arrays when the side is absent)."""
        d = self.data.get(side)
        if d is None or column not in d:
            return np.empty(0), np.empty(0)
        return d["time_s"], d[column]

    def has(self, column: str) -> bool:
        """Return whether ``column`` has at least one finite value on some side."""
        return column in self.columns and any(
            column in d and bool(np.isfinite(d[column]).any()) for d in self.data.values()
        )


def prepare_angles(
    angles: pd.DataFrame | SideAngles, required: Iterable[str] = (), table: str = "angles"
) -> SideAngles:
    """Validate a long angle table and split it by side (no-op for a :class:`SideAngles`).

    Rows with NaN values are kept (interpolation then yields NaN near them, which marks the
    affected strides rather than bridging a gap silently).
    """
    required = tuple(required)
    if isinstance(angles, SideAngles):
        for c in required:
            if c not in angles.columns:
                found = ", ".join(sorted(angles.columns))
                raise InputFormatError(
                    f"{table} table has no column '{c}'; found: {found}", column=c
                )
        return angles
    check_columns(angles, ("time_s", "side", *required), table)
    cols = [c for c in angles.columns if c not in ("time_s", "side")]
    side_col = angles["side"]
    t_all = angles["time_s"].to_numpy(dtype=float, na_value=np.nan)
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(angles[c])]
    values = {
        c: angles[c].to_numpy(dtype=float, na_value=np.nan) for c in numeric
    }  # views for float64 columns
    data: dict[str, dict[str, np.ndarray]] = {}
    for side in SIDES:
        m = side_col.eq(side).to_numpy(dtype=bool, na_value=False)
        rows = np.flatnonzero(m)
        if rows.size == 0:
            continue
        # one contiguous block per side (the usual layout): slice views, no copies
        sel: slice | np.ndarray = (
            slice(rows[0], rows[-1] + 1) if rows[-1] - rows[0] + 1 == rows.size else rows
        )
        t = t_all[sel]
        if np.any(np.diff(t) < 0):
            order = np.argsort(t, kind="stable")
            sel = rows[order]
            t = t_all[sel]
        d = {"time_s": t}
        for c in numeric:
            d[c] = values[c][sel]
        data[side] = d
    return SideAngles(frozenset(numeric), data)


#: Windows may not span a jump in time longer than this (s). Short drop-outs (BLE packet loss
#: of 1-5 samples at 100 Hz) are bridged by linear interpolation; longer gaps void the stride.
MAX_GAP_S: float = MAX_BRIDGED_GAP_S


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
        ``(m, n)``; rows whose window is not finite, empty, outside the signal, or spans a gap
        in ``t`` longer than :data:`MAX_GAP_S` (= :data:`gaitkit.model.MAX_BRIDGED_GAP_S`, plus
        half a sample of jitter) are NaN: a stride is not measured across missing data longer
        than that; shorter gaps are interpolated, exactly as in :mod:`gaitkit.kinematics`.
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
    dt = np.diff(t)
    gaps = np.flatnonzero(dt > gap_threshold_s(t))  # t[gaps[k]] → t[gaps[k] + 1] is a gap
    if gaps.size:
        i0 = np.searchsorted(t, start_s, side="right") - 1  # sample at or before start
        i1 = np.searchsorted(t, end_s, side="left")  # sample at or after end
        n_in = np.searchsorted(gaps, i1, side="left") - np.searchsorted(gaps, i0, side="left")
        bad |= n_in > 0
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
    angles: SideAngles,
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
        t, x = angles.signal(side, column)
        out[m] = sample_windows(t, x, np.asarray(start_s)[m], np.asarray(end_s)[m], n)
    return out


def window_rate(samples: np.ndarray, start_s: np.ndarray, end_s: np.ndarray) -> np.ndarray:
    """Time derivative (units per second) of windows sampled by :func:`sample_windows`."""
    n = samples.shape[1]
    dt = (np.asarray(end_s, dtype=float) - np.asarray(start_s, dtype=float)) / (n - 1)
    return np.gradient(samples, axis=1) / dt[:, None]
