"""Compose the pipeline: bouts → events → strides → kinematics → metrics → summary.

:func:`analyze` is the one call most users need. Each stage is also public on its own
(:mod:`gaitkit.events`, :mod:`gaitkit.kinematics`, :mod:`gaitkit.metrics`) so researchers can
swap a stage or run it on their own tables; this module only wires them together, records how
the result was computed (gaitkit version, input, configuration), and summarises per leg.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from gaitkit._json import json_safe
from gaitkit._version import __version__
from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.model import Recording, check_recording
from gaitkit.schema import SIDES

__all__ = ["STAGES", "AnalysisConfig", "AnalysisResult", "analyze"]


@dataclass(frozen=True)
class AnalysisConfig:
    """How :func:`analyze` runs. Round-trips through JSON (:meth:`to_dict`, :meth:`from_dict`).

    Attributes
    ----------
    kinematics
        Compute orientation, calibration and joint angles (needs shank and/or thigh sensors).
    metrics
        Compute the knee-pain metrics, symmetry and findings (needs kinematics for most).
    cycle_points
        Points per time-normalised gait cycle (101 gives 0, 1, ..., 100 %).
    bootstrap_samples
        Bootstrap resamples for symmetry confidence intervals.
    seed
        Seed of every random step (bootstrap), for reproducible results.
    activity
        ``"auto"`` to classify bouts, or force ``"walk"``/``"run"``.
    """

    kinematics: bool = True
    metrics: bool = True
    cycle_points: int = 101
    bootstrap_samples: int = 2000
    seed: int = 0
    activity: Literal["auto", "walk", "run"] = "auto"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.cycle_points, int) or self.cycle_points < 11:
            raise ConfigError(f"cycle_points must be an integer >= 11, got {self.cycle_points!r}")
        if not isinstance(self.bootstrap_samples, int) or self.bootstrap_samples < 100:
            raise ConfigError(
                f"bootstrap_samples must be an integer >= 100, got {self.bootstrap_samples!r}"
            )
        if self.activity not in ("auto", "walk", "run"):
            raise ConfigError(f"activity must be 'auto', 'walk' or 'run', got {self.activity!r}")
        object.__setattr__(self, "extra", dict(self.extra))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AnalysisConfig:
        """Build from :meth:`to_dict` output; unknown keys are an error, not ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ConfigError(f"unknown analysis option(s) {unknown}; known: {sorted(names)}")
        return cls(**d)


@dataclass(frozen=True)
class AnalysisResult:
    """Everything :func:`analyze` computed.

    Attributes
    ----------
    strides
        One row per stride (both legs), :data:`gaitkit.schema.STRIDE_COLUMNS` plus every
        per-stride metric; rejected strides kept with ``valid=False`` and a reason.
    summary
        JSON-serialisable dict: per leg counts, cadence and metric summaries, symmetry,
        findings, provenance (input, gaitkit version, configuration).
    bouts, events
        Bout and event tables.
    cycles
        Time-normalised per-stride curves (tidy), or ``None`` without kinematics.
    angles
        Per-sample angle table, or ``None`` without kinematics.
    """

    strides: pd.DataFrame
    summary: dict[str, Any]
    bouts: pd.DataFrame
    events: pd.DataFrame
    cycles: pd.DataFrame | None = None
    angles: pd.DataFrame | None = None


#: Stages :func:`analyze` reports through ``on_stage``, in order.
STAGES: tuple[str, ...] = ("events", "kinematics", "metrics", "done")


