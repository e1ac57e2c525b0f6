"""Stage progress on stderr for long CLI work (no third-party dependency).

The core never prints: :func:`gaitkit.analysis.analyze` takes an ``on_stage`` callback, and the
command line passes the one made here, which draws ``label [k/n] stage`` on stderr when stderr
is a terminal and stays silent in pipes and CI logs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["stage_progress"]


def stage_progress(
    total: int, label: str, *, stream: TextIO | None = None
) -> Callable[[str], None]:
    """Return a callback that shows ``label [k/total] name (elapsed)`` for each stage begun.

    Parameters
    ----------
    total
        Number of stages expected.
    label
        Prefix, e.g. the command name.
    stream
        Where to draw (default stderr); nothing is drawn unless it is a terminal.
    """
    out = sys.stderr if stream is None else stream
    show = hasattr(out, "isatty") and out.isatty()
    start = time.monotonic()
    count = 0

    def on_stage(name: str) -> None:
        nonlocal count
        count += 1
        if not show:
            return
        end = "\n" if name == "done" else ""
        elapsed = time.monotonic() - start
        out.write(f"\r{label} [{min(count, total)}/{total}] {name:<12} {elapsed:6.1f} s{end}")
        out.flush()

    return on_stage
