"""Ground-truth gait simulator: shank and thigh IMUs of both legs from a kinematic leg model.

:func:`simulate_gait` returns a :class:`Simulation`: a :class:`~gaitkit.model.Recording` plus
the exact truth it was generated from (events, strides, per-sample angles, segment
orientations, sensor mountings, biases, tibial impact peaks). See :func:`simulate_gait` for the
model and :mod:`gaitkit.simulate._curves` for the normative curves and their sources.
"""

from __future__ import annotations

from gaitkit.simulate._config import SimulationConfig, default_cadence_spm, default_speed_mps
from gaitkit.simulate._curves import stance_fraction
from gaitkit.simulate._engine import (
    ANKLE_HEIGHT_M,
    HIP_HALF_WIDTH_M,
    SHANK_LENGTH_M,
    SHANK_SITE_M,
    THIGH_LENGTH_M,
    THIGH_SITE_M,
    Simulation,
    simulate_gait,
)

__all__ = [
    "ANKLE_HEIGHT_M",
    "HIP_HALF_WIDTH_M",
    "SHANK_LENGTH_M",
    "SHANK_SITE_M",
    "THIGH_LENGTH_M",
    "THIGH_SITE_M",
    "Simulation",
    "SimulationConfig",
    "default_cadence_spm",
    "default_speed_mps",
    "simulate_gait",
    "stance_fraction",
]
