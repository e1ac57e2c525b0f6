"""Writing and reading the ground truth of a simulated recording.

Files, for a recording written to ``<dir>/<stem>.csv``:

- ``<stem>.csv`` (+ ``<stem>.json`` sidecar): the recording, gaitkit CSV via
  :func:`gaitkit.io.write_recording`.
- ``<stem>.events.csv``: true events (``side, event, time_s, stride_index, steady``).
- ``<stem>.strides.csv``: true strides (:data:`gaitkit.schema.STRIDE_COLUMNS` + ``ms_time_s``).
- ``<stem>.angles.csv``: per-sample true angles, long format (``time_s, side`` + angle
  columns, degrees), on the recording's kept rows.
- ``<stem>.impacts.csv``: true tibial impact peaks per initial contact.
- ``<stem>.truth.json``: the simulation config (re-running :func:`gaitkit.simulate.simulate_gait`
  with it reproduces everything bit for bit, including per-sample orientations), the true
  sensor mountings (quaternions sensor→segment, ``w, x, y, z``), gyroscope and accelerometer
  biases, the gait bout, derived parameters and the model constants.

Floats are written with 17 significant digits so reading gives back the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gaitkit.errors import InputFormatError
from gaitkit.schema import ANGLE_COLUMNS, EVENT_COLUMNS, STRIDE_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from gaitkit.simulate import Simulation

__all__ = ["read_ground_truth", "truth_paths", "write_ground_truth", "write_simulation"]

_FLOAT = "%.17g"
TRUTH_FORMAT = "gaitkit-simulation-truth"
TRUTH_VERSION = 1


def truth_paths(path: str | Path) -> dict[str, Path]:
    """Paths of the truth files that belong to the recording file ``path``."""
    p = Path(path)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    d = p.parent
    return {
        "events": d / f"{stem}.events.csv",
        "strides": d / f"{stem}.strides.csv",
        "angles": d / f"{stem}.angles.csv",
        "impacts": d / f"{stem}.impacts.csv",
        "truth": d / f"{stem}.truth.json",
    }


def _arr(m: Mapping[str, np.ndarray]) -> dict[str, list[float]]:
    return {k: [float(x) for x in np.asarray(v).ravel()] for k, v in m.items()}


def write_ground_truth(sim: Simulation, path: str | Path) -> list[Path]:
    """Write the truth tables and ``<stem>.truth.json`` next to the recording path ``path``.

    Parameters
    ----------
    sim
        The simulation.
    path
        Path of the recording file (``.csv``); truth files take its stem.

    Returns
    -------
    list of Path
        The files written.
    """
    from gaitkit._version import __version__
    from gaitkit.simulate import _engine as eng

    paths = truth_paths(path)
    paths["truth"].parent.mkdir(parents=True, exist_ok=True)
    sim.events.to_csv(paths["events"], index=False, float_format=_FLOAT)
    sim.strides.to_csv(paths["strides"], index=False, float_format=_FLOAT)
    sim.angles.to_csv(paths["angles"], index=False, float_format=_FLOAT)
    sim.impacts.to_csv(paths["impacts"], index=False, float_format=_FLOAT)
    cfg = sim.config
    meta: dict[str, Any] = {
        "format": TRUTH_FORMAT,
        "format_version": TRUTH_VERSION,
        "gaitkit_version": __version__,
        "config": cfg.to_dict(),
        "speed_mps": cfg.effective_speed_mps,
        "cadence_spm": cfg.effective_cadence_spm,
        "mounting_quat_sensor_to_segment": _arr(sim.mounting),
        "gyr_bias_radps": _arr(sim.gyr_bias_radps),
        "acc_bias_mps2": _arr(sim.acc_bias_mps2),
        "bouts": [
            {
                k: (
                    float(v)
                    if isinstance(v, (float, np.floating))
                    else int(v)
                    if isinstance(v, (int, np.integer))
                    else str(v)
                )
                for k, v in row.items()
            }
            for row in sim.bouts.to_dict(orient="records")
        ],
        "model": {
            "thigh_length_m": eng.THIGH_LENGTH_M,
            "shank_length_m": eng.SHANK_LENGTH_M,
            "hip_half_width_m": eng.HIP_HALF_WIDTH_M,
            "thigh_site_right_m": list(eng.THIGH_SITE_M),
            "shank_site_right_m": list(eng.SHANK_SITE_M),
            "segment_angles": "Cardan Rz(sagittal) Rx(side*frontal) Ry(side*axial), "
            "segment->global, ISB axes",
            "knee_angles": "Grood & Suntay JCS (Cardan ZXY of thigh^T shank)",
        },
        "files": {k: v.name for k, v in paths.items() if k != "truth"},
    }
    paths["truth"].write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return list(paths.values())


def write_simulation(sim: Simulation, path: str | Path) -> list[Path]:
    """Write a simulated recording as gaitkit CSV plus its ground-truth files.

    The recording goes through :func:`gaitkit.io.write_recording` (``path`` and its JSON
    sidecar); the truth through :func:`write_ground_truth`.

    Returns
    -------
    list of Path
        Every file written, the recording first.
    """
    from gaitkit.io import write_recording

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    written = [Path(p) for p in write_recording(sim.recording, path)]
    return written + write_ground_truth(sim, path)


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise InputFormatError("ground-truth file not found", path=path)
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"not a readable CSV table ({exc})", path=path, line=1) from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputFormatError(
            f"expected columns {', '.join(required)}; missing",
            path=path,
            line=1,
            column=missing[0],
        )
    return df


def read_ground_truth(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read the ground truth written beside the recording ``path``.

    Parameters
    ----------
    path
        The recording file (``<stem>.csv``) or its ``<stem>.truth.json``.

    Returns
    -------
    events, angles, meta
        Events and per-sample angles as written; ``meta`` is the ``truth.json`` content with
        ``config`` rebuilt as a :class:`~gaitkit.simulate.SimulationConfig`, the mountings and
        biases as numpy arrays, and the ``strides`` and ``impacts`` tables added as DataFrames.
    """
    from gaitkit.simulate import SimulationConfig

    p = Path(path)
    if p.name.endswith(".truth.json"):
        p = p.with_name(p.name[: -len(".truth.json")] + ".csv")
    paths = truth_paths(p)
    tp = paths["truth"]
    if not tp.is_file():
        raise InputFormatError("ground-truth file not found", path=tp)
    try:
        meta = json.loads(tp.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFormatError(f"not valid JSON ({exc})", path=tp) from exc
    if not isinstance(meta, dict) or meta.get("format") != TRUTH_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise InputFormatError(
            f"expected format {TRUTH_FORMAT!r}, found {found!r}", path=tp, column="format"
        )
    if "config" not in meta:
        raise InputFormatError("expected a 'config' object, found none", path=tp, column="config")
    meta["config"] = SimulationConfig.from_dict(meta["config"])
    for key in ("mounting_quat_sensor_to_segment", "gyr_bias_radps", "acc_bias_mps2"):
        meta[key] = {k: np.asarray(v, dtype=float) for k, v in meta.get(key, {}).items()}
    events = _read_csv(paths["events"], (*EVENT_COLUMNS, "stride_index"))
    angles = _read_csv(paths["angles"], ("time_s", "side", *ANGLE_COLUMNS))
    strides = _read_csv(paths["strides"], STRIDE_COLUMNS)
    strides["reject_reason"] = strides["reject_reason"].fillna("").astype(str)
    meta["strides"] = strides
    meta["impacts"] = _read_csv(paths["impacts"], ("side", "ic_time_s", "time_s", "peak_g"))
    return events, angles, meta
