"""Segment and knee angles from calibrated IMU orientations."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.frames import anatomical_sign, placement_segment, placement_side, quat_conj, quat_mul
from gaitkit.kinematics._calibration import SegmentCalibration
from gaitkit.model import Recording, check_recording
from gaitkit.orientation import OrientationEstimate, estimate_orientations, quat_yaw
from gaitkit.schema import ANGLE_COLUMNS, SIDES
from gaitkit.units import DEG_PER_RAD

__all__ = ["compute_angles", "segment_orientations"]


def _zxy(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cardan angles of ``R(q) = Rz(a) Rx(b) Ry(c)`` straight from quaternion components."""
    w, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    r01 = 2 * (x * y - w * z)
    r11 = 1 - 2 * (x * x + z * z)
    r21 = 2 * (y * z + w * x)
    r20 = 2 * (x * z - w * y)
    r22 = 1 - 2 * (x * x + y * y)
    return np.arctan2(-r01, r11), np.arcsin(np.clip(r21, -1, 1)), np.arctan2(-r20, r22)


def _split(time_s: np.ndarray, fs: float) -> np.ndarray:
    gaps = np.flatnonzero(np.diff(time_s) > 1.5 / fs) + 1
    return np.stack([np.concatenate([[0], gaps]), np.concatenate([gaps, [time_s.size]])], -1)


def _smooth(x: np.ndarray, time_s: np.ndarray, fs: float, sigma_s: float) -> np.ndarray:
    """Zero-phase Gaussian low-pass of ``(n, k)`` samples (block-averaged at 20 Hz first)."""
    from scipy.ndimage import gaussian_filter1d

    n = x.shape[0]
    blk = max(1, round(0.05 * fs))
    nb = -(-n // blk)
    pad = nb * blk - n
    xp = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)]) if pad else x
    tp = np.concatenate([time_s, time_s[-1] + np.arange(1, pad + 1) / fs]) if pad else time_s
    sig = sigma_s * fs / blk
    xb = gaussian_filter1d(xp.reshape(nb, blk, -1).mean(axis=1), sig, axis=0, mode="constant")
    xb /= gaussian_filter1d(np.ones(nb), sig, mode="constant")[:, None]  # shrink at the edges
    if nb == 1:
        return np.repeat(xb, n, axis=0)
    tb = tp.reshape(nb, blk).mean(axis=1)
    return np.stack([np.interp(time_s, tb, xb[:, i]) for i in range(x.shape[1])], axis=-1)


def _heading_aligned(
    q_seg: np.ndarray, time_s: np.ndarray, fs: float, sigma_s: float
) -> np.ndarray:
    """Rotate segment orientations about vertical so the smoothed flexion axis points along +Z."""
    w, x, y, z = q_seg[:, 0], q_seg[:, 1], q_seg[:, 2], q_seg[:, 3]
    zh = np.stack([2 * (x * z + w * y), 1 - 2 * (x * x + y * y)], axis=-1)  # (Z_X, Z_Z)
    out = np.empty_like(q_seg)
    for a, b in _split(time_s, fs):  # per gap-free stretch (few)
        m = _smooth(zh[a:b], time_s[a:b], fs, sigma_s)
        psi = np.arctan2(m[:, 0], m[:, 1])
        out[a:b] = quat_mul(quat_yaw(-psi), q_seg[a:b])
    return out


def segment_orientations(
    orientations: Mapping[str, OrientationEstimate], calibrations: Mapping[str, SegmentCalibration]
) -> dict[str, np.ndarray]:
    """Segment→global quaternions ``q_seg = q_sensor ⊗ q_sensor→segment*`` per placement."""
    out = {}
    for p, cal in calibrations.items():
        if p in orientations:
            out[p] = quat_mul(orientations[p].quat, quat_conj(cal.q_sensor_to_segment))
    return out


