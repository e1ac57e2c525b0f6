"""Per-stride kinematics: time-normalised cycles and stride features."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.model import gap_threshold_s
from gaitkit.schema import ANGLE_COLUMNS, SIDES

__all__ = ["KNEE_FEATURES", "SHANK_FEATURES", "THIGH_FEATURES", "stride_features", "time_normalise"]

#: Features that need thigh and shank on the same leg.
KNEE_FEATURES: tuple[str, ...] = (
    "knee_flexion_max_deg",
    "knee_flexion_min_deg",
    "knee_flexion_rom_deg",
    "knee_flexion_at_ic_deg",
    "knee_rotation_rom_deg",
)
#: Features of single segments.
SHANK_FEATURES: tuple[str, ...] = ("shank_rom_deg",)
THIGH_FEATURES: tuple[str, ...] = ("thigh_rom_deg",)


def _check(angles: pd.DataFrame, strides: pd.DataFrame, where: str) -> None:
    for name, df, need in (
        ("angles", angles, ("time_s", "side")),
        ("strides", strides, ("side", "stride_id", "ic_time_s", "next_ic_time_s")),
    ):
        if not isinstance(df, pd.DataFrame):
            raise ConfigError(f"{where}: {name} must be a DataFrame, got {type(df).__name__}")
        miss = [c for c in need if c not in df.columns]
        if miss:
            raise ConfigError(
                f"{where}: {name} table lacks column {miss[0]!r} "
                f"(has {', '.join(map(str, df.columns))})"
            )


def _side_arrays(angles: pd.DataFrame, side: str, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    a = angles[angles["side"] == side]
    t = a["time_s"].to_numpy(dtype=float)
    order = np.argsort(t, kind="stable")
    return t[order], a[cols].to_numpy(dtype=float)[order]


def _gap_mask(t: np.ndarray, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """Flag strides ``[t0, t1]`` that span a gap longer than the bridged limit or leave the table.

    The limit is :data:`gaitkit.model.MAX_BRIDGED_GAP_S` (see
    :func:`gaitkit.model.gap_threshold_s`), shared with the metrics so both stages void the
    same strides.
    """
    if t.size < 2:
        return np.ones(t0.shape, dtype=bool)
    dt = np.diff(t)
    big = dt > gap_threshold_s(t)
    cum = np.concatenate([[0], np.cumsum(big)])
    i0 = np.clip(np.searchsorted(t, t0, side="right") - 1, 0, t.size - 1)
    i1 = np.clip(np.searchsorted(t, t1, side="left"), 0, t.size - 1)
    return (cum[i1] - cum[i0] > 0) | (t0 < t[0]) | (t1 > t[-1]) | ~(t1 > t0)


def time_normalise(
    angles: pd.DataFrame, strides: pd.DataFrame, n_points: int = 101
) -> pd.DataFrame:
    """Resample each stride's angle curves onto 0–100 % of the gait cycle.

    A stride runs from initial contact (``ic_time_s``, 0 %) to the next initial contact of the
    same leg (``next_ic_time_s``, 100 %); samples at ``pct = 100 · k / (n_points − 1)`` are
    linearly interpolated in time (Winter 2009, *Biomechanics and Motor Control of Human
    Movement*, 4th ed., Wiley, ch. 1: time normalisation of gait cycles). Strides that leave the
    recording or span a gap in the angles get NaN curves (kept, never dropped); rejected strides
    (``valid`` False) are normalised like the others and keep their flag.

    Parameters
    ----------
    angles
        Per-sample table from :func:`compute_angles` (``time_s``, ``side``, angle columns).
    strides
        Strides table (:data:`~gaitkit.schema.STRIDE_COLUMNS`; at least ``side, stride_id,
        ic_time_s, next_ic_time_s``).
    n_points
        Points per cycle (≥ 2); 101 gives 1 % steps.

    Returns
    -------
    pandas.DataFrame
        Tidy cycles table: ``side, stride_id, pct`` (and ``valid`` if the strides have it) and
        the angle columns present, ``n_points`` rows per stride.
    """
    _check(angles, strides, "time_normalise")
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ConfigError(f"time_normalise: n_points must be an integer >= 2, got {n_points!r}")
    cols = [c for c in ANGLE_COLUMNS if c in angles.columns]
    pct = np.linspace(0.0, 100.0, n_points)
    frames = []
    for side in SIDES:
        st = strides[strides["side"] == side]
        if st.empty:
            continue
        t0 = st["ic_time_s"].to_numpy(dtype=float)
        t1 = st["next_ic_time_s"].to_numpy(dtype=float)
        tq = t0[:, None] + (t1 - t0)[:, None] * (pct / 100.0)[None, :]
        data = {
            "side": side,
            "stride_id": np.repeat(st["stride_id"].to_numpy(), n_points),
            "pct": np.tile(pct, len(st)),
        }
        if "valid" in st.columns:
            data["valid"] = np.repeat(st["valid"].to_numpy(dtype=bool), n_points)
        t, v = _side_arrays(angles, side, cols)
        bad = np.repeat(_gap_mask(t, t0, t1), n_points) if t.size else None
        for j, c in enumerate(cols):
            if t.size == 0:
                y = np.full(tq.size, np.nan)
            else:
                y = np.interp(tq.ravel(), t, v[:, j])
                y[bad] = np.nan
            data[c] = y
        frames.append(pd.DataFrame(data))
    base = ["side", "stride_id", "pct"] + (["valid"] if "valid" in strides.columns else [])
    if not frames:
        return pd.DataFrame(columns=base + cols)
    return pd.concat(frames, ignore_index=True)[base + cols]


def _reduce(idx0: np.ndarray, idx1: np.ndarray, v: np.ndarray, fn: np.ufunc) -> np.ndarray:
    """``fn`` over ``v[idx0:idx1]`` for many ranges at once (empty ranges give NaN)."""
    ok = idx1 > idx0
    out = np.full(idx0.shape, np.nan)
    if not np.any(ok) or v.size == 0:
        return out
    a, b = idx0[ok], idx1[ok]
    # reduceat over interleaved boundaries; the odd segments are discarded
    bounds = np.stack([a, np.minimum(b, v.size)], -1).ravel()
    r = fn.reduceat(np.concatenate([v, v[-1:]]), bounds)[::2]
    # reduceat includes up to the next boundary exclusive: [a, b) as wanted
    out[ok] = r
    return out


def _extremes(
    t: np.ndarray, t0: np.ndarray, t1: np.ndarray, i0: np.ndarray, i1: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Max and min of ``v`` over ``[t0, t1]``: samples inside plus interpolated end values."""
    ends = np.stack([np.interp(t0, t, v), np.interp(t1, t, v)])
    mx = np.fmax(_reduce(i0, i1, v, np.maximum), ends.max(axis=0))
    mn = np.fmin(_reduce(i0, i1, v, np.minimum), ends.min(axis=0))
    return mx, mn


