"""The strides table: one row per stride (initial contact to the next one of the same leg)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InputFormatError
from gaitkit.events._bouts import assign_bouts
from gaitkit.schema import BOUT_COLUMNS, SIDES, STRIDE_COLUMNS

#: Columns added after :data:`gaitkit.schema.STRIDE_COLUMNS`.
EXTRA_STRIDE_COLUMNS: tuple[str, ...] = (
    "ms_time_s",
    "contralateral_ic_time_s",
    "contralateral_fc_time_s",
    "initial_double_support_time_s",
    "terminal_double_support_time_s",
    "double_support_time_s",
    "double_support_pct",
    "confidence",
)
#: All columns of :func:`segment_strides`' table, in order.
STRIDE_TABLE_COLUMNS: tuple[str, ...] = (*STRIDE_COLUMNS, *EXTRA_STRIDE_COLUMNS)

#: Plausible stride time range (s) for walking and running.
STRIDE_TIME_RANGE_S = (0.4, 2.5)
#: Plausible stance percentage range.
STANCE_PCT_RANGE = (15.0, 85.0)


def _times(ev: pd.DataFrame, side: str, kind: str) -> pd.DataFrame:
    e = ev[(ev["side"] == side) & (ev["event"] == kind)]
    return e.sort_values("time_s", kind="stable")


def _suspect(flags: pd.Series) -> np.ndarray:
    """Events whose quality flags say the gyroscope is suspect or implausible."""
    f = flags.fillna("").astype(str)
    return (f.str.contains("suspect_gyro") | f.str.contains("implausible_gyro")).to_numpy(bool)


def _first_between(t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the first element of sorted ``t`` in ``(lo, hi)``, and whether it exists."""
    k = np.searchsorted(t, lo, side="right")
    ok = k < t.size
    kk = np.clip(k, 0, max(t.size - 1, 0))
    ok &= (t[kk] < hi) if t.size else np.zeros(lo.size, bool)
    return kk, ok


