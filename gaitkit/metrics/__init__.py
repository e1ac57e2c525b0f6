"""Knee-pain metrics: tibial rotation, pronation proxies, knee-hip coordination, symmetry.

Per-stride metrics take a strides table (:data:`gaitkit.schema.STRIDE_COLUMNS`) and a long
per-sample angle table (``time_s, side`` + :data:`gaitkit.schema.ANGLE_COLUMNS`) and return
columns keyed by ``(side, stride_id)`` in the strides' row order. :func:`compute_stride_metrics`
runs them all; :func:`summarize_metrics`, :func:`symmetry_table` and :func:`findings` turn them
into per-leg summaries, left/right comparisons with bootstrap CIs, and plain-language findings.
Definitions and sources: each function's docstring and ``docs/metrics.md``.
"""

from __future__ import annotations

from gaitkit.metrics._compose import compute_stride_metrics, summarize_metrics, summarize_session
from gaitkit.metrics._coordination import (
    COUPLING_BINS,
    circular_mean_sd_deg,
    compute_coordination,
    continuous_relative_phase,
    coordination_summary,
    coupling_phase_bins,
    stride_cycles,
    vector_coding,
)
from gaitkit.metrics._findings import (
    OVERPRONATION_THRESHOLD_SD,
    TIBIAL_SHOCK_THRESHOLD_G,
    findings,
)
from gaitkit.metrics._pronation import (
    OVERPRONATION_COMPONENTS,
    compute_pronation_proxies,
    overpronation_index,
)
from gaitkit.metrics._reference import (
    COUPLING_CALCANEAL_EVERSION_TO_TIBIAL_ROTATION,
    METRIC_ALIASES,
    MIRRORED_METRICS,
    NORMATIVE,
    SOURCES,
    SYMMETRY_RULES,
    NormativeRange,
    SymmetryRule,
)
from gaitkit.metrics._reliability import (
    ABSOLUTE_ANGLE,
    CALIBRATION_LIMIT_DEG,
    CALIBRATION_SENSITIVE,
    gate_by_calibration,
)
from gaitkit.metrics._rotation import compute_tibial_rotation
from gaitkit.metrics._shock import compute_temporal, compute_tibial_shock, running_load_summary
from gaitkit.metrics._symmetry import (
    MIN_STRIDES_PER_SIDE,
    block_length_auto,
    robinson_si_pct,
    symmetry_angle_deg,
    symmetry_angle_pct,
    symmetry_table,
)
from gaitkit.metrics._variability import DFA_MIN_STRIDES, DFAResult, dfa_alpha, stride_time_dfa

__all__ = [
    "ABSOLUTE_ANGLE",
    "CALIBRATION_LIMIT_DEG",
    "CALIBRATION_SENSITIVE",
    "COUPLING_BINS",
    "COUPLING_CALCANEAL_EVERSION_TO_TIBIAL_ROTATION",
    "DFA_MIN_STRIDES",
    "METRIC_ALIASES",
    "MIN_STRIDES_PER_SIDE",
    "MIRRORED_METRICS",
    "NORMATIVE",
    "OVERPRONATION_COMPONENTS",
    "OVERPRONATION_THRESHOLD_SD",
    "SOURCES",
    "SYMMETRY_RULES",
    "TIBIAL_SHOCK_THRESHOLD_G",
    "DFAResult",
    "NormativeRange",
    "SymmetryRule",
    "block_length_auto",
    "circular_mean_sd_deg",
    "compute_coordination",
    "compute_pronation_proxies",
    "compute_stride_metrics",
    "compute_temporal",
    "compute_tibial_rotation",
    "compute_tibial_shock",
    "continuous_relative_phase",
    "coordination_summary",
    "coupling_phase_bins",
    "dfa_alpha",
    "findings",
    "gate_by_calibration",
    "overpronation_index",
    "robinson_si_pct",
    "running_load_summary",
    "stride_cycles",
    "stride_time_dfa",
    "summarize_metrics",
    "summarize_session",
    "symmetry_angle_deg",
    "symmetry_angle_pct",
    "symmetry_table",
    "vector_coding",
]
