"""The ``gaitkit`` command line.

Each subcommand lives in its own module ``gaitkit/cli/_<name>.py`` exposing
``register(subparsers)``, which adds its parser and sets ``func(args) -> int``. This module
only dispatches and turns :class:`~gaitkit.errors.GaitkitError` into one line on stderr and a
non-zero exit (a traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from gaitkit._version import __version__
from gaitkit.errors import GaitkitError

__all__ = ["main"]

#: Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS: tuple[str, ...] = (
    "_demo",
    "_analyze",
    "_simulate",
    "_info",
    "_convert",
    "_decode",
)

EXIT_USAGE = 2
EXIT_ERROR = 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like gaitkit's other errors."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every available subcommand."""
    parser = _Parser(
        prog="gaitkit",
        description="Gait analysis from wearable shank and thigh IMUs.",
    )
    parser.add_argument("--version", action="version", version=f"gaitkit {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show full tracebacks instead of one-line errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"gaitkit.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gaitkit.cli.{name}":
                continue  # subcommand not built yet in this checkout
            raise
        module.register(sub)
    for subparser in sub.choices.values():
        # also accepted after the subcommand; SUPPRESS keeps a --debug given before it
        subparser.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except GaitkitError as exc:
        if args.debug:
            raise
        print(f"gaitkit {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"gaitkit {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `gaitkit decode ... | head`): not an error.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
