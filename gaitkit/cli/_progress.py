"""A minimal progress bar on stderr for long CLI work (no third-party dependency)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")

__all__ = ["progress"]


def progress(
    items: Iterable[T], *, total: int | None = None, label: str = "", stream: TextIO | None = None
) -> Iterator[T]:
    """Yield ``items`` while drawing ``label [#####.....] k/n`` on stderr when it is a terminal.

    Off a terminal (pipes, CI logs) it prints nothing, so output stays clean.
    """
    out = sys.stderr if stream is None else stream
    show = hasattr(out, "isatty") and out.isatty()
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    last = 0.0
    k = 0
    for k, item in enumerate(items, start=1):
        yield item
        now = time.monotonic()
        if show and (now - last > 0.1 or k == total):
            last = now
            if total:
                filled = int(30 * k / total)
                out.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {k}/{total}")
            else:
                out.write(f"\r{label} {k}")
            out.flush()
    if show and k:
        out.write("\n")
        out.flush()
