"""Shared machinery for reading delimited text: sniffing, parsing, and errors with line numbers.

Every parser failure is re-raised as :class:`~gaitkit.errors.InputFormatError` naming the file,
the line (1-based, counted in the file), the column, what was expected and what was found.
Parsing uses pandas' C engine with ``dtype=float64`` (fast path); only when that fails is the
file parsed again as text to locate the offending cell.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gaitkit.errors import InputFormatError

__all__ = ["TextLayout", "check_time", "parse_numeric", "sniff"]

_SNIFF_BYTES = 1 << 16
_DELIMS = {",": "comma", ";": "semicolon", "\t": "tab"}
_WHITESPACE = r"\s+"
_PARSER_LINE = re.compile(r"line (\d+)")
_EXPECTED_SAW = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


@dataclass(frozen=True)
class TextLayout:
    """Where the table starts in a text file and how it is delimited.

    Attributes
    ----------
    comment_lines
        Leading lines starting with ``#`` (kept, e.g. HuGaDB's activity header).
    header_line
        1-based line number of the column header.
    names
        Column names from the header (stripped).
    delimiter
        The delimiter character found in the header.
    """

    comment_lines: tuple[str, ...]
    header_line: int
    names: tuple[str, ...]
    delimiter: str

    @property
    def delimiter_name(self) -> str:
        """Human name of the delimiter (``"comma"``, ``"semicolon"``, ``"tab"``)."""
        if self.delimiter == _WHITESPACE:
            return "whitespace"
        return _DELIMS.get(self.delimiter, repr(self.delimiter))


def zlib_error() -> type[Exception]:
    """``zlib.error`` (raised by gzip on corrupt streams)."""
    import zlib

    return zlib.error


def sniff(path: str | Path) -> TextLayout:
    """Read the start of a text file: comment lines, header and delimiter.

    Files ending in ``.gz`` are decompressed on the fly (as pandas does when parsing).

    Raises
    ------
    InputFormatError
        The file is missing, empty, binary, not UTF-8, or has no header line.
    """
    p = Path(path)
    try:
        if p.name.lower().endswith(".gz"):
            import gzip

            try:
                with gzip.open(p, "rb") as fh:
                    head = fh.read(_SNIFF_BYTES)
            except (gzip.BadGzipFile, EOFError, zlib_error()) as exc:
                raise InputFormatError(
                    f"expected gzip-compressed text (.gz), found {exc}", path=p
                ) from None
        else:
            with p.open("rb") as fh:
                head = fh.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise InputFormatError("no such file", path=p) from None
    except IsADirectoryError:
        raise InputFormatError("expected a file, found a directory", path=p) from None
    except OSError as exc:
        raise InputFormatError(f"cannot open: {exc.strerror}", path=p) from None
    if not head.strip():
        raise InputFormatError("file is empty; expected a header line and data rows", path=p)
    if b"\x00" in head:
        raise InputFormatError("expected a text file, found binary data (NUL bytes)", path=p)
    text = head.decode("utf-8", errors="replace")
    if "\ufffd" in text[: max(0, len(text) - 4)]:
        # The last few bytes may be a multi-byte character cut by the sniff window.
        k = text.index("\ufffd")
        line = text.count("\n", 0, k) + 1
        raise InputFormatError("expected UTF-8 text, found undecodable bytes", path=p, line=line)
    text = text.removeprefix("\ufeff")
    # Only \n, \r\n and \r end lines, as in pandas' parser (str.splitlines also splits on
    # form feeds and Unicode separators, which would shift line numbers).
    lines = re.split(r"\r\n|\r|\n", text)
    comments = []
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        if lines[i].startswith("#"):
            comments.append(lines[i])
        i += 1
    if i >= len(lines):
        raise InputFormatError(
            "no header line found (only comments or blank lines); expected column names",
            path=p,
        )
    header = lines[i]
    counts = {d: header.count(d) for d in _DELIMS}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        if len(header.split()) > 1:
            names = header.split()
            return TextLayout(tuple(comments), i + 1, tuple(names), _WHITESPACE)
        delim = ","
    try:
        names = next(csv.reader([header], delimiter=delim))
    except (csv.Error, StopIteration) as exc:  # pragma: no cover - csv accepts any one line
        raise InputFormatError(f"unreadable header: {exc}", path=p, line=i + 1) from None
    names = [n.strip() for n in names]
    return TextLayout(tuple(comments), i + 1, tuple(names), delim)


def _locate_bad_cell(
    path: Path, layout: TextLayout, usecols: list[int] | None
) -> InputFormatError | None:
    """Parse as text and return an error naming the first non-numeric cell, if any."""
    try:
        raw = pd.read_csv(
            path,
            sep=layout.delimiter,
            header=None,
            skiprows=layout.header_line,
            names=list(range(len(layout.names))),
            usecols=usecols,
            dtype=str,
            skip_blank_lines=False,
            index_col=False,
            encoding="utf-8-sig",
            engine="c",
        )
    except Exception:  # any parser failure: the caller reports the original error
        return None
    best: tuple[int, int, str] | None = None
    for col in raw.columns:
        s = raw[col]
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna().to_numpy() & s.notna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            if best is None or row < best[0]:
                best = (row, int(col), str(s.iloc[row]))
    if best is None:
        return None
    row, col, value = best
    msg = f"expected a number, found {value!r}"
    if _DECIMAL_COMMA.match(value):
        msg += " (a decimal comma? gaitkit expects '.' as the decimal mark)"
    return InputFormatError(
        msg, path=path, line=layout.header_line + 1 + row, column=layout.names[col]
    )


def parse_numeric(
    path: str | Path, layout: TextLayout, *, usecols: list[int] | None = None
) -> dict[str, np.ndarray]:
    """Parse the table below the header into float64 columns.

    Empty cells become NaN (kept, never filled). Trailing rows that are entirely empty (blank
    lines at the end of the file) are dropped; blank lines in the middle stay as all-NaN rows
    so that line numbers in later errors remain exact.

    Parameters
    ----------
    path
        The file.
    layout
        From :func:`sniff`.
    usecols
        Column positions to read (default all).

    Returns
    -------
    dict
        ``{column name: float64 array}`` in file order.

    Raises
    ------
    InputFormatError
        Ragged rows, unterminated quotes, non-numeric cells, no data rows.
    """
    p = Path(path)
    names = list(layout.names)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputFormatError(
            f"column name {dup[0]!r} appears {names.count(dup[0])} times; expected unique names",
            path=p,
            line=layout.header_line,
            column=dup[0],
        )
    try:
        df = pd.read_csv(
            p,
            sep=layout.delimiter,
            header=None,
            skiprows=layout.header_line,
            names=list(range(len(names))),
            usecols=usecols,
            dtype=np.float64,
            skip_blank_lines=False,
            index_col=False,
            encoding="utf-8-sig",
            engine="c",
        )
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = _EXPECTED_SAW.search(msg)
        if m:
            raise InputFormatError(
                f"expected {m.group(1)} fields ({layout.delimiter_name}-separated, as in the "
                f"header), found {m.group(3)}",
                path=p,
                line=int(m.group(2)),
            ) from None
        m = _PARSER_LINE.search(msg)
        line = int(m.group(1)) if m else None
        raise InputFormatError(
            f"unreadable table: {msg.splitlines()[-1].strip()}", path=p, line=line
        ) from None
    except (ValueError, TypeError, OverflowError):
        err = _locate_bad_cell(p, layout, usecols)
        if err is not None:
            raise err from None
        raise InputFormatError("expected numbers in every data cell", path=p) from None
    except UnicodeDecodeError as exc:  # pragma: no cover - sniff catches most
        raise InputFormatError(f"expected UTF-8 text: {exc.reason}", path=p) from None
    except Exception as exc:  # never let a parser traceback reach the user
        raise InputFormatError(f"unreadable table: {exc}", path=p) from None
    values = df.to_numpy(dtype=np.float64)
    empty = np.isnan(values).all(axis=1) if values.size else np.zeros(0, dtype=bool)
    n = values.shape[0]
    if n and empty[-1]:
        last_data = np.flatnonzero(~empty)
        n = int(last_data[-1]) + 1 if last_data.size else 0
    if n == 0:
        raise InputFormatError(
            f"no data rows below the header (line {layout.header_line}); expected samples",
            path=p,
        )
    _check_last_line_complete(p, layout, n_fields=len(names), line=layout.header_line + n)
    cols = usecols if usecols is not None else list(range(len(names)))
    return {names[c]: np.ascontiguousarray(df[c].to_numpy(dtype=np.float64)[:n]) for c in cols}


def _check_last_line_complete(path: Path, layout: TextLayout, *, n_fields: int, line: int) -> None:
    """Raise when the last data line has fewer fields than the header: a file cut off mid-write.

    The parser pads a short row with empty cells, which would surface as a puzzling "empty
    cell" in some column; a short *last* row is the signature of truncation and is named as
    such. (Short rows elsewhere stay as NaN cells and are annotated, never filled.)
    """
    if n_fields < 2:
        return
    if path.suffix.lower() == ".gz":
        import gzip

        with gzip.open(path, "rb") as fh:
            tail = fh.read()[-65536:].decode("utf-8", errors="replace")
    else:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 65536))
            tail = fh.read().decode("utf-8", errors="replace")
    rows = [r for r in tail.splitlines() if r.strip()]
    if not rows:
        return
    last = rows[-1].strip()
    found = (
        len(last.split()) if layout.delimiter == _WHITESPACE else last.count(layout.delimiter) + 1
    )
    if found < n_fields:
        raise InputFormatError(
            f"the last line has {found} of {n_fields} fields: the file looks truncated (cut off "
            "while it was being written); delete that line to read the rest",
            path=path,
            line=line,
        )


#: Largest accepted |time| in seconds (about 31,700 years): beyond it, time differences lose
#: all sub-second precision in float64 and can overflow.
MAX_ABS_TIME_S = 1e12


def check_time(
    t: np.ndarray,
    *,
    path: str | Path,
    first_line: int,
    column: str,
    seconds_per_unit: float = 1.0,
) -> None:
    """Require finite, plausible, strictly increasing times; name the first offending line.

    Parameters
    ----------
    t
        Times in the file's unit.
    path, first_line, column
        For the error message (``first_line`` is the line of ``t[0]``).
    seconds_per_unit
        Size of the file's time unit in seconds (for the :data:`MAX_ABS_TIME_S` limit).
    """
    bad = ~np.isfinite(t)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        found = "an empty cell" if np.isnan(t[i]) else repr(float(t[i]))
        raise InputFormatError(
            f"expected a finite time, found {found}", path=path, line=first_line + i, column=column
        )
    limit = MAX_ABS_TIME_S / seconds_per_unit
    big = np.abs(t) > limit
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise InputFormatError(
            f"expected |time| <= {limit:g} (1e12 s), found {float(t[i])!r}",
            path=path,
            line=first_line + i,
            column=column,
        )
    dt = np.diff(t)
    if (dt <= 0).any():
        i = int(np.flatnonzero(dt <= 0)[0]) + 1
        if dt[i - 1] == 0:
            what = f"time {float(t[i])!r} repeats the previous line's (duplicated sample)"
        else:
            what = f"time {float(t[i])!r} is earlier than the previous line's {float(t[i - 1])!r}"
        raise InputFormatError(
            f"expected strictly increasing time, found {what}",
            path=path,
            line=first_line + i,
            column=column,
        )
