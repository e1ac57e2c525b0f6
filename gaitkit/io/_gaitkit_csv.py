"""gaitkit CSV: one wide CSV in SI units plus an optional JSON sidecar.

Layout
------
``<stem>.csv``: a header ``time_s,{placement}_{acc|gyr}_{x|y|z},...`` (placements from
:data:`gaitkit.frames.PLACEMENTS`, six channels each), one row per sample; accelerations in
m/s², angular velocities in rad/s, in the sensor frame as mounted; empty cells are NaN. Floats
are written with Python's shortest round-tripping representation, so reading gives back the
same float64 values bit for bit.

``<stem>.json`` (sidecar, optional)::

    {"format": "gaitkit-csv", "format_version": 1, "gaitkit_version": "...",
     "sampling_rate_hz": 100.0, "subject": ..., "session": ..., "device": ...,
     "source": ..., "notes": [...], "extra": {...},
     "annotations": [{"kind", "placement", "channel", "start_s", "end_s", "detail"}, ...],
     "units": {"time_s": "s", "acc": "m/s^2", "gyr": "rad/s"}}
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from gaitkit._version import __version__
from gaitkit.errors import InputFormatError, warn_data_quality
from gaitkit.frames import PLACEMENTS
from gaitkit.io._build import (
    check_magnitudes,
    check_mixed_rates,
    finish_recording,
    resolve_rate,
    warn_about,
)
from gaitkit.io._text import check_time, parse_numeric, sniff
from gaitkit.model import (
    ANNOTATION_COLUMNS,
    AXES,
    Annotation,
    Recording,
    RecordingMeta,
    SensorStream,
)

__all__ = ["FORMAT_VERSION", "read_gaitkit_csv", "sidecar_path", "write_gaitkit_csv"]

FORMAT_VERSION = 1
SIDECAR_FORMAT = "gaitkit-csv"
#: Keys of a sidecar; a same-stem JSON with none of them is not a sidecar and is ignored.
SIDECAR_KEYS = frozenset(
    {
        "format",
        "format_version",
        "gaitkit_version",
        "sampling_rate_hz",
        "subject",
        "session",
        "device",
        "source",
        "notes",
        "extra",
        "annotations",
        "units",
    }
)
TIME_COLUMN = "time_s"
CHANNELS: tuple[str, ...] = tuple(f"{q}_{a}" for q in ("acc", "gyr") for a in AXES)
_COLUMN = re.compile(r"^(?P<placement>.+)_(?P<q>acc|gyr)_(?P<axis>[xyz])$")


def sidecar_path(path: str | Path) -> Path:
    """Return the JSON sidecar path beside a CSV: same stem, ``.json``.

    ``walk.csv`` and ``walk.csv.gz`` both have the sidecar ``walk.json``.
    """
    p = Path(path)
    if p.name.lower().endswith(".csv.gz"):
        return p.with_name(p.name[: -len(".csv.gz")] + ".json")
    return p.with_suffix(".json")


# -- reading ------------------------------------------------------------------------------


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    side = sidecar_path(path)
    if not side.is_file() or side == path:
        return None
    try:
        text = side.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"cannot read sidecar: {exc}", path=side) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(
            f"expected valid JSON, found {exc.msg} at column {exc.colno}",
            path=side,
            line=exc.lineno,
        ) from None
    if not isinstance(doc, dict):
        raise InputFormatError(
            f"expected a JSON object, found {type(doc).__name__}", path=side, line=1
        )
    version = doc.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise InputFormatError(
            f"expected format_version <= {FORMAT_VERSION} (this gaitkit reads up to "
            f"{FORMAT_VERSION}), found {version!r}",
            path=side,
            column="format_version",
        )
    fs = doc.get("sampling_rate_hz")
    if fs is not None and (
        isinstance(fs, bool)
        or not isinstance(fs, (int, float))
        or not (math.isfinite(fs) and fs > 0)
    ):
        raise InputFormatError(
            f"expected a number > 0, found {fs!r}", path=side, column="sampling_rate_hz"
        )
    for key in ("subject", "session", "device", "source"):
        v = doc.get(key)
        if v is not None and not isinstance(v, str):
            raise InputFormatError(
                f"expected a string or null, found {type(v).__name__} {v!r}", path=side, column=key
            )
    notes = doc.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InputFormatError("expected a list of strings", path=side, column="notes")
    extra = doc.get("extra", {})
    if not isinstance(extra, dict):
        raise InputFormatError(
            f"expected an object, found {type(extra).__name__}", path=side, column="extra"
        )
    anns = doc.get("annotations", [])
    if not isinstance(anns, list):
        raise InputFormatError(
            f"expected a list, found {type(anns).__name__}", path=side, column="annotations"
        )
    rows = []
    for k, a in enumerate(anns):
        field = f"annotations[{k}]"
        if not isinstance(a, dict):
            raise InputFormatError(
                f"expected an object, found {type(a).__name__}", path=side, column=field
            )
        missing = [c for c in ("kind", "start_s", "end_s") if c not in a]
        if missing:
            raise InputFormatError(
                f"expected keys kind, start_s, end_s; missing {', '.join(missing)}",
                path=side,
                column=field,
            )
        try:
            rows.append(
                Annotation(
                    kind=a["kind"],
                    start_s=float(a["start_s"]),
                    end_s=float(a["end_s"]),
                    placement=a.get("placement"),
                    channel=a.get("channel"),
                    detail=str(a.get("detail", "")),
                )
            )
        except (TypeError, ValueError) as exc:  # RecordingError is a ValueError
            raise InputFormatError(str(exc), path=side, column=field) from None
    doc["_annotation_rows"] = rows
    return doc


def _column_plan(names: tuple[str, ...], path: Path, header_line: int) -> dict[str, list[int]]:
    """Map each placement to the column positions of its six channels (acc xyz, gyr xyz)."""
    if TIME_COLUMN not in names:
        raise InputFormatError(
            f"expected a '{TIME_COLUMN}' column, found columns {', '.join(names[:8])}"
            f"{', ...' if len(names) > 8 else ''} (for other layouts use read_mapped_csv "
            "with a column map)",
            path=path,
            line=header_line,
        )
    found: dict[str, dict[str, int]] = {}
    for i, name in enumerate(names):
        if name == TIME_COLUMN:
            continue
        m = _COLUMN.match(name)
        if not m:
            raise InputFormatError(
                f"expected columns named {{placement}}_{{acc|gyr}}_{{x|y|z}}, found {name!r}",
                path=path,
                line=header_line,
                column=name,
            )
        placement = m.group("placement")
        if placement not in PLACEMENTS:
            raise InputFormatError(
                f"unknown placement {placement!r}; expected one of {', '.join(PLACEMENTS)}",
                path=path,
                line=header_line,
                column=name,
            )
        found.setdefault(placement, {})[f"{m.group('q')}_{m.group('axis')}"] = i
    if not found:
        raise InputFormatError(
            "expected sensor columns such as shank_left_acc_x after time_s, found none",
            path=path,
            line=header_line,
        )
    plan = {}
    for placement, chans in found.items():
        missing = [f"{placement}_{c}" for c in CHANNELS if c not in chans]
        if missing:
            raise InputFormatError(
                f"placement {placement} needs all six channels; missing {', '.join(missing)}",
                path=path,
                line=header_line,
            )
        plan[placement] = [chans[c] for c in CHANNELS]
    return plan


def read_gaitkit_csv(
    path: str | Path,
    *,
    sampling_rate_hz: float | None = None,
    check_quality: bool = True,
) -> Recording:
    """Read a gaitkit CSV (and its sidecar, if present) into a :class:`Recording`.

    Parameters
    ----------
    path
        The CSV file.
    sampling_rate_hz
        The rate when there is no sidecar (else estimated from the median time step, with a
        note and a :class:`DataQualityWarning`). With a sidecar, an explicit value that differs
        from the sidecar's overrides it, with a note and a warning.
    check_quality
        Run the data-quality detectors. With a sidecar written by gaitkit
        (``"format": "gaitkit-csv"``), its annotations are taken as they are instead (the
        detectors already ran when the recording was first read or generated) and its defects
        are still warned about; a hand-written sidecar's annotations are kept and the
        detectors run as well. A same-stem JSON with no sidecar key is ignored (noted).

    Returns
    -------
    Recording
        ``meta.source`` is ``path``.
    """
    p = Path(path)
    layout = sniff(p)
    notes: list[str] = []
    if layout.delimiter != ",":
        note = f"columns are {layout.delimiter_name}-separated; gaitkit CSV expects commas"
        notes.append(note)
        warn_data_quality(f"{p}: {note}")
    plan = _column_plan(layout.names, p, layout.header_line)
    side = _read_sidecar(p)
    if side is not None and not (set(side) & SIDECAR_KEYS):
        notes.append(f"{sidecar_path(p).name} ignored: it has none of the sidecar keys")
        side = None
    cols = parse_numeric(p, layout)
    first = layout.header_line + 1
    t = cols[TIME_COLUMN]
    check_time(t, path=p, first_line=first, column=TIME_COLUMN)
    if t.size < 2:
        raise InputFormatError(f"expected at least 2 samples, found {t.size}", path=p, line=first)
    names = layout.names
    check_magnitudes(
        {names[i]: cols[names[i]] for idx in plan.values() for i in idx},
        path=p,
        first_line=first,
        quantity_of={names[i]: names[i].rsplit("_", 2)[1] for idx in plan.values() for i in idx},
    )
    values = {pl: np.column_stack([cols[names[i]] for i in idx]) for pl, idx in plan.items()}
    check_mixed_rates(values, path=p, time_column=TIME_COLUMN)
    if side is not None:
        if sampling_rate_hz is not None:
            declared, by = sampling_rate_hz, "sampling_rate_hz argument"
            side_fs = side.get("sampling_rate_hz")
            if side_fs is not None and float(side_fs) != float(sampling_rate_hz):
                note = (
                    f"sampling rate {float(sampling_rate_hz):g} Hz given by the user overrides "
                    f"the sidecar's {float(side_fs):g} Hz"
                )
                notes.append(note)
                warn_data_quality(f"{p}: {note}")
        else:
            declared, by = side.get("sampling_rate_hz"), "sidecar"
    else:
        declared, by = sampling_rate_hz, "sampling_rate_hz argument"
    fs = resolve_rate(
        t,
        declared_hz=declared,
        declared_by=by,
        notes=notes,
        path=p,
        check_consistency=by != "sidecar",
    )
    arrays = {pl: (v[:, :3], v[:, 3:]) for pl, v in values.items()}
    if side is not None:
        meta = RecordingMeta(
            subject=side.get("subject"),
            session=side.get("session"),
            device=side.get("device"),
            source=str(p),
            notes=tuple(side.get("notes", [])) + tuple(notes),
            extra=side.get("extra", {}),
        )
        anns = side["_annotation_rows"]
        unknown = sorted({a.placement for a in anns if a.placement and a.placement not in values})
        if unknown:
            raise InputFormatError(
                f"annotation names placement {unknown[0]!r}, which has no columns in the CSV",
                path=sidecar_path(p),
                column="annotations",
            )
        if side.get("format") != SIDECAR_FORMAT:
            # Hand-written sidecar: use its metadata and annotations, still run the detectors.
            return finish_recording(
                t, fs, arrays, meta, path=p, annotations=anns, run_quality=check_quality
            )
        rec = Recording(
            t, fs, {pl: SensorStream(a, g) for pl, (a, g) in arrays.items()}, meta, tuple(anns)
        )
        warn_about(rec, p)
        return rec
    meta = RecordingMeta(source=str(p), notes=tuple(notes))
    return finish_recording(t, fs, arrays, meta, path=p, run_quality=check_quality)


# -- writing ------------------------------------------------------------------------------


def _sidecar_doc(rec: Recording) -> dict[str, Any]:
    m = rec.meta
    return {
        "format": SIDECAR_FORMAT,
        "format_version": FORMAT_VERSION,
        "gaitkit_version": __version__,
        "sampling_rate_hz": rec.sampling_rate_hz,
        "subject": m.subject,
        "session": m.session,
        "device": m.device,
        "source": m.source,
        "notes": list(m.notes),
        "extra": dict(m.extra),
        "annotations": [
            {c: getattr(a, c) for c in ANNOTATION_COLUMNS} for a in rec.annotation_rows
        ],
        "units": {"time_s": "s", "acc": "m/s^2", "gyr": "rad/s"},
    }


def _jsonable(obj: Any) -> Any:
    """Turn numpy scalars and arrays (common in configs and metadata) into JSON values."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=repr)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def write_gaitkit_csv(recording: Recording, path: str | Path) -> tuple[Path, Path]:
    """Write a recording as gaitkit CSV plus JSON sidecar.

    Parameters
    ----------
    recording
        The recording.
    path
        The CSV path; the sidecar goes to the same stem with ``.json``.

    Returns
    -------
    csv_path, sidecar_path
        The two files written.
    """
    p = Path(path)
    side = sidecar_path(p)
    if side == p:
        raise InputFormatError(
            "expected a .csv output path (the .json name is taken by the sidecar)", path=p
        )
    doc = _sidecar_doc(recording)
    try:
        text = json.dumps(doc, indent=2, allow_nan=False, ensure_ascii=False, default=_jsonable)
    except (TypeError, ValueError) as exc:
        raise InputFormatError(
            f"expected JSON-serialisable metadata, found {exc}", path=side, column="extra"
        ) from None
    frame = recording.to_frame()
    try:
        frame.to_csv(p, index=False, na_rep="", lineterminator="\n", encoding="utf-8")
        side.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputFormatError(f"cannot write: {exc.strerror}", path=exc.filename or p) from None
    return p, side
