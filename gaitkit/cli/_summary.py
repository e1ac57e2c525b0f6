"""Print an analysis summary for humans (shared by ``analyze`` and ``demo``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["print_summary"]

#: Metrics shown in the short terminal summary when present (all are in summary.json).
_HEADLINE = (
    "stride_time_s",
    "stance_pct",
    "knee_flexion_rom_deg",
    "tibial_ir_excursion_deg",
    "peak_tibial_acc_g",
)


def _fmt(stats: Mapping[str, Any] | None) -> str:
    if not stats or stats.get("mean") is None:
        return "-"
    sd = stats.get("sd")
    return f"{stats['mean']:.3g} ± {sd:.2g}" if sd is not None else f"{stats['mean']:.3g}"


def print_summary(summary: Mapping[str, Any], written: Mapping[str, Path]) -> None:
    """Print per-leg headline figures, findings and where the files went."""
    legs = summary.get("legs", {})
    suspect = summary.get("quality", {}).get("suspect_sensors", [])
    if suspect:
        print(
            f"quality: suspect gyroscope(s) {', '.join(suspect)}: their strides are marked "
            "invalid (reject_reason suspect_gyro), not reported with confidence"
        )
    for side in ("left", "right"):
        leg = legs.get(side)
        if not leg:
            continue
        cadence = leg.get("cadence_spm")
        cad = f"{cadence:.1f} steps/min" if cadence else "cadence -"
        rejected = leg.get("rejected_strides", {})
        why = (
            " (rejected: " + ", ".join(f"{n} {r}" for r, n in rejected.items()) + ")"
            if rejected
            else ""
        )
        print(f"{side:>5}: {leg.get('stride_count', 0)} valid strides, {cad}{why}")
        if 0 < leg.get("stride_count", 0) < 10:
            print("       caution: fewer than 10 strides, figures are indicative only")
        for name in _HEADLINE:
            if name in leg.get("metrics", {}):
                print(f"       {name:<28} {_fmt(leg['metrics'][name])}")
    for note in summary.get("notes", []):
        print(f"note: {note}")
    for f in summary.get("findings", []):
        print(f"finding [{f.get('severity', '')}] {f.get('text', '')}")
    for name, path in written.items():
        print(f"wrote {name:<8} {path}")
    print(
        "x ± y is mean ± SD over valid strides. Validated on simulated ground truth; angles "
        "other than knee flexion are not yet checked against motion capture (README: "
        "Validation status)."
    )
