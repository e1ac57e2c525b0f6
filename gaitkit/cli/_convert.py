"""``gaitkit convert INPUT OUTPUT.csv``: any supported input to gaitkit CSV + JSON sidecar."""

from __future__ import annotations

import argparse
from pathlib import Path

from gaitkit.cli._inputs import add_input_options

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``convert`` subcommand."""
    p = subparsers.add_parser(
        "convert",
        help="convert HuGaDB or any mapped CSV to gaitkit CSV (+ JSON sidecar)",
        description=(
            "Read any supported input (gaitkit CSV, HuGaDB, or any CSV with --map) and write it "
            "as gaitkit CSV in SI units with a JSON sidecar (same stem, .json) holding the "
            "sampling rate, metadata, notes and annotations."
        ),
    )
    p.add_argument("input", help="input recording")
    p.add_argument("output", help="output .csv or .csv.gz (sidecar written beside it)")
    add_input_options(p)
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``gaitkit convert``."""
    from gaitkit.cli._inputs import read_and_report
    from gaitkit.errors import InputFormatError
    from gaitkit.io import sidecar_path, write_recording

    out = Path(args.output)
    if not out.name.lower().endswith((".csv", ".csv.gz")):
        raise InputFormatError(
            f"expected an output file ending in .csv or .csv.gz, found {out.name!r}", path=out
        )
    if not args.overwrite:
        for f in (out, sidecar_path(out)):
            if f.exists():
                raise InputFormatError("exists; pass --overwrite to replace it", path=f)
    if Path(args.input).resolve() == out.resolve():
        raise InputFormatError("input and output are the same file", path=out)
    rec = read_and_report(args.input, args, "convert")
    csv_path, side = write_recording(rec, out)
    print(
        f"wrote {csv_path} ({rec.n_samples} samples, {rec.duration_s:.3f} s at "
        f"{rec.sampling_rate_hz:.6g} Hz; {', '.join(rec.placements)}) and {side}"
    )
    return 0
