"""Write an :class:`~gaitkit.analysis.AnalysisResult` to a folder of tidy files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from gaitkit._json import json_safe
from gaitkit.errors import InputFormatError

if TYPE_CHECKING:
    from gaitkit.analysis import AnalysisResult

__all__ = ["json_safe", "write_analysis"]  # json_safe re-exported for the io namespace


def write_analysis(result: AnalysisResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``strides.csv``, ``summary.json`` and the intermediate tables into ``out_dir``.

    Files: ``strides.csv`` (one row per stride), ``summary.json`` (per-leg summaries, symmetry,
    findings, provenance), ``events.csv``, ``bouts.csv``, and ``cycles.csv`` when kinematics
    ran. Existing files of those names are replaced (or removed, when this run has no such
    table, so no stale output sits beside the new summary); nothing else is touched.

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
            # a previous run's table must not sit beside this run's summary
            (out / f"{name}.csv").unlink(missing_ok=True)
            continue
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.6g")
        written[name] = path
    written["columns"] = _write_dictionary(out / "columns.md", tables)
    path = out / "summary.json"
    path.write_text(json.dumps(json_safe(result.summary), indent=2, allow_nan=False) + "\n")
    written["summary"] = path
    return written


def _write_dictionary(path: Path, tables: dict) -> Path:
    """Write ``columns.md``: each written table's columns with what they mean."""
    from gaitkit.schema import COLUMN_DOCS

    lines = [
        "# What the columns mean",
        "",
        "Units are in the names (`_s` seconds, `_deg` degrees, `_dps` degrees per second, "
        "`_g` standard gravity, `_pct` percent). Angle signs: flexion, adduction and internal "
        "rotation positive on both legs. One row per stride in strides.csv; rejected strides "
        "are kept with valid = false.",
    ]
    for name, table in tables.items():
        if table is None:
            continue
        lines += ["", f"## {name}.csv", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{c}` | {COLUMN_DOCS.get(c, '(undocumented)')} |" for c in table.columns]
    path.write_text("\n".join(lines) + "\n")
    return path
