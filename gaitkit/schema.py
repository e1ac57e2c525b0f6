"""Column names shared by every stage, so truth tables and estimates line up.

Angles (degrees, anatomical signs per side, see :func:`gaitkit.frames.anatomical_sign`)
--------------------------------------------------------------------------------------
Segment angles are the Cardan angles of the segment frame relative to the heading-aligned
global frame (X forward, Y up, Z right) in the sequence sagittal (about Z), frontal (about the
floating X), axial (about the segment's own y): ``R = Rz(sagittal) · Rx(frontal) · Ry(axial)``,
the order of the ISB joint coordinate systems (Wu et al. 2002, J Biomech 35:543-548). Frontal and
axial angles are multiplied by the side sign. The *frontal* angle is thus the tilt out of the
sagittal plane, not the angle of the segment's projection on the frontal plane (the two differ
when the segment is far from vertical, e.g. 5.0° vs 5.5° at 25° of thigh flexion).

``thigh_sagittal_deg``
    Thigh inclination from vertical in the sagittal plane; positive when the knee is anterior
    to the hip (flexion). A hip-flexion proxy: no pelvis sensor.
``thigh_frontal_deg``
    Thigh inclination in the frontal plane; positive when the knee is medial of the hip
    (adduction).
``shank_sagittal_deg``
    Shank inclination from vertical in the sagittal plane; positive when the ankle is anterior
    to the knee.
``shank_frontal_deg``
    Shank inclination in the frontal plane; positive when the ankle is medial of the knee
    (shank adduction, the tilt that accompanies rearfoot eversion in stance).
``shank_axial_deg``
    Shank (tibial) axial rotation about its long axis relative to the direction of progression;
    positive is internal rotation.
``knee_flexion_deg``, ``knee_adduction_deg``, ``knee_rotation_deg``
    Knee joint angles in the joint coordinate system of Grood & Suntay (1983, J Biomech Eng
    105:136-144): flexion positive, adduction (varus) positive, tibial internal rotation relative
    to the femur positive. In 2-D, ``knee_flexion_deg ≈ thigh_sagittal_deg - shank_sagittal_deg``.

Per-sample angle tables are long: one row per (time, side) with ``time_s``, ``side`` and any
subset of :data:`ANGLE_COLUMNS` (absent segments give absent columns, not NaN noise).
"""

from __future__ import annotations

__all__ = [
    "ANGLE_COLUMNS",
    "BOUT_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "SIDES",
    "STRIDE_COLUMNS",
]

SIDES: tuple[str, str] = ("left", "right")

ANGLE_COLUMNS: tuple[str, ...] = (
    "thigh_sagittal_deg",
    "thigh_frontal_deg",
    "shank_sagittal_deg",
    "shank_frontal_deg",
    "shank_axial_deg",
    "knee_flexion_deg",
    "knee_adduction_deg",
    "knee_rotation_deg",
)

#: Gait events: initial contact, final contact (toe-off), mid-swing.
EVENT_KINDS: tuple[str, ...] = ("ic", "fc", "ms")
#: Event tables (detected or true): one row per event.
EVENT_COLUMNS: tuple[str, ...] = ("side", "event", "time_s")

#: Bout tables: one row per walking/running bout.
BOUT_COLUMNS: tuple[str, ...] = ("bout_id", "start_s", "end_s", "activity")

#: Stride tables: one row per stride (IC to next IC of the same leg); stages add columns.
STRIDE_COLUMNS: tuple[str, ...] = (
    "side",
    "stride_id",
    "bout_id",
    "activity",
    "ic_time_s",
    "fc_time_s",
    "next_ic_time_s",
    "stride_time_s",
    "stance_time_s",
    "swing_time_s",
    "stance_pct",
    "valid",
    "reject_reason",
)
