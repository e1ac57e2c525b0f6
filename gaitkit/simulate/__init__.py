"""Ground-truth gait simulator: shank and thigh IMUs of both legs from a kinematic leg model.

:func:`simulate_gait` returns a :class:`Simulation`: a :class:`~gaitkit.model.Recording` plus
the exact truth it was generated from (events, strides, per-sample angles, segment
orientations, sensor mountings, biases, tibial impact peaks). See :func:`simulate_gait` for the
model and :mod:`gaitkit.simulate._curves` for the normative curves and their sources.

Conventions for consumers of the truth
--------------------------------------
- **Frames** (:mod:`gaitkit.frames`): global X forward, Y up, Z right; ISB segment frames
  (x anterior, y up the segment, z right) on both legs; quaternions ``(w, x, y, z)``
  body→reference. ``segment_orientation[p]`` is segment→global; ``mounting[p]`` is
  sensor→segment, so sensor→global is ``quat_mul(segment_orientation[p], mounting[p])``.
- **Default sensor axes** (``sensor_axes="segment"``, no misalignment): sensor axes equal the
  segment axes on all four placements. At rest a sensor reads ``acc ≈ (0, +9.81, 0)``; in
  swing the shank and thigh gyroscope z is positive (distal end moving forward) on *both*
  legs; internal rotation is ``-gyr_y`` on the left and ``+gyr_y`` on the right.
  ``upside_down`` turns a sensor 180° about its own z (y down, x backward).
- **Angles** (``angles``, degrees): segment angles are the Cardan ZXY angles of the segment
  orientation, ``R = Rz(sagittal)·Rx(σ·frontal)·Ry(σ·axial)``, σ = +1 right, -1 left.
  ``*_sagittal_deg`` is exactly the inclination of the long axis projected on the sagittal
  plane; ``*_frontal_deg`` is the angle of the long axis out of the sagittal plane (equal to the
  frontal-plane projection only when the sagittal angle is 0); ``shank_axial_deg`` is the
  rotation about the long axis. Knee angles are Grood & Suntay (Cardan ZXY of
  ``R_thighᵀ R_shank``). Per-sample truth is on ``recording.time_s`` (kept rows).
- **Events**: ``ic`` at the integer phase of the leg (exact); ``fc`` where the phase reaches the
  stance fraction; ``ms`` at the maximum, during swing (FC to next IC), of the shank's
  angular velocity about its *segment* z axis — what an aligned, calibrated shank gyroscope
  peaks at (it differs from the peak of d(shank_sagittal_deg)/dt by the Cardan coupling,
  < 0.5 ms). ``steady`` is False for strides overlapping the start/stop ramps
  (``strides.valid`` is the same flag).
- **Impacts** (``impacts``): the heel-strike transient is added to the shank sensor site along
  the tibial axis; ``peak_g`` is its continuous-time peak of axial specific force (gravity
  included), ``peak_sampled_g`` the same on the output grid (what a 100 Hz IMU can see).
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
