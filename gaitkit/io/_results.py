"""Write an :class:`~gaitkit.analysis.AnalysisResult` to a folder of tidy files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gaitkit.errors import InputFormatError

if TYPE_CHECKING:
    from gaitkit.analysis import AnalysisResult

__all__ = ["json_safe", "write_analysis"]


def json_safe(obj: Any) -> Any:
    """Convert numpy scalars/arrays and non-finite floats into strict-JSON values (NaN → null)."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, np.generic):
        return json_safe(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_analysis(result: AnalysisResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``strides.csv``, ``summary.json`` and the intermediate tables into ``out_dir``.

    Files: ``strides.csv`` (one row per stride), ``summary.json`` (per-leg summaries, symmetry,
    findings, provenance), ``events.csv``, ``bouts.csv``, and ``cycles.csv`` when kinematics
    ran. Existing files of those names are replaced; nothing else in the folder is touched.

    Returns
    -------
    dict
        ``{name: path}`` of the files written.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFormatError("expected a folder for the outputs, found a file", path=out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    tables = {
        "strides": result.strides,
        "events": result.events,
        "bouts": result.bouts,
        "cycles": result.cycles,
    }
    for name, table in tables.items():
        if table is None:
            continue
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.6g")
        written[name] = path
    path = out / "summary.json"
    path.write_text(json.dumps(json_safe(result.summary), indent=2, allow_nan=False) + "\n")
    written["summary"] = path
    return written
