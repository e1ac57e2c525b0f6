"""Compose the pipeline: bouts → events → strides → kinematics → metrics → summary.

:func:`analyze` is the one call most users need. Each stage is also public on its own
(:mod:`gaitkit.events`, :mod:`gaitkit.kinematics`, :mod:`gaitkit.metrics`) so researchers can
swap a stage or run it on their own tables; this module only wires them together, records how
the result was computed (gaitkit version, input, configuration), and summarises per leg.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from gaitkit._version import __version__
from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.model import Recording, check_recording
from gaitkit.schema import SIDES

__all__ = ["AnalysisConfig", "AnalysisResult", "analyze", "summarize_strides"]

#: Per-stride columns that are identifiers or flags, not metrics to summarise.
_NON_METRIC_COLUMNS = frozenset(
    {
        "side",
        "stride_id",
        "bout_id",
        "activity",
        "ic_time_s",
        "fc_time_s",
        "next_ic_time_s",
        "valid",
        "reject_reason",
        "ms_time_s",
        "contralateral_ic_time_s",
        "contralateral_fc_time_s",
    }
)


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


def summarize_strides(strides: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Summarise every numeric per-stride metric per leg over valid strides.

    For each metric column: ``mean``, ``sd`` (sample SD, ddof=1), ``cv_pct`` (100·SD/|mean|,
    ``None`` when the mean is ~0, where a CV is meaningless) and ``n`` (finite values).

    Parameters
    ----------
    strides
        Strides table with ``side`` and ``valid`` columns.

    Returns
    -------
    dict
        ``{side: {"stride_count": int, "metrics": {name: {...}}}}`` for each side present.
    """
    out: dict[str, dict[str, Any]] = {}
    metric_cols = [
        c
        for c in strides.columns
        if c not in _NON_METRIC_COLUMNS
        and pd.api.types.is_numeric_dtype(strides[c])
        and not pd.api.types.is_bool_dtype(strides[c])
    ]
    for side in SIDES:
        rows = strides[(strides["side"] == side) & strides["valid"].astype(bool)]
        if not len(strides[strides["side"] == side]):
            continue
        metrics: dict[str, dict[str, Any]] = {}
        for col in metric_cols:
            v = rows[col].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if v.size == 0:
                continue
            mean = float(v.mean())
            sd = float(v.std(ddof=1)) if v.size > 1 else float("nan")
            cv = 100.0 * sd / abs(mean) if abs(mean) > 1e-9 and math.isfinite(sd) else None
            metrics[col] = {
                "mean": mean,
                "sd": sd if math.isfinite(sd) else None,
                "cv_pct": cv,
                "n": int(v.size),
            }
        out[side] = {"stride_count": len(rows), "metrics": metrics}
    return out


def analyze(recording: Recording, config: AnalysisConfig | None = None) -> AnalysisResult:
    """Run the whole pipeline on a recording.

    Parameters
    ----------
    recording
        Validated recording (from :func:`gaitkit.io.read_recording`, the BLE recorder or the
        simulator) with at least one shank sensor.
    config
        Options; defaults to :class:`AnalysisConfig()`.

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

    bouts = ev.detect_bouts(recording)
    if config.activity != "auto" and len(bouts):
        bouts = bouts.assign(activity=config.activity)
    detection = ev.detect_gait_events(recording, bouts)
    strides = ev.segment_strides(detection.events, detection.bouts)
    summary = _provenance(recording, config)
    summary["bouts"] = _bout_summary(detection.bouts)
    summary["sensor_axes"] = _records(detection.axes)
    summary["quality"] = _quality_summary(recording)
    summary["legs"] = summarize_strides(strides)
    for side, leg in summary["legs"].items():
        leg["cadence_spm"] = _cadence_spm(strides, side)
    return AnalysisResult(
        strides=strides, summary=summary, bouts=detection.bouts, events=detection.events
    )


def _cadence_spm(strides: pd.DataFrame, side: str) -> float | None:
    """Cadence in steps/min from a leg's valid strides: 2 steps per stride, 120 / stride time.

    Uses the median stride time, so a few long strides at turns do not drag it down.
    """
    rows = strides[(strides["side"] == side) & strides["valid"].astype(bool)]
    t = rows["stride_time_s"].to_numpy(dtype=float)
    t = t[np.isfinite(t)]
    return float(120.0 / np.median(t)) if t.size else None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in df.to_dict(orient="records"):
        out.append({k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in row.items()})
    return out


def _bout_summary(bouts: pd.DataFrame) -> dict[str, Any]:
    dur = (bouts["end_s"] - bouts["start_s"]).to_numpy(dtype=float)
    per = {
        act: float(dur[(bouts["activity"] == act).to_numpy()].sum()) for act in ("walk", "run")
    }
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
