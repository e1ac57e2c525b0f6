"""Compare detected gait events and strides with a reference (ground truth or another method).

Definitions
-----------
Matching
    Detected and reference events are paired **one to one**, separately for every ``(side,
    event)`` group, and only when ``|t_detected - t_reference| <= tolerance_s``. Among all such
    one-to-one pairings the one with the most pairs and, among those, the smallest sum of
    absolute timing errors is chosen (an optimal assignment, solved with
    :func:`scipy.optimize.linear_sum_assignment` on each cluster of mutually reachable events).
    Unlike a greedy nearest-neighbour search this never lets one detection "steal" the partner of
    another and so never undercounts true positives.
Counts
    ``tp`` matched pairs, ``fp`` unmatched detections, ``fn`` unmatched reference events;
    ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``, ``f1 = 2 tp / (2 tp + fp + fn)``.
Timing error
    ``error_s = t_detected - t_reference`` over matched pairs (positive = detected late):
    ``bias_s`` (mean), ``sd_s`` (sample SD, ``ddof=1``), ``mae_s`` (mean absolute error) and the
    95 % limits of agreement ``bias ± 1.96 SD`` (Bland & Altman 1986, Lancet 327:307-310).
    Limits of agreement assume roughly normal, homoscedastic differences; with fewer than two
    pairs SD and limits are NaN.

Stride-level agreement (:func:`stride_agreement`) pairs strides by their initial contact (same
matching rule, per side) and reports the same statistics for stride, stance and swing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InputFormatError

__all__ = [
    "EventMatch",
    "agreement_statistics",
    "event_agreement",
    "match_events",
    "stride_agreement",
]

_MATCH_KEYS = ("side", "event")


@dataclass(frozen=True)
class EventMatch:
    """Result of :func:`match_events`.

    Attributes
    ----------
    pairs
        One row per matched pair: ``side``, ``event``, ``detected_time_s``,
        ``reference_time_s``, ``error_s`` (detected − reference), ``detected_row`` and
        ``reference_row`` (positional row numbers in the inputs).
    false_positives
        Detected rows without a partner (copy of those input rows).
    false_negatives
        Reference rows without a partner (copy of those input rows).
    """

    pairs: pd.DataFrame
    false_positives: pd.DataFrame
    false_negatives: pd.DataFrame

    @property
    def tp(self) -> int:
        """Number of matched pairs (true positives)."""
        return len(self.pairs)

    @property
    def fp(self) -> int:
        """Number of unmatched detections (false positives)."""
        return len(self.false_positives)

    @property
    def fn(self) -> int:
        """Number of unmatched reference events (false negatives)."""
        return len(self.false_negatives)


def _check_events(df: pd.DataFrame, name: str, keys: Sequence[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise InputFormatError(f"{name} must be a DataFrame, got {type(df).__name__}")
    for col in (*keys, "time_s"):
        if col not in df.columns:
            raise InputFormatError(
                f"{name} needs columns {[*keys, 'time_s']}, missing {col!r}", column=col
            )
    t = pd.to_numeric(df["time_s"], errors="coerce").to_numpy(dtype=float)
    if np.any(~np.isfinite(t)):
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise InputFormatError(
            f"{name} row {i}: time_s must be a finite number, got {df['time_s'].iloc[i]!r}",
            column="time_s",
        )


def _assign(d: np.ndarray, r: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Optimal one-to-one pairs of sorted-or-not times ``d`` and ``r`` within ``tol``.

    Returns positional indices into ``d`` and ``r``.
    """
    from scipy.optimize import linear_sum_assignment

    if d.size == 0 or r.size == 0:
        return np.empty(0, int), np.empty(0, int)
    t = np.concatenate([d, r])
    src = np.concatenate([np.zeros(d.size, bool), np.ones(r.size, bool)])
    idx = np.concatenate([np.arange(d.size), np.arange(r.size)])
    order = np.argsort(t, kind="stable")
    t, src, idx = t[order], src[order], idx[order]
    # clusters: chains of neighbours closer than tol (a superset of every feasible pair)
    cluster = np.concatenate([[0], np.cumsum(np.diff(t) > tol)])
    bounds = np.flatnonzero(np.diff(np.concatenate([[-1], cluster, [cluster[-1] + 1]])))
    out_d: list[np.ndarray] = []
    out_r: list[np.ndarray] = []
    starts, ends = bounds[:-1], bounds[1:]
    sizes = ends - starts
    # fast path: clusters of exactly one detection and one reference
    two = np.flatnonzero((sizes == 2) & (src[starts] != src[np.minimum(starts + 1, t.size - 1)]))
    if two.size:
        a, b = starts[two], starts[two] + 1
        di = np.where(~src[a], idx[a], idx[b])
        ri = np.where(src[a], idx[a], idx[b])
        ok = np.abs(d[di] - r[ri]) <= tol
        out_d.append(di[ok])
        out_r.append(ri[ok])
    big = np.flatnonzero(sizes > 2)
    for k in big:
        s, e = starts[k], ends[k]
        cd = idx[s:e][~src[s:e]]
        cr = idx[s:e][src[s:e]]
        if cd.size == 0 or cr.size == 0:
            continue
        err = np.abs(d[cd][:, None] - r[cr][None, :])
        feasible = err <= tol
        # a large penalty makes cardinality dominate, then total absolute error
        cost = np.where(feasible, err, tol * 1e6 + 1.0)
        rows, cols = linear_sum_assignment(cost)
        ok = feasible[rows, cols]
        out_d.append(cd[rows[ok]])
        out_r.append(cr[cols[ok]])
    if not out_d:
        return np.empty(0, int), np.empty(0, int)
    return np.concatenate(out_d).astype(int), np.concatenate(out_r).astype(int)


