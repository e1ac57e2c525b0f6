"""Turn parsed columns into a validated :class:`~gaitkit.model.Recording` (shared by readers).

Checks done here, once, for every reader: absurd magnitudes (wrong units), mixed sampling
rates hidden in a wide table, the sampling rate itself, then the data-quality detectors of
:mod:`gaitkit.quality` (gaps, NaN runs, clipping, suspect gyros), reported as annotations and
:class:`~gaitkit.errors.DataQualityWarning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from gaitkit.errors import InputFormatError, warn_data_quality
from gaitkit.model import Annotation, Recording, RecordingMeta, SensorStream
from gaitkit.quality import assess_quality
from gaitkit.units import G0

__all__ = [
    "ABSURD_ACC_MPS2",
    "ABSURD_GYR_RADPS",
    "check_magnitudes",
    "check_mixed_rates",
    "finish_recording",
    "resolve_rate",
]

#: Beyond 100 g an accelerometer value is almost surely raw counts or the wrong unit.
ABSURD_ACC_MPS2: float = 100.0 * G0
#: Beyond 100 rad/s (5730 deg/s) a leg gyroscope value is almost surely deg/s or counts.
ABSURD_GYR_RADPS: float = 100.0


def check_magnitudes(
    columns: Mapping[str, np.ndarray],
    *,
    path: str | Path,
    first_line: int,
    quantity_of: Mapping[str, str],
    read_as: Mapping[str, str] | None = None,
) -> None:
    """Raise if an SI column holds absurd magnitudes (likely the wrong unit).

    Parameters
    ----------
    columns
        ``{file column name: values in SI units}``.
    path, first_line
        For the message (``first_line`` is the file line of sample 0).
    quantity_of
        ``{file column name: "acc" | "gyr"}``.
    read_as
        ``{file column name: unit the column was read in}`` (default: SI), for the message.
    """
    for name, x in columns.items():
        q = quantity_of[name]
        lim = ABSURD_ACC_MPS2 if q == "acc" else ABSURD_GYR_RADPS
        with np.errstate(invalid="ignore"):
            big = np.abs(x) > lim
        if not big.any():
            continue
        i = int(np.flatnonzero(big)[0])
        si = "m/s²" if q == "acc" else "rad/s"
        unit = (read_as or {}).get(name, si)
        if q == "acc":
            what = "|acc| <= 100 g (981 m/s²)"
            guess = "raw counts or the wrong unit"
        else:
            what = "|gyr| <= 100 rad/s"
            guess = "deg/s, raw counts or the wrong unit"
        raise InputFormatError(
            f"expected {what}, found {float(x[i])!r} {si} with the column read as {unit} "
            f"(likely {guess}; declare the unit with a column map)",
            path=path,
            line=first_line + i,
            column=name,
        )


def check_mixed_rates(
    placement_values: Mapping[str, np.ndarray], *, path: str | Path, time_column: str
) -> None:
    """Raise if a placement only has values on every k-th row (k >= 2).

    A wide table made by merging sensors sampled at different rates has each slower sensor's
    values on a subset of rows and NaN between. Keeping those NaN would make every filter and
    event detector fail downstream, so this is an input error with an explanation.

    Parameters
    ----------
    placement_values
        ``{placement: (n, 6) values}``.
    path, time_column
        For the message.
    """
    steps = {}
    n = None
    for placement, v in placement_values.items():
        n = v.shape[0]
        rows = np.flatnonzero(np.isfinite(v).any(axis=1))
        if rows.size < 3:
            continue
        steps[placement] = float(np.median(np.diff(rows)))
    if n is None or not steps:
        return
    slow = {p: s for p, s in steps.items() if s >= 2}
    if not slow:
        return
    p, s = next(iter(slow.items()))
    others = [q for q, sq in steps.items() if sq < 2]
    vs = f" while {', '.join(others)} has values on every row" if others else ""
    ordinal = _ordinal(s)
    raise InputFormatError(
        f"expected every placement sampled on every row of '{time_column}', found "
        f"{p} with values on every {ordinal} row only{vs}: the table mixes sensors sampled at "
        "different rates (or the time column is denser than the data); resample them onto "
        "one time base before reading",
        path=path,
        column=f"{p}_*",
    )


def _ordinal(x: float) -> str:
    """``2.0 -> '2nd'``, ``11.0 -> '11th'``, ``2.5 -> '2.5th'``."""
    if not float(x).is_integer():
        return f"{x:g}th"
    k = int(x)
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def resolve_rate(
    t_s: np.ndarray,
    *,
    declared_hz: float | None,
    declared_by: str,
    notes: list[str],
    path: str | Path,
    check_consistency: bool = True,
) -> float:
    """Choose the sampling rate: the declared one, else the median time step; say which.

    Parameters
    ----------
    t_s
        Sample times, s (strictly increasing).
    declared_hz
        Rate given by the user or a sidecar, or ``None``.
    declared_by
        Who declared it (for the notes), e.g. ``"sampling_rate_hz argument"``.
    notes
        Appended to (assumptions, mismatches).
    path
        For the warning text.
    check_consistency
        Note and warn when the declared rate and the median time step differ by > 2 %.
        Off for a gaitkit sidecar: the recording was built with that rate already.

    Returns
    -------
    float
        Sampling rate in Hz.
    """
    with np.errstate(over="ignore", divide="ignore"):
        med_dt = float(np.median(np.diff(t_s)))
        est = 1.0 / med_dt
    if declared_hz is None:
        if not (np.isfinite(est) and est > 0 and np.isfinite(med_dt)):
            raise InputFormatError(
                f"expected time steps that give a sampling rate, found a median step of "
                f"{med_dt!r} s; pass the sampling rate",
                path=path,
            )
        note = (
            f"sampling rate estimated as {est:.6g} Hz from the median time step "
            f"({med_dt:.6g} s); not declared in the file"
        )
        notes.append(note)
        warn_data_quality(f"{path}: {note}")
        return est
    fs = float(declared_hz)
    if not (np.isfinite(fs) and fs > 0):
        raise InputFormatError(
            f"expected a sampling rate > 0 Hz from the {declared_by}, found {declared_hz!r}",
            path=path,
        )
    if check_consistency and abs(est - fs) > 0.02 * fs:
        note = (
            f"{declared_by} says {fs:g} Hz but the time column's median step implies "
            f"{est:.6g} Hz; using {fs:g} Hz"
        )
        notes.append(note)
        warn_data_quality(f"{path}: {note}")
    return fs


def _summarise(rows: Iterable[Annotation], kinds: tuple[str, ...]) -> str:
    rows = [a for a in rows if a.kind in kinds]
    if not rows:
        return ""
    parts = []
    gaps = [a for a in rows if a.kind == "gap"]
    if gaps:
        parts.append(f"{len(gaps)} gap(s)")
    nan = [a for a in rows if a.kind == "nan_run"]
    if nan:
        chans = sorted({f"{a.placement}_{a.channel}" for a in nan})
        parts.append(
            f"NaN runs in {len(chans)} channel(s) ({', '.join(chans[:4])}"
            f"{', ...' if len(chans) > 4 else ''}), kept as NaN"
        )
    clip = [a for a in rows if a.kind == "clipping"]
    if clip:
        chans = sorted({f"{a.placement}_{a.channel}" for a in clip})
        parts.append(
            f"clipping in {len(chans)} channel(s) ({', '.join(chans[:4])}"
            f"{', ...' if len(chans) > 4 else ''})"
        )
    return "; ".join(parts)


def finish_recording(
    time_s: np.ndarray,
    sampling_rate_hz: float,
    placement_arrays: Mapping[str, tuple[np.ndarray, np.ndarray]],
    meta: RecordingMeta,
    *,
    path: str | Path,
    annotations: Iterable[Annotation] = (),
    run_quality: bool = True,
    acc_full_scale_mps2: float | None = None,
    gyr_full_scale_radps: float | None = None,
) -> Recording:
    """Build the recording, run the quality detectors, attach annotations and warn.

    Parameters
    ----------
    time_s, sampling_rate_hz
        Time base (s) and rate (Hz).
    placement_arrays
        ``{placement: (acc (n, 3) m/s², gyr (n, 3) rad/s)}``.
    meta
        Metadata, notes included.
    path
        Source file, for warnings.
    annotations
        Annotations already known (sidecar, activity labels).
    run_quality
        Run :func:`gaitkit.quality.assess_quality` and append its annotations.
    acc_full_scale_mps2, gyr_full_scale_radps
        Sensor ranges when the format states them.
    """
    streams = {p: SensorStream(a, g) for p, (a, g) in placement_arrays.items()}
    rec = Recording(time_s, sampling_rate_hz, streams, meta, tuple(annotations))
    if run_quality:
        report = assess_quality(
            rec, acc_full_scale_mps2=acc_full_scale_mps2, gyr_full_scale_radps=gyr_full_scale_radps
        )
        rec = rec.with_annotations(report.annotations)
    warn_about(rec, path)
    return rec


def warn_about(rec: Recording, path: str | Path) -> None:
    """Emit :class:`DataQualityWarning` for defects recorded in a recording's annotations."""
    summary = _summarise(rec.annotation_rows, ("gap", "nan_run", "clipping"))
    if summary:
        warn_data_quality(f"{path}: {summary}")
    suspect = [a for a in rec.annotation_rows if a.kind == "suspect_gyro"]
    if suspect:
        names = ", ".join(sorted({str(a.placement) for a in suspect}))
        warn_data_quality(
            f"{path}: suspect gyroscope(s) {names}: {suspect[0].detail}; angles and events "
            "from these sensors are unreliable",
        )
