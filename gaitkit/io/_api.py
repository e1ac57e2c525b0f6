"""Format dispatch: :func:`read_recording` and :func:`write_recording`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from gaitkit.errors import InputFormatError
from gaitkit.io._gaitkit_csv import TIME_COLUMN, read_gaitkit_csv, write_gaitkit_csv
from gaitkit.io._hugadb import is_hugadb_layout, read_hugadb
from gaitkit.io._text import sniff
from gaitkit.model import Recording, check_recording
from gaitkit.quality import activity_spans
from gaitkit.schema import BOUT_COLUMNS

__all__ = ["FORMATS", "detect_format", "labelled_bouts", "read_recording", "write_recording"]

Format = Literal["auto", "gaitkit", "hugadb", "mapped"]
#: Formats :func:`read_recording` understands.
FORMATS: tuple[str, ...] = ("auto", "gaitkit", "hugadb", "mapped")


def detect_format(path: str | Path) -> str:
    """Recognise a file's format from its first lines.

    Returns
    -------
    str
        ``"hugadb"`` (``#Activity`` comments or a header starting ``acc_rf_x``) or
        ``"gaitkit"`` (a ``time_s`` column).

    Raises
    ------
    InputFormatError
        Neither; the message lists the header found and what to do.
    """
    layout = sniff(path)
    if is_hugadb_layout(layout):
        return "hugadb"
    if TIME_COLUMN in layout.names:
        return "gaitkit"
    shown = ", ".join(layout.names[:6]) + (", ..." if len(layout.names) > 6 else "")
    raise InputFormatError(
        f"unrecognised format: expected a gaitkit CSV header (time_s, shank_left_acc_x, ...) "
        f"or a HuGaDB file, found columns {shown}; pass column_map= (format='mapped') to read "
        "other layouts",
        path=path,
        line=layout.header_line,
    )


def read_recording(
    path: str | Path,
    *,
    format: Format = "auto",  # shadows the builtin on purpose, as pandas/MNE readers do
    sampling_rate_hz: float | None = None,
    column_map: Any = None,
    check_quality: bool = True,
) -> Recording:
    """Read an IMU recording from a file.

    Parameters
    ----------
    path
        The file.
    format
        ``"auto"`` (default: HuGaDB recognised by its header, a ``column_map`` implies
        ``"mapped"``, otherwise gaitkit CSV), ``"gaitkit"``, ``"hugadb"`` or ``"mapped"``.
    sampling_rate_hz
        Sampling rate when the file does not record it (HuGaDB, gaitkit CSV without sidecar,
        mapped CSV without a rate); overrides a sidecar's. When absent the reader assumes or
        estimates one and says so in ``meta.notes`` and a
        :class:`~gaitkit.errors.DataQualityWarning`.
    column_map
        For ``format="mapped"``: a :class:`~gaitkit.io.ColumnMap`, a dict in its JSON form, or
        a path to a ``.json``/``.toml`` mapping file.
    check_quality
        Run the data-quality detectors (gaps, NaN runs, clipping, suspect gyros).

    Returns
    -------
    Recording
        SI units, sensor frame as mounted, ``meta.source = str(path)``, annotations.

    Raises
    ------
    InputFormatError
        Anything wrong with the file, naming file, line and column.
    """
    if format not in FORMATS:
        raise InputFormatError(
            f"expected format one of {', '.join(FORMATS)}, found {format!r}", path=path
        )
    fmt = format
    if fmt == "auto":
        fmt = "mapped" if column_map is not None else detect_format(path)
    if fmt == "mapped":
        from gaitkit.io._mapped_csv import read_mapped_csv

        if column_map is None:
            raise InputFormatError(
                "format 'mapped' needs a column map (column_map=, or --map on the command line)",
                path=path,
            )
        return read_mapped_csv(
            path, column_map, sampling_rate_hz=sampling_rate_hz, check_quality=check_quality
        )
    if column_map is not None:
        raise InputFormatError(
            f"column_map= only applies to format='mapped', not {fmt!r}", path=path
        )
    if fmt == "hugadb":
        return read_hugadb(path, sampling_rate_hz=sampling_rate_hz, check_quality=check_quality)
    return read_gaitkit_csv(path, sampling_rate_hz=sampling_rate_hz, check_quality=check_quality)


def write_recording(recording: Recording, path: str | Path) -> tuple[Path, Path]:
    """Write a recording as gaitkit CSV (``path``) plus its JSON sidecar (same stem, ``.json``).

    Reading the result with :func:`read_recording` gives back the same arrays bit for bit, the
    same sampling rate, metadata and annotations (``meta.source`` becomes the new path).

    Returns
    -------
    csv_path, sidecar_path
        The files written.
    """
    return write_gaitkit_csv(check_recording(recording), path)


#: Labelled activities that the gait-event detector handles, in its vocabulary.
GAIT_VOCABULARY: dict[str, str] = {"walking": "walk", "running": "run"}


def labelled_bouts(recording: Recording, *, gait_only: bool = False) -> pd.DataFrame:
    """Return the activity labels carried by a recording's annotations, as a bouts table.

    Readers of labelled datasets (HuGaDB's per-sample ``act`` column) store each run of one
    activity as an annotation whose detail starts ``activity=<name>``. This returns them with
    the columns of :data:`gaitkit.schema.BOUT_COLUMNS` (``bout_id, start_s, end_s, activity``).

    Parameters
    ----------
    recording
        A recording with activity annotations (none gives an empty table).
    gait_only
        ``False`` (default): every labelled span, with the dataset's own names (walking,
        going_up, standing, ...), to check detected bouts against. ``True``: only walking and
        running spans, renamed ``"walk"``/``"run"`` as :func:`gaitkit.events.detect_bouts`
        names them, so they can stand in for detected bouts (``bout_id`` renumbered).
    """
    spans = sorted(activity_spans(check_recording(recording)), key=lambda r: r[1])
    if gait_only:
        spans = [(GAIT_VOCABULARY[a], s, e) for a, s, e in spans if a in GAIT_VOCABULARY]
    return pd.DataFrame(
        {
            "bout_id": pd.Series(range(len(spans)), dtype="int64"),
            "start_s": pd.Series([r[1] for r in spans], dtype=float),
            "end_s": pd.Series([r[2] for r in spans], dtype=float),
            "activity": pd.Series([r[0] for r in spans], dtype=object),
        },
        columns=list(BOUT_COLUMNS),
    )
