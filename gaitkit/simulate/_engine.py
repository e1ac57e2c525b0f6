"""Kinematic leg model and IMU synthesis behind :func:`simulate_gait`.

Everything is an analytic function of time, carried as *jets* (value, first and second time
derivative) through the chain rule, so the gyroscope and the accelerometer are exact
derivatives of the orientation and position trajectories — no finite differences.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from gaitkit.errors import ConfigError
from gaitkit.frames import matrix_to_quat, placement_side
from gaitkit.model import Annotation, Recording, RecordingMeta, SensorStream
from gaitkit.schema import ANGLE_COLUMNS, BOUT_COLUMNS, STRIDE_COLUMNS
from gaitkit.simulate._config import SimulationConfig
from gaitkit.simulate._curves import (
    AXIAL_TRANSIENT_RATIO,
    GaitCurves,
    Transient,
    build_curves,
    bump,
    contact_transient,
    push_off_transient,
)
from gaitkit.units import G0

__all__ = [
    "ANKLE_HEIGHT_M",
    "HIP_HALF_WIDTH_M",
    "SHANK_LENGTH_M",
    "SHANK_SITE_M",
    "THIGH_LENGTH_M",
    "THIGH_SITE_M",
    "Simulation",
    "simulate_gait",
]

THIGH_LENGTH_M = 0.43
SHANK_LENGTH_M = 0.43
HIP_HALF_WIDTH_M = 0.09
ANKLE_HEIGHT_M = 0.08
#: Sensor site in the thigh frame (origin hip joint centre) for the right leg; z is mirrored on
#: the left. Lateral thigh, half-way down, 8 cm from the femoral axis.
THIGH_SITE_M = (0.0, -0.5 * THIGH_LENGTH_M, 0.08)
#: Sensor site in the shank frame (origin knee joint centre) for the right leg; z mirrored on
#: the left. Anteromedial tibial surface, a third of the way down.
SHANK_SITE_M = (0.03, -SHANK_LENGTH_M / 3.0, -0.02)
#: Share of the extra tibial internal rotation added to the shank frontal angle (model
#: assumption on the size). Negative, i.e. toward abduction: with the foot loaded, pronation
#: takes the proximal tibia medially (dynamic knee valgus; Yoo et al. 2022, Phys Ther Korea
#: 29:208-214; Khamis & Yizhar 2007, Gait Posture 25:127-134), so the ankle ends up lateral of
#: the knee.
PRONATION_FRONTAL_RATIO = -0.5

_SIDES = ("left", "right")
_CHUNK = 65536


# ---------------------------------------------------------------------------------------------
# jets: arrays with a leading axis of length 3 holding (f, f', f'')
def _jmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack(
        [a[0] * b[0], a[1] * b[0] + a[0] * b[1], a[2] * b[0] + 2 * a[1] * b[1] + a[0] * b[2]]
    )


def _jsincos(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, c = np.sin(a[0]), np.cos(a[0])
    a1sq = a[1] * a[1]
    return (
        np.stack([s, c * a[1], -s * a1sq + c * a[2]]),
        np.stack([c, -s * a[1], -c * a1sq - s * a[2]]),
    )


def _jsin(a: np.ndarray) -> np.ndarray:
    s, c = np.sin(a[0]), np.cos(a[0])
    return np.stack([s, c * a[1], -s * a[1] ** 2 + c * a[2]])


def _jcos(a: np.ndarray) -> np.ndarray:
    s, c = np.sin(a[0]), np.cos(a[0])
    return np.stack([c, -s * a[1], -c * a[1] ** 2 - s * a[2]])


def _jcompose(f: Any, x: np.ndarray, xv: np.ndarray | None = None) -> np.ndarray:
    """Jet of ``f(x(t))`` for a scipy spline ``f`` and the jet ``x``."""
    xv = x[0] if xv is None else xv
    f0, f1, f2 = f(xv), f(xv, 1), f(xv, 2)
    return np.stack([f0, f1 * x[1], f2 * x[1] ** 2 + f1 * x[2]])


def _cardan_jet(sag: np.ndarray, front: np.ndarray, axial: np.ndarray, sign: float) -> np.ndarray:
    """Jet ``(3, 3, 3, n)`` (order, row, column, sample) of ``Rz(a)·Rx(b)·Ry(c)``.

    ``a = sag``, ``b = sign·front``, ``c = sign·axial`` (radians). Closed-form entries::

        [[ca cc - sa sb sc, -sa cb, ca sc + sa sb cc],
         [sa cc + ca sb sc,  ca cb, sa sc - ca sb cc],
         [-cb sc,            sb,    cb cc           ]]
    """
    m = _jmul
    sa, ca = _jsincos(sag)
    sb, cb = _jsincos(sign * front)
    sc, cc = _jsincos(sign * axial)
    sasb, casb = m(sa, sb), m(ca, sb)
    r = np.empty((3, 3, 3, sag.shape[1]))
    r[:, 0, 0] = m(ca, cc) - m(sasb, sc)
    r[:, 0, 1] = -m(sa, cb)
    r[:, 0, 2] = m(ca, sc) + m(sasb, cc)
    r[:, 1, 0] = m(sa, cc) + m(casb, sc)
    r[:, 1, 1] = m(ca, cb)
    r[:, 1, 2] = m(sa, sc) - m(casb, cc)
    r[:, 2, 0] = -m(cb, sc)
    r[:, 2, 1] = sb
    r[:, 2, 2] = m(cb, cc)
    return r


def _mv(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``R v`` for ``r`` ``(3, 3, n)`` and ``v`` ``(3, n)``."""
    return (r * v[None, :, :]).sum(axis=1)


