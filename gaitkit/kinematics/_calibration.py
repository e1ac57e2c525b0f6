"""Functional sensor-to-segment calibration from standing and walking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.frames import matrix_to_quat, placement_segment, placement_side
from gaitkit.model import Recording, check_recording
from gaitkit.orientation import (
    OrientationEstimate,
    detect_rest,
    estimate_orientation,
    mask_runs,
)
from gaitkit.orientation._blocks import block_means
from gaitkit.units import DEG_PER_RAD

__all__ = [
    "CalibrationMethod",
    "SegmentCalibration",
    "Span",
    "calibrate_segments",
    "detect_walking",
]

CalibrationMethod = Literal["standing+walking", "walking-only"]
#: A period given by the caller: a boolean mask over samples, one ``(start_s, end_s)`` pair, or a
#: sequence of pairs.
Span = np.ndarray | tuple[float, float] | Sequence[tuple[float, float]]

_SEGMENTS = ("thigh", "shank")


@dataclass(frozen=True)
class SegmentCalibration:
    """Sensor-to-segment alignment of one IMU, with quality figures.

    Attributes
    ----------
    placement
        E.g. ``"shank_left"``.
    q_sensor_to_segment
        ``(4,)`` unit quaternion rotating sensor-frame vectors into the ISB segment frame
        (x anterior, y superior along the segment, z right; :mod:`gaitkit.frames`).
    method
        ``"standing+walking"`` (long axis from standing gravity) or ``"walking-only"`` (long
        axis from the mean specific force over walking: see :func:`calibrate_segments`).
    standing_s, walking_s
        Seconds of data used for each step.
    flexion_axis_variance_explained
        Share of the gyroscope's second moment during walking along the principal axis
        (``λ1 / Σλ``); near 1 for a hinge-like segment rotation, < 0.6 means the flexion axis is
        poorly defined.
    axis_orthogonality_deg
        Angle between the principal gyroscope axis and its version made orthogonal to the long
        axis; large values (> 15°) mean standing posture and walking axis disagree.
    gravity_std_mps2
        Spread (root summed variance) of the specific force during standing; small = still.
        NaN for walking-only.
    sign_skewness
        Skewness of the angular rate about the final flexion axis (swing is fast and forward,
        so it is positive when the sign is right): the larger, the surer. For a thigh whose
        skewness is below 0.4 the sign comes from the correlation with the same leg's shank
        (see notes); otherwise below 0.3 the sign is uncertain.
    axis_source
        Where z comes from: ``"gyro-pca"`` (principal axis of this sensor's rate) or
        ``"knee-hinge"`` (joint estimate with the other segment of the leg).
    hinge_residual_radps
        RMS of the hinge-constraint residual ``‖ω₁ × j₁‖ − ‖ω₂ × j₂‖`` at the final axes (rad/s;
        NaN without the other segment): the rate of non-hinge knee motion plus noise.
    crosstalk_correction_deg
        Rotation δ (degrees, right-handed about the long axis y) applied to the orthogonalised
        principal flexion axis to remove sagittal-to-frontal cross-talk: the δ that minimises
        the variance of the frontal angular velocity over walking (shanks), or the same leg's
        shank's δ (thighs); see step 4 of :func:`calibrate_segments` (after Baker, Finney &
        Orr 1999, Hum Mov Sci 18:655-667, and Baudet et al. 2014, PLoS One 9:e102098). It is
        the part of the flexion-axis error that :attr:`axis_orthogonality_deg` cannot see: an
        axis rotated by δ about y leaks ≈ sin δ of the sagittal motion into the frontal angle
        (Piazza & Cavanagh 2000, J Biomech 33:1029-1034). On the simulator the principal axis
        is off by 3-4° (coupled tibial rotation and ab/adduction), so |δ| ≈ 3°; |δ| ≳ 10° means
        the principal gyroscope axis was far from the decorrelated one. NaN when not evaluated
        (segment not in ``crosstalk_segments`` and no corrected shank on its leg, knee-hinge
        axes, too little walking) or rejected (see notes).
    notes
        Fallbacks and warnings, one sentence each.
    """

    placement: str
    q_sensor_to_segment: np.ndarray
    method: CalibrationMethod
    standing_s: float
    walking_s: float
    flexion_axis_variance_explained: float
    axis_orthogonality_deg: float
    gravity_std_mps2: float
    sign_skewness: float
    axis_source: str = "gyro-pca"
    hinge_residual_radps: float = float("nan")
    crosstalk_correction_deg: float = float("nan")
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable dict."""
        return {
            "placement": self.placement,
            "q_sensor_to_segment": [float(v) for v in self.q_sensor_to_segment],
            "method": self.method,
            "standing_s": self.standing_s,
            "walking_s": self.walking_s,
            "flexion_axis_variance_explained": self.flexion_axis_variance_explained,
            "axis_orthogonality_deg": self.axis_orthogonality_deg,
            "gravity_std_mps2": self.gravity_std_mps2,
            "sign_skewness": self.sign_skewness,
            "axis_source": self.axis_source,
            "hinge_residual_radps": self.hinge_residual_radps,
            "crosstalk_correction_deg": self.crosstalk_correction_deg,
            "notes": list(self.notes),
        }


