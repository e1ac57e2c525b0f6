"""Exceptions and warnings raised by gaitkit.

Every error a user can trigger with bad input is a :class:`GaitkitError` whose message is one
line naming *where* (file, line, column or field), *what was expected* and *what was found*.
The command line prints that line and exits non-zero; a traceback only appears with ``--debug``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

__all__ = [
    "ConfigError",
    "DataQualityWarning",
    "GaitkitError",
    "InputFormatError",
    "InsufficientDataError",
    "RecordingError",
    "warn_data_quality",
]


class GaitkitError(Exception):
    """Base class of every error gaitkit raises on purpose."""


class InputFormatError(GaitkitError, ValueError):
    """A file or table does not have the expected format.

    Parameters
    ----------
    message
        What was expected and what was found.
    path
        The file, when there is one.
    line
        1-based line number in the file, when known.
    column
        Column or field name, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.detail = message
        where = []
        if self.path is not None:
            where.append(self.path)
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class RecordingError(GaitkitError, ValueError):
    """A :class:`~gaitkit.model.Recording` would be inconsistent (shapes, time, placements)."""


class ConfigError(GaitkitError, ValueError):
    """A configuration value is out of its allowed range or of the wrong kind."""


class InsufficientDataError(GaitkitError):
    """The data are valid but do not contain what an analysis step needs (e.g. no walking)."""


class DataQualityWarning(UserWarning):
    """Usable data with a defect worth knowing (gaps, clipping, assumed units or rate)."""


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def warn_data_quality(message: str) -> None:
    """Emit a :class:`DataQualityWarning` attributed to the caller's own code.

    The warning points at the first stack frame outside gaitkit (the user's
    ``read_recording(...)`` line), not at the reader's internals, whatever the call depth.
    """
    level = 2  # 1 is this function; 2 its caller
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, DataQualityWarning, stacklevel=level)
