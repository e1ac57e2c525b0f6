"""Physical constants and unit conversions.

gaitkit computes in SI units (m/s², rad/s, s, m, Hz). Conversions happen once, at the edges
(file readers, packet decoders); degrees appear only in reported angles.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DEG_PER_RAD",
    "G0",
    "RAD_PER_DEG",
    "deg_to_rad",
    "g_to_mps2",
    "mps2_to_g",
    "rad_to_deg",
]

#: Standard gravity in m/s² (CGPM 1901, ISO 80000-3).
G0: float = 9.80665
#: Degrees per radian.
DEG_PER_RAD: float = 180.0 / np.pi
#: Radians per degree.
RAD_PER_DEG: float = np.pi / 180.0


def g_to_mps2(x: np.ndarray | float) -> np.ndarray | float:
    """Convert accelerations from g (standard gravity) to m/s²."""
    return np.asarray(x) * G0 if isinstance(x, np.ndarray) else x * G0


def mps2_to_g(x: np.ndarray | float) -> np.ndarray | float:
    """Convert accelerations from m/s² to g (standard gravity)."""
    return np.asarray(x) / G0 if isinstance(x, np.ndarray) else x / G0


def deg_to_rad(x: np.ndarray | float) -> np.ndarray | float:
    """Convert angles or angular rates from degrees to radians."""
    return np.asarray(x) * RAD_PER_DEG if isinstance(x, np.ndarray) else x * RAD_PER_DEG


def rad_to_deg(x: np.ndarray | float) -> np.ndarray | float:
    """Convert angles or angular rates from radians to degrees."""
    return np.asarray(x) * DEG_PER_RAD if isinstance(x, np.ndarray) else x * DEG_PER_RAD
