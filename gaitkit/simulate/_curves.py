"""Normative segment-angle curves over the gait cycle, shaped after published gait data.

Each curve is a periodic cubic spline (C², period 1 in gait-cycle phase, initial contact at
phase 0) through key points. Key points are written in *canonical* timing — toe-off at 60 % of
the cycle for walking (Perry & Burnfield 2010) and at 38 % for running (Novacheck 1998 reports
39 % for running and 36 % for sprinting) — and are moved so that toe-off lands on the stance
fraction of the simulated speed: a stance key point at canonical phase ``p`` goes to
``p·s/s₀``, a swing key point to ``s + (p - s₀)·(1 - s)/(1 - s₀)``.

Sources of the shapes (degrees, values read from the published mean curves and rounded; they
are representative shapes for a healthy adult, not a reproduction of any one data set):

- Thigh sagittal inclination (hip-flexion proxy, thigh vs vertical). Walking: hip flexion/
  extension of Kadaba et al. (1990, J Orthop Res 8:383-392) and Winter (2009, *Biomechanics and
  Motor Control of Human Movement*, 4th ed., Wiley, appendix thigh segment angles) less ~10° of
  anterior pelvic tilt: +20° at initial contact, -18° peak extension near 52 %, +24° peak
  flexion near 87 % (range 42°, as the ~43° hip range of Kadaba et al.). Running: Novacheck
  (1998, Gait Posture 7:77-95) hip curve less ~15° of pelvic tilt: +25° at contact, -22° near
  45 %, +38° peak near 85 %.
- Knee flexion. Walking (Kadaba et al. 1990; Perry & Burnfield 2010, *Gait Analysis*, 2nd ed.,
  SLACK): 4° at contact, loading-response peak 18° at 13 %, 4° at 40 %, 37° at toe-off, swing
  peak 62° at 72 %. Running (Novacheck 1998): 18° at contact, stance peak 40° at 15 %, 18° at
  toe-off, swing peak 90° at 68 %.
- Thigh frontal (adduction +) and axial rotation: hip ab/adduction and rotation of Kadaba et al.
  (1990): peak adduction ~5° in loading response, ~-5° abduction after toe-off; rotation ±5°.
- Shank frontal (adduction +) and axial rotation (internal +): tibial internal rotation during
  loading response coupled to rearfoot eversion (Lafortune et al. 1992, J Biomech 25:347-357;
  Perry & Burnfield 2010): ~8° of internal rotation from contact to its peak at ~35 % of stance,
  external rotation through terminal stance; shank adduction peak ~3.5° in mid-stance.

Speed dependence (documented, approximate): walking — thigh excursion scaled by
``1 + 0.3·(v - 1.3)``, knee stance excursion by ``1 + 0.5·(v - 1.3)`` (loading-response flexion
grows with speed, Fukuchi et al. 2018, PeerJ 6:e4640), knee swing excursion by
``1 + 0.08·(v - 1.3)``. Running — thigh excursion ``1 + 0.12·(v - 3.5)``, knee swing excursion
``1 + 0.10·(v - 3.5)`` (Novacheck 1998: greater hip and knee swing flexion when sprinting).
Stance fraction: walking ``0.60 - 0.045·(v - 1.3)`` clipped to 0.55-0.66 (≈62 % slow, ≈58 %
fast); running ``0.37 - 0.03·(v - 3.5)`` clipped to 0.25-0.45 (Novacheck 1998: 39 % running,
36 % sprinting). The linear coefficients are ours.

Foot-strike and push-off transients: the curves above are 6 Hz-filtered marker data and miss
the ~50 ms events of the real shank rate at IC and FC; :func:`contact_transient` and
:func:`push_off_transient` give the Gaussian rate transients the engine adds to the shank
sagittal angle (calibrated on HuGaDB, ``docs/simulator_realism.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "AXIAL_TRANSIENT_RATIO",
    "CHANNELS",
    "GaitCurves",
    "Transient",
    "build_curves",
    "contact_transient",
    "push_off_transient",
    "stance_fraction",
]

#: Primitive angle channels (anatomical degrees); the shank sagittal angle is
#: ``thigh_sagittal - knee``.
CHANNELS: tuple[str, ...] = (
    "thigh_sagittal",
    "knee",
    "thigh_frontal",
    "thigh_axial",
    "shank_frontal",
    "shank_axial",
)

# canonical phase (%), value (deg)
_WALK: Mapping[str, tuple[tuple[float, float], ...]] = {
    "thigh_sagittal": (
        (0, 20),
        (10, 18),
        (30, 1),
        (45, -13),
        (52, -18),
        (60, -12),
        (70, 5),
        (80, 19),
        (87, 24),
        (95, 22),
    ),
    "knee": (
        (0, 4),
        (5, 10),
        (13, 18),
        (25, 11),
        (40, 4),
        (50, 9),
        (60, 37),
        (66, 55),
        (72, 62),
        (80, 46),
        (88, 19),
        (96, 2),
    ),
    "thigh_frontal": ((0, 1), (15, 5), (30, 4), (50, 0), (60, -4), (70, -5), (85, -1)),
    "thigh_axial": ((0, 2), (15, 5), (40, 2), (60, -4), (75, -3), (90, 1)),
    "shank_frontal": ((0, 0), (15, 3), (30, 3.5), (50, 2), (60, 0), (75, -2), (90, -1)),
    "shank_axial": ((0, -2), (21, 6), (45, 0), (55, -5), (65, -6), (80, -3), (92, -2.5)),
}
_RUN: Mapping[str, tuple[tuple[float, float], ...]] = {
    "thigh_sagittal": (
        (0, 25),
        (10, 18),
        (25, 0),
        (38, -20),
        (45, -22),
        (55, -10),
        (70, 15),
        (85, 38),
        (93, 36),
    ),
    "knee": (
        (0, 18),
        (8, 32),
        (15, 40),
        (25, 32),
        (38, 18),
        (45, 30),
        (58, 72),
        (68, 90),
        (80, 72),
        (90, 35),
        (96, 15),
    ),
    "thigh_frontal": ((0, 2), (12, 7), (30, 3), (45, -5), (60, -6), (80, -2)),
    "thigh_axial": ((0, 2), (15, 5), (38, 0), (55, -5), (80, 0)),
    "shank_frontal": ((0, 1), (15, 5), (30, 4), (38, 1), (60, -3), (85, -1)),
    "shank_axial": ((0, -2), (15, 8), (38, -2), (55, -6), (75, -4), (90, -3)),
}
_CANON_STANCE = {"walk": 0.60, "run": 0.38}
_REF_SPEED = {"walk": 1.3, "run": 3.5}


def stance_fraction(activity: str, speed_mps: float) -> float:
    """Stance fraction of the gait cycle at a speed (see module notes)."""
    if activity == "walk":
        return float(np.clip(0.60 - 0.045 * (speed_mps - 1.3), 0.55, 0.66))
    return float(np.clip(0.37 - 0.03 * (speed_mps - 3.5), 0.25, 0.45))


@dataclass(frozen=True)
class GaitCurves:
    """Periodic splines of the primitive channels for one activity and speed.

    Attributes
    ----------
    splines
        ``{channel: scipy.interpolate.CubicSpline}`` over phase ``[0, 1]`` (periodic), degrees.
    means
        Cycle mean of each channel (degrees).
    stance_fraction
        Phase of toe-off.
    ir_peak_u
        Fraction of stance at which the shank internal rotation peaks (where the
        over-pronation bump is centred).
    """

    splines: Mapping[str, Any]
    means: Mapping[str, float]
    stance_fraction: float
    ir_peak_u: float


def _moved(points: tuple[tuple[float, float], ...], s0: float, s: float) -> np.ndarray:
    p = np.array([pt[0] for pt in points], dtype=float) / 100.0
    v = np.array([pt[1] for pt in points], dtype=float)
    q = np.where(p < s0, p * s / s0, s + (p - s0) * (1.0 - s) / (1.0 - s0))
    return np.column_stack([q, v])


def build_curves(activity: str, speed_mps: float) -> GaitCurves:
    """Build the :class:`GaitCurves` for an activity and speed."""
    from scipy.interpolate import CubicSpline

    table = _WALK if activity == "walk" else _RUN
    s0 = _CANON_STANCE[activity]
    s = stance_fraction(activity, speed_mps)
    dv = speed_mps - _REF_SPEED[activity]
    if activity == "walk":
        thigh_scale, knee_stance, knee_swing = 1 + 0.3 * dv, 1 + 0.5 * dv, 1 + 0.08 * dv
    else:
        thigh_scale, knee_stance, knee_swing = 1 + 0.12 * dv, 1.0, 1 + 0.10 * dv
    thigh_scale = max(thigh_scale, 0.4)
    knee_stance = max(knee_stance, 0.4)
    splines: dict[str, Any] = {}
    means: dict[str, float] = {}
    for ch in CHANNELS:
        pts = _moved(table[ch], s0, s)
        vals = pts[:, 1].copy()
        if ch == "thigh_sagittal":
            m = vals.mean()
            vals = m + thigh_scale * (vals - m)
        elif ch == "knee":
            base = vals.min()
            stance = pts[:, 0] < s * 0.8
            vals = np.where(
                stance, base + knee_stance * (vals - base), base + knee_swing * (vals - base)
            )
        x = np.append(pts[:, 0], 1.0)
        y = np.append(vals, vals[0])
        sp = CubicSpline(x, y, bc_type="periodic")
        splines[ch] = sp
        means[ch] = float(sp.integrate(0.0, 1.0))
    # where the baseline internal rotation peaks in stance
    grid = np.linspace(0.0, s, 2001)
    u_peak = float(grid[np.argmax(splines["shank_axial"](grid))] / s)
    return GaitCurves(splines=splines, means=means, stance_fraction=s, ir_peak_u=u_peak)


def bump(u: np.ndarray, u_peak: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C² bump over stance: 0 at ``u = 0`` and ``u >= 1``, 1 at ``u_peak``; value, d/du, d²/du².

    Rises with the quintic smootherstep ``S(x) = 6x⁵ - 15x⁴ + 10x³`` on ``[0, u_peak]`` and
    falls with ``1 - S`` on ``[u_peak, 1]``; first and second derivatives vanish at the joins.
    """
    u = np.asarray(u, dtype=float)
    rise = u < u_peak
    x = np.where(rise, u / u_peak, (u - u_peak) / (1.0 - u_peak))
    inside = (u >= 0.0) & (u < 1.0)
    x = np.clip(x, 0.0, 1.0)
    s = x**3 * (10 - 15 * x + 6 * x * x)
    ds = 30 * x * x * (1 - x) ** 2
    dds = 60 * x * (1 - x) * (1 - 2 * x)
    scale = np.where(rise, 1.0 / u_peak, 1.0 / (1.0 - u_peak))
    v = np.where(rise, s, 1.0 - s)
    d = np.where(rise, ds, -ds) * scale
    dd = np.where(rise, dds, -dds) * scale**2
    return np.where(inside, v, 0.0), np.where(inside, d, 0.0), np.where(inside, dd, 0.0)


