"""Compose the per-stride metrics and summarise them per leg."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from gaitkit._json import json_safe
from gaitkit.metrics._coordination import compute_coordination
from gaitkit.metrics._pronation import compute_pronation_proxies, overpronation_index
from gaitkit.metrics._reference import METRIC_ALIASES, MIRRORED_METRICS, NormativeRange
from gaitkit.metrics._rotation import compute_tibial_rotation
from gaitkit.metrics._shock import compute_temporal, compute_tibial_shock
from gaitkit.metrics._tables import check_columns, prepare_angles, stride_key_frame
from gaitkit.model import Recording
from gaitkit.schema import SIDES, STRIDE_COLUMNS

__all__ = ["compute_stride_metrics", "summarize_metrics", "summarize_session"]

_KEYS = ("side", "stride_id")


def _append(base: pd.DataFrame, part: pd.DataFrame) -> pd.DataFrame:
    """Add ``part``'s metric columns to ``base`` (same rows); same-named columns are replaced."""
    cols = [c for c in part.columns if c not in _KEYS]
    new = [c for c in cols if c not in base.columns]
    out = base.copy() if len(new) < len(cols) else base
    for c in cols:
        if c in out.columns:
            out[c] = part[c].to_numpy()
    if new:
        out = pd.concat([out, part[new].set_axis(out.index)], axis=1)
    return out


def compute_stride_metrics(
    strides: pd.DataFrame,
    angles: pd.DataFrame,
    recording: Recording | None = None,
    *,
    activity: str | None = None,
    midstance_fraction: float = 0.5,
    loading_fraction: float = 0.2,
    loading_end: Literal["fraction", "contralateral_fc"] = "fraction",
    reference: Mapping[tuple[str, str], NormativeRange] | None = None,
    axial_axis: Mapping[str, tuple[int, float]] | None = None,
) -> pd.DataFrame:
    """All per-stride metrics as columns added to the strides table.

    Runs, in order, :func:`compute_temporal`, :func:`compute_tibial_rotation` (needs
    ``shank_axial_deg``), :func:`compute_pronation_proxies` and :func:`overpronation_index`,
    :func:`compute_coordination` (needs thigh/shank sagittal angles) and, when ``recording``
    has shank accelerometers, :func:`compute_tibial_shock`. A metric whose inputs are missing
    (no thigh sensors, no axial angle, one leg only) is an *absent column*, not a column of
    NaN; rows are never dropped and keep their order, rejected strides included (they get
    metrics too; summaries and symmetry use ``valid`` rows only). A column the input already has
    under a metric's name (e.g. ``step_time_s`` or ``flight_time_s`` from an event detector) is
    replaced by the metric's definition, so every metric means what its docstring says.

    Parameters
    ----------
    strides
        Strides table (:data:`gaitkit.schema.STRIDE_COLUMNS`).
    angles
        Long per-sample angle table (``time_s, side`` + :data:`gaitkit.schema.ANGLE_COLUMNS`
        subset).
    recording
        Optional; needed for tibial shock.
    activity
        ``"walk"``/``"run"`` for all strides, else the strides' ``activity`` column is used for
        the over-pronation references.
    midstance_fraction, loading_fraction, loading_end
        Window definitions (see :func:`compute_tibial_rotation` and
        :func:`compute_pronation_proxies`).
    reference
        Normative ranges for :func:`overpronation_index`.
    axial_axis
        Shank sensor axis along the tibia per side, for the axial tibial shock.

    Returns
    -------
    pandas.DataFrame
        A copy of ``strides`` (same index and row order) with metric columns appended.
    """
    s = stride_key_frame(strides)
    angles = prepare_angles(angles)
    out = strides.copy()  # keeps the caller's index and row order
    if "stride_time_s" not in out.columns:
        out["stride_time_s"] = out["next_ic_time_s"] - out["ic_time_s"]
    out = _append(out, compute_temporal(s))
    if angles.has("shank_axial_deg"):
        out = _append(
            out, compute_tibial_rotation(s, angles, midstance_fraction=midstance_fraction)
        )
        pro = compute_pronation_proxies(
            s,
            angles,
            loading_fraction=loading_fraction,
            loading_end=loading_end,
            midstance_fraction=midstance_fraction,
        )
        out = _append(out, pro)
        if activity is not None or "activity" in out.columns:
            opi = overpronation_index(out, activity=activity, reference=reference)
            if opi.notna().any():
                out["overpronation_index"] = opi.to_numpy()
    coord = compute_coordination(s, angles)
    if len(coord.columns) > len(_KEYS):
        # ranges already measured on the full-rate angles (gaitkit.kinematics.stride_features)
        # are kept; the 101-point versions only fill in when they are absent, and the ratio is
        # recomputed from whichever ranges the table ends up with
        kept = [c for c in ("knee_flexion_rom_deg", "thigh_rom_deg") if c in out.columns]
        out = _append(out, coord.drop(columns=kept))
        if kept and {"knee_flexion_rom_deg", "thigh_rom_deg"} <= set(out.columns):
            with np.errstate(invalid="ignore", divide="ignore"):
                out["knee_thigh_rom_ratio"] = out["knee_flexion_rom_deg"].to_numpy(float) / out[
                    "thigh_rom_deg"
                ].to_numpy(float)
    if recording is not None and any(f"shank_{x}" in recording.streams for x in SIDES):
        out = _append(out, compute_tibial_shock(s, recording, axial_axis=axial_axis))
    return out


