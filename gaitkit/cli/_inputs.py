"""Reading a recording from the command line: shared options and warning handling.

``info``, ``convert`` and ``analyze`` all read one recording with the same options and report
the reader's data-quality warnings the same way: one line each on stderr, prefixed with the
command, never a Python warning with a source line.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gaitkit.model import Recording

__all__ = ["add_input_options", "read_and_report", "read_with_warnings"]


def sampling_rate(text: str) -> float:
    """Parse ``--rate``: a finite number of hertz above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a sampling rate in Hz, found {text!r}"
        ) from None
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a sampling rate in Hz above 0, found {text}")
    return value


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Add ``--rate``, ``--format`` and ``--map``."""
    p.add_argument(
        "--rate", type=sampling_rate, metavar="HZ", help="sampling rate, if the file lacks it"
    )
    p.add_argument(
        "--format",
        choices=("auto", "gaitkit", "hugadb", "mapped"),
        default="auto",
        help="input format (default: recognise it)",
    )
    p.add_argument(
        "--map",
        metavar="MAP",
        help="column map (.json/.toml) for other CSV layouts: which column holds which "
        "placement, quantity, axis, unit and sign (README 'Your own CSV files')",
    )


def read_with_warnings(path: str, args: argparse.Namespace) -> tuple[Recording, list[str]]:
    """Read ``path`` with the shared options; return the recording and the warning texts."""
    from gaitkit.errors import DataQualityWarning
    from gaitkit.io import read_recording

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        rec = read_recording(
            path,
            format=args.format,
            sampling_rate_hz=args.rate,
            column_map=args.map,
        )
    msgs = [
        str(w.message)
        if issubclass(w.category, DataQualityWarning)
        else f"{w.category.__name__}: {w.message}"
        for w in caught
    ]
    prefix = f"{path}: "
    return rec, [m.removeprefix(prefix) for m in msgs]


def read_and_report(path: str, args: argparse.Namespace, command: str) -> Recording:
    """Read ``path``, printing each reader warning as ``gaitkit COMMAND: warning: ...``."""
    rec, msgs = read_with_warnings(path, args)
    for m in msgs:
        print(f"gaitkit {command}: warning: {m}", file=sys.stderr)
    return rec
