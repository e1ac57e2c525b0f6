"""Functional sensor-to-segment calibration from standing and walking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.frames import matrix_to_quat, placement_segment, placement_side
from gaitkit.model import Recording, check_recording
from gaitkit.orientation import OrientationEstimate, detect_rest, mask_runs
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
    sensors. Med Biol Eng Comput 48(1):17-25.
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

    out: dict[str, SegmentCalibration] = {}
    for p, d in pending.items():
        y, z, notes = d["y"], d["z"], d["notes"]
        if abs(d["sk"]) < 0.3 and not d.get("sign_ok"):
            notes.append(f"flexion-axis sign uncertain (skewness {d['sk']:.2f} < 0.3)")
        z_o = z - (z @ y) * y
        z_o /= np.linalg.norm(z_o)
        orth = float(np.arccos(np.clip(z @ z_o, -1, 1)) * DEG_PER_RAD)
        if orth > 15:
            notes.append(f"flexion axis {orth:.0f}° from perpendicular to the long axis")
        x = np.cross(y, z_o)
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
            notes=tuple(notes),
        )
    return out
