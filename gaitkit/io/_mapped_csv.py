"""Any delimited text file read through a declared column map.

A :class:`ColumnMap` says, for each source column, which placement, quantity (``acc``/``gyr``)
and axis it holds, in which unit and with which sign, and where time comes from (a column with
its unit, or a sampling rate). It round-trips through JSON (and can be read from TOML)::

    {
      "time": {"column": "timestamp", "unit": "ms"},
      "sampling_rate_hz": null,
      "units": {"acc": "g", "gyr": "auto"},
      "channels": [
        {"column": "AccX", "placement": "shank_left", "quantity": "acc", "axis": "x"},
        {"column": "GyrZ", "placement": "shank_left", "quantity": "gyr", "axis": "z",
         "unit": "deg/s", "sign": -1},
        ...
      ]
    }

``units`` gives defaults per quantity; a channel's own ``unit`` wins. ``"auto"`` detects the
unit from the data and says so (``meta.notes`` and a :class:`DataQualityWarning`):

- acceleration: the median of ``|a|`` is about 1 in g, 9.8 in m/s², 1000 in mg
  (:func:`gaitkit.io._units.infer_acc_unit`);
- angular velocity: compared with the rate at which gravity's direction turns in the
  accelerometer during slow movements, a gyro reads about 1× in rad/s and 57.3× in deg/s
  (:func:`gaitkit.io._units.infer_gyr_unit`); when the data cannot tell, the reader raises and
  asks for the unit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gaitkit.errors import ConfigError, InputFormatError, warn_data_quality
from gaitkit.frames import PLACEMENTS
from gaitkit.io._build import check_magnitudes, check_mixed_rates, finish_recording, resolve_rate
from gaitkit.io._text import check_time, parse_numeric, sniff
from gaitkit.io._units import infer_acc_unit, infer_gyr_unit
from gaitkit.model import AXES, Recording, RecordingMeta
from gaitkit.units import G0, RAD_PER_DEG

__all__ = ["ACC_UNITS", "GYR_UNITS", "TIME_UNITS", "ChannelSpec", "ColumnMap", "read_mapped_csv"]

#: Accepted acceleration units → factor to m/s².
ACC_UNITS: Mapping[str, float] = {"m/s^2": 1.0, "m/s2": 1.0, "m/s²": 1.0, "g": G0, "mg": G0 / 1000}
#: Accepted angular-velocity units → factor to rad/s.
GYR_UNITS: Mapping[str, float] = {"rad/s": 1.0, "deg/s": RAD_PER_DEG, "dps": RAD_PER_DEG}
#: Accepted time units → factor to s.
TIME_UNITS: Mapping[str, float] = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6}


Quantity = Literal["acc", "gyr"]


@dataclass(frozen=True)
class ChannelSpec:
    """Where one sensor channel comes from.

    Attributes
    ----------
    column
        Source column name in the file.
    placement
        Target placement (:data:`gaitkit.frames.PLACEMENTS`).
    quantity
        ``"acc"`` or ``"gyr"``.
    axis
        ``"x"``, ``"y"`` or ``"z"`` of the sensor frame.
    unit
        ``"auto"`` or one of :data:`ACC_UNITS` / :data:`GYR_UNITS`; ``None`` takes the map's
        default for the quantity.
    sign
        ``+1`` or ``-1``, applied after unit conversion (e.g. an axis printed the other way).
    """

    column: str
    placement: str
    quantity: str
    axis: str
    unit: str | None = None
    sign: float = 1.0

    def __post_init__(self) -> None:
        where = f"channel {self.column!r}"
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(f"channel column must be a non-empty string, got {self.column!r}")
        if self.placement not in PLACEMENTS:
            raise ConfigError(
                f"{where}: unknown placement {self.placement!r}; expected one of "
                f"{', '.join(PLACEMENTS)}"
            )
        if self.quantity not in ("acc", "gyr"):
            raise ConfigError(f"{where}: quantity must be 'acc' or 'gyr', got {self.quantity!r}")
        if self.axis not in AXES:
            raise ConfigError(f"{where}: axis must be 'x', 'y' or 'z', got {self.axis!r}")
        allowed = ACC_UNITS if self.quantity == "acc" else GYR_UNITS
        if self.unit is not None and self.unit != "auto" and self.unit not in allowed:
            raise ConfigError(
                f"{where}: unit must be 'auto' or one of {', '.join(allowed)}, got {self.unit!r}"
            )
        if isinstance(self.sign, bool) or self.sign not in (1, -1):
            raise ConfigError(f"{where}: sign must be +1 or -1, got {self.sign!r}")
        object.__setattr__(self, "sign", float(self.sign))

    @property
    def target(self) -> str:
        """Return the gaitkit channel name, e.g. ``shank_left_acc_x``."""
        return f"{self.placement}_{self.quantity}_{self.axis}"


@dataclass(frozen=True)
class ColumnMap:
    """A declared mapping from a file's columns to gaitkit channels.

    Written as JSON (or TOML) for ``--map`` and :meth:`from_file`::

        {"time": {"column": "timestamp", "unit": "ms"},
         "units": {"acc": "g", "gyr": "deg/s"},
         "channels": [
           {"column": "ax", "placement": "shank_left", "quantity": "acc", "axis": "x"},
           {"column": "gz", "placement": "shank_left", "quantity": "gyr", "axis": "z",
            "unit": "rad/s", "sign": -1}, ...]}

    Without a time column, give ``"sampling_rate_hz"`` instead. Units: ``acc`` in ``g``,
    ``mg`` or ``m/s^2``; ``gyr`` in ``deg/s`` or ``rad/s``; ``"auto"`` detects and says so.

    Attributes
    ----------
    channels
        One :class:`ChannelSpec` per mapped column; each placement needs all six channels.
    time_column
        Name of the time column, or ``None`` to build time from ``sampling_rate_hz``.
    time_unit
        Unit of ``time_column``: ``"s"``, ``"ms"``, ``"us"`` (``"µs"``).
    sampling_rate_hz
        Sampling rate; required when there is no time column.
    acc_unit, gyr_unit
        Default units for channels that do not state one (``"auto"`` to detect).
    """

    channels: tuple[ChannelSpec, ...]
    time_column: str | None = None
    time_unit: str = "s"
    sampling_rate_hz: float | None = None
    acc_unit: str = "auto"
    gyr_unit: str = "auto"
    placements: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        chans = tuple(self.channels)
        if not chans:
            raise ConfigError("a column map needs at least one channel")
        for c in chans:
            if not isinstance(c, ChannelSpec):
                raise ConfigError(f"channels must be ChannelSpec, got {type(c).__name__}")
        object.__setattr__(self, "channels", chans)
        if self.time_unit not in TIME_UNITS:
            raise ConfigError(
                f"time unit must be one of {', '.join(TIME_UNITS)}, got {self.time_unit!r}"
            )
        if self.acc_unit != "auto" and self.acc_unit not in ACC_UNITS:
            raise ConfigError(
                f"units.acc must be 'auto' or one of {', '.join(ACC_UNITS)}, got {self.acc_unit!r}"
            )
        if self.gyr_unit != "auto" and self.gyr_unit not in GYR_UNITS:
            raise ConfigError(
                f"units.gyr must be 'auto' or one of {', '.join(GYR_UNITS)}, got {self.gyr_unit!r}"
            )
        fs = self.sampling_rate_hz
        if fs is not None and (
            isinstance(fs, bool)
            or not isinstance(fs, (int, float))
            or not (math.isfinite(fs) and fs > 0)
        ):
            raise ConfigError(f"sampling_rate_hz must be a number > 0, got {fs!r}")
        cols = [c.column for c in chans]
        dup = sorted({c for c in cols if cols.count(c) > 1})
        if dup:
            raise ConfigError(f"column {dup[0]!r} is mapped more than once")
        if self.time_column is not None and self.time_column in cols:
            raise ConfigError(f"column {self.time_column!r} is both the time column and a channel")
        targets = [c.target for c in chans]
        dupt = sorted({t for t in targets if targets.count(t) > 1})
        if dupt:
            raise ConfigError(f"{dupt[0]} is the target of more than one column")
        placements = []
        for p in PLACEMENTS:
            have = {c.target for c in chans if c.placement == p}
            if not have:
                continue
            need = [f"{p}_{q}_{a}" for q in ("acc", "gyr") for a in AXES]
            missing = [n for n in need if n not in have]
            if missing:
                raise ConfigError(
                    f"placement {p} needs all six channels; not mapped: {', '.join(missing)}"
                )
            placements.append(p)
        object.__setattr__(self, "placements", tuple(placements))

    def unit_of(self, spec: ChannelSpec) -> str:
        """Return the unit a channel is declared in (its own, else the map's default)."""
        if spec.unit is not None:
            return spec.unit
        return self.acc_unit if spec.quantity == "acc" else self.gyr_unit

    # -- JSON form -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form (see the module docstring)."""
        return {
            "time": None
            if self.time_column is None
            else {"column": self.time_column, "unit": self.time_unit},
            "sampling_rate_hz": self.sampling_rate_hz,
            "units": {"acc": self.acc_unit, "gyr": self.gyr_unit},
            "channels": [
                {
                    "column": c.column,
                    "placement": c.placement,
                    "quantity": c.quantity,
                    "axis": c.axis,
                    "unit": c.unit,
                    "sign": int(c.sign),
                }
                for c in self.channels
            ],
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ColumnMap:
        """Build from the JSON form; a :class:`~gaitkit.errors.ConfigError` names the field."""
        if not isinstance(doc, Mapping):
            raise ConfigError(f"a column map must be an object, got {type(doc).__name__}")
        unknown = sorted(set(doc) - {"time", "sampling_rate_hz", "units", "channels"})
        if unknown:
            raise ConfigError(
                f"unknown key {unknown[0]!r}; expected time, sampling_rate_hz, units, channels"
            )
        time = doc.get("time")
        if time is not None and not isinstance(time, Mapping):
            raise ConfigError(f"'time' must be an object {{column, unit}} or null, got {time!r}")
        units = doc.get("units") or {}
        if not isinstance(units, Mapping):
            raise ConfigError(f"'units' must be an object {{acc, gyr}}, got {units!r}")
        chans = doc.get("channels")
        if not isinstance(chans, list):
            raise ConfigError(f"'channels' must be a list, got {type(chans).__name__}")
        specs = []
        for k, c in enumerate(chans):
            if not isinstance(c, Mapping):
                raise ConfigError(f"channels[{k}] must be an object, got {type(c).__name__}")
            missing = [f for f in ("column", "placement", "quantity", "axis") if f not in c]
            if missing:
                raise ConfigError(f"channels[{k}] lacks {', '.join(missing)}")
            extra = sorted(set(c) - {"column", "placement", "quantity", "axis", "unit", "sign"})
            if extra:
                raise ConfigError(f"channels[{k}] has unknown key {extra[0]!r}")
            specs.append(
                ChannelSpec(
                    column=c["column"],
                    placement=c["placement"],
                    quantity=c["quantity"],
                    axis=c["axis"],
                    unit=c.get("unit"),
                    sign=c.get("sign", 1),
                )
            )
        return cls(
            channels=tuple(specs),
            time_column=None if time is None else time.get("column"),
            time_unit="s" if time is None else time.get("unit", "s"),
            sampling_rate_hz=doc.get("sampling_rate_hz"),
            acc_unit=units.get("acc", "auto"),
            gyr_unit=units.get("gyr", "auto"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMap:
        """Read a ``.json`` or ``.toml`` map file; errors name the file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFormatError("no such column-map file", path=p) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFormatError(f"cannot read column map: {exc}", path=p) from None
        if p.suffix.lower() == ".toml":
            try:
                import tomllib
            except ModuleNotFoundError:  # pragma: no cover - Python 3.10
                raise InputFormatError(
                    "TOML column maps need Python >= 3.11; use JSON", path=p
                ) from None
            try:
                doc = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise InputFormatError(f"expected valid TOML, found {exc}", path=p) from None
        else:
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputFormatError(
                    f"expected valid JSON, found {exc.msg} at column {exc.colno}",
                    path=p,
                    line=exc.lineno,
                ) from None
        try:
            return cls.from_dict(doc)
        except ConfigError as exc:
            raise InputFormatError(f"bad column map: {exc}", path=p) from None


def _as_map(column_map: Any) -> ColumnMap:
    if isinstance(column_map, ColumnMap):
        return column_map
    if isinstance(column_map, (str, Path)):
        return ColumnMap.from_file(column_map)
    if isinstance(column_map, Mapping):
        return ColumnMap.from_dict(column_map)
    raise ConfigError(
        f"column_map must be a ColumnMap, a dict or a path, got {type(column_map).__name__}"
    )


def read_mapped_csv(
    path: str | Path,
    column_map: ColumnMap | Mapping[str, Any] | str | Path,
    *,
    sampling_rate_hz: float | None = None,
    check_quality: bool = True,
) -> Recording:
    """Read any delimited text file through a declared column map.

    Parameters
    ----------
    path
        The file (``,``, ``;`` or tab separated; leading ``#`` comment lines skipped).
    column_map
        A :class:`ColumnMap`, its JSON form as a dict, or a ``.json``/``.toml`` file.
    sampling_rate_hz
        Overrides the map's rate. Without a time column one of the two is required; with a
        time column and neither, the rate is estimated from the median step and said so.
    check_quality
        Run the data-quality detectors.

    Returns
    -------
    Recording
        SI units after the declared or detected unit and sign; ``meta.notes`` lists detected
        units, the delimiter and unmapped columns.
    """
    p = Path(path)
    try:
        cmap = _as_map(column_map)
    except ConfigError as exc:
        raise InputFormatError(f"bad column map: {exc}", path=p) from None
    layout = sniff(p)
    notes: list[str] = []
    if layout.delimiter != ",":
        notes.append(f"columns are {layout.delimiter_name}-separated")
    names = layout.names
    wanted = [c.column for c in cmap.channels]
    if cmap.time_column is not None:
        wanted.append(cmap.time_column)
    missing = [c for c in wanted if c not in names]
    if missing:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise InputFormatError(
            f"column map names column {missing[0]!r}, not in the file; found {shown}",
            path=p,
            line=layout.header_line,
            column=missing[0],
        )
    unmapped = [n for n in names if n not in wanted]
    if unmapped:
        notes.append(
            f"unmapped columns ignored: {', '.join(unmapped[:10])}"
            f"{', ...' if len(unmapped) > 10 else ''}"
        )
    usecols = sorted({names.index(c) for c in wanted})
    cols = parse_numeric(p, layout, usecols=usecols)
    first = layout.header_line + 1
    n = next(iter(cols.values())).size
    if n < 2:
        raise InputFormatError(f"expected at least 2 samples, found {n}", path=p, line=first)
    fs_declared = sampling_rate_hz if sampling_rate_hz is not None else cmap.sampling_rate_hz
    by = "sampling_rate_hz argument" if sampling_rate_hz is not None else "column map"
    if cmap.time_column is not None:
        raw_t = cols[cmap.time_column]
        check_time(
            raw_t,
            path=p,
            first_line=first,
            column=cmap.time_column,
            seconds_per_unit=TIME_UNITS[cmap.time_unit],
        )
        t = raw_t * TIME_UNITS[cmap.time_unit]
        if not np.all(np.diff(t) > 0):
            raise InputFormatError(
                f"time in {cmap.time_unit} is too fine to stay increasing in seconds",
                path=p,
                column=cmap.time_column,
            )
        fs = resolve_rate(t, declared_hz=fs_declared, declared_by=by, notes=notes, path=p)
    else:
        if fs_declared is None:
            raise InputFormatError(
                "expected a time column or a sampling rate: the column map has neither; set "
                "'time' or 'sampling_rate_hz' in the map, or pass sampling_rate_hz=",
                path=p,
            )
        fs = float(fs_declared)
        t = np.arange(n, dtype=np.float64) / fs
        notes.append(f"time built from the declared sampling rate {fs:g} Hz (no time column)")
    # Units: convert, detecting where asked.
    si: dict[str, np.ndarray] = {}
    read_as: dict[str, str] = {}
    for placement in cmap.placements:
        specs = {c.quantity + "_" + c.axis: c for c in cmap.channels if c.placement == placement}
        acc_specs = [specs[f"acc_{a}"] for a in AXES]
        gyr_specs = [specs[f"gyr_{a}"] for a in AXES]
        acc_si = None
        for group in (acc_specs, gyr_specs):
            units = {cmap.unit_of(c) for c in group}
            raw = np.column_stack([cols[c.column] for c in group])
            if "auto" in units:
                try:
                    if group is acc_specs:
                        unit, reason = infer_acc_unit(raw, placement)
                    else:
                        unit, reason = infer_gyr_unit(raw, acc_si, fs, placement)
                except ConfigError as exc:
                    raise InputFormatError(str(exc), path=p, column=group[0].column) from None
                notes.append(reason)
                warn_data_quality(f"{p}: {reason}")
            for c in group:
                u = cmap.unit_of(c)
                if u == "auto":
                    u = unit
                factor = (ACC_UNITS if c.quantity == "acc" else GYR_UNITS)[u]
                si[c.column] = cols[c.column] * (factor * c.sign)
                read_as[c.column] = u
            if group is acc_specs:
                acc_si = np.column_stack([si[c.column] for c in group])
    check_magnitudes(
        si,
        path=p,
        first_line=first,
        quantity_of={c.column: c.quantity for c in cmap.channels},
        read_as=read_as,
    )
    values = {}
    for placement in cmap.placements:
        by_target = {c.target: c.column for c in cmap.channels if c.placement == placement}
        values[placement] = np.column_stack(
            [si[by_target[f"{placement}_{q}_{a}"]] for q in ("acc", "gyr") for a in AXES]
        )
    check_mixed_rates(values, path=p, time_column=cmap.time_column or "rows")
    arrays = {pl: (v[:, :3], v[:, 3:]) for pl, v in values.items()}
    meta = RecordingMeta(
        source=str(p),
        notes=tuple(notes),
        extra={"source_format": "mapped", "column_map": cmap.to_dict()},
    )
    return finish_recording(t, fs, arrays, meta, path=p, run_quality=check_quality)