#: Columns of a strides table that are bookkeeping, not metrics.
_NON_METRIC = set(STRIDE_COLUMNS) - {
    "stride_time_s",
    "stance_time_s",
    "swing_time_s",
    "stance_pct",
} | {
    "ic_time_s",
    "fc_time_s",
    "next_ic_time_s",
    "ms_time_s",
    "contralateral_ic_time_s",
    "contralateral_fc_time_s",
    "confidence",  # the event detector's confidence in the stride: a quality figure
    "segment_id",
}


def summarize_metrics(
    strides_with_metrics: pd.DataFrame,
    metrics: Iterable[str] | None = None,
    *,
    valid_only: bool = True,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per-leg mean, SD, CV and count of each numeric metric over valid strides.

    Returns ``{side: {metric: {mean, sd, cv_pct, n}}}`` with ``sd`` the sample SD (ddof=1) and
    ``cv_pct = 100 · sd / |mean|`` (NaN when ``|mean|`` is below 1e-9). For signed metrics whose
    mean can be near zero (``tibial_ir_peak_deg``, ``overpronation_index``) the CV is not
    meaningful: read the SD. Metrics default to all
    numeric columns except identifiers and absolute event times (``ic_time_s``, ``fc_time_s``,
    ``next_ic_time_s``, ``ms_time_s``, ``contralateral_*_time_s``).
    """
    df = strides_with_metrics
    check_columns(df, ("side",), "strides with metrics")
    if valid_only and "valid" in df.columns:
        df = df.loc[df["valid"].fillna(False).astype(bool)]
    if metrics is None:
        metrics = [
            c
            for c in df.columns
            if c not in _NON_METRIC
            and pd.api.types.is_numeric_dtype(df[c])
            and not pd.api.types.is_bool_dtype(df[c])
        ]
    else:
        metrics = list(metrics)
        check_columns(df, metrics, "strides with metrics")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for side in SIDES:
        sub = df.loc[df["side"] == side]
        if sub.empty:
            continue
        vals = sub[metrics].to_numpy(dtype=float, na_value=np.nan)
        fin = np.isfinite(vals)
        n = fin.sum(axis=0)
        z = np.where(fin, vals, 0.0)
        mean = np.where(n > 0, z.sum(axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(fin, vals - mean, 0.0)
        sd = np.where(n > 1, np.sqrt((dev**2).sum(axis=0) / np.maximum(n - 1, 1)), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = np.where(np.abs(mean) > 1e-9, 100.0 * sd / np.abs(mean), np.nan)
        out[side] = {
            m: {"mean": float(mean[i]), "sd": float(sd[i]), "cv_pct": float(cv[i]), "n": int(n[i])}
            for i, m in enumerate(metrics)
        }
    return out


def summarize_session(
    strides_with_metrics: pd.DataFrame,
    angles: pd.DataFrame | None = None,
    *,
    duration_s: float | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    symmetry_metrics: Iterable[str] | Literal["all", "rules"] = "all",
) -> dict[str, Any]:
    """Everything session-level in one JSON-serialisable dict (NaN → ``None``).

    ``symmetry_metrics`` selects the metrics compared left against right: ``"all"`` (every
    per-stride metric, as :func:`summarize_metrics` lists them, except the aliases in
    :data:`METRIC_ALIASES`; metrics without a specific rule use the 15 % SI default),
    ``"rules"`` (only those with a rule in :data:`SYMMETRY_RULES`), or an explicit list.

    Keys: ``summary`` (:func:`summarize_metrics`), ``symmetry`` (:func:`symmetry_table`),
    ``findings`` (:func:`findings`), ``dfa`` (:func:`stride_time_dfa`: ``{side: {alpha, n,
    reason}}``), ``coordination`` (:func:`coordination_summary` rows, when ``angles`` is given)
    and ``running_load`` (:func:`running_load_summary` rows, when tibial shock was computed).
    """
    from gaitkit.metrics._coordination import coordination_summary
    from gaitkit.metrics._findings import findings
    from gaitkit.metrics._shock import running_load_summary
    from gaitkit.metrics._symmetry import symmetry_table
    from gaitkit.metrics._variability import stride_time_dfa

    m = strides_with_metrics
    summary = summarize_metrics(m)
    if symmetry_metrics == "all":
        # an alias (running's name for a quantity that has a canonical column) is compared
        # once, under its canonical name, so one asymmetry is never reported twice
        chosen: list[str] | None = sorted(
            {k for leg in summary.values() for k in leg}
            - set(METRIC_ALIASES)
            - set(MIRRORED_METRICS)
        )
    elif symmetry_metrics == "rules":
        chosen = None
    else:
        chosen = list(symmetry_metrics)
    sym = symmetry_table(m, chosen, n_boot=n_boot, seed=seed)
    out: dict[str, Any] = {
        "summary": summary,
        "symmetry": sym,
        "findings": findings(summary, sym),
    }
    if {"ic_time_s", "stride_time_s"} <= set(m.columns):
        out["dfa"] = {
            side: {"alpha": r.alpha, "n": r.n, "reason": r.reason}
            for side, r in stride_time_dfa(m).items()
        }
    if angles is not None:
        cs = coordination_summary(m, angles)
        out["coordination"] = cs.to_dict(orient="records")
    if "peak_tibial_acc_g" in m.columns:
        load = running_load_summary(m, duration_s=duration_s)
        out["running_load"] = load.to_dict(orient="records")
    return json_safe(out)
