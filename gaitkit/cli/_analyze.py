"""``gaitkit analyze INPUT --out DIR``: the whole pipeline on one recording."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gaitkit.cli._inputs import add_input_options

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser(
        "analyze",
        help="strides, angles and knee metrics of one recording",
        description="Run the whole pipeline on INPUT and write strides.csv, summary.json "
        "(and cycles.csv, events.csv, bouts.csv) into DIR.",
    )
    p.add_argument("input", type=Path, help="recording: gaitkit CSV, HuGaDB file or mapped CSV")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_input_options(p)
    p.add_argument(
        "--config",
        type=Path,
        metavar="CONFIG.json",
        help="file with analysis options as a JSON object, any of: kinematics (bool), metrics "
        '(bool), cycle_points (int), bootstrap_samples (int), seed (int), activity ("auto", '
        '"walk" or "run"); e.g. {"bootstrap_samples": 5000, "seed": 1}',
    )
    p.add_argument("--no-kinematics", action="store_true", help="events and strides only (fastest)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``gaitkit analyze``."""
    from gaitkit.analysis import STAGES, AnalysisConfig, analyze
    from gaitkit.cli._inputs import read_and_report
    from gaitkit.cli._progress import stage_progress
    from gaitkit.cli._summary import print_summary
    from gaitkit.errors import InputFormatError
    from gaitkit.io._results import write_analysis

    options = {}
    if args.config is not None:
        try:
            options = json.loads(args.config.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputFormatError(
                f"expected a JSON object of analysis options ({exc})", path=args.config
            ) from None
        if not isinstance(options, dict):
            raise InputFormatError("expected a JSON object of analysis options", path=args.config)
    if args.no_kinematics:
        options.update(kinematics=False, metrics=False)
    config = AnalysisConfig.from_dict(options)
    recording = read_and_report(str(args.input), args, "analyze")
    result = analyze(recording, config, on_stage=stage_progress(len(STAGES), "analyze"))
    print_summary(result.summary, write_analysis(result, args.out))
    return 0
