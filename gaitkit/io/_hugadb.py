"""HuGaDB v1 text files (Human Gait Database).

Source: R. Chereshnev, A. Kertész-Farkas (2018), "HuGaDB: Human Gait Database for Activity
Recognition from Wearable Inertial Sensor Networks", AIST 2017, LNCS 10716, pp. 131-141;
github.com/romanchereshnev/HuGaDB.

Format (checked on the files): tab-separated text; three comment lines (``#Activity``,
``#ActivityID``, ``#Date``); a 39-column header; one row per sample, no time column. Six IMU
blocks in the order rf, rs, rt, lf, ls, lt (right foot, right shin, right thigh, left foot,
left shin, left thigh), each ``acc_x acc_y acc_z gyro_x gyro_y gyro_z`` as raw int16 counts;
then ``EMG_r EMG_l`` (uint8) and ``act`` (activity id per sample).

Conversions (MPU-6050-class ranges stated by the authors: ±2 g, ±2000 deg/s): acceleration in
g = counts / 16384; angular velocity in deg/s = counts / 16.384. Both are converted to SI here.

The sampling rate is not recorded. The authors' Table 1 gives 2,111,962 samples in 35,903 s,
i.e. 58.8 Hz on average; it is the default, stated in ``meta.notes`` with a warning, and can be
set with ``sampling_rate_hz=``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np

from gaitkit.errors import InputFormatError, warn_data_quality
from gaitkit.io._build import finish_recording
from gaitkit.io._text import TextLayout, parse_numeric, sniff
from gaitkit.model import Annotation, Recording, RecordingMeta
from gaitkit.units import G0, RAD_PER_DEG

__all__ = [
    "HUGADB_ACTIVITIES",
    "HUGADB_DEFAULT_RATE_HZ",
    "HUGADB_PLACEMENTS",
    "is_hugadb_layout",
    "read_hugadb",
]

#: HuGaDB sensor codes → gaitkit placements ("shin" is the shank).
HUGADB_PLACEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "rf": "foot_right",
        "rs": "shank_right",
        "rt": "thigh_right",
        "lf": "foot_left",
        "ls": "shank_left",
        "lt": "thigh_left",
    }
)
#: Activity ids of the ``act`` column (HuGaDB README, Table 1).
HUGADB_ACTIVITIES: Mapping[int, str] = MappingProxyType(
    {
        1: "walking",
        2: "running",
        3: "going_up",
        4: "going_down",
        5: "sitting",
        6: "sitting_down",
        7: "standing_up",
        8: "standing",
        9: "bicycling",
        10: "up_by_elevator",
        11: "down_by_elevator",
        12: "sitting_in_car",
    }
)
#: Activities that are gait bouts (annotation kind ``"bout"``); 8 is ``"standing"``; the rest
#: become ``"note"`` rows.
_GAIT_IDS = frozenset({1, 2, 3, 4})
_STANDING_ID = 8
#: Mean rate from the authors' Table 1: 2,111,962 samples / 35,903 s.
HUGADB_DEFAULT_RATE_HZ: float = 58.8
ACC_COUNTS_PER_G = 16384.0
GYR_COUNTS_PER_DPS = 16.384
ACC_FULL_SCALE_MPS2 = 2.0 * G0
GYR_FULL_SCALE_RADPS = 2000.0 * RAD_PER_DEG

_SENSORS = tuple(HUGADB_PLACEMENTS)
HEADER: tuple[str, ...] = (
    *(f"{q}_{s}_{a}" for s in _SENSORS for q in ("acc", "gyro") for a in "xyz"),
    "EMG_r",
    "EMG_l",
    "act",
)
_NAME = re.compile(r"HuGaDB_v(?P<v>\d+)_(?P<activity>[a-z]+)_(?P<subject>\d+)_(?P<trial>\d+)")


def is_hugadb_layout(layout: TextLayout) -> bool:
    """Whether a sniffed header looks like HuGaDB (39 columns starting ``acc_rf_x``)."""
    return layout.names[:1] == ("acc_rf_x",) or any(
        c.startswith("#Activity") for c in layout.comment_lines
    )


def _activity_rows(
    act: np.ndarray, t: np.ndarray, fs: float, path: Path, first_line: int
) -> tuple[tuple[Annotation, ...], list[str]]:
    notes: list[str] = []
    if np.isnan(act).any():
        i = int(np.flatnonzero(np.isnan(act))[0])
        raise InputFormatError(
            "expected an activity id 1-12, found an empty cell",
            path=path,
            line=first_line + i,
            column="act",
        )
    change = np.flatnonzero(np.diff(act) != 0) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [act.size]))
    rows = []
    period = 1.0 / fs
    unknown = set()
    for a, b in zip(starts, stops, strict=True):
        code = act[a]
        ident = int(code) if float(code).is_integer() else None
        name = HUGADB_ACTIVITIES.get(ident) if ident is not None else None
        if name is None:
            unknown.add(float(code))
            name = f"unknown_{code:g}"
        kind = "bout" if ident in _GAIT_IDS else "standing" if ident == _STANDING_ID else "note"
        rows.append(
            Annotation(
                kind,
                float(t[a]),
                float(t[b - 1] + period),
                detail=f"activity={name} (HuGaDB act={code:g}, {int(b - a)} samples)",
            )
        )
    if unknown:
        notes.append(
            f"activity ids {sorted(unknown)} are not in the HuGaDB table (1-12); kept as "
            "'unknown_<id>' notes"
        )
    return tuple(rows), notes


def read_hugadb(
    path: str | Path,
    *,
    sampling_rate_hz: float | None = None,
    check_quality: bool = True,
    negate_gyro: bool = True,
) -> Recording:
    """Read a HuGaDB v1 text file into a :class:`Recording` in SI units.

    Parameters
    ----------
    path
        A ``HuGaDB_v1_*.txt`` file.
    sampling_rate_hz
        The rate to assume (not recorded in the files). Default
        :data:`HUGADB_DEFAULT_RATE_HZ` (58.8 Hz), stated in ``meta.notes`` and warned about.
    check_quality
        Run the data-quality detectors with the known ranges (±2 g, ±2000 deg/s): clipping per
        channel and suspect (amplified) gyroscopes, see :func:`gaitkit.quality.detect_suspect_gyro`.
    negate_gyro
        Negate the gyroscope channels (default), so that gyroscope and accelerometer follow the
        same right-hand rule; see Notes. ``False`` returns the file's signs.

    Returns
    -------
    Recording
        Placements ``foot_*``, ``shank_*``, ``thigh_*`` (HuGaDB rf/rs/rt/lf/ls/lt), time
        ``k / sampling_rate_hz``. Activity labels become annotations: walking, running,
        going_up and going_down ``kind="bout"``; standing ``kind="standing"``; others
        ``kind="note"``; each with ``detail="activity=<name> (...)"``. The EMG columns are
        dropped (noted in ``meta.notes``).

    Notes
    -----
    Axes, as measured on the sample files: on shins and thighs gravity lies along -x (x runs
    along the segment), and the sagittal angular velocity is ``gyr_y`` on every sensor with the
    same sign on both legs. Data are left in this sensor frame.

    **Gyroscope sign.** In the files, the gyroscope turns the opposite way to the accelerometer:
    integrating the recorded angular velocity over short windows predicts how gravity should
    move in the sensor frame, and the accelerometer follows the prediction of ``-ω``, not of
    ``ω`` (median residual 30-45 % lower on all six sensors of every file checked; gaitkit's own
    simulator, right-handed by construction, prefers ``+ω``). Read as is, every axial and
    frontal angle comes out mirrored: tibial rotation in loading response reads *external*,
    against every bone-pin and motion-capture study. With the gyroscopes negated it reads
    internal (4-8° by 12 % of the cycle), sagittal angles are unchanged. The test that checks
    this is ``tests/test_io_hugadb.py::test_gyro_sign_agrees_with_gravity``.
    """
    p = Path(path)
    layout = sniff(p)
    if layout.names != HEADER:
        got = set(layout.names)
        missing = [c for c in HEADER if c not in got]
        extra = [c for c in layout.names if c not in set(HEADER)]
        what = []
        if missing:
            what.append(f"missing {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}")
        if extra:
            what.append(f"unexpected {', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''}")
        if not what:
            what.append("columns in a different order")
        raise InputFormatError(
            f"expected the 39-column HuGaDB header (acc_rf_x ... act), found {len(layout.names)} "
            f"columns: {'; '.join(what)}",
            path=p,
            line=layout.header_line,
        )
    if layout.delimiter != "\t":
        raise InputFormatError(
            f"expected tab-separated HuGaDB columns, found {layout.delimiter_name}-separated",
            path=p,
            line=layout.header_line,
        )
    cols = parse_numeric(p, layout)
    first = layout.header_line + 1
    n = cols["act"].size
    if n < 2:
        raise InputFormatError(f"expected at least 2 samples, found {n}", path=p, line=first)
    notes: list[str] = []
    if sampling_rate_hz is None:
        fs = HUGADB_DEFAULT_RATE_HZ
        note = (
            f"sampling rate assumed {fs:g} Hz (HuGaDB does not record it; 58.8 Hz is the mean "
            "of the authors' Table 1, 2,111,962 samples in 35,903 s; set sampling_rate_hz)"
        )
        notes.append(note)
        warn_data_quality(f"{p}: {note}")
    else:
        fs = float(sampling_rate_hz)
        if not (np.isfinite(fs) and fs > 0):
            raise InputFormatError(
                f"expected sampling_rate_hz > 0, found {sampling_rate_hz!r}", path=p
            )
        notes.append(f"sampling rate {fs:g} Hz given by the user (HuGaDB does not record it)")
    t = np.arange(n, dtype=np.float64) / fs
    arrays = {}
    for code, placement in HUGADB_PLACEMENTS.items():
        raw = np.column_stack([cols[f"{q}_{code}_{a}"] for q in ("acc", "gyro") for a in "xyz"])
        with np.errstate(invalid="ignore"):
            out = np.abs(raw) > 32768
        if out.any():
            r, c = np.argwhere(out)[0]
            name = [f"{q}_{code}_{a}" for q in ("acc", "gyro") for a in "xyz"][c]
            raise InputFormatError(
                f"expected raw int16 counts (-32768..32767), found {raw[r, c]:g}",
                path=p,
                line=first + int(r),
                column=name,
            )
        acc = raw[:, :3] * (G0 / ACC_COUNTS_PER_G)
        gyr = raw[:, 3:] * ((-1.0 if negate_gyro else 1.0) * RAD_PER_DEG / GYR_COUNTS_PER_DPS)
        arrays[placement] = (acc, gyr)
    notes.append(
        "raw int16 converted to SI: acc counts/16384 g × 9.80665, gyro counts/16.384 deg/s "
        "× π/180 (ranges ±2 g, ±2000 deg/s)"
    )
    notes.append("EMG_r and EMG_l columns dropped (gaitkit reads IMU channels only)")
    if negate_gyro:
        notes.append(
            "gyroscope signs negated: in HuGaDB files the gyroscope turns opposite to the "
            "accelerometer (gravity-tracking check); negated so both follow the right-hand rule"
        )
    act_rows, act_notes = _activity_rows(cols["act"], t, fs, p, first)
    notes.extend(act_notes)
    extra: dict[str, object] = {
        "source_format": "hugadb",
        "acc_full_scale_mps2": ACC_FULL_SCALE_MPS2,
        "gyr_full_scale_radps": GYR_FULL_SCALE_RADPS,
    }
    for c in layout.comment_lines:
        key, _, value = c.lstrip("#").partition("\t" if "\t" in c else " ")
        extra[f"hugadb_{key.strip().lower().replace('-', '_')}"] = value.strip()
    m = _NAME.search(p.name)
    subject = session = None
    if m:
        subject = m.group("subject")
        session = f"{m.group('activity')}_{m.group('trial')}"
        extra["hugadb_version"] = int(m.group("v"))
    meta = RecordingMeta(
        subject=subject,
        session=session,
        device="HuGaDB body sensor network (6 IMUs, MPU-6050-class)",
        source=str(p),
        notes=tuple(notes),
        extra=extra,
    )
    return finish_recording(
        t,
        fs,
        arrays,
        meta,
        path=p,
        annotations=act_rows,
        run_quality=check_quality,
        acc_full_scale_mps2=ACC_FULL_SCALE_MPS2,
        gyr_full_scale_radps=GYR_FULL_SCALE_RADPS,
    )
