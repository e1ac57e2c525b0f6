"""Orientation of each IMU from its accelerometer and gyroscope (no magnetometer).

:func:`estimate_orientation` is an offline, fully vectorised estimator: exact (second-order,
coning-corrected) strapdown integration computed as a parallel prefix product of quaternions,
gyroscope bias from rest periods, and a zero-phase gravity correction of inclination drift.
Heading is not observable without a magnetometer; :mod:`gaitkit.kinematics` builds its heading
references from the motion itself.
"""

from gaitkit.orientation._filter import (
    OrientationEstimate,
    estimate_gyr_bias,
    estimate_orientation,
    estimate_orientations,
)
from gaitkit.orientation._quat import (
    cardan_zxy,
    quat_cumprod,
    quat_from_rotvec,
    quat_shortest_arc,
    quat_yaw,
)
from gaitkit.orientation._rest import detect_rest, mask_runs

__all__ = [
    "OrientationEstimate",
    "cardan_zxy",
    "detect_rest",
    "estimate_gyr_bias",
    "estimate_orientation",
    "estimate_orientations",
    "mask_runs",
    "quat_cumprod",
    "quat_from_rotvec",
    "quat_shortest_arc",
    "quat_yaw",
]