def match_events(
    detected: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    tolerance_s: float = 0.1,
    keys: Sequence[str] = _MATCH_KEYS,
    reference_scored: str | None = None,
) -> EventMatch:
    """Pair detected with reference events one to one within a tolerance.

    Parameters
    ----------
    detected, reference
        Event tables with columns ``side``, ``event``, ``time_s`` (see
        :data:`gaitkit.schema.EVENT_COLUMNS`); other columns are ignored.
    tolerance_s
        Largest ``|t_detected − t_reference|`` (s) for a pair. It should stay well below half a
        step time (≈ 0.25 s in walking) so that neighbouring events cannot be confused.
    keys
        Columns that must agree between partners (default ``("side", "event")``).
    reference_scored
        Optional boolean column of ``reference``: rows where it is false are "don't care"
        (e.g. the simulator's non-steady start/stop strides, ``steady``/``valid``). They take
        part in the matching, but a detection matched to one is neither a true nor a false
        positive, and an unmatched one is not a false negative.

    Returns
    -------
    EventMatch
        Matched pairs, false positives and false negatives.

    Notes
    -----
    Optimal assignment (maximum cardinality, then minimum total absolute error) with
    :func:`scipy.optimize.linear_sum_assignment`, run per cluster of events that are chained
    within ``tolerance_s``; isolated one-to-one clusters are resolved without the solver.

    Examples
    --------
    >>> det = pd.DataFrame({"side": ["left"] * 2, "event": ["ic"] * 2, "time_s": [1.01, 2.5]})
    >>> ref = pd.DataFrame({"side": ["left"] * 2, "event": ["ic"] * 2, "time_s": [1.0, 2.0]})
    >>> m = match_events(det, ref, tolerance_s=0.05)
    >>> m.tp, m.fp, m.fn
    (1, 1, 1)
    """
    if not (isinstance(tolerance_s, (int, float)) and np.isfinite(tolerance_s) and tolerance_s > 0):
        raise ConfigError(f"tolerance_s must be a finite number > 0, got {tolerance_s!r}")
    keys = tuple(keys)
    _check_events(detected, "detected", keys)
    _check_events(reference, "reference", keys)
    det = detected.reset_index(drop=True)
    ref = reference.reset_index(drop=True)
    dt = det["time_s"].to_numpy(dtype=float)
    rt = ref["time_s"].to_numpy(dtype=float)
    dkey = (
        det[list(keys)].astype(str).agg("\x1f".join, axis=1) if keys else pd.Series("", det.index)
    )
    rkey = (
        ref[list(keys)].astype(str).agg("\x1f".join, axis=1) if keys else pd.Series("", ref.index)
    )
    pd_idx: list[np.ndarray] = []
    pr_idx: list[np.ndarray] = []
    dgroups = dkey.groupby(dkey).indices if len(det) else {}
    rgroups = rkey.groupby(rkey).indices if len(ref) else {}
    for k, di in dgroups.items():
        ri = rgroups.get(k)
        if ri is None:
            continue
        a, b = _assign(dt[di], rt[ri], float(tolerance_s))
        pd_idx.append(np.asarray(di)[a])
        pr_idx.append(np.asarray(ri)[b])
    mi_d = np.concatenate(pd_idx) if pd_idx else np.empty(0, int)
    mi_r = np.concatenate(pr_idx) if pr_idx else np.empty(0, int)
    scored = np.ones(len(ref), bool)
    if reference_scored is not None:
        if reference_scored not in ref.columns:
            raise InputFormatError(
                f"reference has no column {reference_scored!r} (reference_scored)",
                column=reference_scored,
            )
        scored = ref[reference_scored].astype(bool).to_numpy()
    ignored_d = mi_d[~scored[mi_r]]
    keep = scored[mi_r]
    mi_d, mi_r = mi_d[keep], mi_r[keep]
    order = np.lexsort((dt[mi_d],)) if mi_d.size else np.empty(0, int)
    mi_d, mi_r = mi_d[order], mi_r[order]
    pairs = pd.DataFrame({k: det[k].to_numpy()[mi_d] for k in keys})
    pairs["detected_time_s"] = dt[mi_d]
    pairs["reference_time_s"] = rt[mi_r]
    pairs["error_s"] = dt[mi_d] - rt[mi_r]
    pairs["detected_row"] = mi_d
    pairs["reference_row"] = mi_r
    fp_mask = np.ones(len(det), bool)
    fp_mask[mi_d] = False
    fp_mask[ignored_d] = False
    fn_mask = scored.copy()
    fn_mask[mi_r] = False
    return EventMatch(
        pairs=pairs,
        false_positives=det.loc[fp_mask].copy(),
        false_negatives=ref.loc[fn_mask].copy(),
    )


