"""The one container every source returns: :class:`Recording`.

A recording is a set of IMU streams (accelerometer + gyroscope) keyed by body placement, on one
shared time base, in SI units and in each sensor's own frame as mounted (see
:mod:`gaitkit.frames`). Files and the simulator (and, later, the BLE recorder) produce it;
the analysis core consumes it and trusts it, because it is validated once, here, when built.

Design notes
------------
- Arrays, not DataFrames, inside: every array is copied on construction and made read-only, so a
  ``Recording`` really is immutable (a frozen dataclass holding a DataFrame is not). Tables are
  produced on demand with :meth:`Recording.to_frame` and :meth:`Recording.stream_frame`.
- One time base for all placements. Sources whose sensors tick separately (BLE) resample onto a
  common grid before they build a recording, and say so in an annotation.
- Defects are data: gaps, clipping, NaN runs, suspect sensors and assumptions (an assumed sampling
  rate or unit) are recorded as :class:`Annotation` rows and ``meta.notes``, never hidden.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from gaitkit.errors import RecordingError
from gaitkit.frames import PLACEMENTS

__all__ = [
    "ANNOTATION_COLUMNS",
    "ANNOTATION_KINDS",
    "AXES",
    "MAX_BRIDGED_GAP_S",
    "Annotation",
    "Recording",
    "RecordingMeta",
    "SensorStream",
    "check_recording",
    "gap_threshold_s",
]

AXES: tuple[str, str, str] = ("x", "y", "z")

AnnotationKind = Literal[
    "gap",
    "nan_run",
    "clipping",
    "suspect_gyro",
    "bout",
    "standing",
    "calibration",
    "resampled",
    "note",
]
#: Kinds of annotation rows, with their meaning.
ANNOTATION_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "gap": "time jumps by more than 1.5 sample periods: samples are missing",
        "nan_run": "samples present but not-a-number in a channel",
        "clipping": "a channel sits at the sensor's full-scale range",
        "suspect_gyro": "gyroscope looks amplified or saturated; angles and events unreliable",
        "bout": "a walking or running bout",
        "standing": "a quiet standing period",
        "calibration": "a period used for sensor-to-segment calibration",
        "resampled": "samples were moved onto a common time grid",
        "note": "free-text remark",
    }
)
ANNOTATION_COLUMNS: tuple[str, ...] = ("kind", "placement", "channel", "start_s", "end_s", "detail")

#: Longest gap (missing samples) that per-stride features are measured across, in seconds:
#: six samples at 100 Hz, the length of BLE loss bursts that connection-interval batching
#: produces. Shorter gaps are bridged by linear interpolation of the angles; a stride spanning
#: a longer one keeps its row but gets NaN features. Comparisons allow half a sample period of
#: timing jitter (see :func:`gap_threshold_s`).
MAX_BRIDGED_GAP_S: float = 0.065


def gap_threshold_s(time_s: np.ndarray) -> float:
    """Time step above which a stride is not measured across: the bridged gap plus jitter.

    ``MAX_BRIDGED_GAP_S + 0.5 · median(Δt)``, so a gap of exactly six missing samples at
    100 Hz (Δt = 0.07 s) is voided and five (0.06 s) is bridged, whatever the float rounding.
    """
    dt = np.diff(np.asarray(time_s, dtype=float))
    return MAX_BRIDGED_GAP_S + (0.5 * float(np.median(dt)) if dt.size else 0.0)


@dataclass(frozen=True)
class Annotation:
    """One annotated time span.

    Attributes
    ----------
    kind
        One of :data:`ANNOTATION_KINDS`.
    start_s, end_s
        Span in seconds on the recording's time base (``end_s >= start_s``).
    placement
        The placement concerned, or ``None`` for the whole recording.
    channel
        The channel concerned (e.g. ``"acc_x"``), or ``None``.
    detail
        Human-readable detail (e.g. ``"12 samples missing"``).
    """

    kind: str
    start_s: float
    end_s: float
    placement: str | None = None
    channel: str | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ANNOTATION_KINDS:
            raise RecordingError(
                f"annotation kind must be one of {sorted(ANNOTATION_KINDS)}, got {self.kind!r}"
            )
        if not (np.isfinite(self.start_s) and np.isfinite(self.end_s)) or self.end_s < self.start_s:
            raise RecordingError(
                f"annotation {self.kind!r} needs finite start_s <= end_s, "
                f"got {self.start_s!r}..{self.end_s!r}"
            )


@dataclass(frozen=True)
class RecordingMeta:
    """Who, what and where a recording comes from.

    Attributes
    ----------
    subject, session, device
        Identifiers, free text.
    source
        Where the data came from: a file path, ``"ble"``, ``"simulator"``.
    notes
        Assumptions made while reading (assumed sampling rate, detected units), one sentence each.
    extra
        Any further key/value metadata (JSON-serialisable).
    """

    subject: str | None = None
    session: str | None = None
    device: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "subject": self.subject,
            "session": self.session,
            "device": self.device,
            "source": self.source,
            "notes": list(self.notes),
            "extra": dict(self.extra),
        }


def _frozen(a: Any, shape_tail: tuple[int, ...], name: str) -> np.ndarray:
    try:
        arr = np.array(a, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise RecordingError(f"{name} must be numeric, got {type(a).__name__}") from exc
    if arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail:
        raise RecordingError(
            f"{name} must have shape (n, {', '.join(map(str, shape_tail))}), got {arr.shape}"
        )
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class SensorStream:
    """Accelerometer and gyroscope samples of one IMU, in its sensor frame, SI units.

    Attributes
    ----------
    acc_mps2
        ``(n, 3)`` specific force in m/s² (includes gravity: ~+9.81 m/s² along "up" at rest).
    gyr_radps
        ``(n, 3)`` angular velocity in rad/s.
    """

    acc_mps2: np.ndarray
    gyr_radps: np.ndarray

    def __post_init__(self) -> None:
        acc = _frozen(self.acc_mps2, (3,), "acc_mps2")
        gyr = _frozen(self.gyr_radps, (3,), "gyr_radps")
        if acc.shape != gyr.shape:
            raise RecordingError(f"acc_mps2 {acc.shape} and gyr_radps {gyr.shape} differ in length")
        object.__setattr__(self, "acc_mps2", acc)
        object.__setattr__(self, "gyr_radps", gyr)

    def __len__(self) -> int:
        return self.acc_mps2.shape[0]

    @property
    def columns(self) -> dict[str, np.ndarray]:
        """Channels by name: ``acc_x`` ... ``gyr_z`` (read-only views)."""
        out = {f"acc_{a}": self.acc_mps2[:, i] for i, a in enumerate(AXES)}
        out.update({f"gyr_{a}": self.gyr_radps[:, i] for i, a in enumerate(AXES)})
        return out


@dataclass(frozen=True, repr=False)
class Recording:
    """IMU streams keyed by placement on one time base, validated and immutable.

    Attributes
    ----------
    time_s
        ``(n,)`` sample times in seconds, strictly increasing. Gaps (missing samples) are jumps
        in ``time_s`` and are listed in ``annotations``.
    sampling_rate_hz
        Nominal sampling rate. Always explicit: gaitkit never guesses it silently.
    streams
        ``{placement: SensorStream}``, placements from :data:`gaitkit.frames.PLACEMENTS`.
    meta
        Subject, session, device, source and reading notes.
    annotations
        Table of :class:`Annotation` rows (gaps, clipping, bouts, calibration periods, ...).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(100) / 100.0
    >>> still = SensorStream(np.tile([0.0, 9.81, 0.0], (100, 1)), np.zeros((100, 3)))
    >>> rec = Recording(t, 100.0, {"shank_left": still})
    >>> rec.placements, rec.duration_s
    (('shank_left',), 1.0)
    """

    time_s: np.ndarray
    sampling_rate_hz: float
    streams: Mapping[str, SensorStream]
    meta: RecordingMeta = field(default_factory=RecordingMeta)
    annotation_rows: tuple[Annotation, ...] = ()

    def __post_init__(self) -> None:
        t = _frozen(self.time_s, (), "time_s")
        object.__setattr__(self, "time_s", t)
        fs = self.sampling_rate_hz
        if isinstance(fs, bool) or not isinstance(fs, (int, float, np.floating, np.integer)):
            raise RecordingError(f"sampling_rate_hz must be a number, got {fs!r}")
        if not (np.isfinite(fs) and fs > 0):
            raise RecordingError(f"sampling_rate_hz must be finite and > 0, got {fs!r}")
        object.__setattr__(self, "sampling_rate_hz", float(fs))
        if not isinstance(self.streams, Mapping) or not self.streams:
            raise RecordingError("a recording needs at least one stream {placement: SensorStream}")
        streams: dict[str, SensorStream] = {}
        for placement in sorted(self.streams, key=_placement_order):
            s = self.streams[placement]
            if placement not in PLACEMENTS:
                raise RecordingError(
                    f"unknown placement {placement!r}; expected one of {', '.join(PLACEMENTS)}"
                )
            if not isinstance(s, SensorStream):
                raise RecordingError(
                    f"stream {placement!r} must be a SensorStream, got {type(s).__name__}"
                )
            if len(s) != t.shape[0]:
                raise RecordingError(
                    f"stream {placement!r} has {len(s)} samples but time_s has {t.shape[0]}"
                )
            streams[placement] = s
        object.__setattr__(self, "streams", MappingProxyType(streams))
        if t.shape[0] < 2:
            raise RecordingError(f"a recording needs at least 2 samples, got {t.shape[0]}")
        if not np.all(np.isfinite(t)):
            i = int(np.flatnonzero(~np.isfinite(t))[0])
            raise RecordingError(f"time_s must be finite; sample {i} is {float(t[i])!r}")
        dt = np.diff(t)
        if np.any(dt <= 0):
            i = int(np.flatnonzero(dt <= 0)[0])
            raise RecordingError(
                f"time_s must be strictly increasing; sample {i + 1} ({float(t[i + 1])!r} s) "
                f"follows {float(t[i])!r} s"
            )
        if not isinstance(self.meta, RecordingMeta):
            raise RecordingError(f"meta must be a RecordingMeta, got {type(self.meta).__name__}")
        rows = tuple(self.annotation_rows)
        for a in rows:
            if not isinstance(a, Annotation):
                raise RecordingError(
                    f"annotation_rows must hold Annotation, got {type(a).__name__}"
                )
            if a.placement is not None and a.placement not in streams:
                raise RecordingError(
                    f"annotation names placement {a.placement!r}, not in the recording"
                )
        object.__setattr__(self, "annotation_rows", rows)

    def __repr__(self) -> str:
        # one line: printing a recording must not dump its arrays and annotations
        return (
            f"Recording({', '.join(self.placements)}; {self.n_samples} samples, "
            f"{self.duration_s:.3f} s at {self.sampling_rate_hz:g} Hz; "
            f"{len(self.annotation_rows)} annotations; source={self.meta.source!r})"
        )

    # -- derived views -------------------------------------------------------------------
    @property
    def placements(self) -> tuple[str, ...]:
        """Placements present, in canonical order."""
        return tuple(self.streams)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.time_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Span from the first to one period past the last sample, in seconds."""
        return float(self.time_s[-1] - self.time_s[0] + 1.0 / self.sampling_rate_hz)

    @property
    def annotations(self) -> pd.DataFrame:
        """Annotations as a tidy table with columns :data:`ANNOTATION_COLUMNS`."""
        return annotations_frame(self.annotation_rows)

    def stream_frame(self, placement: str) -> pd.DataFrame:
        """One placement's channels as a DataFrame indexed by ``time_s`` (a copy)."""
        if placement not in self.streams:
            raise KeyError(f"no stream {placement!r}; present: {', '.join(self.placements)}")
        cols = {k: v.copy() for k, v in self.streams[placement].columns.items()}
        return pd.DataFrame(cols, index=pd.Index(self.time_s.copy(), name="time_s"))

    def to_frame(self) -> pd.DataFrame:
        """All streams as one wide table: ``time_s`` and ``{placement}_{acc|gyr}_{x|y|z}``."""
        data: dict[str, np.ndarray] = {"time_s": self.time_s.copy()}
        for placement, s in self.streams.items():
            for name, col in s.columns.items():
                data[f"{placement}_{name}"] = col.copy()
        return pd.DataFrame(data)

    # -- functional updates --------------------------------------------------------------
    def with_annotations(self, rows: Iterable[Annotation]) -> Recording:
        """Return a copy with ``rows`` appended to the annotations."""
        return dataclasses.replace(self, annotation_rows=self.annotation_rows + tuple(rows))

    def select(self, placements: Iterable[str]) -> Recording:
        """Return a copy restricted to ``placements`` (annotations of dropped ones removed)."""
        keep = tuple(placements)
        missing = [p for p in keep if p not in self.streams]
        if missing:
            raise KeyError(f"no stream {missing[0]!r}; present: {', '.join(self.placements)}")
        rows = tuple(a for a in self.annotation_rows if a.placement is None or a.placement in keep)
        return dataclasses.replace(
            self, streams={p: self.streams[p] for p in keep}, annotation_rows=rows
        )

    def slice_time(self, start_s: float, end_s: float) -> Recording:
        """Return the samples with ``start_s <= time_s < end_s`` (annotations clipped)."""
        m = (self.time_s >= start_s) & (self.time_s < end_s)
        streams = {p: SensorStream(s.acc_mps2[m], s.gyr_radps[m]) for p, s in self.streams.items()}
        rows = tuple(
            dataclasses.replace(a, start_s=max(a.start_s, start_s), end_s=min(a.end_s, end_s))
            for a in self.annotation_rows
            if a.end_s >= start_s and a.start_s < end_s
        )
        return dataclasses.replace(
            self, time_s=self.time_s[m], streams=streams, annotation_rows=rows
        )


