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
    (shank adduction). Rearfoot eversion in stance goes with the opposite tilt: the knee moves
    medially over the loaded foot (see ``gaitkit.metrics.compute_pronation_proxies``).
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
    "COLUMN_DOCS",
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


#: What every output column means: ``{column: description}`` (units are in the names; angles
#: follow the definitions above). ``gaitkit.io.write_analysis`` writes the entries for the
#: columns present into ``columns.md`` beside the tables; a test keeps it complete.
COLUMN_DOCS: dict[str, str] = {
    # keys and bookkeeping
    "side": "leg: left or right",
    "stride_id": "stride number within the leg (0, 1, ...), key with side",
    "bout_id": "walking/running bout the row belongs to (see bouts.csv)",
    "activity": "walk or run (bout label)",
    "valid": "false for rejected strides, which are kept with their reason",
    "reject_reason": "why a stride is not valid; reasons joined with ';' (missing_fc, "
    "crosses_gap, implausible_stride_time, implausible_stance, suspect_gyro, bout_edge)",
    "confidence": "detector confidence 0-1 (shank axis confidence, lowered on clipped or "
    "suspect gyroscopes); a quality figure, not a gait measure",
    "segment_id": "gap-free stretch of the recording the event lies in",
    "placement": "sensor the event was detected on",
    "quality_flags": "';'-joined event quality flags (suspect_gyro, gyro_clipped, "
    "implausible_gyro, bridged_gap); empty when none",
    "event": "ic = initial contact, fc = final contact (toe-off), ms = mid-swing",
    "time_s": "time of the event, seconds on the recording's time base",
    "pct": "percent of the gait cycle, 0 = initial contact, 100 = next initial contact",
    # events and temporal
    "ic_time_s": "initial contact (foot strike) that starts the stride",
    "fc_time_s": "final contact (toe-off) of the stride",
    "next_ic_time_s": "next initial contact of the same leg, which ends the stride",
    "ms_time_s": "mid-swing (peak forward swing speed of the shank), not milliseconds",
    "contralateral_ic_time_s": "first initial contact of the other leg within the stride",
    "contralateral_fc_time_s": "last final contact of the other leg before that",
    "stride_time_s": "initial contact to the next initial contact of the same leg",
    "stance_time_s": "initial to final contact: time the foot is on the ground",
    "swing_time_s": "final contact to next initial contact: time the foot is in the air",
    "stance_pct": "stance time as a percent of the stride",
    "step_time_s": "the step that ends at this initial contact: from the other leg's previous "
    "initial contact (Perry)",
    "contact_time_s": "runners' name for stance_time_s (same value)",
    "duty_factor": "stance share of the stride as a fraction (stance_pct / 100)",
    "flight_time_s": "time both feet are off the ground after this leg's toe-off (running); 0 "
    "in walking",
    "double_support_time_s": "both feet on the ground within the stride (initial + terminal); "
    "empty in running, which has no double support",
    "double_support_pct": "double support as a percent of the stride",
    "initial_double_support_time_s": "double support just after this leg's initial contact",
    "terminal_double_support_time_s": "double support just before this leg's toe-off",
    # angles (per stride)
    "knee_flexion_max_deg": "largest knee flexion in the stride (swing peak)",
    "knee_flexion_min_deg": "least knee flexion in the stride (most extended); its zero is the "
    "standing posture",
    "knee_flexion_rom_deg": "knee flexion range of motion over the stride",
    "knee_flexion_at_ic_deg": "knee flexion at initial contact",
    "knee_rotation_rom_deg": "range of knee axial rotation (tibia vs thigh) over the stride",
    "thigh_rom_deg": "range of the thigh's sagittal angle over the stride (hip-flexion proxy; "
    "no pelvis sensor)",
    "shank_rom_deg": "range of the shank's sagittal angle over the stride",
    # knee-pain metrics
    "tibial_ir_excursion_deg": "tibial internal rotation from initial contact to mid-stance "
    "(peak minus value at contact)",
    "tibial_ir_peak_deg": "peak tibial axial angle in stance, relative to the stride-average "
    "axial angle",
    "tibial_ir_peak_velocity_dps": "fastest tibial internal rotation, contact to mid-stance",
    "knee_rotation_excursion_deg": "range of knee axial rotation (tibia vs thigh) in stance",
    "lr_tibial_ir_excursion_deg": "tibial internal rotation during loading response (first part "
    "of stance); over-pronation proxy",
    "lr_tibial_ir_peak_velocity_dps": "fastest tibial internal rotation during loading response",
    "shank_frontal_excursion_deg": "signed shank tilt toward abduction (knee moving medially "
    "over the foot) from contact to mid-stance, negative if toward adduction (eversion proxy)",
    "shank_frontal_peak_velocity_dps": "fastest tilt toward abduction, contact to mid-stance",
    "overpronation_index": "mean z-score of the over-pronation proxies against partly assumed "
    "reference ranges: compare a person with themself",
    "knee_thigh_rom_ratio": "knee flexion range per degree of thigh range (knee-to-hip tug-of-war)",
    "thigh_shank_marp_deg": "mean absolute continuous relative phase, thigh vs shank (0 = in "
    "phase)",
    "thigh_shank_crp_sd_deg": "within-stride variability (SD) of that relative phase",
    "coupling_inphase_pct": "share of the cycle thigh and shank rotate together in the same "
    "direction (vector coding)",
    "coupling_antiphase_pct": "share of the cycle they rotate in opposite directions",
    "coupling_proximal_pct": "share of the cycle led by the thigh",
    "coupling_distal_pct": "share of the cycle led by the shank",
    "peak_tibial_acc_g": "peak resultant shank acceleration around initial contact, in g: an "
    "impact measure, not bone load; empty when the sensor clipped",
    "peak_tibial_acc_clipped": "true when the shank accelerometer sat at its range during the "
    "impact (the peak is then unknown)",
    # bouts
    "start_s": "bout start, seconds",
    "end_s": "bout end, seconds",
    "n_mid_swings": "mid-swings found in the bout, both legs",
    "run_score": "walk/run evidence (duty factor, cadence, impact); above 0 means running",
}
COLUMN_DOCS.update(
    {
        name: f"per-sample angle averaged onto the cycle: {name.removesuffix('_deg')}"
        for name in ANGLE_COLUMNS
    }
)