def compute_angles(
    recording: Recording,
    calibrations: Mapping[str, SegmentCalibration],
    orientations: Mapping[str, OrientationEstimate] | None = None,
    *,
    heading_window_s: float = 2.0,
    gravity_window_s: float = 2.0,
) -> pd.DataFrame:
    """Thigh, shank and knee angles per sample and side.

    Orientation of each calibrated sensor (:func:`~gaitkit.orientation.estimate_orientation`,
    run here unless given) is turned into the segment's orientation
    ``q_seg = q_sensor ⊗ q_sensor→segment⁻¹`` (ISB frame: x anterior, y superior, z right).

    **Heading reference (direction of progression).** Without a magnetometer each sensor's
    heading is arbitrary and drifts. Each segment's heading is therefore referred to its own
    *functional* progression direction: the horizontal projection of its flexion axis z (which
    points to the subject's right, perpendicular to the direction of travel) low-passed with a
    zero-phase Gaussian of standard deviation ``heading_window_s`` (2 s ≈ 2–4 strides). The
    progression direction is ``Y × z̄_h``. The segment orientation is rotated about vertical by
    ``-ψ_ref(t)``, ``ψ_ref = atan2(z̄_X, z̄_Z)``, giving ``A(t)`` with ``X`` along progression.
    Heading drift (≪ 1°/s after bias removal) is slow against the window and so removed.

    **Segment angles** are the Cardan angles of ``A = Rz(a) Rx(b) Ry(c)`` (z, floating x, then
    the segment's long axis y; the segment-to-global analogue of the JCS):

    - ``*_sagittal_deg = a = atan2(-A_01, A_11)``: inclination of the long axis in the sagittal
      plane, positive when the distal end is anterior (thigh: hip-flexion proxy);
    - ``*_frontal_deg = s · b``, ``b = asin(A_21)``: inclination toward the side, positive when
      the distal end is medial (adduction), ``s`` = :func:`~gaitkit.frames.anatomical_sign`;
    - ``shank_axial_deg = s · c``, ``c = atan2(-A_20, A_22)``: rotation about the long axis
      relative to the progression direction, positive internal. Because the reference is the
      segment's own mean flexion-axis heading, its mean over a few strides is ≈ 0 by construction
      (static toe-in/out is not observable without a magnetometer or a known walking direction);
      excursions within the stride (e.g. internal rotation from initial contact to mid-stance)
      are preserved.

    **Knee angles** (Grood & Suntay 1983, J Biomech Eng 105:136-144): the JCS with
    ``e1`` = thigh z (flexion axis), ``e3`` = shank y (long axis) and the floating axis
    ``e2 = e3 × e1`` is the Cardan z-x-y decomposition of the shank orientation relative to the
    thigh, ``R_rel = A_thigh⁻¹ A_shank = Rz(α) Rx(β) Ry(γ)``:
    ``knee_flexion_deg = -α`` (flexion positive: the shank's distal end moves posteriorly
    relative to the thigh), ``knee_adduction_deg = s · β`` (varus positive),
    ``knee_rotation_deg = s · γ`` (tibial internal rotation positive).

    **Relative heading of thigh and shank.** Thigh and shank gyroscopes drift independently
    about vertical, which would corrupt knee ab/adduction and rotation (and, once large, flexion).
    Aligning both segments to their own flexion-axis heading makes their low-passed flexion axes
    parallel in the horizontal plane, which is the knee-hinge constraint used for
    magnetometer-free heading correction (Seel et al. 2014, Sensors 14:6891-6909; Laidig, Schauer
    & Seel 2017, IEEE ICRA / Current Directions in Biomedical Engineering 3(2):1-4 "Exploiting
    kinematic constraints to compensate magnetic disturbances when calculating joint angles of
    approximate hinge joints from orientation estimates of inertial sensors") applied as a
    zero-phase smoothing instead of a filter. Consequence: the mean knee rotation over the window
    is defined by the functional axes (≈ 0 when the two flexion axes coincide); its excursion
    within strides is measured.

    Limits: segment y comes from standing (see :func:`calibrate_segments`), so standing posture is
    the zero of sagittal angles; turns sharper than the heading window blur the reference; gaps
    restart the heading reference.

    Parameters
    ----------
    recording
        The recording.
    calibrations
        ``{placement: SegmentCalibration}`` from :func:`calibrate_segments`.
    orientations
        Optional precomputed ``{placement: OrientationEstimate}``.
    heading_window_s
        Standard deviation of the Gaussian heading reference, s.
    gravity_window_s
        Passed to the orientation estimate when it is computed here.

    Returns
    -------
    pandas.DataFrame
        Long table: ``time_s``, ``side`` and the :data:`~gaitkit.schema.ANGLE_COLUMNS` that the
        sensors allow (thigh only: thigh columns; shank only: shank columns; both: all). Rows are
        ordered by side (left, right), then time. A side with no calibrated sensor has no rows;
        a column a side cannot have is NaN on that side's rows.
    """
    rec = check_recording(recording)
    if not heading_window_s > 0:
        raise ConfigError(f"heading_window_s must be > 0 s, got {heading_window_s!r}")
    if not calibrations:
        raise InsufficientDataError("compute_angles: no calibrated sensor (calibrations is empty)")
    for p, c in calibrations.items():
        if not isinstance(c, SegmentCalibration):
            raise ConfigError(
                f"calibrations[{p!r}] must be a SegmentCalibration, got {type(c).__name__}"
            )
        if p not in rec.streams:
            raise ConfigError(
                f"calibrations names {p!r}, not in the recording ({', '.join(rec.placements)})"
            )
    if orientations is None:
        orientations = estimate_orientations(
            rec, tuple(calibrations), gravity_window_s=gravity_window_s
        )
    missing = [p for p in calibrations if p not in orientations]
    if missing:
        raise ConfigError(f"orientations has no entry for calibrated placement {missing[0]!r}")
    t = rec.time_s
    fs = rec.sampling_rate_hz
    q_seg = segment_orientations(orientations, calibrations)
    aligned = {p: _heading_aligned(q, t, fs, heading_window_s) for p, q in q_seg.items()}
    frames = []
    for side in SIDES:
        cols: dict[str, np.ndarray] = {}
        s_x = anatomical_sign(side, "x")
        s_y = anatomical_sign(side, "y")
        seg = {placement_segment(p): a for p, a in aligned.items() if placement_side(p) == side}
        if not seg:
            continue
        if "thigh" in seg:
            a, b, _ = _zxy(seg["thigh"])
            cols["thigh_sagittal_deg"] = a * DEG_PER_RAD
            cols["thigh_frontal_deg"] = s_x * b * DEG_PER_RAD
        if "shank" in seg:
            a, b, c = _zxy(seg["shank"])
            cols["shank_sagittal_deg"] = a * DEG_PER_RAD
            cols["shank_frontal_deg"] = s_x * b * DEG_PER_RAD
            cols["shank_axial_deg"] = s_y * c * DEG_PER_RAD
        if "thigh" in seg and "shank" in seg:
            a, b, c = _zxy(quat_mul(quat_conj(seg["thigh"]), seg["shank"]))
            cols["knee_flexion_deg"] = -a * DEG_PER_RAD
            cols["knee_adduction_deg"] = s_x * b * DEG_PER_RAD
            cols["knee_rotation_deg"] = s_y * c * DEG_PER_RAD
        df = pd.DataFrame({"time_s": t.copy(), "side": side, **cols})
        frames.append(df)
    if not frames:
        raise InsufficientDataError(
            "compute_angles: no calibrated thigh or shank placement with a side "
            f"(calibrations: {', '.join(calibrations)})"
        )
    out = pd.concat(frames, ignore_index=True)
    present = [c for c in ANGLE_COLUMNS if c in out.columns]
    return out[["time_s", "side", *present]]