#: Axial (internal-rotation) share of the contact transient's sagittal angle (model assumption:
#: the shank rotates internally as the rearfoot everts from contact on, Lafortune et al. 1992).
AXIAL_TRANSIENT_RATIO = 0.2


@dataclass(frozen=True)
class Transient:
    """Shank angular-velocity transient around each initial contact: a sum of Gaussians.

    Rate ``Σ A_i exp(-((t - t_IC - μ_i)/σ_i)²/2)`` (rad/s) added to the shank sagittal angle's
    rate; ``Σ A_i σ_i = 0`` so the angle change is local (zero long before and after).
    """

    mu_s: tuple[float, ...]
    sigma_s: tuple[float, ...]
    amp_radps: tuple[float, ...]


def contact_transient(activity: str, speed_mps: float) -> Transient:
    """Shank sagittal angular-velocity transient at initial contact (foot strike).

    Why: the normative curves are joint angles from marker data low-pass filtered at ~6 Hz
    (Winter 2009, *Biomechanics and Motor Control of Human Movement*, ch. 2-3; Kadaba et al.
    1990), which smooths away the ~50 ms events at foot strike. Real shank gyroscopes show the
    shank's backward rotation (the knee moving forward over the decelerating foot) accelerating
    in terminal swing, peaking sharply at contact and being arrested within ~50-100 ms
    (Aminian et al. 2002, J Biomech 35:689-699; Salarian et al. 2004, IEEE TBME
    51:1434-1443); on HuGaDB walking the minimum is 0.62 of the mid-swing peak, within
    ~0-30 ms of the shank impact, ~85 ms wide at half depth (``docs/simulator_realism.md``).

    Model: three Gaussians added to the shank sagittal rate around each contact —
    ``A₁ < 0`` at ``μ₁`` just after contact (the sharp backward rotation), ``A₂ > 0`` after it
    (the arrest in loading response) and, walking, ``A₀ > 0`` before it (terminal swing: the
    forward rotation ends later and the reversal into contact is steeper) — with
    ``A₀σ₀ = -p·A₁σ₁`` and ``A₂σ₂ = -(1 - p)·A₁σ₁`` so ``Σ A_i σ_i = 0``: the angle change
    is local, and with ``p = 0.3`` walking it is ≈ 0 at contact (-0.3° at 1.3 m/s), -4.3° at
    its deepest ~50 ms later (the knee flexes a few degrees more, sooner, in loading
    response), back to the normative curve within ~250 ms. Running (``p = 0``) the shank
    angle at contact is 2.6° smaller at 3.5 m/s. Parameters (ours, fitted to the HuGaDB
    figures, then checked at 1 kHz and at 58.8 Hz):

    - walking: ``A₁ = -(1 + v)`` rad/s, ``μ₁ = 10`` ms, ``σ₁ = 25`` ms; ``μ₀ = -70`` ms,
      ``σ₀ = 30`` ms; ``μ₂ = 90`` ms, ``σ₂ = 45`` ms; ``p = 0.3``;
    - running: ``A₁ = -1.6 v`` rad/s, ``μ₁ = 5`` ms, ``σ₁ = 12`` ms; ``μ₂ = 65`` ms,
      ``σ₂ = 45`` ms; ``p = 0``.

    The transient is C^∞; its largest angular acceleration is ≈ 67 rad/s² walking at 1.3 m/s
    and ≈ 330 rad/s² running at 3.5 m/s.
    """
    if activity == "walk":
        a1, mu1, s1 = -(1.0 + speed_mps), 0.010, 0.025
        mu0, s0, mu2, s2, pre = -0.070, 0.030, 0.090, 0.045, 0.3
    else:
        a1, mu1, s1 = -1.6 * speed_mps, 0.005, 0.012
        mu0, s0, mu2, s2, pre = -0.060, 0.030, 0.065, 0.045, 0.0
    a0 = -pre * a1 * s1 / s0
    a2 = -(1.0 - pre) * a1 * s1 / s2
    return Transient(mu_s=(mu0, mu1, mu2), sigma_s=(s0, s1, s2), amp_radps=(a0, a1, a2))