def stride_features(angles: pd.DataFrame, strides: pd.DataFrame) -> pd.DataFrame:
    """Per-stride knee, thigh and shank features, keyed by ``(side, stride_id)``.

    Definitions (degrees; a stride is IC to next IC of the same leg):

    - ``knee_flexion_max_deg``, ``knee_flexion_min_deg``: extremes of knee flexion over the
      stride; ``knee_flexion_rom_deg`` = max − min (range of motion);
    - ``knee_flexion_at_ic_deg``: knee flexion at initial contact (linear interpolation);
    - ``knee_rotation_rom_deg``: range of knee (tibio-femoral) axial rotation over the stride;
    - ``thigh_rom_deg``: range of the thigh sagittal angle (hip-flexion proxy, no pelvis);
    - ``shank_rom_deg``: range of the shank sagittal angle.

    Tibial (shank axial) rotation features are metrics, computed once in
    :func:`gaitkit.metrics.compute_tibial_rotation` (``tibial_ir_excursion_deg``, ...).

    Features need their segments on that leg: with shank sensors only, the knee and thigh
    columns are **absent** (not NaN) and ``DataFrame.attrs["notes"]`` says why. Strides leaving
    the angle table or spanning a gap get NaN features; every stride keeps its row.

    Parameters
    ----------
    angles
        Per-sample table from :func:`compute_angles`.
    strides
        Strides table (:data:`~gaitkit.schema.STRIDE_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        ``side, stride_id`` and the feature columns, one row per stride in ``strides`` order.
    """
    _check(angles, strides, "stride_features")
    notes = []
    has_knee = "knee_flexion_deg" in angles.columns
    has_thigh = "thigh_sagittal_deg" in angles.columns
    has_shank = "shank_sagittal_deg" in angles.columns
    feats: list[str] = []
    if has_knee:
        feats += list(KNEE_FEATURES)
    else:
        notes.append("knee features absent: no leg has both a thigh and a shank sensor")
    if has_thigh:
        feats += list(THIGH_FEATURES)
    if has_shank:
        feats += list(SHANK_FEATURES)
    else:
        notes.append("shank features absent: no shank sensor")
    res = pd.DataFrame(
        {
            "side": strides["side"].to_numpy(),
            "stride_id": strides["stride_id"].to_numpy(),
            **{f: np.full(len(strides), np.nan) for f in feats},
        },
        index=strides.index,
    )
    cols = [c for c in ANGLE_COLUMNS if c in angles.columns]
    for side in SIDES:
        sel = (strides["side"] == side).to_numpy()
        if not np.any(sel):
            continue
        st = strides[sel]
        t, v = _side_arrays(angles, side, cols)
        if t.size == 0:
            continue
        t0 = st["ic_time_s"].to_numpy(dtype=float)
        t1 = st["next_ic_time_s"].to_numpy(dtype=float)
        bad = _gap_mask(t, t0, t1)
        i0 = np.searchsorted(t, t0, side="left")
        i1 = np.searchsorted(t, t1, side="left")
        col = {c: v[:, j] for j, c in enumerate(cols)}

        out: dict[str, np.ndarray] = {}
        if has_knee:
            mx, mn = _extremes(t, t0, t1, i0, i1, col["knee_flexion_deg"])
            out["knee_flexion_max_deg"] = mx
            out["knee_flexion_min_deg"] = mn
            out["knee_flexion_rom_deg"] = mx - mn
            out["knee_flexion_at_ic_deg"] = np.interp(t0, t, col["knee_flexion_deg"])
            mx, mn = _extremes(t, t0, t1, i0, i1, col["knee_rotation_deg"])
            out["knee_rotation_rom_deg"] = mx - mn
        if has_thigh:
            mx, mn = _extremes(t, t0, t1, i0, i1, col["thigh_sagittal_deg"])
            out["thigh_rom_deg"] = mx - mn
        if has_shank:
            mx, mn = _extremes(t, t0, t1, i0, i1, col["shank_sagittal_deg"])
            out["shank_rom_deg"] = mx - mn
        for f, arr in out.items():
            arr = np.where(bad, np.nan, arr)
            res.loc[sel, f] = arr
    res = res.reset_index(drop=True)
    res.attrs["notes"] = notes
    return res
