"""Left/right symmetry of per-stride metrics with bootstrap confidence intervals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.metrics._reference import SYMMETRY_RULES, SymmetryRule
from gaitkit.metrics._tables import check_columns

__all__ = [
    "MIN_STRIDES_PER_SIDE",
    "block_length_auto",
    "robinson_si_pct",
    "symmetry_angle_deg",
    "symmetry_angle_pct",
    "symmetry_table",
]

#: Fewer valid strides than this on either side: the metric is reported but never flagged.
MIN_STRIDES_PER_SIDE: int = 10


def robinson_si_pct(left: np.ndarray | float, right: np.ndarray | float) -> np.ndarray:
    """Robinson symmetry index, percent: ``SI = (R − L) / (0.5 (R + L)) × 100``.

    Robinson et al. (1987, J Manipulative Physiol Ther 10:172-176). Positive when the right
    value is larger. Undefined (±inf/NaN) when ``R + L`` is zero and misleading when R and L
    have opposite signs or a mean near zero — use :func:`symmetry_angle_pct` or an absolute
    difference for such (signed) metrics.
    """
    left = np.asarray(left, dtype=float)
    right = np.asarray(right, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (right - left) / (0.5 * (right + left)) * 100.0


def symmetry_angle_deg(left: np.ndarray | float, right: np.ndarray | float) -> np.ndarray:
    """Symmetry angle of Zifchock et al. (2008, Gait Posture 27:622-627) in degrees.

    ``θ = 45° − arctan(L/R)``, and ``θ − 180°`` when ``θ > 90°`` (L and R of opposite sign),
    with arctan in (−90°, 90°) (``R = 0`` gives arctan(±inf) = ±90°). 0° is perfect symmetry;
    positive when the right value is larger in magnitude (same sign); ±90° equal magnitudes of
    opposite sign. Because it depends on the *ratio* through an arctangent it stays bounded
    for means near zero and for signed metrics, unlike the Robinson SI. Zifchock et al. report
    it normalised to 90°, see :func:`symmetry_angle_pct`.
    """
    left = np.asarray(left, dtype=float)
    right = np.asarray(right, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = 45.0 - np.degrees(np.arctan(left / right))
    return np.where(a > 90.0, a - 180.0, a)


def symmetry_angle_pct(left: np.ndarray | float, right: np.ndarray | float) -> np.ndarray:
    """Symmetry angle as Zifchock et al. (2008) report it: ``θ / 90° × 100`` (percent).

    Bounded in [−100, 100]. For small asymmetries ``SA_pct ≈ SI / π`` (Robinson SI in percent).
    """
    return symmetry_angle_deg(left, right) / 90.0 * 100.0


def block_length_auto(n: int) -> int:
    """Default bootstrap block length: 1 (i.i.d. strides) below 200 strides, else ⌊n^(1/3)⌋.

    Block lengths of order n^(1/3) suit variance and bias estimation with dependent data
    (Hall, Horowitz & Jing 1995, Biometrika 82:561-574). Short bouts keep single strides so
    that enough blocks remain for percentile intervals.
    """
    return 1 if n < 200 else int(np.floor(np.cbrt(n) + 1e-9))


def _bootstrap_means(
    x: np.ndarray, n_boot: int, rng: np.random.Generator, block: int = 1
) -> np.ndarray:
    """Bootstrap means of each column of ``x`` (``(n, k)``, NaN = missing): ``(n_boot, k)``.

    Rows (strides, in time order) are grouped into non-overlapping blocks of ``block``
    consecutive strides (the last may be shorter) and whole blocks are resampled with
    replacement, as many as there are blocks (Carlstein 1986, Ann Stat 14:1171-1179); with
    ``block=1`` this is the ordinary i.i.d. bootstrap of strides. One resample serves all
    columns: the counts matrix ``C[b, j]`` (times block j is drawn in resample b) is built with
    one ``bincount`` and the resampled means are ``x̄ + (C @ S) / (C @ N)``, with S the
    blocks' sums of centred finite values and N their counts of finite values — one matrix
    product (sums and the distinct missing-value patterns stacked) instead of a gather per
    metric. The product runs in float32 on mean-centred values (counts are exact integers in
    float32), so rounding is relative to each metric's spread (~1e-6 of the SD).
    """
    n, k = x.shape
    fin = np.isfinite(x)
    centre = np.where(fin, x, 0.0).sum(axis=0) / np.maximum(fin.sum(axis=0), 1)
    # distinct missing-value patterns (usually one: all strides finite for every metric)
    keys = [np.packbits(fin[:, j]).tobytes() for j in range(k)]
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    pattern_cols = sorted(set(first.values()))
    which = np.array([pattern_cols.index(first[key]) for key in keys], dtype=int)
    stacked = np.concatenate(
        [np.where(fin, x - centre, 0.0), fin[:, pattern_cols].astype(float)], axis=1
    )
    if block > 1:
        stacked = np.add.reduceat(stacked, np.arange(0, n, block), axis=0)
    nb = stacked.shape[0]
    idx = rng.integers(0, nb, size=(n_boot, nb))
    idx += (np.arange(n_boot) * nb)[:, None]
    counts = np.bincount(idx.ravel(), minlength=n_boot * nb).reshape(n_boot, nb)
    both = counts.astype(np.float32) @ stacked.astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        return both[:, :k].astype(float) / both[:, k + which] + centre


#: Unit suffixes of column names, dropped from plain-language labels (the unit is printed
#: with the number).
_UNIT_SUFFIXES = ("_deg", "_dps", "_pct", "_s", "_g", "_spm", "_mps")
#: Abbreviations in column names, spelled out for people reading a finding.
_WORDS = {
    "ic": "initial contact",
    "fc": "final contact",
    "rom": "range of motion",
    "ir": "internal rotation",
    "lr": "loading-response",
    "crp": "continuous relative phase",
}


#: Plain-language names where spelling out the column name is not enough.
_LABELS = {
    "thigh_shank_marp_deg": "thigh-shank relative phase (mean absolute, 0° = moving together)",
    "thigh_shank_crp_sd_deg": "thigh-shank coordination variability (SD of relative phase)",
    "coupling_inphase_pct": "share of the stride thigh and shank rotate together (%)",
    "coupling_antiphase_pct": "share of the stride thigh and shank rotate opposite ways (%)",
    "coupling_proximal_pct": "share of the stride led by the thigh (%)",
    "coupling_distal_pct": "share of the stride led by the shank (%)",
    "knee_thigh_rom_ratio": "knee-to-thigh range-of-motion ratio",
}


def readable_label(metric: str) -> str:
    """Return the plain-language name of a metric column.

    The unit suffix is dropped and abbreviations are spelled out:
    ``knee_flexion_at_ic_deg`` → "knee flexion at initial contact".
    """
    if metric in _LABELS:
        return _LABELS[metric]
    name = metric
    for suffix in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return " ".join(_WORDS.get(w, w) for w in name.split("_"))


def _rule_for(metric: str, rules: Mapping[str, SymmetryRule]) -> SymmetryRule:
    r = rules.get(metric)
    if r is not None:
        return r
    return SymmetryRule(
        metric,
        "si",
        15.0,
        readable_label(metric),
        "15 % SI default for metrics without a specific rule",
        "engineering",
    )


def symmetry_table(
    per_stride: pd.DataFrame,
    metrics: Iterable[str] | None = None,
    *,
    rules: Mapping[str, SymmetryRule] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    valid_only: bool = True,
    min_strides: int = MIN_STRIDES_PER_SIDE,
    block_length: int | None = None,
) -> dict[str, dict[str, Any]]:
    """Left/right symmetry of each metric: SI, symmetry angle, ratio, bootstrap CIs and a flag.

    For each metric with values on both sides, the per-side means L and R of the valid
    strides are compared with the Robinson symmetry index (:func:`robinson_si_pct`), the
    Zifchock symmetry angle (:func:`symmetry_angle_deg`, :func:`symmetry_angle_pct`), the ratio
    ``R/L`` and the difference
    ``R − L``. 95 % confidence intervals come from a percentile bootstrap over strides:
    ``n_boot`` resamples of each side's strides, with replacement and independently per side
    (strides are the sampling unit; the two legs are not paired), drawn with one seeded
    generator. Long recordings (>= 200 strides on a side) resample blocks of consecutive
    strides instead of single strides (non-overlapping block bootstrap, Carlstein 1986, Ann
    Stat 14:1171-1179), because stride-to-stride fluctuations are serially correlated
    (Hausdorff et al. 1995, J Appl Physiol 78:349-358). One resample of a side serves all
    metrics (so their CIs are computed on the same resampled strides), vectorised as a counts
    matrix times the metric matrix.

    A metric is **flagged** only when its CI lies entirely beyond the rule's threshold
    (:data:`gaitkit.metrics.SYMMETRY_RULES`): the SI CI outside ``[−t, t]`` percent for
    ``basis="si"`` rules, or the difference CI outside ``[−t, t]`` metric units for
    ``basis="diff"`` rules (signed metrics with means near zero, where a percentage is
    meaningless). So a flag means "asymmetric by more than the threshold, with 95 %
    confidence", not merely "different". Metrics whose L and R means have opposite signs or
    whose ``|L + R|`` is below half their pooled SD get ``si_defined=False`` and are judged by
    the symmetry angle instead: flagged when its CI lies beyond ``±t/π`` (for small
    asymmetries ``SA ≈ SI/π``, so this is the same criterion in symmetry-angle units).

    Parameters
    ----------
    per_stride
        Table with ``side`` (``"left"``/``"right"``), optional ``valid``, and metric columns.
    metrics
        Columns to compare; default every rule in ``rules`` present in the table.
    rules
        ``{metric: SymmetryRule}``; default :data:`gaitkit.metrics.SYMMETRY_RULES`. Metrics
        without a rule use a 15 % SI rule.
    n_boot
        Bootstrap resamples (>= 100).
    seed
        Seed of the bootstrap generator (results are reproducible).
    valid_only
        Use only rows with ``valid`` true when that column exists.
    min_strides
        Minimum finite strides per side to compute CIs and possibly flag.
    block_length
        Strides per bootstrap block (resampled together, in ``ic_time_s`` order when that
        column exists). ``None``: :func:`block_length_auto` per side — single strides below 200
        strides, ⌊n^(1/3)⌋ above, because stride series are serially (long-range) correlated
        (Hausdorff et al. 1995) and an i.i.d. bootstrap of a long recording would give CIs
        that are too narrow.

    Returns
    -------
    dict
        ``{metric: {left, right, n_left, n_right, si_pct, si_defined, symmetry_angle_deg,
        symmetry_angle_pct, ratio, diff, ci95 (of si_pct), ci95_symmetry_angle (of
        symmetry_angle_pct), ci95_diff, basis, threshold,
        concern, larger_side, flag, label, rationale, source}}``.
    """
    check_columns(per_stride, ("side",), "per-stride metrics")
    if n_boot < 100:
        raise ConfigError(f"n_boot must be >= 100, got {n_boot!r}")
    rules = SYMMETRY_RULES if rules is None else rules
    df = per_stride
    if valid_only and "valid" in df.columns:
        df = df.loc[df["valid"].fillna(False).astype(bool)]
    if metrics is None:
        metrics = [m for m in rules if m in df.columns]
    else:
        metrics = list(metrics)
        check_columns(df, metrics, "per-stride metrics")
    if block_length is not None and (not isinstance(block_length, int) or block_length < 1):
        raise ConfigError(f"block_length must be a positive integer or None, got {block_length!r}")
    rng = np.random.default_rng(seed)
    if "ic_time_s" in df.columns:
        df = df.sort_values("ic_time_s", kind="stable")
    side = df["side"].to_numpy()
    vals = df[metrics].to_numpy(dtype=float, na_value=np.nan) if metrics else np.empty((len(df), 0))
    lx, rx = vals[side == "left"], vals[side == "right"]
    boot: dict[str, np.ndarray] = {}
    if lx.shape[0] and rx.shape[0] and vals.shape[1]:
        bl_l = block_length or block_length_auto(lx.shape[0])
        bl_r = block_length or block_length_auto(rx.shape[0])
        boot = {
            "left": _bootstrap_means(lx, n_boot, rng, bl_l),
            "right": _bootstrap_means(rx, n_boot, rng, bl_r),
        }
    q = (2.5, 97.5)
    ci_si = ci_sa = ci_d = None
    if boot:
        bl, br = boot["left"], boot["right"]
        ci_si = np.percentile(robinson_si_pct(bl, br), q, axis=0)
        ci_sa = np.percentile(symmetry_angle_pct(bl, br), q, axis=0)
        ci_d = np.percentile(br - bl, q, axis=0)
    out: dict[str, dict[str, Any]] = {}
    for j, metric in enumerate(metrics):
        rule = _rule_for(metric, rules)
        lv = lx[:, j][np.isfinite(lx[:, j])]
        rv = rx[:, j][np.isfinite(rx[:, j])]
        if lv.size == 0 or rv.size == 0:
            continue
        L, R = float(lv.mean()), float(rv.mean())
        # SI is meaningful when both means share a sign and are well away from zero.
        spread = float(np.std(np.concatenate([lv, rv])))
        si_defined = bool(L * R > 0 and abs(L + R) > 0.5 * spread)
        rec: dict[str, Any] = {
            "left": L,
            "right": R,
            "n_left": int(lv.size),
            "n_right": int(rv.size),
            "si_pct": float(robinson_si_pct(L, R)),
            "si_defined": si_defined,
            "symmetry_angle_deg": float(symmetry_angle_deg(L, R)),
            "symmetry_angle_pct": float(symmetry_angle_pct(L, R)),
            "ratio": R / L if L != 0 else float("nan"),
            "diff": R - L,
            "basis": rule.basis,
            "threshold": rule.threshold,
            "label": rule.label,
            "rationale": rule.rationale,
            "source": rule.source,
            "concern": rule.concern,
            "n_boot": n_boot,
            "larger_side": "right" if R > L else "left" if L > R else None,
            "ci95": (float("nan"), float("nan")),
            "ci95_symmetry_angle": (float("nan"), float("nan")),
            "ci95_diff": (float("nan"), float("nan")),
            "flag": False,
        }
        if min(lv.size, rv.size) >= min_strides:
            si_ci, sa_ci, d_ci = ci_si[:, j], ci_sa[:, j], ci_d[:, j]
            rec["ci95"] = (float(si_ci[0]), float(si_ci[1]))
            rec["ci95_symmetry_angle"] = (float(sa_ci[0]), float(sa_ci[1]))
            rec["ci95_diff"] = (float(d_ci[0]), float(d_ci[1]))
            t = rule.threshold
            if rule.basis == "si":
                lo, hi = rec["ci95"] if si_defined else rec["ci95_symmetry_angle"]
                if not si_defined:
                    # SA ≈ SI/π for small asymmetries, so this is the same criterion in SA units.
                    t = t / np.pi
                rec["flag"] = bool(lo > t or hi < -t)
            else:
                lo, hi = rec["ci95_diff"]
                rec["flag"] = bool(lo > t or hi < -t)
        out[metric] = rec
    return out
