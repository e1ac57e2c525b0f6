"""Plain-language findings from symmetry flags and reference thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gaitkit.metrics._reference import NORMATIVE, SOURCES, SYMMETRY_RULES

__all__ = ["OVERPRONATION_THRESHOLD_SD", "TIBIAL_SHOCK_THRESHOLD_G", "findings"]

#: Peak tibial acceleration above which Crowell & Davis (2011) enrolled runners in gait
#: retraining (g).
TIBIAL_SHOCK_THRESHOLD_G: float = 8.0
#: Over-pronation index (normative SDs) above which a leg is reported.
OVERPRONATION_THRESHOLD_SD: float = 1.0


def _cite(key: str) -> str:
    if key == "engineering":
        return "gaitkit engineering threshold"
    ref = SOURCES.get(key, key)
    authors, _, rest = ref.partition(" (")
    first = authors.split(",")[0].split()[0]
    year = rest[:4]
    etal = " et al." if authors.count(",") > 1 else ""
    return f"{first}{etal} {year}"


def _range(lo: float, hi: float, unit: str = " %") -> str:
    """``25–51 %`` for positive bounds, ``-35 to -30 %`` when a bound is negative."""
    if lo >= 0 and hi >= 0:
        return f"{lo:.0f}–{hi:.0f}{unit}"
    return f"{lo:.0f} to {hi:.0f}{unit}"


def _fmt(x: float, unit: str) -> str:
    return f"{x:.0f} %" if unit == "%" else f"{x:.1f}{unit}"


def _unit(metric: str) -> str:
    for suffix, u in (("_deg", "°"), ("_dps", "°/s"), ("_s", " s"), ("_g", " g")):
        if metric.endswith(suffix):
            return u
    return ""


def findings(
    summary: Mapping[str, Mapping[str, Mapping[str, float]]] | None,
    symmetry: Mapping[str, Mapping[str, Any]],
    *,
    shock_threshold_g: float = TIBIAL_SHOCK_THRESHOLD_G,
    overpronation_threshold_sd: float = OVERPRONATION_THRESHOLD_SD,
    references_verified: bool | None = None,
) -> list[dict[str, str]]:
    """Turn flagged results into plain-language sentences.

    Each finding is ``{metric, side, severity, text}``; the text states the number, the
    threshold, the method and the source, e.g. "Right tibial internal rotation excursion is
    60 % larger than left (13.4° vs 8.39°; Robinson symmetry index 46 %, 95 % CI 46–47 %;
    threshold 15 %; Robinson et al. 1987; threshold basis: Ferber et al. 2002)." The plain
    percentage is relative to the other leg (ratio − 1); the flag itself is decided on the
    Robinson SI (relative to the mean of both legs) and its CI.

    Sources of findings:

    - every metric flagged by :func:`gaitkit.metrics.symmetry_table` (CI entirely beyond the
      threshold). ``side`` is the leg of concern for that metric (the larger tibial rotation,
      the smaller hip range; see ``SymmetryRule.concern``). Severity ``"marked"`` when the
      whole CI is beyond twice the threshold, else ``"moderate"``;
    - per-leg means in ``summary`` (:func:`gaitkit.metrics.summarize_metrics`) of
      ``peak_tibial_acc_g`` above ``shock_threshold_g`` (Crowell & Davis 2011) and of
      ``overpronation_index`` above ``overpronation_threshold_sd`` (severity ``"info"``:
      reference comparisons, with the proxy caveat in the text).

    Order: asymmetries of metrics with a specific, sourced rule first (in the order of
    :data:`gaitkit.metrics.SYMMETRY_RULES`, tibial rotation and pronation leading), then those
    judged by the default rule, each group with ``"marked"`` before ``"moderate"``; the
    reference comparisons come last.

    The over-pronation reference finding is only made when every normative range behind the
    index is a verified published value (``references_verified``, default: read from
    :data:`gaitkit.metrics.NORMATIVE`). Against assumed ranges, an index above the threshold
    says more about the assumption than about the runner: healthy simulated runners scored
    1.2 SD. The index itself stays in the per-stride table and the summaries.

    Returns an empty list when nothing is flagged.
    """
    if references_verified is None:
        references_verified = all(ref.verified for ref in NORMATIVE.values())
    out: list[dict[str, str]] = []
    for metric, r in symmetry.items():
        if not r.get("flag"):
            continue
        concern = _concern(metric, r)
        L, R = r["left"], r["right"]
        if concern == "lower":
            side = "left" if L < R else "right"
        else:
            side = "right" if R > L else "left"
        other = "left" if side == "right" else "right"
        label = r["label"]
        src = _cite(r["source"])
        t = r["threshold"]
        if r["basis"] == "si" and r.get("si_defined", True):
            lo, hi = r["ci95"]
            si = r["si_pct"]
            mag, clo, chi = (si, lo, hi) if side == "right" else (-si, -hi, -lo)
            this, that = (R, L) if side == "right" else (L, R)
            u = _unit(metric)
            rel = 100.0 * (this / that - 1.0)  # plain "x % larger/smaller than the other leg"
            word = "larger" if rel > 0 else "smaller"
            text = (
                f"{side.capitalize()} {label} is {abs(rel):.0f} % {word} than {other} "
                f"({this:.3g}{u} vs {that:.3g}{u}; Robinson symmetry index {si:.0f} %, 95 % CI "
                f"{_range(lo, hi)}; threshold {t:.0f} %; Robinson et al. 1987; threshold basis: "
                f"{src})."
            )
            marked = min(abs(clo), abs(chi)) > 2 * t and clo * chi > 0
        elif r["basis"] == "si":
            lo, hi = r["ci95_symmetry_angle"]
            sa = r["symmetry_angle_pct"]
            text = (
                f"{side.capitalize()} {label} differs from {other} (symmetry angle {sa:.0f} %, "
                f"95 % CI {_range(lo, hi)}; threshold {t / np.pi:.0f} % ≈ {t:.0f} % SI; "
                f"Zifchock et al. 2008; means {L:.2f} left, {R:.2f} right)."
            )
            marked = min(abs(lo), abs(hi)) > 2 * t / np.pi
        else:
            u = _unit(metric)
            lo, hi = r["ci95_diff"]
            d = r["diff"]
            mag, clo, chi = (d, lo, hi) if side == "right" else (-d, -hi, -lo)
            word = "higher" if mag > 0 else "lower"
            text = (
                f"{side.capitalize()} {label} is {_fmt(abs(mag), u)} {word} than {other} "
                f"({L:.1f}{u} left, {R:.1f}{u} right; 95 % CI of the difference "
                f"{_fmt(clo, u)} to {_fmt(chi, u)}; threshold {_fmt(t, u)}; basis: {src})."
            )
            marked = min(abs(clo), abs(chi)) > 2 * t and clo * chi > 0
        out.append(
            {
                "metric": metric,
                "side": side,
                "severity": "marked" if marked else "moderate",
                "text": text,
            }
        )
    order = {m: i for i, m in enumerate(SYMMETRY_RULES)}
    out.sort(
        key=lambda f: (
            f["metric"] not in order,
            f["severity"] != "marked",
            order.get(f["metric"], len(order)),
            f["metric"],
        )
    )
    for side, metrics in (summary or {}).items():
        shock = metrics.get("peak_tibial_acc_g")
        if shock and np.isfinite(shock.get("mean", np.nan)) and shock["mean"] > shock_threshold_g:
            out.append(
                {
                    "metric": "peak_tibial_acc_g",
                    "side": side,
                    "severity": "info",
                    "text": (
                        f"{side.capitalize()} peak tibial acceleration averages "
                        f"{shock['mean']:.1f} g (threshold {shock_threshold_g:.0f} g used to "
                        "select runners for gait retraining, Crowell & Davis 2011). "
                        "Tibial shock is an impact measure, not a bone-load estimate "
                        "(Matijevich et al. 2019)."
                    ),
                }
            )
        opi = metrics.get("overpronation_index")
        if (
            references_verified
            and opi
            and np.isfinite(opi.get("mean", np.nan))
            and opi["mean"] > overpronation_threshold_sd
        ):
            out.append(
                {
                    "metric": "overpronation_index",
                    "side": side,
                    "severity": "info",
                    "text": (
                        f"{side.capitalize()} over-pronation index is {opi['mean']:.1f} SD "
                        f"above the reference mean (threshold {overpronation_threshold_sd:.0f} "
                        "SD). It is a proxy from tibial internal rotation and shank tilt, "
                        "not a measured foot "
                        "angle (eversion-to-tibial-rotation coupling 0.68 ± 0.15, Fischer et al. "
                        "2018), and its reference values are partly assumed."
                    ),
                }
            )
    return out


def _concern(metric: str, r: Mapping[str, Any]) -> str:
    return str(r.get("concern", "either"))