def analyze(
    recording: Recording,
    config: AnalysisConfig | None = None,
    *,
    on_stage: Callable[[str], None] | None = None,
) -> AnalysisResult:
    """Run the whole pipeline on a recording.

    Parameters
    ----------
    recording
        Validated recording (from :func:`gaitkit.io.read_recording`, a BLE recorder or the
        simulator) with at least one shank sensor.
    config
        Options; defaults to :class:`AnalysisConfig()`.
    on_stage
        Called with each stage's name (:data:`STAGES`) as it begins, for progress displays.

    Returns
    -------
    AnalysisResult
        Strides table, summary dict and intermediate tables.

    Raises
    ------
    InsufficientDataError
        No shank sensor, or no walking/running found.
    """
    check_recording(recording)
    config = AnalysisConfig() if config is None else config
    if not any(p.startswith("shank_") for p in recording.placements):
        raise InsufficientDataError(
            f"gait events need a shank sensor; the recording has {', '.join(recording.placements)}"
        )
    from gaitkit import events as ev
    from gaitkit.metrics import compute_temporal, summarize_metrics

    report = on_stage if on_stage is not None else (lambda _name: None)
    notes: list[str] = []
    report("events")
    bouts = ev.detect_bouts(recording, activity=config.activity)
    if not len(bouts):
        raise InsufficientDataError(_no_gait_message(recording))
    detection = ev.detect_gait_events(recording, bouts)
    strides = ev.segment_strides(detection.events, detection.bouts)
    if len(strides):  # step and flight time: one definition, also without the other metrics
        strides = _replace_columns(strides, compute_temporal(strides))

    angles = cycles = None
    calibration: dict[str, Any] = {}
    report("kinematics")
    if config.kinematics and len(strides):
        angles, cycles, strides, calibration = _kinematics(recording, strides, config, notes)

    summary = _provenance(recording, config)
    summary["bouts"] = _bout_summary(detection.bouts)
    summary["sensor_axes"] = _records(detection.axes)
    summary["quality"] = _quality_summary(recording)
    if calibration:
        summary["calibration"] = calibration
    report("metrics")
    if config.metrics and len(strides):
        gait_s = float((detection.bouts["end_s"] - detection.bouts["start_s"]).sum())
        strides, session = _metrics(recording, strides, angles, config, calibration, gait_s)
        notes.extend(_shock_notes(strides, recording.sampling_rate_hz))
        legs = session.pop("summary")
        summary.update(session)
    else:
        legs = json_safe(summarize_metrics(strides)) if len(strides) else {}
    summary["legs"] = {
        side: {
            "stride_count": int(((strides["side"] == side) & strides["valid"].astype(bool)).sum()),
            "cadence_spm": _cadence_spm(strides, side),
            "rejected_strides": _reject_counts(strides, side),
            "metrics": legs.get(side, {}),
        }
        for side in SIDES
        if (strides["side"] == side).any()
    }
    summary["notes"] = notes
    report("done")
    return AnalysisResult(
        strides=strides,
        summary=json_safe(summary),
        bouts=detection.bouts,
        events=detection.events,
        cycles=cycles,
        angles=angles,
    )


def _kinematics(
    recording: Recording, strides: pd.DataFrame, config: AnalysisConfig, notes: list[str]
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame, dict[str, Any]]:
    """Calibrate, estimate orientation and angles, add per-stride angle features.

    A recording without usable walking for calibration is not an error for the whole analysis:
    the temporal results stand and the note says why there are no angles.
    """
    from gaitkit import kinematics as kin
    from gaitkit.orientation import estimate_orientations

    placements = tuple(p for p in recording.placements if p.startswith(("shank_", "thigh_")))
    try:
        cal = kin.calibrate_segments(recording, placements=placements)
    except InsufficientDataError as exc:
        notes.append(f"no joint angles: {exc}")
        return None, None, strides, {}
    orientations = estimate_orientations(recording, tuple(cal))
    angles = kin.compute_angles(recording, cal, orientations)
    features = kin.stride_features(angles, strides)
    notes.extend(features.attrs.get("notes", []))
    strides = strides.merge(features, on=["side", "stride_id"], how="left", validate="1:1")
    cycles = kin.time_normalise(angles, strides, n_points=config.cycle_points)
    return angles, cycles, strides, {p: c.to_dict() for p, c in cal.items()}