def annotations_frame(rows: Iterable[Annotation]) -> pd.DataFrame:
    """Build the tidy annotations table from :class:`Annotation` rows."""
    rows = list(rows)
    return pd.DataFrame(
        {
            "kind": pd.Series([a.kind for a in rows], dtype=object),
            "placement": pd.Series([a.placement for a in rows], dtype=object),
            "channel": pd.Series([a.channel for a in rows], dtype=object),
            "start_s": pd.Series([a.start_s for a in rows], dtype=float),
            "end_s": pd.Series([a.end_s for a in rows], dtype=float),
            "detail": pd.Series([a.detail for a in rows], dtype=object),
        },
        columns=list(ANNOTATION_COLUMNS),
    )


def _placement_order(p: str) -> tuple[int, str]:
    return (PLACEMENTS.index(p) if p in PLACEMENTS else len(PLACEMENTS), p)


def check_recording(obj: Any) -> Recording:
    """Raise :class:`~gaitkit.errors.RecordingError` unless ``obj`` is a :class:`Recording`.

    Construction already validates a recording; this guards public entry points that may be
    handed something else (a DataFrame, a path).
    """
    if not isinstance(obj, Recording):
        raise RecordingError(
            f"expected a gaitkit Recording, got {type(obj).__name__}; "
            "read files with gaitkit.io.read_recording(path)"
        )
    return obj
