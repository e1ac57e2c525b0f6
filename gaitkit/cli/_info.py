"""``gaitkit info FILE``: what a recording file holds and what is wrong with it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gaitkit.cli._inputs import add_input_options, read_with_warnings

__all__ = ["describe", "register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``info`` subcommand."""
    p = subparsers.add_parser(
        "info",
        help="describe a recording file: placements, rate, duration, gaps, clipping, suspects",
        description=(
            "Read a recording (gaitkit CSV, HuGaDB, or any CSV with --map) and report its "
            "placements, sampling rate (and whether it was assumed), duration, units, gaps, "
            "NaN runs, clipping per channel, suspect sensors and reader warnings."
        ),
    )
    p.add_argument("file", help="recording file")
    add_input_options(p)
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(func=run)


def describe(
    rec: Any, warning_texts: list[str] | None = None, file_format: str | None = None
) -> dict[str, Any]:
    """Summarise a recording as a JSON-serialisable dict (what ``info --json`` prints)."""
    import numpy as np

    from gaitkit.io import labelled_bouts
    from gaitkit.quality import assess_quality

    report = assess_quality(rec)
    ann = rec.annotations
    gaps = ann[ann.kind == "gap"]
    with np.errstate(all="ignore"):
        steps = np.diff(rec.time_s) * rec.sampling_rate_hz
    big = steps[(steps > 1.5) & np.isfinite(steps)]
    missing = int(np.sum(np.round(big) - 1))
    notes = list(rec.meta.notes)
    rate_note = next((n for n in notes if "sampling rate" in n), None)
    assumed = rate_note is not None and ("assumed" in rate_note or "estimated" in rate_note)
    ch = report.channels
    clipping = {
        f"{r.placement}_{r.channel}": round(float(r.clipped_pct), 3)
        for r in ch.itertuples()
        if r.clipped_pct > 0
    }
    nan = {f"{r.placement}_{r.channel}": int(r.n_nan) for r in ch.itertuples() if r.n_nan > 0}
    suspect = sorted({str(a.placement) for a in rec.annotation_rows if a.kind == "suspect_gyro"})
    bouts = labelled_bouts(rec)
    unit_notes = [n for n in notes if "assumed" in n and ("acc" in n or "gyr" in n)]
    unit_notes += [n for n in notes if "converted to SI" in n]
    return {
        "file": rec.meta.source,
        "format": file_format,
        "source_format": rec.meta.extra.get("source_format"),
        "placements": list(rec.placements),
        "sampling_rate_hz": rec.sampling_rate_hz,
        "sampling_rate_assumed": bool(assumed),
        "sampling_rate_note": rate_note,
        "duration_s": rec.duration_s,
        "n_samples": rec.n_samples,
        "units": {"acc": "m/s^2", "gyr": "rad/s", "notes": unit_notes},
        "gaps": {"count": len(gaps), "missing_samples": missing},
        "nan_samples": nan,
        "clipping_pct": clipping,
        "suspect_gyros": suspect,
        "gyro_stats": {
            p: {k: (None if not np.isfinite(v) else round(float(v), 4)) for k, v in s.items()}
            for p, s in report.gyro_stats.items()
        },
        "activities": [
            {"activity": r.activity, "start_s": r.start_s, "end_s": r.end_s}
            for r in bouts.itertuples()
        ],
        "subject": rec.meta.subject,
        "session": rec.meta.session,
        "notes": notes,
        "warnings": list(warning_texts or []),
    }


def _human(d: dict[str, Any]) -> str:
    fmt = str(d["format"])
    if d["source_format"] and d["source_format"] != d["format"]:
        fmt += f" (converted from {d['source_format']})"
    out = [f"file:          {d['file']}", f"format:        {fmt}"]
    out.append(f"placements:    {', '.join(d['placements'])}")
    rate = f"{d['sampling_rate_hz']:.6g} Hz"
    if d["sampling_rate_assumed"]:
        note = str(d["sampling_rate_note"])
        word = "estimated" if "estimated" in note else "ASSUMED"  # measured vs guessed
        rate += f" ({word}: {note})"
    out.append(f"sampling rate: {rate}")
    out.append(f"duration:      {d['duration_s']:.3f} s ({d['n_samples']} samples)")
    out.append("units:         acc m/s², gyr rad/s (SI, sensor frame as mounted)")
    out += [f"               {n}" for n in d["units"]["notes"]]
    g = d["gaps"]
    out.append(
        f"gaps:          {g['count']} ({g['missing_samples']} samples missing)"
        if g["count"]
        else "gaps:          none"
    )
    if d["nan_samples"]:
        out.append("NaN samples:   " + ", ".join(f"{k} {v}" for k, v in d["nan_samples"].items()))
    else:
        out.append("NaN samples:   none")
    if d["clipping_pct"]:
        out.append("clipping (% of samples at full scale):")
        for k, v in d["clipping_pct"].items():
            out.append(f"  {k:<24} {v:6.2f} %")
    else:
        out.append("clipping:      none")
    if d["suspect_gyros"]:
        out.append("SUSPECT GYROS: " + ", ".join(d["suspect_gyros"]))
        for p in d["suspect_gyros"]:
            s = d["gyro_stats"][p]
            out.append(
                f"  {p:<24} max 5-s median |ω| {s['max_window_median_radps']} rad/s, "
                f"{100 * (s['rail_fraction'] or 0):.1f} % of samples at the range limit"
            )
    else:
        out.append("suspect gyros: none")
    if d["activities"]:
        acts: dict[str, float] = {}
        for a in d["activities"]:
            acts[a["activity"]] = acts.get(a["activity"], 0.0) + a["end_s"] - a["start_s"]
        out.append(
            "activities:    "
            + ", ".join(f"{k} {v:.1f} s" for k, v in acts.items())
            + f" ({len(d['activities'])} labelled spans)"
        )
    shown = {d["sampling_rate_note"], *d["units"]["notes"]}
    rest = [n for n in d["notes"] if n not in shown]  # each note once
    if rest:
        out.append("notes:")
        out += [f"  - {n}" for n in rest]
    new_warnings = [w for w in d["warnings"] if w not in shown]  # already said above
    if new_warnings:
        out.append("warnings:")
        out += [f"  - {w}" for w in new_warnings]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run ``gaitkit info``."""
    from gaitkit.io import detect_format

    rec, msgs = read_with_warnings(args.file, args)
    fmt = args.format
    if fmt == "auto":
        fmt = "mapped" if args.map else detect_format(args.file)
    d = describe(rec, msgs, fmt)
    if args.json:
        json.dump(d, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(_human(d))
    return 0
