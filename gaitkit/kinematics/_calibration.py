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

    Periods: ``standing`` and ``walking`` may be given (mask or ``(start_s, end_s)`` pairs).
    Otherwise standing is taken from the recording's ``standing``/``calibration`` annotations
    (e.g. HuGaDB activity labels) when there are any, else it is every sample where *all*
    sensors are at rest together
    (:func:`~gaitkit.orientation.detect_rest`), accepted per sensor only if its gravity direction
    lies within ``max_posture_deviation_deg`` of its mean gravity direction during walking (this
    rejects sitting and lying); walking is detected per sensor (:func:`detect_walking`).

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

    pending: dict[str, dict] = {}
    for p in names:
        s = rec.streams[p]
        acc, gyr = s.acc_mps2, s.gyr_radps
        notes: list[str] = []
        walk = detect_walking(gyr, fs) if walk_given is None else walk_given
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
            notes=tuple(notes),
        )
    return out