def push_off_transient(activity: str, speed_mps: float) -> Transient:
    """Shank sagittal angular-velocity transient around toe-off (FC).

    Model: in real shank-gyroscope signals the pre-swing minimum of the sagittal angular
    velocity (the shank's fastest backward rotation as the knee flexes in pre-swing) lies
    close to toe-off — the feature detectors use for FC, reported within a few tens of ms of
    force-plate/footswitch toe-off (Aminian et al. 2002, J Biomech 35:689-699; Catalfamo et al.
    2010, Sensors 10:5683-5702; Greene et al. 2010, Med Biol Eng Comput 48:1251-1260) — and on
    HuGaDB 45 ms (median) before the foot's forward-rotation onset (``docs/simulator_realism.md``).
    The 6 Hz-filtered normative curves put it 70-90 ms before toe-off when walking and ~45 ms
    after it when running. We reshape the rate with Gaussians relative to FC: a negative one
    just before FC (the fastest knee flexion at push-off), a positive one before it (walking:
    flattening the earlier trough) and a positive one after it (the rise into swing), with
    ``Σ A_i σ_i = 0`` (angle change local). Parameters (ours, fitted to the figures above):

    - walking: ``A = (0.6, -1.2, 0.5)·v/1.3`` rad/s at ``μ = (-110, -5, 60)`` ms,
      ``σ = (35, 30, 30)`` ms (last amplitude set by the balance);
    - running: ``A = (-5, 1.875)·v/3.5`` rad/s at ``μ = (-10, 70)`` ms, ``σ = (15, 40)`` ms.
    """
    if activity == "walk":
        k = speed_mps / 1.3
        mu, sg = (-0.110, -0.005, 0.060), (0.035, 0.030, 0.030)
        a0, a1 = 0.6 * k, -1.2 * k
    else:
        k = speed_mps / 3.5
        mu, sg = (-0.010, 0.070), (0.015, 0.040)
        a0, a1 = 0.0, -5.0 * k
    if activity == "walk":
        a2 = -(a0 * sg[0] + a1 * sg[1]) / sg[2]
        return Transient(mu_s=mu, sigma_s=sg, amp_radps=(a0, a1, a2))
    return Transient(mu_s=mu, sigma_s=sg, amp_radps=(a1, -a1 * sg[0] / sg[1]))