def _last_before(t: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = np.searchsorted(t, hi, side="left") - 1
    return np.clip(k, 0, max(t.size - 1, 0)), k >= 0


def segment_strides(
    events: pd.DataFrame,
    bouts: pd.DataFrame | None = None,
    *,
    reject_bout_edges: bool = True,
    max_stride_deviation: float = 0.4,
) -> pd.DataFrame:
    """Build the tidy strides table from gait events.

    A stride runs from an initial contact (IC) to the next IC of the same leg within the same
    bout. Its final contact (FC) is the first FC between the two ICs.

    Definitions (all in seconds unless ``_pct``)
    --------------------------------------------
    - ``stride_time_s = next_ic − ic``; ``stance_time_s = fc − ic``;
      ``swing_time_s = next_ic − fc``; ``stance_pct = 100 · stance / stride``.
    - With the other leg: ``contralateral_ic_time_s`` is the first contralateral IC in the
      stride; ``contralateral_fc_time_s`` is the last contralateral FC before it. Initial
      double support = contralateral FC − IC, terminal double support = FC − contralateral IC
      (Perry & Burnfield 2010, *Gait Analysis*, 2nd ed.). Negative values mean both feet are
      off the ground; ``double_support_time_s`` is the sum of the positive parts and
      ``double_support_pct`` is relative to the stride time.
    - Step time and flight time are defined once, in :func:`gaitkit.metrics.compute_temporal`
      (the step that *ends* at this IC, Perry's convention; the flight after this leg's
      toe-off), which :func:`gaitkit.analysis.analyze` always applies.

    Rejections (rows are kept, ``valid=False``, reasons ``;``-joined in ``reject_reason``)
    -------------------------------------------------------------------------------------
    ``missing_fc`` no FC between the ICs; ``crosses_gap`` the ICs lie in different gap-free
    segments (``segment_id``); ``implausible_stride_time`` outside 0.4-2.5 s or more than
    ``max_stride_deviation`` (relative) from the median of the leg's strides in the bout;
    ``implausible_stance`` stance outside 15-85 %; ``suspect_gyro`` an event of the stride is
    flagged ``suspect_gyro`` or ``implausible_gyro``; ``bout_edge`` first or last stride of
    the leg in a bout (gait initiation/termination, when ``reject_bout_edges``).

    Parameters
    ----------
    events
        Event table (``side``, ``event``, ``time_s``; optionally ``bout_id``, ``segment_id``,
        ``activity``, ``confidence``, ``quality_flags`` as from
        :func:`detect_gait_events`). Works on reference (ground-truth) events too.
    bouts
        Bout table; used for ``activity`` and to assign ``bout_id`` when ``events`` has none.
    reject_bout_edges
        Flag the first and last stride of each leg in each bout.
    max_stride_deviation
        Relative deviation from the bout median that flags a stride time.

    Returns
    -------
    DataFrame
        :data:`STRIDE_TABLE_COLUMNS`, sorted by side then time; ``stride_id`` counts per side.
    """
    if not isinstance(events, pd.DataFrame):
        raise InputFormatError(f"events must be a DataFrame, got {type(events).__name__}")
    for c in ("side", "event", "time_s"):
        if c not in events.columns:
            raise InputFormatError(
                f"events need columns ['side', 'event', 'time_s'], missing {c!r}", column=c
            )
    if not (0 < max_stride_deviation < 1):
        raise ConfigError(f"max_stride_deviation must be in (0, 1), got {max_stride_deviation!r}")
    ev = events.copy()
    if bouts is not None:
        for c in BOUT_COLUMNS:
            if c not in bouts.columns:
                raise InputFormatError(
                    f"bouts need columns {list(BOUT_COLUMNS)}, missing {c!r}", column=c
                )
    if "bout_id" not in ev.columns:
        ev["bout_id"] = (
            assign_bouts(ev["time_s"].to_numpy(float), bouts) if bouts is not None else 0
        )
    if "activity" not in ev.columns:
        act = {} if bouts is None else dict(zip(bouts["bout_id"], bouts["activity"], strict=True))
        ev["activity"] = [act.get(b, "walk") for b in ev["bout_id"].tolist()]
    if "segment_id" not in ev.columns:
        ev["segment_id"] = 0
    if "confidence" not in ev.columns:
        ev["confidence"] = 1.0
    if "quality_flags" not in ev.columns:
        ev["quality_flags"] = ""
    ev = ev[ev["bout_id"].to_numpy() >= 0]
    frames = []
    for side in SIDES:
        ic = _times(ev, side, "ic")
        if len(ic) < 2:
            continue
        other = SIDES[1 - SIDES.index(side)]
        t = ic["time_s"].to_numpy(float)
        b = ic["bout_id"].to_numpy()
        sg = ic["segment_id"].to_numpy()
        pair = b[1:] == b[:-1]
        i0 = np.flatnonzero(pair)
        t0, t1 = t[i0], t[i0 + 1]
        n = i0.size
        fc = _times(ev, side, "fc")
        tf = fc["time_s"].to_numpy(float)
        kf, has_fc = _first_between(tf, t0, t1)
        fc_t = np.where(has_fc, tf[kf] if tf.size else np.nan, np.nan)
        ms = _times(ev, side, "ms")
        tm = ms["time_s"].to_numpy(float)
        km, has_ms = _first_between(tm, t0, t1)
        ms_t = np.where(has_ms, tm[km] if tm.size else np.nan, np.nan)
        stride = t1 - t0
        stance = fc_t - t0
        swing = t1 - fc_t
        stance_pct = 100.0 * stance / stride
        # contralateral
        cic = _times(ev, other, "ic")["time_s"].to_numpy(float)
        cfc = _times(ev, other, "fc")["time_s"].to_numpy(float)
        kc, has_cic = _first_between(cic, t0, t1)
        c_ic = np.where(has_cic, cic[kc] if cic.size else np.nan, np.nan)
        kcf, has_cfc = _last_before(cfc, np.where(has_cic, c_ic, -np.inf))
        c_fc = np.where(has_cfc & has_cic, cfc[kcf] if cfc.size else np.nan, np.nan)
        c_fc = np.where(c_fc > t0 - 0.5 * stride, c_fc, np.nan)
        init_ds = c_fc - t0
        term_ds = fc_t - c_ic
        ds = np.where(
            np.isfinite(init_ds) & np.isfinite(term_ds),
            np.maximum(init_ds, 0) + np.maximum(term_ds, 0),
            np.nan,
        )
        # rejection reasons
        reasons = np.full(n, "", dtype=object)

        def add(mask: np.ndarray, why: str, reasons: np.ndarray = reasons) -> None:
            reasons[mask] = np.where(reasons[mask] == "", why, reasons[mask] + ";" + why)

        add(~has_fc, "missing_fc")
        add(sg[i0] != sg[i0 + 1], "crosses_gap")
        bid = b[i0]
        med = pd.Series(stride).groupby(bid).transform("median").to_numpy()
        lo, hi = STRIDE_TIME_RANGE_S
        bad_t = (stride < lo) | (stride > hi) | (np.abs(stride / med - 1) > max_stride_deviation)
        add(bad_t, "implausible_stride_time")
        with np.errstate(invalid="ignore"):
            bad_st = has_fc & (
                (stance_pct < STANCE_PCT_RANGE[0]) | (stance_pct > STANCE_PCT_RANGE[1])
            )
        add(bad_st, "implausible_stance")
        bad_ic = _suspect(ic["quality_flags"])
        bad_fc = _suspect(fc["quality_flags"])
        sus = bad_ic[i0] | bad_ic[i0 + 1]
        if bad_fc.size:
            sus |= has_fc & bad_fc[kf]
        add(sus, "suspect_gyro")
        if reject_bout_edges and n:
            first = np.concatenate([[True], bid[1:] != bid[:-1]])
            last = np.concatenate([bid[1:] != bid[:-1], [True]])
            add(first | last, "bout_edge")
        conf = np.minimum(
            ic["confidence"].to_numpy(float)[i0], ic["confidence"].to_numpy(float)[i0 + 1]
        )
        frames.append(
            pd.DataFrame(
                {
                    "side": side,
                    "stride_id": np.arange(n),
                    "bout_id": bid,
                    "activity": ic["activity"].to_numpy()[i0],
                    "ic_time_s": t0,
                    "fc_time_s": fc_t,
                    "next_ic_time_s": t1,
                    "stride_time_s": stride,
                    "stance_time_s": stance,
                    "swing_time_s": swing,
                    "stance_pct": stance_pct,
                    "valid": reasons == "",
                    "reject_reason": reasons,
                    "ms_time_s": ms_t,
                    "contralateral_ic_time_s": c_ic,
                    "contralateral_fc_time_s": c_fc,
                    "initial_double_support_time_s": init_ds,
                    "terminal_double_support_time_s": term_ds,
                    "double_support_time_s": ds,
                    "double_support_pct": 100.0 * ds / stride,
                    "confidence": conf,
                }
            )
        )
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in STRIDE_TABLE_COLUMNS})
        return out.astype({"valid": bool, "side": object, "reject_reason": object})
    return pd.concat(frames, ignore_index=True)[list(STRIDE_TABLE_COLUMNS)]