def _mtv(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``Rᵀ v`` for ``r`` ``(3, 3, n)`` and ``v`` ``(3, n)``."""
    return (r * v[:, None, :]).sum(axis=0)


def _jmatvec(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Jet of ``R(t) v(t)``: ``r`` ``(3, 3, 3, n)``, ``v`` ``(3, 3, n)`` → ``(3, 3, n)``."""
    return np.stack(
        [
            _mv(r[0], v[0]),
            _mv(r[1], v[0]) + _mv(r[0], v[1]),
            _mv(r[2], v[0]) + 2 * _mv(r[1], v[1]) + _mv(r[0], v[2]),
        ]
    )


def _vee_rt(r0: np.ndarray, r1: np.ndarray) -> np.ndarray:
    """``vee`` of the skew part of ``R0ᵀ R1`` for ``(3, 3, n)`` arrays → ``(3, n)``."""

    def el(i: int, j: int) -> np.ndarray:
        return (r0[:, i] * r1[:, j]).sum(axis=0)

    return 0.5 * np.stack([el(2, 1) - el(1, 2), el(0, 2) - el(2, 0), el(1, 0) - el(0, 1)])


def _smootherstep_jet(x: np.ndarray, scale: float) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return np.stack(
        [
            x**3 * (10 - 15 * x + 6 * x * x),
            30 * x * x * (1 - x) ** 2 / scale,
            60 * x * (1 - x) * (1 - 2 * x) / scale**2,
        ]
    )


def _smootherstep_integral(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x**6 - 3 * x**5 + 2.5 * x**4


# ---------------------------------------------------------------------------------------------
@dataclass
class _Leg:
    side: str
    sign: float  # anatomical sign for x/y rotations (+1 right, -1 left)
    ic: np.ndarray  # initial-contact knots covering the whole recording
    phase: _Phase  # t -> phase (integers at ic)
    amp: Any  # CubicSpline phase -> amplitude factor
    hip_scale: float
    extra_ir_deg: float
    impact_ic: np.ndarray  # initial contacts carrying an impact transient
    impact_d_m: np.ndarray  # displacement amplitude of each transient
    fc: np.ndarray = field(default_factory=lambda: np.zeros(0))  # toe-off of every stride


@dataclass
class _Plan:
    cfg: SimulationConfig
    curves: GaitCurves
    speed: float
    stride_time_s: float
    t_gait: tuple[float, float]
    ramp_s: float
    legs: dict[str, _Leg]
    step_phase: _Phase  # t -> step count (both legs' contacts)
    impact_tau_s: float
    impact_gpp_max: float  # max of g'' of the unit impact pulse
    contact: Transient  # shank sagittal angular-velocity transient around IC
    push_off: Transient  # shank sagittal angular-velocity transient around FC


class _Phase:
    """Monotone C² phase ``φ(t)`` with ``φ(t_k) = k`` at the knots ``t_k`` (contacts).

    The phase rate ``ρ = dφ/dt`` blends the knot rates ``r_k = 2/(T_{k-1} + T_k)`` (``T`` the
    intervals) with the cubic smoothstep ``3u² - 2u³`` over each interval, plus a correction
    ``(c_k/T_k)·30u²(1-u)²`` that makes the interval integrate to exactly one cycle:
    ``c_k = 1 - T_k (r_k + r_{k+1})/2``. Both terms have zero slope at the knots, so ``ρ`` is
    C¹ and ``φ`` C² (continuous angular acceleration across strides), and ``ρ > 0`` as long as
    neighbouring intervals differ by less than ~±40 %. Outside the knots the rate is
    constant. Called like a scipy spline: ``phase(t)``, ``phase(t, 1)``, ``phase(t, 2)``.
    """

    def __init__(self, knots: np.ndarray) -> None:
        self.x = np.asarray(knots, dtype=float)
        T = np.diff(self.x)
        r = np.empty(self.x.size)
        r[0], r[-1] = 1.0 / T[0], 1.0 / T[-1]
        r[1:-1] = 2.0 / (T[:-1] + T[1:])
        self.T, self.r = T, r
        self.c = 1.0 - T * (r[:-1] + r[1:]) / 2.0

    def __call__(self, t: np.ndarray, nu: int = 0) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        n = self.x.size
        k = np.clip(np.searchsorted(self.x, t, side="right") - 1, 0, n - 2)
        T = self.T[k]
        u = np.clip((t - self.x[k]) / T, 0.0, 1.0)
        r0 = self.r[k]
        dr = self.r[k + 1] - r0
        c = self.c[k]
        below, above = t < self.x[0], t > self.x[-1]
        if nu == 0:
            v = k + T * (r0 * u + dr * (u**3 - 0.5 * u**4)) + c * u**3 * (10 - 15 * u + 6 * u * u)
            v = np.where(below, (t - self.x[0]) * self.r[0], v)
            return np.where(above, (n - 1) + (t - self.x[-1]) * self.r[-1], v)
        if nu == 1:
            v = r0 + dr * u * u * (3 - 2 * u) + (c / T) * 30 * u * u * (1 - u) ** 2
            v = np.where(below, self.r[0], v)
            return np.where(above, self.r[-1], v)
        v = (dr * 6 * u * (1 - u) + (c / T) * 60 * u * (1 - u) * (1 - 2 * u)) / T
        return np.where(below | above, 0.0, v)


def _ramp_jet(plan: _Plan, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jet of the gait weight ``w`` (0 standing, 1 steady gait) and ``∫w dt``."""
    g0, g1 = plan.t_gait
    r = plan.ramp_s
    up = _smootherstep_jet((t - g0) / r, r)
    down = _smootherstep_jet((t - (g1 - r)) / r, r)
    w = up.copy()
    w[0] = up[0] - down[0]
    w[1] = up[1] - down[1]
    w[2] = up[2] - down[2]
    xu = (t - g0) / r
    xd = (t - (g1 - r)) / r
    integ = r * _smootherstep_integral(xu) + np.clip(t - g0 - r, 0.0, None)
    integ = integ - r * _smootherstep_integral(xd) - np.clip(t - g1, 0.0, None)
    return w, integ


def _phase_jet(spline: Any, t: np.ndarray) -> np.ndarray:
    return np.stack([spline(t), spline(t, 1), spline(t, 2)])


def _angle_jets(plan: _Plan, leg: _Leg, t: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """Anatomical primitive angles (radians) as jets for one leg."""
    cv = plan.curves
    ph = _phase_jet(leg.phase, t)
    frac = np.mod(ph[0], 1.0)
    amp = _jcompose(leg.amp, ph)
    out: dict[str, np.ndarray] = {}
    for ch, sp in cv.splines.items():
        m = cv.means[ch]
        c = _jcompose(sp, ph, frac)
        c[0] -= m
        g = _jmul(amp, c)
        if ch == "thigh_sagittal":
            g = g * leg.hip_scale
        g[0] += m
        out[ch] = _jmul(w, g)
    if leg.extra_ir_deg:
        s = cv.stance_fraction
        b, b1, b2 = bump(frac / s, cv.ir_peak_u)
        bj = np.stack([b, b1 * ph[1] / s, b2 * ph[1] ** 2 / s**2 + b1 * ph[2] / s])
        extra = _jmul(w, bj) * leg.extra_ir_deg
        out["shank_axial"] = out["shank_axial"] + extra
        out["shank_frontal"] = out["shank_frontal"] + PRONATION_FRONTAL_RATIO * extra
    out["shank_sagittal"] = out["thigh_sagittal"] - out["knee"]
    rad = {k: np.deg2rad(v) for k, v in out.items()}
    tr = _jmul(
        w, _transient_jet(plan.contact, leg.ic, t) + _transient_jet(plan.push_off, leg.fc, t)
    )
    rad["shank_sagittal"] = rad["shank_sagittal"] + tr
    rad["shank_axial"] = rad["shank_axial"] - AXIAL_TRANSIENT_RATIO * tr
    return rad


def _transient_jet(tr: Transient, knots: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Jet (radians) of the angle whose rate is a sum of Gaussians around each contact.

    Rate ``Σ_i A_i·exp(-x_i²/2)``, ``x_i = (t - t_IC - μ_i)/σ_i``; angle
    ``Σ_i A_i σ_i √(π/2)·(1 + erf(x_i/√2))``, which is zero long before and (as
    ``Σ A_i σ_i = 0``) long after each contact. Only the previous and the next contact of the
    leg contribute (the kernels are < 1e-20 of their peak one stride away).
    """
    from scipy.special import erf

    out = np.zeros((3, t.shape[0]))
    k = np.searchsorted(knots, t, side="right") - 1
    for kk in (k, k + 1):
        ok = (kk >= 0) & (kk < knots.size)
        t0 = knots[np.clip(kk, 0, knots.size - 1)]
        for mu, sg, a in zip(tr.mu_s, tr.sigma_s, tr.amp_radps, strict=True):
            x = np.where(ok, (t - t0 - mu) / sg, -60.0)
            g = np.exp(-0.5 * x * x)
            out[0] += a * sg * np.sqrt(0.5 * np.pi) * (1.0 + erf(x / np.sqrt(2.0)))
            out[1] += a * g
            out[2] -= a * x / sg * g
    return out


def _pelvis_jet(plan: _Plan, t: np.ndarray, w: np.ndarray, w_int: np.ndarray) -> np.ndarray:
    """Jet ``(3, 3, n)`` (order, axis, sample) of the mid-hip point in the global frame."""
    cfg = plan.cfg
    s = plan.curves.stance_fraction
    v = plan.speed
    walk = cfg.activity == "walk"
    a_v, dh, a_l, dv_rel = (0.022, 0.02, 0.02, 0.06) if walk else (0.04, 0.05, 0.01, 0.05)
    f_step = 2.0 / plan.stride_time_s
    # a sinusoid's downward peak acceleration A·(2πf)² must not exceed free fall (flight is
    # ballistic): cap it at 0.9 g
    a_v = min(a_v, 0.9 * G0 / (2 * np.pi * f_step) ** 2)
    psi = _phase_jet(plan.step_phase, t)
    arg = 2 * np.pi * psi
    arg[0] = arg[0] - 2 * np.pi * s
    # vertical: highest at mid-stance when walking (vaulting), lowest when running (Cavagna
    # et al. 1976; Perry & Burnfield 2010); forward velocity lowest at mid-stance in both.
    y_osc = _jcos(arg) * (a_v if walk else -a_v)
    x_osc = _jsin(arg) * (-dv_rel * v / (2 * np.pi * f_step))
    phr = _phase_jet(plan.legs["right"].phase, t)
    arg_r = 2 * np.pi * phr
    arg_r[0] = arg_r[0] - np.pi * s
    z_osc = _jcos(arg_r) * a_l  # toward the right leg at its mid-stance
    n = t.shape[0]
    p = np.zeros((3, 3, n))
    p[0, 0] = v * w_int
    p[1, 0] = v * w[0]
    p[2, 0] = v * w[1]
    p[:, 0] += _jmul(w, x_osc)
    p[0, 1] = THIGH_LENGTH_M + SHANK_LENGTH_M + ANKLE_HEIGHT_M
    p[:, 1] += _jmul(w, y_osc) - dh * w
    p[:, 2] = _jmul(w, z_osc)
    return p


def _impact_jet(plan: _Plan, leg: _Leg, t: np.ndarray) -> np.ndarray:
    """Jet of the axial sensor displacement ``u(t)`` of the heel-strike transient (m)."""
    out = np.zeros((3, t.shape[0]))
    if leg.impact_ic.size == 0:
        return out
    k = np.searchsorted(leg.impact_ic, t, side="right") - 1
    ok = k >= 0
    tau = plan.impact_tau_s
    x = np.where(ok, (t - leg.impact_ic[np.clip(k, 0, None)]) / tau, 0.0)
    d = np.where(ok, leg.impact_d_m[np.clip(k, 0, None)], 0.0)
    x = np.clip(x, 0.0, 60.0)
    e = np.exp(4.0 * (1.0 - x))
    out[0] = d * x**4 * e
    out[1] = d * e * (4 * x**3 - 4 * x**4) / tau
    out[2] = d * e * (12 * x**2 - 32 * x**3 + 16 * x**4) / tau**2
    return out


def _leg_state(plan: _Plan, side: str, t: np.ndarray) -> dict[str, Any]:
    """Everything about one leg at times ``t``: rotations, specific force, angular velocity.

    Returns ``{seg}_R`` ``(3, 3, n)`` segment→global, ``{seg}_f`` specific force and
    ``{seg}_w``/``{seg}_a`` angular velocity/acceleration in the segment frame, ``{seg}_p``/
    ``{seg}_v`` global sensor-site position/velocity (all ``(3, n)``) and ``angles`` (jets).
    """
    leg = plan.legs[side]
    w, w_int = _ramp_jet(plan, t)
    ang = _angle_jets(plan, leg, t, w)
    rt = _cardan_jet(ang["thigh_sagittal"], ang["thigh_frontal"], ang["thigh_axial"], leg.sign)
    rs = _cardan_jet(ang["shank_sagittal"], ang["shank_frontal"], ang["shank_axial"], leg.sign)
    hip = _pelvis_jet(plan, t, w, w_int)
    hip[0, 2] += leg.sign * HIP_HALF_WIDTH_M
    n = t.shape[0]
    knee = hip - rt[:, :, 1] * THIGH_LENGTH_M
    lat = np.array([1.0, 1.0, leg.sign])
    r_t = np.zeros((3, 3, n))
    r_t[0] = (np.array(THIGH_SITE_M) * lat)[:, None]
    r_s = np.zeros((3, 3, n))
    r_s[0] = (np.array(SHANK_SITE_M) * lat)[:, None]
    r_s[:, 1] += _impact_jet(plan, leg, t)
    p_t = hip + _jmatvec(rt, r_t)
    p_s = knee + _jmatvec(rs, r_s)
    up = np.array([0.0, G0, 0.0])[:, None]
    out: dict[str, Any] = {"angles": ang}
    for seg, r, p in (("thigh", rt, p_t), ("shank", rs, p_s)):
        out[f"{seg}_R"] = r[0]
        out[f"{seg}_f"] = _mtv(r[0], p[2] + up)
        out[f"{seg}_w"] = _vee_rt(r[0], r[1])
        out[f"{seg}_a"] = _vee_rt(r[0], r[2])
        out[f"{seg}_p"] = p[0]
        out[f"{seg}_v"] = p[1]
    return out


def _knee_jcs(rt: np.ndarray, rs: np.ndarray, sign: float) -> tuple[np.ndarray, ...]:
    """Grood & Suntay knee angles (degrees) from thigh and shank rotations ``(3, 3, n)``.

    The relative rotation ``Rtᵀ Rs = Rz(a)·Rx(b)·Ry(c)`` (a Cardan ZXY sequence, which is the
    joint coordinate system of Grood & Suntay 1983 with the femoral z axis, the floating axis
    and the tibial y axis) gives flexion ``-a``, adduction ``σ·b`` and internal rotation
    ``σ·c``, σ = +1 right, -1 left.
    """

    def el(i: int, j: int) -> np.ndarray:
        return (rt[:, i] * rs[:, j]).sum(axis=0)

    a = np.arctan2(-el(0, 1), el(1, 1))
    b = np.arcsin(np.clip(el(2, 1), -1.0, 1.0))
    c = np.arctan2(-el(2, 0), el(2, 2))
    return np.rad2deg(-a), np.rad2deg(sign * b), np.rad2deg(sign * c)


# ---------------------------------------------------------------------------------------------
def _make_plan(cfg: SimulationConfig) -> tuple[_Plan, list[np.random.SeedSequence]]:
    from scipy.interpolate import CubicSpline

    ss = np.random.SeedSequence(cfg.seed)
    kids = ss.spawn(8)
    v = cfg.effective_speed_mps
    curves = build_curves(cfg.activity, v)
    t0 = 120.0 / cfg.effective_cadence_spm
    g0 = cfg.standing_s[0]
    g1 = cfg.duration_s - cfg.standing_s[1]
    ramp = min(2.0 * t0, 0.25 * (g1 - g0))
    first = g0 - 3.0 * t0 + 0.25 * t0
    n_str = int(np.ceil((cfg.duration_s - first + 4 * t0) / (t0 * 0.85))) + 4
    rng_t = np.random.default_rng(kids[0])
    eps = np.clip(rng_t.standard_normal(n_str), -3.0, 3.0)
    strides = t0 * (1.0 + cfg.stride_time_cv_pct / 100.0 * eps)
    ic_r = first + np.concatenate([[0.0], np.cumsum(strides)])
    left_step = strides / (2.0 + cfg.step_time_asymmetry_pct / 100.0)
    ic_l = ic_r[:-1] + left_step
    ic_r = ic_r[:-1]
    rng_a = np.random.default_rng(kids[1])
    rng_i = np.random.default_rng(kids[2])
    walk = cfg.activity == "walk"
    impact_g = (
        cfg.impact_g if cfg.impact_g is not None else (1.5 * v / 1.3 if walk else 6.0 * v / 3.5)
    )
    tau = 0.05 if walk else 0.035
    xs = np.linspace(0.0, 1.0, 20001)
    gpp = np.exp(4 * (1 - xs)) * (12 * xs**2 - 32 * xs**3 + 16 * xs**4)
    gpp_max = float(gpp.max())
    legs: dict[str, _Leg] = {}
    for side, ic in (("left", ic_l), ("right", ic_r)):
        a = np.clip(rng_a.standard_normal(ic.size), -3.0, 3.0)
        amp = 1.0 + cfg.amplitude_cv_pct / 100.0 * a
        amp_sp = CubicSpline(np.arange(ic.size) + 0.5, amp)
        phase = _Phase(ic)
        imp_eps = np.clip(rng_i.standard_normal(ic.size), -3.0, 3.0)
        emitted = (ic >= g0) & (ic <= g1)
        legs[side] = _Leg(
            side=side,
            sign=1.0 if side == "right" else -1.0,
            ic=ic,
            phase=phase,
            amp=amp_sp,
            hip_scale=cfg.hip_rom_scale[side],
            extra_ir_deg=cfg.extra_tibial_internal_rotation_deg[side],
            impact_ic=ic[emitted],
            impact_d_m=np.zeros(int(emitted.sum())),
        )
        legs[side].impact_d_m = (
            impact_g * G0 * np.clip(1.0 + 0.15 * imp_eps[emitted], 0.2, None) * tau**2 / gpp_max
        )
    merged = np.sort(np.concatenate([ic_r, ic_l]))
    step = _Phase(merged)
    plan = _Plan(
        cfg=cfg,
        curves=curves,
        speed=v,
        stride_time_s=t0,
        t_gait=(g0, g1),
        ramp_s=ramp,
        legs=legs,
        step_phase=step,
        impact_tau_s=tau,
        impact_gpp_max=gpp_max,
        contact=contact_transient(cfg.activity, v),
        push_off=push_off_transient(cfg.activity, v),
    )
    s_frac = curves.stance_fraction
    for leg in legs.values():
        kk = np.arange(leg.ic.size - 1)
        leg.fc = _bisect(
            lambda tt, tg=kk + s_frac, lg=leg: tg - lg.phase(tt), leg.ic[:-1], leg.ic[1:]
        )
    # the ramp scales the impact too
    for leg in legs.values():
        w, _ = _ramp_jet(plan, leg.impact_ic)
        leg.impact_d_m = leg.impact_d_m * w[0]
    return plan, kids


def _illinois(f: Any, lo: np.ndarray, hi: np.ndarray, n_iter: int = 14) -> np.ndarray:
    """Vectorised Illinois (modified regula falsi) root of ``f`` with ``f(lo) > 0 > f(hi)``.

    Converges superlinearly (Dowell & Jarratt 1971, BIT 11:168-174); 14 iterations bring a
    49-point grid bracket to < 1e-9 s.
    """
    a, b = lo.copy(), hi.copy()
    fa, fb = f(a), f(b)
    side = np.zeros(a.shape, dtype=int)
    for _ in range(n_iter):
        denom = fb - fa
        c = np.where(denom != 0, b - fb * (b - a) / np.where(denom != 0, denom, 1.0), 0.5 * (a + b))
        fc = f(c)
        left = fc > 0  # root in [c, b]
        a = np.where(left, c, a)
        fa_new = np.where(left, fc, fa)
        b = np.where(left, b, c)
        fb_new = np.where(left, fb, fc)
        # Illinois: halve the retained end's value when the same end is kept twice
        fb_new = np.where(left & (side == 1), 0.5 * fb_new, fb_new)
        fa_new = np.where(~left & (side == -1), 0.5 * fa_new, fa_new)
        side = np.where(left, 1, -1)
        fa, fb = fa_new, fb_new
    return np.where(np.abs(fa) < np.abs(fb), a, b)


def _bisect(f: Any, lo: np.ndarray, hi: np.ndarray, n_iter: int = 48) -> np.ndarray:
    """Vectorised bisection for a root of ``f`` with ``f(lo) > 0 > f(hi)``."""
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        pos = f(mid) > 0
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
    return 0.5 * (lo + hi)


def _events(plan: _Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the true events and strides of every complete stride inside the gait bout."""
    g0, g1 = plan.t_gait
    r = plan.ramp_s
    s = plan.curves.stance_fraction
    ev_rows: list[pd.DataFrame] = []
    st_rows: list[pd.DataFrame] = []
    for side in _SIDES:
        leg = plan.legs[side]
        ic = leg.ic
        k = np.flatnonzero((ic[:-1] >= g0) & (ic[1:] <= g1))
        t_ic, t_next = ic[k], ic[k + 1]
        target = k + s
        fc = _bisect(lambda tt, tg=target, lg=leg: tg - lg.phase(tt), t_ic, t_next)
        # mid-swing: maximum of the shank's segment-frame angular velocity about z in swing
        grid = fc[:, None] + (t_next - fc)[:, None] * np.linspace(0.02, 0.98, 49)[None, :]
        wz = _leg_state(plan, side, grid.ravel())["shank_w"][2].reshape(grid.shape)
        j = np.clip(np.argmax(wz, axis=1), 1, grid.shape[1] - 2)
        rows = np.arange(grid.shape[0])
        ms = _illinois(
            lambda tt, sd=side: _leg_state(plan, sd, tt)["shank_a"][2],
            grid[rows, j - 1],
            grid[rows, j + 1],
        )
        steady = (t_ic >= g0 + r) & (t_next <= g1 - r)
        idx = np.arange(k.size)
        for name, tt in (("ic", t_ic), ("fc", fc), ("ms", ms)):
            ev_rows.append(
                pd.DataFrame(
                    {
                        "side": side,
                        "event": name,
                        "time_s": tt,
                        "stride_index": idx,
                        "steady": steady,
                    }
                )
            )
        st_rows.append(
            pd.DataFrame(
                {
                    "side": side,
                    "stride_id": idx,
                    "bout_id": 0,
                    "activity": plan.cfg.activity,
                    "ic_time_s": t_ic,
                    "fc_time_s": fc,
                    "next_ic_time_s": t_next,
                    "stride_time_s": t_next - t_ic,
                    "stance_time_s": fc - t_ic,
                    "swing_time_s": t_next - fc,
                    "stance_pct": 100.0 * (fc - t_ic) / (t_next - t_ic),
                    "valid": steady,
                    "reject_reason": np.where(steady, "", "transition"),
                    "ms_time_s": ms,
                }
            )
        )
    events = pd.concat(ev_rows, ignore_index=True)
    events = events.sort_values(["time_s", "side"], kind="stable").reset_index(drop=True)
    strides = pd.concat(st_rows, ignore_index=True)
    assert list(strides.columns[: len(STRIDE_COLUMNS)]) == list(STRIDE_COLUMNS)
    return events, strides


def _mounting(cfg: SimulationConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Sensor→segment rotation matrices of the four placements (always drawn in one order)."""
    from gaitkit.frames import REQUIRED_PLACEMENTS

    def rot(axis: np.ndarray, ang: float) -> np.ndarray:
        axis = axis / np.linalg.norm(axis)
        k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
        return np.eye(3) + np.sin(ang) * k + (1 - np.cos(ang)) * (k @ k)

    skin_beta = {
        "thigh_right": 0.0,
        "thigh_left": np.pi,
        "shank_right": 0.75 * np.pi,
        "shank_left": 0.25 * np.pi,
    }
    out = {}
    for p in REQUIRED_PLACEMENTS:
        u_mis, u_tilt, az = rng.uniform(-1, 1), rng.uniform(0, 1), rng.uniform(0, 2 * np.pi)
        nominal = (
            np.eye(3) if cfg.sensor_axes == "segment" else rot(np.array([0, 1.0, 0]), skin_beta[p])
        )
        flip = rot(np.array([0, 0, 1.0]), np.pi) if cfg.upside_down[p] else np.eye(3)
        mis = rot(np.array([0, 1.0, 0]), np.deg2rad(cfg.misalignment_deg) * u_mis)
        tilt = rot(np.array([np.cos(az), 0.0, np.sin(az)]), np.deg2rad(cfg.tilt_deg) * u_tilt)
        out[p] = tilt @ mis @ nominal @ flip
    return out


def _drop_mask(n: int, pct: float, rng: np.random.Generator) -> np.ndarray:
    """Rows to keep: bursts of 1-5 samples removed until ``pct`` % are gone."""
    keep = np.ones(n, dtype=bool)
    target = round(n * pct / 100.0)
    if target == 0:
        return keep
    n_bursts = max(1, target // 3 + 1)
    lost = 0
    while lost < target:
        starts = rng.integers(1, n - 6, size=n_bursts)
        lens = rng.integers(1, 6, size=n_bursts)
        for s0, ln in zip(starts, lens, strict=True):
            if lost >= target:
                break
            seg = keep[s0 : s0 + ln]
            lost += int(seg.sum())
            seg[:] = False
    return keep


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    if not mask.any():
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1, strict=True))


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Simulation:
    """A simulated recording with its exact ground truth.

    Attributes
    ----------
    recording
        Sensor-frame specific force (m/s², includes gravity) and angular velocity (rad/s), with
        noise, bias, clipping and dropped rows as configured. Annotations list gaps and clipping.
    events
        True gait events, one row per event: ``side``, ``event`` (``ic``, ``fc``, ``ms``),
        ``time_s``, ``stride_index`` (per side, from 0) and ``steady`` (False for strides that
        overlap the start/stop ramps). Every complete stride inside the gait bout is listed.
    strides
        True strides in the :data:`gaitkit.schema.STRIDE_COLUMNS` layout plus ``ms_time_s``;
        ``valid`` is ``steady``.
    angles
        Per-sample truth on ``recording.time_s`` (kept rows), long format: ``time_s``, ``side``
        and every :data:`gaitkit.schema.ANGLE_COLUMNS` column, degrees, anatomical signs.
    segment_orientation
        ``{placement: (n, 4)}`` quaternions segment→global on ``recording.time_s``.
    mounting
        ``{placement: (4,)}`` quaternion sensor→segment (``v_segment = q ⊗ v_sensor ⊗ q*``).
    gyr_bias_radps
        ``{placement: (3,)}`` constant gyroscope bias in the sensor frame (rad/s).
    gyr_bias_drift_radps
        ``{placement: (n, 3)}`` bias random-walk part (only when it is enabled).
    acc_bias_mps2
        ``{placement: (3,)}`` constant accelerometer bias in the sensor frame.
    sensor_position_m, sensor_velocity_mps
        ``{placement: (n, 3)}`` global position and velocity of each sensor site on
        ``recording.time_s`` (global frame: X forward, Y up, Z right; origin on the ground
        below the mid-hip point at the start).
    impacts
        One row per shank initial contact with a transient: ``side``, ``ic_time_s``,
        ``time_s`` (of the peak), ``peak_g`` (continuous-time peak of the noise-free axial
        specific force along the tibial long axis, gravity included), ``peak_sampled_g`` (same
        on the output grid), ``impact_g`` (amplitude of the added transient).
    bouts
        The gait bout (:data:`gaitkit.schema.BOUT_COLUMNS`).
    config
        The configuration used.
    """

    recording: Recording
    events: pd.DataFrame
    strides: pd.DataFrame
    angles: pd.DataFrame
    segment_orientation: Mapping[str, np.ndarray]
    mounting: Mapping[str, np.ndarray]
    gyr_bias_radps: Mapping[str, np.ndarray]
    impacts: pd.DataFrame
    bouts: pd.DataFrame
    config: SimulationConfig
    gyr_bias_drift_radps: Mapping[str, np.ndarray] = field(default_factory=dict)
    acc_bias_mps2: Mapping[str, np.ndarray] = field(default_factory=dict)
    sensor_position_m: Mapping[str, np.ndarray] = field(default_factory=dict)
    sensor_velocity_mps: Mapping[str, np.ndarray] = field(default_factory=dict)


def simulate_gait(config: SimulationConfig | None = None, **overrides: Any) -> Simulation:
    """Simulate shank and thigh IMUs of both legs walking or running, with exact ground truth.

    Parameters
    ----------
    config
        A :class:`SimulationConfig`; ``None`` uses the defaults.
    **overrides
        Fields of :class:`SimulationConfig` replacing those of ``config``.

    Returns
    -------
    Simulation
        The recording and its ground truth.

    Notes
    -----
    **Model.** The pelvis (mid-hip point) moves forward along global X at ``speed_mps`` with a
    step-frequency oscillation (forward velocity ±6 % walking/±5 % running of the speed, lowest
    at mid-stance; vertical ±2.2 cm walking, highest at mid-stance, ±4 cm running, lowest at
    mid-stance, capped so that its downward acceleration stays below 0.9 g — ±2.9 cm at
    171 steps/min; lateral ±2 cm walking/±1 cm running toward the stance leg) and does not
    rotate.
    Hip joint centres are ±0.09 m to the side; thigh and shank are 0.43 m. Each segment's
    orientation is the Cardan sequence ``R = Rz(θ)·Rx(σφ)·Ry(σψ)`` (segment→global, ISB
    segment axes, σ = +1 right, -1 left) with θ the sagittal, φ the frontal (adduction +) and
    ψ the axial (internal +) angle; so θ is exactly the inclination of the segment's long axis
    projected on the sagittal plane, φ its angle out of the sagittal plane, ψ the rotation
    about the long axis. Angles follow the normative curves of
    :mod:`gaitkit.simulate._curves`, time-warped stride by stride: a monotone C² phase through
    the initial contacts (integer phases, see ``_Phase``) gives each stride its own duration
    without jumps in angular velocity or acceleration. Each stride also has its own amplitude
    factor (``amplitude_cv_pct``). The walk starts and ends with a smooth ramp of two strides
    from quiet standing (all angles 0, legs vertical).

    **Contact and push-off transients.** The normative curves are 6 Hz-filtered marker data;
    real shank gyroscopes show a sharp minimum of the sagittal rate at foot strike and a
    pre-swing minimum close to toe-off. Sums of Gaussians in the shank sagittal *rate* are
    added around every IC (:func:`gaitkit.simulate._curves.contact_transient`) and every FC
    (:func:`gaitkit.simulate._curves.push_off_transient`), with zero net angle so the angle
    change is local; 20 % of the sagittal transient is added as internal rotation
    (``AXIAL_TRANSIENT_RATIO``). They are part of the orientation, so the gyroscope stays its
    exact derivative and the accelerometer stays consistent. With the defaults the noise-free
    shank rate (segment z) has its IC minimum 5-14 ms after the true IC walking 0.6-2.0 m/s
    (0.53-0.74 of the mid-swing peak, 70-88 ms wide at half depth) and 2-4 ms after it running
    2.5-5 m/s (1.0-1.2 of the peak, ~45 ms wide), and its pre-swing minimum 10-24 ms before
    the true FC walking and 5-9 ms before it running (figures and HuGaDB comparison in
    ``docs/simulator_realism.md``).

    **Sensors.** Gyroscope: ``ω = vee(Rᵀ Ṙ)`` in the segment frame, rotated into the sensor
    frame through the mounting. Accelerometer: specific force ``Rᵀ (p̈ - g)`` with
    ``g = (0, -9.80665, 0)``, ``p`` the sensor site (lateral mid-thigh; anteromedial tibia a
    third of the way down), rotated into the sensor frame. ``Ṙ``, ``R̈`` and ``p̈`` are exact
    (analytic chain rule). A heel-strike transient is a displacement of the shank sensor along
    the tibial axis, ``u(t) = D·x⁴·e^{4(1-x)}``, ``x = (t - t_IC)/τ`` (τ = 50 ms walking,
    35 ms running), so the accelerometer sees its exact second derivative — a positive axial
    spike 5-10 ms after contact and a rebound — while velocity and position return to the
    rigid-body values. Its amplitude (default 1.5 g·v/1.3 walking, 6 g·v/3.5 running, CV
    15 %) puts peak tibial acceleration of running at 5-12 g, the range reviewed by Sheerin
    et al. (2019, Gait Posture 67:12-24; e.g. Milner et al. 2006, Med Sci Sports Exerc
    38:323-328). The impact is sampled without an anti-alias filter.

    **Events.** IC at integer phase (exact), FC where the phase reaches the stance fraction
    (bisection to < 1 µs), MS at the maximum of the shank's angular velocity about its
    segment z axis (medio-lateral) during swing, found by bisection on the angular
    acceleration.

    **Defects** (each from its own random stream of ``seed``): white noise, constant gyroscope
    and accelerometer bias with random direction, optional bias random walk, clipping at the
    full-scale ranges, random mounting rotations, dropped rows. Truth tables stay on the kept
    rows, so ``angles`` and ``segment_orientation`` align with ``recording.time_s``.

    **Limits.** No pelvis rotation or tilt, no foot: the stance ankle is not pinned to the
    ground. Its forward travel from IC to FC (0.17 m walking at 1.3 m/s, 0.25 m running at
    3.5 m/s) is close to a real heel-to-toe rollover, but it is spread over the whole stance
    (0.24 m/s mean in mid-stance walking) instead of stopping while the foot is flat. Soft-
    tissue motion other than the impact is not modelled; the thigh has no impact transient.
    The contact transient rotates the shank about the knee, so it moves the ankle backward at
    contact (≈ -0.6 m/s walking at 1.3 m/s, ≈ -2.9 m/s running at 3.5 m/s) and gives the shank
    sensor an anterior acceleration spike at contact, where real tibial accelerometers show a
    posterior one (``docs/simulator_realism.md``).

    Examples
    --------
    >>> sim = simulate_gait(duration_s=20.0, seed=1)
    >>> sim.recording.placements
    ('shank_left', 'shank_right', 'thigh_left', 'thigh_right')
    """
    names = {f.name for f in dataclasses.fields(SimulationConfig)}
    bad = sorted(set(overrides) - names)
    if bad:
        raise ConfigError(
            f"SimulationConfig has no field {bad[0]!r}; fields: {', '.join(sorted(names))}"
        )
    if config is None:
        cfg = SimulationConfig(**overrides)
    elif not isinstance(config, SimulationConfig):
        raise ConfigError(f"config must be a SimulationConfig, got {type(config).__name__}")
    else:
        cfg = dataclasses.replace(config, **overrides) if overrides else config

    plan, kids = _make_plan(cfg)
    fs = cfg.sampling_rate_hz
    n = round(cfg.duration_s * fs)
    t_all = np.arange(n) / fs
    keep = _drop_mask(n, cfg.dropped_samples_pct, np.random.default_rng(kids[6]))
    t = t_all[keep]
    m = t.shape[0]

    sides = [s for s in _SIDES if any(placement_side(p) == s for p in cfg.placements)]
    truth_sides = list(_SIDES)
    f_seg = {p: np.empty((m, 3)) for p in cfg.placements}
    w_seg = {p: np.empty((m, 3)) for p in cfg.placements}
    quat = {p: np.empty((m, 4)) for p in cfg.placements}
    pos = {p: np.empty((m, 3)) for p in cfg.placements}
    vel = {p: np.empty((m, 3)) for p in cfg.placements}
    ang = {s: {c: np.empty(m) for c in ANGLE_COLUMNS} for s in truth_sides}
    for i0 in range(0, m, _CHUNK):
        sl = slice(i0, min(m, i0 + _CHUNK))
        tc = t[sl]
        for side in truth_sides:
            st = _leg_state(plan, side, tc)
            a = st["angles"]
            tab = ang[side]
            tab["thigh_sagittal_deg"][sl] = np.rad2deg(a["thigh_sagittal"][0])
            tab["thigh_frontal_deg"][sl] = np.rad2deg(a["thigh_frontal"][0])
            tab["shank_sagittal_deg"][sl] = np.rad2deg(a["shank_sagittal"][0])
            tab["shank_frontal_deg"][sl] = np.rad2deg(a["shank_frontal"][0])
            tab["shank_axial_deg"][sl] = np.rad2deg(a["shank_axial"][0])
            kf, ka, kr = _knee_jcs(st["thigh_R"], st["shank_R"], plan.legs[side].sign)
            tab["knee_flexion_deg"][sl] = kf
            tab["knee_adduction_deg"][sl] = ka
            tab["knee_rotation_deg"][sl] = kr
            if side not in sides:
                continue
            for seg in ("thigh", "shank"):
                p = f"{seg}_{side}"
                if p in f_seg:
                    f_seg[p][sl] = st[f"{seg}_f"].T
                    w_seg[p][sl] = st[f"{seg}_w"].T
                    quat[p][sl] = matrix_to_quat(np.moveaxis(st[f"{seg}_R"], -1, 0))
                    pos[p][sl] = st[f"{seg}_p"].T
                    vel[p][sl] = st[f"{seg}_v"].T

    events, strides = _events(plan)
    impacts = _impact_table(plan, t, f_seg)

    # sensors
    mount = _mounting(cfg, np.random.default_rng(kids[3]))
    rng_b = np.random.default_rng(kids[4])
    bias_draw = {
        p: (rng_b.standard_normal(3), rng_b.standard_normal(3))
        for p in ("shank_left", "shank_right", "thigh_left", "thigh_right")
    }
    noise_kids = kids[5].spawn(4)
    order = ("shank_left", "shank_right", "thigh_left", "thigh_right")
    acc_lim = cfg.acc_range_g * G0
    gyr_lim = np.deg2rad(cfg.gyr_range_dps)
    streams: dict[str, SensorStream] = {}
    gyr_bias: dict[str, np.ndarray] = {}
    acc_bias: dict[str, np.ndarray] = {}
    drift: dict[str, np.ndarray] = {}
    notes: list[Annotation] = []
    for p in cfg.placements:
        rm = mount[p]
        acc = f_seg[p] @ rm  # (R_mᵀ f)ᵀ = fᵀ R_m
        gyr = w_seg[p] @ rm
        gb, ab = bias_draw[p]
        gyr_bias[p] = cfg.gyr_bias_radps * gb / np.linalg.norm(gb)
        acc_bias[p] = cfg.acc_bias_mps2 * ab / np.linalg.norm(ab)
        rng_n = np.random.default_rng(noise_kids[order.index(p)])
        acc = acc + acc_bias[p] + cfg.acc_noise_mps2 * rng_n.standard_normal((m, 3))
        gyr = gyr + gyr_bias[p] + cfg.gyr_noise_radps * rng_n.standard_normal((m, 3))
        if cfg.gyr_bias_rw_radps_per_sqrt_s > 0:
            steps = rng_n.standard_normal((n, 3)) * (
                cfg.gyr_bias_rw_radps_per_sqrt_s * np.sqrt(1.0 / fs)
            )
            walk = np.cumsum(steps, axis=0)[keep]
            drift[p] = walk
            gyr = gyr + walk
        for name, arr, lim in (("acc", acc, acc_lim), ("gyr", gyr, gyr_lim)):
            clipped = np.abs(arr) >= lim
            np.clip(arr, -lim, lim, out=arr)
            for ax in range(3):
                for i_a, i_b in _runs(clipped[:, ax]):
                    notes.append(
                        Annotation(
                            "clipping",
                            float(t[i_a]),
                            float(t[i_b]),
                            p,
                            f"{name}_{'xyz'[ax]}",
                            f"{i_b - i_a + 1} samples at ±{lim:.4g}",
                        )
                    )
        streams[p] = SensorStream(acc, gyr)
    gaps = np.flatnonzero(np.diff(t) > 1.5 / fs)
    for i in gaps:
        miss = round((t[i + 1] - t[i]) * fs) - 1
        notes.append(
            Annotation("gap", float(t[i]), float(t[i + 1]), None, None, f"{miss} samples missing")
        )
    notes.sort(key=lambda a: (a.start_s, a.kind))
    meta = RecordingMeta(
        subject="simulated",
        session=f"seed{cfg.seed}",
        device="gaitkit simulator",
        source="simulator",
        notes=(
            f"simulated {cfg.activity} at {plan.speed:g} m/s, "
            f"{cfg.effective_cadence_spm:.1f} steps/min",
        ),
        extra={"simulation_config": cfg.to_dict()},
    )
    rec = Recording(t, fs, streams, meta, tuple(notes))

    angles = pd.concat(
        [pd.DataFrame({"time_s": t, "side": s, **ang[s]}) for s in truth_sides],
        ignore_index=True,
    )
    bouts = pd.DataFrame(
        {
            "bout_id": [0],
            "start_s": [plan.t_gait[0]],
            "end_s": [plan.t_gait[1]],
            "activity": [cfg.activity],
        },
        columns=list(BOUT_COLUMNS),
    )
    ro = MappingProxyType
    return Simulation(
        recording=rec,
        events=events,
        strides=strides,
        angles=angles,
        segment_orientation=ro(quat),
        mounting=ro({p: matrix_to_quat(mount[p]) for p in cfg.placements}),
        gyr_bias_radps=ro(gyr_bias),
        impacts=impacts,
        bouts=bouts,
        config=cfg,
        gyr_bias_drift_radps=ro(drift),
        acc_bias_mps2=ro(acc_bias),
        sensor_position_m=ro(pos),
        sensor_velocity_mps=ro(vel),
    )


def _impact_table(plan: _Plan, t: np.ndarray, f_seg: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Truth of the tibial impact peaks: continuous-time and on the output grid."""
    rows = []
    win = 0.6 * plan.impact_tau_s  # the positive lobe of the transient ends at 0.5 τ
    fine = np.linspace(0.0, win, 61)
    for side in _SIDES:
        leg = plan.legs[side]
        ic = leg.impact_ic
        if ic.size == 0:
            continue
        grid = ic[:, None] + fine[None, :]
        fy = _leg_state(plan, side, grid.ravel())["shank_f"][1].reshape(grid.shape)
        j = np.argmax(fy, axis=1)
        peak = fy[np.arange(ic.size), j] / G0
        sampled = np.full(ic.size, np.nan)
        p = f"shank_{side}"
        if p in f_seg:
            i0 = np.searchsorted(t, ic)
            i1 = np.searchsorted(t, ic + win)
            fys = f_seg[p][:, 1]
            for q in range(ic.size):
                if i1[q] > i0[q]:
                    sampled[q] = fys[i0[q] : i1[q]].max() / G0
        rows.append(
            pd.DataFrame(
                {
                    "side": side,
                    "ic_time_s": ic,
                    "time_s": grid[np.arange(ic.size), j],
                    "peak_g": peak,
                    "peak_sampled_g": sampled,
                    "impact_g": leg.impact_d_m * plan.impact_gpp_max / plan.impact_tau_s**2 / G0,
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            columns=["side", "ic_time_s", "time_s", "peak_g", "peak_sampled_g", "impact_g"]
        )
    return pd.concat(rows, ignore_index=True).sort_values("ic_time_s").reset_index(drop=True)