def _span_mask(span: Span | None, time_s: np.ndarray, name: str) -> np.ndarray | None:
    """Turn a caller's period into a boolean mask over samples."""
    if span is None:
        return None
    if isinstance(span, np.ndarray) and span.dtype == bool:
        if span.shape != time_s.shape:
            raise ConfigError(
                f"{name}: a boolean mask must have shape {time_s.shape}, got {span.shape}"
            )
        return span.copy()
    pairs = np.asarray(span, dtype=float)
    if pairs.shape == (2,):
        pairs = pairs[None, :]
    if pairs.ndim != 2 or pairs.shape[1] != 2 or np.any(pairs[:, 1] <= pairs[:, 0]):
        raise ConfigError(
            f"{name}: expected (start_s, end_s) pairs with end_s > start_s or a boolean mask, "
            f"got {span!r}"
        )
    m = np.zeros(time_s.shape, dtype=bool)
    for a, b in pairs:
        m |= (time_s >= a) & (time_s < b)
    return m


def detect_walking(
    gyr_radps: np.ndarray,
    sampling_rate_hz: float,
    *,
    window_s: float = 2.0,
    gyr_rms_min_radps: float = 0.8,
    min_duration_s: float = 4.0,
) -> np.ndarray:
    """Flag samples within sustained cyclic leg motion (walking or running) of one IMU.

    A sample is active when the root-mean-square of the mean-removed angular rate over a centred
    ``window_s`` exceeds ``gyr_rms_min_radps`` (shank and thigh reach 1.5–3 rad/s RMS in walking,
    well above shifting or gesturing); runs shorter than ``min_duration_s`` are dropped. It is a
    coarse activity gate for calibration, not a bout detector (see :mod:`gaitkit.events`).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` boolean mask.
    """
    g = np.ascontiguousarray(np.asarray(gyr_radps, dtype=float).T)
    n = g.shape[1]
    blk = max(1, round(0.1 * sampling_rate_hz))
    nb = -(-n // blk)
    xb = np.concatenate([block_means(g, blk), block_means(g * g, blk)]).T
    w = max(1, round(window_s * sampling_rate_hz / blk))
    c = np.concatenate([np.zeros((1, 6)), np.cumsum(xb, axis=0)])
    lo = np.clip(np.arange(nb) - w // 2, 0, nb)
    hi = np.clip(np.arange(nb) - w // 2 + w, 0, nb)
    mm = (c[hi] - c[lo]) / (hi - lo)[:, None]
    var = np.maximum(mm[:, 3:] - mm[:, :3] ** 2, 0.0).sum(axis=1)
    active = np.repeat(var > gyr_rms_min_radps**2, blk)[:n]
    min_len = round(min_duration_s * sampling_rate_hz)
    for a, b in mask_runs(active):  # loop over runs, not samples
        if b - a < min_len:
            active[a:b] = False
    return active


def estimate_hinge_axes(
    gyr1_radps: np.ndarray,
    gyr2_radps: np.ndarray,
    j1_init: np.ndarray,
    j2_init: np.ndarray,
    *,
    n_iter: int = 25,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Joint axis of a hinge in two sensor frames from angular rates alone.

    For a hinge, the relative angular velocity is along the joint axis, so the rates projected
    onto the plane normal to the axis have equal norms in both segments:
    ``e(t) = ‖ω₁(t) × j₁‖ − ‖ω₂(t) × j₂‖ = 0`` (Seel, Schauer & Raisch 2012, IEEE CCA
    "Joint axis and position estimation from inertial measurement data by exploiting kinematic
    constraints"; Seel, Raisch & Schauer 2014, Sensors 14:6891-6909). ``j₁, j₂`` minimise
    ``Σ e(t)²`` by Gauss-Newton with Levenberg damping, each axis parametrised in its tangent
    plane around the current estimate (no pole singularity). Gradient:
    ``∂‖ω × j‖/∂j = ((ω × j) × ω) / ‖ω × j‖``. The axes keep the signs of the initial ones.

    Parameters
    ----------
    gyr1_radps, gyr2_radps
        ``(n, 3)`` simultaneous bias-free rates of the proximal and distal sensor (rad/s), from
        varied motion (walking).
    j1_init, j2_init
        Initial unit axes (sensor frames), e.g. principal axes.
    n_iter
        Iterations.

    Returns
    -------
    j1, j2, rms_init, rms_final
        Unit axes and the RMS residual (rad/s) at the start and at the end.
    """
    g1 = np.asarray(gyr1_radps, dtype=float)
    g2 = np.asarray(gyr2_radps, dtype=float)
    j1 = np.asarray(j1_init, dtype=float) / np.linalg.norm(j1_init)
    j2 = np.asarray(j2_init, dtype=float) / np.linalg.norm(j2_init)

    def residual(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u1, u2 = np.cross(g1, a), np.cross(g2, b)
        n1 = np.maximum(np.linalg.norm(u1, axis=1), 1e-9)
        n2 = np.maximum(np.linalg.norm(u2, axis=1), 1e-9)
        grad1 = np.cross(u1, g1) / n1[:, None]
        grad2 = np.cross(u2, g2) / n2[:, None]
        return n1 - n2, grad1, grad2

    def tangent(j: np.ndarray) -> np.ndarray:
        a = np.array([1.0, 0, 0]) if abs(j[0]) < 0.9 else np.array([0, 1.0, 0])
        e1 = np.cross(j, a)
        e1 /= np.linalg.norm(e1)
        return np.stack([e1, np.cross(j, e1)])

    e, gr1, gr2 = residual(j1, j2)
    rms0 = cost = float(np.sqrt(np.mean(e * e)))
    lam = 1e-3
    for _ in range(n_iter):  # iterations (few), each vectorised over samples
        t1, t2 = tangent(j1), tangent(j2)
        jac = np.concatenate([gr1 @ t1.T, -(gr2 @ t2.T)], axis=1)  # (n, 4)
        h = jac.T @ jac
        step = np.linalg.solve(h + lam * np.diag(np.diag(h) + 1e-12), -jac.T @ e)
        c1 = j1 + step[:2] @ t1
        c2 = j2 + step[2:] @ t2
        c1 /= np.linalg.norm(c1)
        c2 /= np.linalg.norm(c2)
        e_new, g1_new, g2_new = residual(c1, c2)
        c_new = float(np.sqrt(np.mean(e_new * e_new)))
        if c_new < cost:
            j1, j2, e, gr1, gr2, cost = c1, c2, e_new, g1_new, g2_new, c_new
            lam = max(lam / 3.0, 1e-9)
        else:
            lam *= 10.0
        if np.linalg.norm(step) < 1e-9:
            break
    return j1, j2, rms0, cost


def _skew(x: np.ndarray) -> float:
    x = x - x.mean()
    s = x.std()
    return float(np.mean(x**3) / s**3) if s > 0 else 0.0


#: Largest accepted cross-talk correction about the long axis (degrees); beyond it the
#: principal axis is kept and a note says so.
_MAX_CROSSTALK_DEG = 20.0


def _walking_chunks(walk: np.ndarray, max_samples: int, min_run: int) -> np.ndarray:
    """Select whole walking runs of at least ``min_run`` samples, in time order.

    Returns their sample indices, at most ``max_samples`` in total (the last run truncated).
    """
    runs = mask_runs(walk)
    runs = runs[runs[:, 1] - runs[:, 0] >= min_run]
    if runs.size == 0:
        return np.zeros(0, dtype=np.intp)
    lens = runs[:, 1] - runs[:, 0]
    before = np.concatenate([[0], np.cumsum(lens)[:-1]])
    keep = before < max_samples
    runs, lens, before = runs[keep], lens[keep], before[keep]
    lens = np.minimum(lens, max_samples - before)
    starts = np.repeat(runs[:, 0] - before, lens)
    return starts + np.arange(int(lens.sum()))


def _crosstalk_angle(
    q_sensor_cm: np.ndarray,
    time_s: np.ndarray,
    fs: float,
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    *,
    heading_window_s: float = 2.0,
    max_gap_s: float = 0.5,
    tol_rad: float = 1e-4,
    max_iter: int = 8,
) -> tuple[float, float, bool]:
    """Rotation δ about y minimising the variance of the frontal angular velocity.

    For candidate axes ``x_δ = cos δ x − sin δ z``, ``z_δ = cos δ z + sin δ x`` (a right-handed
    rotation by δ about y) the segment orientation is heading-aligned and decomposed exactly as
    in :func:`~gaitkit.kinematics.compute_angles` (Cardan z-x-y: sagittal a, frontal b);
    ``ḃ`` is the per-sample difference within stretches (mean removed). ``Σ ḃ(δ)²`` is
    minimised by Gauss-Newton with a forward-difference derivative ``∂ḃ/∂δ`` (h = 0.01 rad);
    ``ḃ`` is nearly linear in δ, so 2-3 iterations converge.

    Returns
    -------
    delta_rad, slope_at_zero, converged
        δ, the regression slope ``Σ ḃ ȧ / Σ ȧ²`` of the frontal on the sagittal rate before the
        correction (cross-talk ≈ slope), and whether the step fell below ``tol_rad``.
    """
    from gaitkit.kinematics._angles import _heading_aligned, _zxy
    from gaitkit.orientation._quat import qconj_cm, qmul_cm

    keep = np.diff(time_s) <= max_gap_s

    def rates(d: float) -> tuple[np.ndarray, np.ndarray]:
        c, s_ = np.cos(d), np.sin(d)
        m = np.stack([c * x - s_ * z, y, c * z + s_ * x])
        qc = np.asarray(matrix_to_quat(m), dtype=np.float32)[:, None]
        a_q = _heading_aligned(
            qmul_cm(q_sensor_cm, qconj_cm(qc)), time_s, fs, heading_window_s, max_gap_s
        )
        a, b, _ = _zxy(a_q)
        da = np.diff(a.astype(float))
        da = ((da + np.pi) % (2 * np.pi) - np.pi)[keep]
        db = np.diff(b.astype(float))[keep]
        return da, db - db.mean()

    da, db = rates(0.0)
    den = float(da @ da)
    slope0 = float(da @ db) / den if den > 0 else 0.0
    d, h = 0.0, 0.01
    for _ in range(max_iter):  # Gauss-Newton iterations (few), each vectorised over samples
        g = (rates(d + h)[1] - db) / h  # ∂ḃ/∂δ per sample
        gg = float(g @ g)
        if not gg > 0:
            return float("nan"), slope0, False
        step = -float(db @ g) / gg
        d += step
        if not abs(d) < 1.0:
            return float("nan"), slope0, False
        da, db = rates(d)
        if abs(step) < tol_rad:
            return d, slope0, True
    return d, slope0, False


def _decorrelate(
    rec: Recording,
    p: str,
    d: dict,
    orientations: Mapping[str, OrientationEstimate] | None,
    max_samples: int,
    min_walking_s: float,
) -> tuple[float, str]:
    """Cross-talk rotation of one sensor's axes (radians, NaN if rejected) and a note."""
    fs, t = rec.sampling_rate_hz, rec.time_s
    idx = _walking_chunks(d["walk"], max_samples, round(2.0 * fs))
    if idx.size < min_walking_s * fs:
        return float("nan"), (
            f"cross-talk correction not applied: walking runs of 2 s or more total "
            f"{idx.size / fs:.1f} s (< {min_walking_s:g} s)"
        )
    if orientations is not None and p in orientations:
        q_s = np.asarray(orientations[p].quat)[idx].T
    else:  # orientation over the walking runs only, bias from standing
        s = rec.streams[p]
        q_s = estimate_orientation(
            s.acc_mps2[idx],
            s.gyr_radps[idx] - d["bias"],
            fs,
            t[idx],
            rest=np.zeros(idx.size, dtype=bool),
        ).quat.T
    q_s = np.ascontiguousarray(q_s, dtype=np.float32)
    dl, slope0, ok = _crosstalk_angle(q_s, t[idx], fs, d["x"], d["y"], d["z_o"])
    dl_deg = dl * DEG_PER_RAD
    if ok and abs(dl_deg) <= _MAX_CROSSTALK_DEG:
        return dl, (
            f"flexion axis rotated {dl_deg:+.1f}° about the long axis to remove "
            f"sagittal-to-frontal cross-talk (frontal/sagittal rate slope {slope0:+.3f} before)"
        )
    why = f"{dl_deg:+.0f}° > {_MAX_CROSSTALK_DEG:g}°" if ok else "did not converge"
    return float("nan"), (
        f"cross-talk correction not applied ({why}): frontal angles may carry sagittal cross-talk"
    )


def calibrate_segments(
    recording: Recording,
    standing: Span | None = None,
    walking: Span | None = None,
    *,
    placements: Sequence[str] | None = None,
    orientations: Mapping[str, OrientationEstimate] | None = None,
    max_samples: int = 60_000,
    min_standing_s: float = 1.0,
    min_walking_s: float = 5.0,
    max_posture_deviation_deg: Mapping[str, float] | None = None,
    refine_hinge: bool = False,
    crosstalk_segments: Sequence[str] = ("shank",),
) -> dict[str, SegmentCalibration]:
    """Functional sensor-to-segment calibration of thigh and shank IMUs.

    For each sensor the ISB segment axes are found in the sensor frame from two functional
    movements, standing and walking (Seel et al. 2014; Favre et al. 2009; Palermo et al. 2014;
    Cutti et al. 2010, see References):

    1. **Long axis y (superior)** from gravity while standing upright: ``y = ā / |ā|`` with ``ā``
       the mean specific force over the standing samples (an accelerometer at rest senses
       ``+g`` pointing up). This assumes the segment is vertical when standing; a habitual
       standing knee flexion or shank inclination becomes the zero of the sagittal angles.
    2. **Medio-lateral axis z (right)**: the principal axis of the angular rate during walking,
       i.e. the eigenvector of the largest eigenvalue of ``Σ ω ωᵀ`` (thigh and shank rotate
       mostly about the flexion axis in gait; Favre et al. 2009 use the same functional idea).
       Its sign is chosen so that the rate about it has positive skewness: the swing phase is
       short and fast forward (positive about z, distal end moving anteriorly), stance is long
       and slow backward, on both legs (z points right on both legs in the ISB frame).
    3. **Orthogonalisation**: ``z ← normalise(z − (z·y) y)`` (y is kept: standing gravity is the
       more precise direction), ``x = y × z`` (anterior).

    4. **Cross-talk decorrelation about y** (shanks; each thigh then takes its shank's angle).
       The principal axis of step 2 is the axis of the *total* rotation, which includes the
       tibia's axial and frontal motion coupled to flexion: on the simulator it lies 3-4° off
       the anatomical flexion axis about y, which ``axis_orthogonality_deg`` cannot see, and a
       flexion axis rotated by δ about y leaks ≈ sin δ of the sagittal motion into the frontal
       angle (Piazza & Cavanagh 2000): the shank frontal excursion came out 1.37× the truth.
       The axes are therefore turned about y by the angle δ that minimises the variance of the
       frontal angular velocity ``ḃ`` over the walking runs, with ``b`` the frontal angle exactly
       as :func:`~gaitkit.kinematics.compute_angles` computes it (heading-aligned Cardan
       z-x-y). This is the variance-minimisation of Baker, Finney & Orr (1999), who turn the
       thigh about its long axis to minimise knee varus-valgus, and the cross-talk criterion
       of Baudet et al. (2014), who rotate the flexion/ab-adduction plane until the two are
       uncorrelated; here it is applied to rates (so slow inclination offsets do not matter)
       and solved by Gauss-Newton (a few vectorised evaluations over ≤ ``max_samples``
       contiguous walking samples; the orientation over those runs is estimated here unless
       ``orientations`` is given). Rates rather than angles: on the simulator the angle
       criterion was biased by the true shank ab/adduction pattern in running (5° off), the
       rate criterion was not (0.1°). Each thigh is turned by its shank's δ instead of its own:
       the thigh's true frontal motion (hip ab/adduction) is strongly tied to the gait cycle,
       so its own decorrelation is biased (simulated running: no gain; exact synthetic leg:
       2.7° off), while the two principal axes are already consistent with each other for the
       knee (knee flexion RMSE 0.08°), and turning both by the same angle keeps that. The
       angle applied is :attr:`SegmentCalibration.crosstalk_correction_deg`, stated in the
       notes; it is rejected (principal axis kept, note) beyond ±20°.

       Assumption and limit: the segment's true frontal angular velocity has no component
       proportional to its sagittal one. Where it has (true coupling), δ absorbs it: on the
       simulator the residual is 1.25° walking and 0.1° running for shanks (4.2° and 3.4° before),
       1.1° and 2.1° for thighs (4.0° and 5.4° before); on the exact synthetic leg, whose
       frontal sinusoids are in phase with flexion, shanks go from 0.7° to 0.05° and thighs from
       0.95° to 1.6°.

    The rotation sensor→segment has the segment axes as rows: ``R = [x; y; z]``.

    **Knee hinge refinement** (optional, ``refine_hinge=True``). When a leg has thigh and shank
    sensors, the two flexion axes are refined jointly with the hinge constraint of Seel et al.
    (2012, 2014) (:func:`estimate_hinge_axes`), starting from the principal axes; it is kept
    when it lowers the constraint residual and stays within 30° of the principal axes. Both
    segments' z then lie along the knee's functional flexion axis
    (``axis_source = "knee-hinge"``).

    Periods: ``standing`` and ``walking`` may be given (mask or ``(start_s, end_s)`` pairs).
    Otherwise standing is taken from the recording's ``standing``/``calibration`` annotations
    (e.g. HuGaDB activity labels) when there are any, else it is every sample where *all*
    sensors are at rest together
    (:func:`~gaitkit.orientation.detect_rest`), accepted per sensor only if its gravity direction
    lies within ``max_posture_deviation_deg`` of its mean gravity direction during walking (this
    rejects sitting and lying); walking is where the sensor itself is active
    (:func:`detect_walking`, 0.8 rad/s RMS for shanks, 0.45 rad/s for thighs) or any shank is.

    **Fallback (walking-only)**: with no usable standing, y is the direction of the mean
    specific force over the walking samples. Over whole gait cycles the linear acceleration
    averages out and this is the segment's mean orientation in gait, so sagittal angles get an
    offset of the mean segment inclination during gait (a few degrees for the shank, ~10–20° for
    the thigh, which is inclined forward on average); knee flexion gets the difference of the two.
    The calibration's ``method`` and ``notes`` say so.

    Parameters
    ----------
    recording
        Recording with thigh and/or shank streams.
    standing, walking
        Optional periods (see above); detected when ``None``.
    placements
        Placements to calibrate; default: all thigh and shank placements present.
    orientations
        Optional ``{placement: OrientationEstimate}`` whose rest masks are reused (saves
        detecting rest again); sensors missing from it are detected here.
    max_samples
        At most this many samples (evenly spread) enter each mean and principal-axis estimate;
        more add nothing to the precision (a 60-minute recording would otherwise cost 10× more).
    min_standing_s, min_walking_s
        Least data for each step, seconds.
    refine_hinge
        Refine the flexion axes of a leg with both sensors with the knee hinge constraint
        (:func:`estimate_hinge_axes`). Off by default: measured, it helped in simulated running
        but made walking worse (the simulated knee is not a hinge: thigh axis 10° off, knee
        flexion RMSE 0.6° instead of 0.08°) and did not reduce flexion-adduction cross-talk on
        HuGaDB walking.
    crosstalk_segments
        Segments whose axes are decorrelated on their own (step 4); default ``("shank",)``.
        Thighs follow their shank when it was corrected; ``()`` disables step 4 (principal
        axes as found); ``("shank", "thigh")`` also decorrelates thighs without a shank.
        Knee-hinge axes (``refine_hinge``) are left as found.
    max_posture_deviation_deg
        Largest accepted angle between standing and walking mean gravity directions, per
        segment; default ``{"thigh": 50, "shank": 65}``. The mean inclination over a gait cycle
        reaches ~30° for the thigh and ~40° for the shank in running (the knee is flexed far in
        swing), while a seated thigh is ~90° from upright. A seated shank is near vertical and
        cannot be told from standing; lying down is rejected for both.

    Returns
    -------
    dict
        ``{placement: SegmentCalibration}``.

    Raises
    ------
    InsufficientDataError
        A sensor has less than ``min_walking_s`` of walking (the flexion axis is then unknown).
    ConfigError
        Bad periods or a placement that is not a thigh or shank in the recording.

    References
    ----------
    Seel T, Raisch J, Schauer T (2014). IMU-based joint angle measurement for gait analysis.
    Sensors 14(4):6891-6909. — Favre J, Aissaoui R, Jolles BM, de Guise JA, Aminian K (2009).
    Functional calibration procedure for 3D knee joint angle description using inertial sensors.
    J Biomech 42(14):2330-2335. — Palermo E, Rossi S, Marini F, Patanè F, Cappa P (2014).
    Experimental evaluation of accuracy and repeatability of a novel body-to-sensor calibration
    procedure for inertial sensor-based gait analysis. Measurement 52:145-155. — Cutti AG et al.
    (2010). 'Outwalk': a protocol for clinical gait analysis based on inertial and magnetic
    sensors. Med Biol Eng Comput 48(1):17-25. — Baker R, Finney L, Orr J (1999). A new approach
    to determine the hip rotations profile from clinical gait analysis data. Hum Mov Sci
    18(5):655-667. — Baudet A, Morisset C, d'Athis P, Maillefert JF, Casillas JM, Ornetti P,
    Laroche D (2014). Cross-talk correction method for knee kinematics in gait analysis using
    principal component analysis (PCA): a new proposal. PLoS One 9(7):e102098. — Piazza SJ,
    Cavanagh PR (2000). Measurement of the screw-home motion of the knee is sensitive to errors
    in axis alignment. J Biomech 33(8):1029-1034.
    """
    rec = check_recording(recording)
    t = rec.time_s
    fs = rec.sampling_rate_hz
    if placements is None:
        names = tuple(p for p in rec.placements if placement_segment(p) in _SEGMENTS)
    else:
        names = tuple(placements)
    if not names:
        raise InsufficientDataError(
            "calibration: no thigh or shank stream in the recording "
            f"(found {', '.join(rec.placements)})"
        )
    for p in names:
        if p not in rec.streams or placement_segment(p) not in _SEGMENTS:
            raise ConfigError(
                f"calibration: placement {p!r} is not a thigh or shank stream of the recording "
                f"({', '.join(rec.placements)})"
            )
    posture_lim = {"thigh": 50.0, "shank": 65.0}
    if max_posture_deviation_deg is not None:
        posture_lim.update(max_posture_deviation_deg)
    stand_given = _span_mask(standing, t, "standing")
    walk_given = _span_mask(walking, t, "walking")
    stand_source = "given"
    if stand_given is None:
        ann = rec.annotations
        lab = ann[ann["kind"].isin(["standing", "calibration"]) & ann["placement"].isna()]
        if len(lab):  # labelled standing (readers, the recorder's calibration step)
            stand_given = _span_mask(
                list(zip(lab["start_s"], lab["end_s"] + 0.5 / fs, strict=True)), t, "standing"
            )
            stand_source = "annotated"
    if stand_given is None:
        stand_all = np.ones(t.shape, dtype=bool)
        for p in rec.placements:  # all sensors still together: the subject stands
            s = rec.streams[p]
            if orientations is not None and p in orientations:
                stand_all &= np.asarray(orientations[p].rest, dtype=bool)
            else:
                stand_all &= detect_rest(s.acc_mps2, s.gyr_radps, fs, min_duration_s=min_standing_s)
    else:
        stand_all = stand_given

    shank_walk = np.zeros(t.shape, dtype=bool)
    own_walk: dict[str, np.ndarray] = {}
    if walk_given is None:
        for p in rec.placements:
            seg = placement_segment(p)
            if seg in _SEGMENTS and (seg == "shank" or p in names):
                # own activity: thighs rotate about half as fast as shanks, and slow walking
                # (0.4 m/s) leaves a thigh near 0.7 rad/s RMS
                own_walk[p] = detect_walking(
                    rec.streams[p].gyr_radps, fs, gyr_rms_min_radps=0.8 if seg == "shank" else 0.45
                )
                if seg == "shank":
                    shank_walk |= own_walk[p]
    pending: dict[str, dict] = {}
    for p in names:
        s = rec.streams[p]
        acc, gyr = s.acc_mps2, s.gyr_radps
        notes: list[str] = []
        if walk_given is None:
            walk = own_walk[p] | shank_walk
        else:
            walk = walk_given
        n_walk = int(walk.sum())
        if n_walk < min_walking_s * fs:
            raise InsufficientDataError(
                f"calibration of {p!r}: needs at least {min_walking_s:g} s of walking to find the "
                f"flexion axis, found {n_walk / fs:.1f} s"
                + (
                    ""
                    if walk_given is not None
                    else " (none detected: pass walking=(start_s, end_s))"
                )
            )
        iw = np.flatnonzero(walk)
        iw = iw[:: max(1, -(-iw.size // max_samples))]
        g_walk = acc[iw].mean(axis=0)
        g_walk /= np.linalg.norm(g_walk)
        ist = np.flatnonzero(stand_all)
        n_stand = ist.size
        ist = ist[:: max(1, -(-ist.size // max_samples))]
        stand_ok = n_stand >= min_standing_s * fs
        if stand_ok:
            g_st = acc[ist].mean(axis=0)
            g_st_n = g_st / np.linalg.norm(g_st)
            dev = float(np.degrees(np.arccos(np.clip(g_st_n @ g_walk, -1, 1))))
            lim = posture_lim[placement_segment(p)]
            if dev > lim:
                notes.append(
                    f"standing gravity is {dev:.0f}° from the walking mean (> "
                    f"{lim:g}°): not upright standing, walking-only used"
                )
                stand_ok = False
        else:
            notes.append(
                f"no standing period of {min_standing_s:g} s: long axis from mean gravity over "
                "walking (sagittal angles offset by the mean segment inclination in gait)"
            )
        if stand_ok and stand_source == "annotated":
            notes.append(f"standing from the recording's annotations ({n_stand / fs:.1f} s)")
        if stand_ok:
            y = g_st_n
            gstd = float(np.sqrt(acc[ist].var(axis=0).sum()))
            bias = gyr[ist].mean(axis=0)
            method: CalibrationMethod = "standing+walking"
            standing_s = n_stand / fs
        else:
            y = g_walk
            gstd = float("nan")
            bias = np.zeros(3)
            method = "walking-only"
            standing_s = 0.0
        w = gyr[iw] - bias
        mom = w.T @ w / w.shape[0]
        evals, evecs = np.linalg.eigh(mom)
        z = evecs[:, -1]
        var_expl = float(evals[-1] / evals.sum())
        sk = _skew(w @ z)
        if sk < 0:
            z = -z
            sk = -sk
        if var_expl < 0.6:
            notes.append(f"flexion axis poorly defined ({var_expl:.0%} of rotation about it)")
        pending[p] = {
            "y": y,
            "z": z,
            "sk": sk,
            "bias": bias,
            "walk": walk,
            "notes": notes,
            "method": method,
            "standing_s": standing_s,
            "walking_s": n_walk / fs,
            "var_expl": var_expl,
            "gstd": gstd,
        }

    # Thigh sign when its own skewness is weak (running: fast hip extension before contact
    # rivals swing flexion): thigh and shank sagittal rates of one leg correlate positively
    # over the cycle (both swing forward together; r ≈ 0.25 walking, 0.35 running in the
    # simulator), so the sign that makes the correlation positive is taken.
    for p, d in pending.items():
        shank = f"shank_{placement_side(p)}"
        if placement_segment(p) != "thigh" or d["sk"] >= 0.4 or shank not in pending:
            continue
        both = np.flatnonzero(d["walk"] & pending[shank]["walk"])
        both = both[:: max(1, -(-both.size // max_samples))]
        if both.size < 10:
            continue
        wt = (rec.streams[p].gyr_radps[both] - d["bias"]) @ d["z"]
        ws = (rec.streams[shank].gyr_radps[both] - pending[shank]["bias"]) @ pending[shank]["z"]
        r = float(np.corrcoef(wt, ws)[0, 1])
        if abs(r) >= 0.1:
            if r < 0:
                d["z"] = -d["z"]
                d["sk"] = -d["sk"]
            d["notes"].append(
                f"flexion-axis sign from the thigh-shank rate correlation (r = {abs(r):.2f}), "
                f"the thigh's skewness being weak ({abs(d['sk']):.2f})"
            )
            d["sign_ok"] = True

    # Knee hinge refinement (Seel et al. 2012/2014): where a leg has both sensors, replace the
    # two principal axes by the pair of axes that best satisfies the hinge constraint.
    if refine_hinge:
        for side in ("left", "right"):
            th, sh = f"thigh_{side}", f"shank_{side}"
            if th not in pending or sh not in pending:
                continue
            dt, ds = pending[th], pending[sh]
            both = np.flatnonzero(dt["walk"] & ds["walk"])
            both = both[:: max(1, -(-both.size // max_samples))]
            if both.size < 50:
                continue
            g1 = rec.streams[th].gyr_radps[both] - dt["bias"]
            g2 = rec.streams[sh].gyr_radps[both] - ds["bias"]
            j1, j2, res0, res = estimate_hinge_axes(g1, g2, dt["z"], ds["z"])
            moved = max(
                np.degrees(np.arccos(np.clip(j1 @ dt["z"], -1, 1))),
                np.degrees(np.arccos(np.clip(j2 @ ds["z"], -1, 1))),
            )
            for d in (dt, ds):
                d["hinge_res"] = res
            if res < res0 and moved < 30.0:
                dt["z"], ds["z"] = j1, j2
                for d in (dt, ds):
                    d["axis_source"] = "knee-hinge"
            else:
                for d in (dt, ds):
                    d["notes"].append(
                        f"knee hinge axis rejected (moved {moved:.0f}° from the principal axis, "
                        f"residual {res:.3f} vs {res0:.3f} rad/s): principal axis kept"
                    )

    for d in pending.values():
        y, z = d["y"], d["z"]
        z_o = z - (z @ y) * y
        z_o /= np.linalg.norm(z_o)
        d["z_o"], d["x"] = z_o, np.cross(y, z_o)
        d["orth"] = float(np.arccos(np.clip(z @ z_o, -1, 1)) * DEG_PER_RAD)

    # Cross-talk decorrelation about the long axis (shanks first: thighs follow their shank)
    for p in sorted(pending, key=lambda q: placement_segment(q) != "shank"):
        d = pending[p]
        if d.get("axis_source", "gyro-pca") != "gyro-pca":
            continue
        seg, shank = placement_segment(p), f"shank_{placement_side(p)}"
        if seg == "thigh" and np.isfinite(pending.get(shank, {}).get("xtalk", np.nan)):
            dl = pending[shank]["xtalk"]
            d["notes"].append(
                f"flexion axis rotated {dl * DEG_PER_RAD:+.1f}° about the long axis, as the "
                f"same leg's shank (sagittal-to-frontal cross-talk correction)"
            )
        elif seg in crosstalk_segments:
            dl, note = _decorrelate(rec, p, d, orientations, max_samples, min_walking_s)
            d["notes"].append(note)
        else:
            continue
        if np.isfinite(dl):
            c, s_ = np.cos(dl), np.sin(dl)
            d["x"], d["z_o"] = c * d["x"] - s_ * d["z_o"], c * d["z_o"] + s_ * d["x"]
            d["xtalk"] = dl

    out: dict[str, SegmentCalibration] = {}
    for p, d in pending.items():
        y, x, z_o, orth, notes = d["y"], d["x"], d["z_o"], d["orth"], d["notes"]
        if abs(d["sk"]) < 0.3 and not d.get("sign_ok"):
            notes.append(f"flexion-axis sign uncertain (skewness {d['sk']:.2f} < 0.3)")
        if orth > 15:
            notes.append(f"flexion axis {orth:.0f}° from perpendicular to the long axis")
        delta_deg = float(d.get("xtalk", np.nan) * DEG_PER_RAD)
        q = matrix_to_quat(np.stack([x, y, z_o]))
        q.setflags(write=False)
        out[p] = SegmentCalibration(
            placement=p,
            q_sensor_to_segment=q,
            method=d["method"],
            standing_s=float(d["standing_s"]),
            walking_s=float(d["walking_s"]),
            flexion_axis_variance_explained=d["var_expl"],
            axis_orthogonality_deg=orth,
            gravity_std_mps2=d["gstd"],
            sign_skewness=float(d["sk"]),
            axis_source=d.get("axis_source", "gyro-pca"),
            hinge_residual_radps=float(d.get("hinge_res", np.nan)),
            crosstalk_correction_deg=delta_deg,
            notes=tuple(notes),
        )
    return out