def agreement_statistics(errors: np.ndarray) -> dict[str, float]:
    """Bias, SD, MAE and 95 % limits of agreement of paired differences.

    Parameters
    ----------
    errors
        Differences ``method − reference`` (any unit; the result has the same unit).

    Returns
    -------
    dict
        ``n``, ``bias``, ``sd`` (``ddof=1``), ``mae``, ``rmse``, ``loa_lower``, ``loa_upper``
        (``bias ∓ 1.96 sd``; Bland & Altman 1986, Lancet 327:307-310).

    Examples
    --------
    >>> s = agreement_statistics(np.array([0.01, -0.01, 0.02, 0.0]))
    >>> round(s["bias"], 4), round(s["mae"], 4)
    (0.005, 0.01)
    """
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    n = int(e.size)
    bias = float(e.mean()) if n else float("nan")
    sd = float(e.std(ddof=1)) if n >= 2 else float("nan")
    return {
        "n": n,
        "bias": bias,
        "sd": sd,
        "mae": float(np.abs(e).mean()) if n else float("nan"),
        "rmse": float(np.sqrt(np.mean(e**2))) if n else float("nan"),
        "loa_lower": bias - 1.96 * sd,
        "loa_upper": bias + 1.96 * sd,
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
    return precision, recall, f1


def event_agreement(
    detected: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    tolerance_s: float = 0.1,
    by: Sequence[str] = ("event",),
    reference_scored: str | None = None,
) -> pd.DataFrame:
    """Compute detection counts and timing agreement of events, per group.

    Parameters
    ----------
    detected, reference
        Event tables (``side``, ``event``, ``time_s``).
    tolerance_s
        Matching tolerance in seconds (see :func:`match_events`).
    by
        Grouping of the summary rows: any subset of ``("side", "event")``; matching itself is
        always per side and event.
    reference_scored
        Boolean column of ``reference`` marking the rows that count (see
        :func:`match_events`); ``n_reference`` then counts only those.

    Returns
    -------
    DataFrame
        One row per group with ``n_reference``, ``n_detected``, ``tp``, ``fp``, ``fn``,
        ``precision``, ``recall``, ``f1``, ``bias_s``, ``sd_s``, ``mae_s``, ``rmse_s``,
        ``loa_lower_s``, ``loa_upper_s`` (definitions in the module docstring).
    """
    by = tuple(by)
    for b in by:
        if b not in _MATCH_KEYS:
            raise ConfigError(f"by must be a subset of {_MATCH_KEYS}, got {b!r}")
    m = match_events(
        detected, reference, tolerance_s=tolerance_s, reference_scored=reference_scored
    )
    det = detected.reset_index(drop=True)
    ref = reference.reset_index(drop=True)
    if reference_scored is not None:
        ref = ref[ref[reference_scored].astype(bool)]

    def keyed(df: pd.DataFrame) -> pd.Series:
        if not by:
            return pd.Series("all", index=df.index)
        if len(df) == 0:
            return pd.Series([], dtype=object)
        return df[list(by)].astype(str).agg("\x1f".join, axis=1)

    kp, kfp, kfn = keyed(m.pairs), keyed(m.false_positives), keyed(m.false_negatives)
    kdet, kref = keyed(det), keyed(ref)
    groups = sorted(set(kdet) | set(kref))
    rows = []
    for g in groups:
        tp = int((kp == g).sum())
        fp = int((kfp == g).sum())
        fn = int((kfn == g).sum())
        p, r, f = _prf(tp, fp, fn)
        s = agreement_statistics(m.pairs.loc[kp == g, "error_s"].to_numpy())
        row = dict(zip(by, g.split("\x1f"), strict=True)) if by else {}
        row.update(
            n_reference=int((kref == g).sum()),
            n_detected=int((kdet == g).sum()),
            tp=tp,
            fp=fp,
            fn=fn,
            precision=p,
            recall=r,
            f1=f,
            bias_s=s["bias"],
            sd_s=s["sd"],
            mae_s=s["mae"],
            rmse_s=s["rmse"],
            loa_lower_s=s["loa_lower"],
            loa_upper_s=s["loa_upper"],
        )
        rows.append(row)
    return pd.DataFrame(rows)


_STRIDE_NEEDS = ("side", "ic_time_s", "stride_time_s")


def stride_agreement(
    detected: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    tolerance_s: float = 0.1,
    columns: Sequence[str] = ("stride_time_s", "stance_time_s", "swing_time_s"),
    valid_only: bool = False,
    reference_scored: str | None = None,
) -> pd.DataFrame:
    """Stride detection F1 and agreement of per-stride durations.

    Strides are paired per side by their initial contact (``ic_time_s``, same rule as
    :func:`match_events`); for each column in ``columns`` the paired differences
    ``detected − reference`` give bias, SD, MAE and limits of agreement.

    Parameters
    ----------
    detected, reference
        Stride tables (see :data:`gaitkit.schema.STRIDE_COLUMNS`).
    tolerance_s
        Tolerance on the initial-contact time used for pairing (s).
    columns
        Duration columns to compare (those absent from either table are skipped).
    valid_only
        Use only rows with ``valid`` true (in both tables) when set.
    reference_scored
        Boolean column of ``reference`` marking strides that count; the others are "don't
        care" (see :func:`match_events`). E.g. ``"valid"`` for the simulator's steady strides.

    Returns
    -------
    DataFrame
        One row per column: ``quantity``, ``n_reference``, ``n_detected``, ``tp``, ``fp``,
        ``fn``, ``precision``, ``recall``, ``f1``, ``bias_s``, ``sd_s``, ``mae_s``, ``rmse_s``,
        ``loa_lower_s``, ``loa_upper_s``.
    """
    for name, df in (("detected", detected), ("reference", reference)):
        if not isinstance(df, pd.DataFrame):
            raise InputFormatError(f"{name} must be a DataFrame, got {type(df).__name__}")
        for col in _STRIDE_NEEDS:
            if col not in df.columns:
                raise InputFormatError(
                    f"{name} strides need columns {list(_STRIDE_NEEDS)}, missing {col!r}",
                    column=col,
                )
    if valid_only:
        detected = detected[detected["valid"].astype(bool)] if "valid" in detected else detected
        reference = (
            reference[reference["valid"].astype(bool)] if "valid" in reference else reference
        )
    det = detected.reset_index(drop=True)
    ref = reference.reset_index(drop=True)
    de = pd.DataFrame({"side": det["side"], "time_s": det["ic_time_s"].astype(float)})
    re_ = pd.DataFrame({"side": ref["side"], "time_s": ref["ic_time_s"].astype(float)})
    if reference_scored is not None:
        if reference_scored not in ref.columns:
            raise InputFormatError(
                f"reference has no column {reference_scored!r} (reference_scored)",
                column=reference_scored,
            )
        re_["scored"] = ref[reference_scored].astype(bool).to_numpy()
    m = match_events(
        de,
        re_,
        tolerance_s=tolerance_s,
        keys=("side",),
        reference_scored=None if reference_scored is None else "scored",
    )
    n_ref = int(re_["scored"].sum()) if reference_scored is not None else len(ref)
    p, r, f = _prf(m.tp, m.fp, m.fn)
    rows = []
    for col in columns:
        if col not in det.columns or col not in ref.columns:
            continue
        e = (
            det[col].to_numpy(dtype=float)[m.pairs["detected_row"].to_numpy()]
            - ref[col].to_numpy(dtype=float)[m.pairs["reference_row"].to_numpy()]
        )
        s = agreement_statistics(e)
        rows.append(
            dict(
                quantity=col,
                n_reference=n_ref,
                n_detected=len(det),
                tp=m.tp,
                fp=m.fp,
                fn=m.fn,
                precision=p,
                recall=r,
                f1=f,
                bias_s=s["bias"],
                sd_s=s["sd"],
                mae_s=s["mae"],
                rmse_s=s["rmse"],
                loa_lower_s=s["loa_lower"],
                loa_upper_s=s["loa_upper"],
            )
        )
    return pd.DataFrame(rows)