def _metrics(
    recording: Recording,
    strides: pd.DataFrame,
    angles: pd.DataFrame | None,
    config: AnalysisConfig,
    calibration: Mapping[str, Mapping[str, Any]],
    gait_duration_s: float,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-stride knee-pain metrics, then session summaries, symmetry and findings.

    Left/right comparisons of transverse and frontal-plane metrics are withheld when a
    sensor's calibration cannot support them (:func:`gaitkit.metrics.gate_by_calibration`).
    """
    from gaitkit import metrics as mt

    if angles is None:  # temporal metrics and tibial shock need no angles
        angles = pd.DataFrame({"time_s": pd.Series(dtype=float), "side": pd.Series(dtype=str)})
    strides = mt.compute_stride_metrics(
        strides,
        angles,
        recording,
        activity=None if config.activity == "auto" else config.activity,
    )
    session = mt.summarize_session(
        strides,
        angles if len(angles) else None,
        duration_s=gait_duration_s,  # impacts per minute of gait, not of the whole file
        n_boot=config.bootstrap_samples,
        seed=config.seed,
    )
    axis_error = {
        p: float(c["axis_orthogonality_deg"])
        for p, c in calibration.items()
        if c.get("axis_orthogonality_deg") is not None
    }
    standing = {p: str(c.get("method", "")).startswith("standing") for p, c in calibration.items()}
    crosstalk = {
        p: float("nan")
        if c.get("crosstalk_correction_deg") is None
        else float(c["crosstalk_correction_deg"])
        for p, c in calibration.items()
        if p.startswith("shank_") and "crosstalk_correction_deg" in c
    }
    session["symmetry"], session["findings"] = mt.gate_by_calibration(
        session["symmetry"],
        session["findings"],
        axis_error,
        standing_calibrated=standing,
        crosstalk_correction_deg=crosstalk,
    )
    return strides, session


def _shock_notes(strides: pd.DataFrame, sampling_rate_hz: float) -> list[str]:
    """Say when tibial shock was withheld (clipping) or is biased low (sampling rate)."""
    notes = []
    if "peak_tibial_acc_clipped" in strides.columns:
        n = int(strides["peak_tibial_acc_clipped"].sum())
        if n:
            notes.append(
                f"peak tibial acceleration withheld for {n} of {len(strides)} strides: the "
                "shank accelerometer sat at its full-scale range during the impact, so the "
                "true peak is unknown (record with a range of at least ±16 g)"
            )
    if "peak_tibial_acc_g" in strides.columns and sampling_rate_hz < 500.0:
        notes.append(
            f"peak tibial acceleration sampled at {sampling_rate_hz:g} Hz reads low: on "
            "simulated running impacts by about 11 % at 100 Hz and 3 % at 200 Hz "
            "(docs/metrics.md); compare sessions recorded at the same rate"
        )
    return notes


def _no_gait_message(recording: Recording) -> str:
    """Say where no gait was found, what a bout needs, and the likeliest cause."""
    where = f"{recording.meta.source}: " if recording.meta.source else ""
    hint = (
        "; the sampling rate was assumed, so check it (--rate)"
        if any("assumed" in n for n in recording.meta.notes)
        else "; check that the file holds walking or running and that its sampling rate is right"
    )
    return (
        f"{where}no walking or running found in {recording.duration_s:.1f} s "
        f"({', '.join(recording.placements)}): a bout needs at least 3 regular strides "
        f"(shank swing > 50 °/s, 0.4-2.5 s apart){hint}"
    )


def _replace_columns(strides: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """Add ``part``'s columns (same rows, keyed by side and stride_id), replacing namesakes."""
    cols = [c for c in part.columns if c not in ("side", "stride_id")]
    out = strides.drop(columns=[c for c in cols if c in strides.columns])
    return out.merge(part, on=["side", "stride_id"], how="left", validate="1:1")


def _cadence_spm(strides: pd.DataFrame, side: str) -> float | None:
    """Cadence in steps/min from a leg's valid strides: 2 steps per stride, 120 / stride time.

    Uses the median stride time, so a few long strides at turns do not drag it down.
    """
    rows = strides[(strides["side"] == side) & strides["valid"].astype(bool)]
    t = rows["stride_time_s"].to_numpy(dtype=float)
    t = t[np.isfinite(t)]
    return float(120.0 / np.median(t)) if t.size else None


def _reject_counts(strides: pd.DataFrame, side: str) -> dict[str, int]:
    """Rejected strides of a leg counted by reason (a stride may have several reasons)."""
    rows = strides[(strides["side"] == side) & ~strides["valid"].astype(bool)]
    reasons = rows["reject_reason"].fillna("").astype(str).str.split(";").explode().str.strip()
    return {str(k): int(v) for k, v in reasons[reasons != ""].value_counts().items()}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in row.items()})
    return out


def _bout_summary(bouts: pd.DataFrame) -> dict[str, Any]:
    dur = (bouts["end_s"] - bouts["start_s"]).to_numpy(dtype=float)
    per = {act: float(dur[(bouts["activity"] == act).to_numpy()].sum()) for act in ("walk", "run")}
    return {"count": len(bouts), "walk_s": per["walk"], "run_s": per["run"]}


def _quality_summary(recording: Recording) -> dict[str, Any]:
    """Count data-quality annotations per kind and name the suspect sensors."""
    ann = recording.annotations
    quality = ann[ann["kind"].isin(["gap", "nan_run", "clipping", "suspect_gyro"])]
    counts = {str(k): int(v) for k, v in quality["kind"].value_counts().items()}
    suspect = sorted(
        {str(p) for p in quality.loc[quality["kind"] == "suspect_gyro", "placement"] if p}
    )
    return {"annotation_counts": counts, "suspect_sensors": suspect}


def _provenance(recording: Recording, config: AnalysisConfig) -> dict[str, Any]:
    return {
        "gaitkit_version": __version__,
        "input": {
            "source": recording.meta.source,
            "placements": list(recording.placements),
            "sampling_rate_hz": recording.sampling_rate_hz,
            "duration_s": recording.duration_s,
            "n_samples": recording.n_samples,
            "notes": list(recording.meta.notes),
        },
        "config": config.to_dict(),
    }
