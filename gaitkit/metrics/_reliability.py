"""Withhold left/right comparisons that sensor calibration cannot support.

Axial (internal/external) and frontal-plane angles are small next to the sagittal motion of
the same segment (shank ~70° sagittal range in walking against 5-10° of tibial rotation). If
the functional flexion axis found for a sensor is off, part of that sagittal motion leaks into
the other planes (cross-talk up to about ``sin(error) × sagittal range``; Piazza & Cavanagh
2000, J Biomech 33:1029-1034, for the same effect in joint coordinate systems). A leg-to-leg
difference in such a metric can then reflect sensor placement rather than the person.

The gauge used is :attr:`gaitkit.kinematics.SegmentCalibration.axis_orthogonality_deg`, how far
the walking flexion axis is from perpendicular to the standing long axis. With correct
calibrations on the simulator (30° strap rotation, 10° tilt, walking and running) it stays at
or below 1.4° on shanks and 4.2° on thighs; on HuGaDB recordings it reaches 13-14° on some
shanks and 12-21° on thighs, and there the leg with the worse axis had the 4-6° larger tibial
internal rotation excursion. Hence the default limit of 5°: above every correct calibration
seen, well below the values that produced leg differences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "ABSOLUTE_ANGLE",
    "CALIBRATION_LIMIT_DEG",
    "CALIBRATION_SENSITIVE",
    "CROSSTALK_LIMIT_DEG",
    "gate_by_calibration",
]

#: Largest flexion-axis orthogonality error (degrees) at which transverse and frontal-plane
#: asymmetries are still judged; see the module docstring for the basis.
CALIBRATION_LIMIT_DEG = 5.0

#: Metric name prefixes whose value depends on the off-sagittal calibration of these segments.
CALIBRATION_SENSITIVE: Mapping[str, tuple[str, ...]] = {
    "tibial_ir": ("shank",),
    "lr_tibial_ir": ("shank",),
    "shank_frontal": ("shank",),
    "overpronation_index": ("shank",),
    "knee_rotation": ("shank", "thigh"),
    "knee_adduction": ("shank", "thigh"),
}

#: Metric name prefixes that are absolute angles: their zero is the standing posture, so they
#: are only compared between legs when both legs' segments were calibrated from standing.
ABSOLUTE_ANGLE: Mapping[str, tuple[str, ...]] = {
    "knee_flexion_max": ("shank", "thigh"),
    "knee_flexion_min": ("shank", "thigh"),
    "knee_flexion_at_ic": ("shank", "thigh"),
}

_FAMILY_TEXT = {
    ("shank",): "tibial rotation and shank frontal-plane (over-pronation proxy)",
    ("shank", "thigh"): "knee rotation and ab/adduction",
}


#: Largest plausible cross-talk correction about a shank's long axis, degrees: simulated
#: calibrations needed at most ~4°, real HuGaDB shanks 0-5°; a larger one means the walking
#: data could not separate the planes and is not trusted for off-sagittal angles.
CROSSTALK_LIMIT_DEG = 10.0


def _crosstalk_reason(placement: str, angle: float) -> str:
    if angle != angle:  # NaN
        return f"the cross-talk correction of {placement} could not be applied"
    return (
        f"the cross-talk correction of {placement} is {angle:.0f}° "
        f"(limit {CROSSTALK_LIMIT_DEG:.0f}°)"
    )


def _segments_for(metric: str, table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    for prefix, segments in table.items():
        if metric.startswith(prefix):
            return segments
    return None


def gate_by_calibration(
    symmetry: Mapping[str, Mapping[str, Any]],
    findings: list[Mapping[str, Any]],
    axis_error_deg: Mapping[str, float],
    *,
    standing_calibrated: Mapping[str, bool] | None = None,
    crosstalk_correction_deg: Mapping[str, float] | None = None,
    limit_deg: float = CALIBRATION_LIMIT_DEG,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Unflag calibration-sensitive asymmetries when either leg's calibration is too uncertain.

    Two rules: transverse and frontal-plane metrics (:data:`CALIBRATION_SENSITIVE`) need every
    involved sensor's flexion-axis error within ``limit_deg``; absolute angles
    (:data:`ABSOLUTE_ANGLE`) need every involved sensor calibrated from standing (without it the
    sagittal zero is each segment's mean gait inclination, which differs between legs).
    Ranges and excursions are differences within a stride and need neither.

    Parameters
    ----------
    symmetry
        Output of :func:`gaitkit.metrics.symmetry_table`.
    findings
        Output of :func:`gaitkit.metrics.findings`.
    axis_error_deg
        ``{placement: axis_orthogonality_deg}`` from the sensor calibrations.
    standing_calibrated
        ``{placement: bool}``, whether the long axis came from quiet standing; all assumed
        ``True`` when omitted.
    crosstalk_correction_deg
        ``{placement: angle}``, the rotation about the long axis that removed sagittal
        cross-talk (:attr:`gaitkit.kinematics.SegmentCalibration.crosstalk_correction_deg`).
        A shank whose correction is NaN (could not be applied) or larger than
        :data:`CROSSTALK_LIMIT_DEG` withholds the comparisons that depend on it.
    limit_deg
        Largest acceptable error.

    Returns
    -------
    symmetry, findings
        Copies. A withheld metric keeps its numbers, gets ``flag=False``, ``reliable=False``
        and a ``reliability_note``; its findings are replaced by one ``"info"`` finding per
        metric family naming the sensors and their errors. Other rows are untouched.
    """
    standing = standing_calibrated or {}
    crosstalk = crosstalk_correction_deg or {}
    sym = {m: dict(r) for m, r in symmetry.items()}
    withheld: dict[str, list[str]] = {}  # family text -> reasons
    withheld_metrics: set[str] = set()
    for metric, row in sym.items():
        by_family: dict[str, list[str]] = {}
        segments = _segments_for(metric, CALIBRATION_SENSITIVE)
        if segments is not None:
            by_family[_FAMILY_TEXT[segments]] = [
                f"the sensor axis found for {seg}_{side} deviates "
                f"{axis_error_deg[f'{seg}_{side}']:.0f}° from perpendicular to the segment "
                f"(limit {limit_deg:.0f}°)"
                for seg in segments
                for side in ("left", "right")
                if axis_error_deg.get(f"{seg}_{side}", 0.0) > limit_deg
            ] + [
                _crosstalk_reason(f"shank_{side}", crosstalk[f"shank_{side}"])
                for side in ("left", "right")
                if f"shank_{side}" in crosstalk
                and not abs(crosstalk[f"shank_{side}"]) <= CROSSTALK_LIMIT_DEG  # NaN too
            ]
        absolute = _segments_for(metric, ABSOLUTE_ANGLE)
        if absolute is not None:
            by_family["absolute joint and segment angle"] = [
                f"{seg}_{side} was calibrated without a standing period"
                for seg in absolute
                for side in ("left", "right")
                if not standing.get(f"{seg}_{side}", True)
            ]
        if not by_family:
            continue
        reasons = [r for rs in by_family.values() for r in rs]
        row["reliable"] = not reasons
        if reasons:
            row["flag"] = False
            row["reliability_note"] = "not compared: " + "; ".join(reasons)
            withheld_metrics.add(metric)
            for family, rs in by_family.items():
                if rs:
                    withheld[family] = sorted(set(withheld.get(family, [])) | set(rs))
    out = [dict(f) for f in findings if f["metric"] not in withheld_metrics]
    for family, reasons in withheld.items():
        out.append(
            {
                "metric": "calibration",
                "side": "both",
                "severity": "info",
                "text": (
                    f"Left/right {family} comparisons are withheld: {'; '.join(reasons)}. "
                    "A difference between legs could then reflect sensor placement rather "
                    "than the person. Strap each sensor flat on the bone and record a few "
                    "seconds of quiet standing before walking."
                ),
            }
        )
    return sym, out
