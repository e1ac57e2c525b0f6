"""Exactly known rotation trajectories for orientation tests (helpers, no tests here).

A trajectory is ``q(t) = Ry(ψ(t)) ⊗ Rz(α(t)) ⊗ Rx(β(t)) ⊗ q_mount`` (sensor → global) with
sinusoidal angles; the body angular rate follows analytically from the angle rates and the
specific force from an analytic linear acceleration plus gravity. Nothing is differentiated
numerically, so the only error of an estimator is its own.
"""

from __future__ import annotations

import numpy as np

from gaitkit.frames import axis_angle_to_quat, quat_conj, quat_mul, quat_rotate
from gaitkit.units import G0

EX, EY, EZ = np.eye(3)


def trajectory(
    duration_s: float = 60.0,
    fs: float = 100.0,
    *,
    stride_hz: float = 0.9,
    sag_amp_rad: float = 0.6,
    front_amp_rad: float = 0.08,
    yaw_rate_radps: float = 0.02,
    acc_amp_mps2: float = 6.0,
    q_mount: np.ndarray | None = None,
    rest_s: float = 0.0,
    seed: int = 0,
):
    """Return ``t, q_true (sensor→global), gyr (body, rad/s), acc (body, m/s²)``.

    Motion is gated off during the first and last ``rest_s`` seconds (smooth ramp), giving
    standing periods with exactly zero angular rate and linear acceleration.
    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * fs)
    t = np.arange(n) / fs
    w = 2 * np.pi * stride_hz
    ph = rng.uniform(0, 2 * np.pi, 4)
    # smooth gate g(t) in [0, 1], C1, with derivative dg
    ramp = 2.0
    if rest_s > 0:
        u = np.clip((t - rest_s) / ramp, 0, 1) * np.clip((duration_s - rest_s - t) / ramp, 0, 1)
        du = np.where((t > rest_s) & (t < rest_s + ramp), 1 / ramp, 0.0) - np.where(
            (t > duration_s - rest_s - ramp) & (t < duration_s - rest_s), 1 / ramp, 0.0
        )
        g = u * u * (3 - 2 * u)
        dg = 6 * u * (1 - u) * du
    else:
        g = np.ones(n)
        dg = np.zeros(n)
    # angles (radians) and exact rates
    a_s = sag_amp_rad * (np.sin(w * t + ph[0]) + 0.3 * np.sin(2 * w * t + ph[1]))
    da_s = sag_amp_rad * (w * np.cos(w * t + ph[0]) + 0.6 * w * np.cos(2 * w * t + ph[1]))
    alpha, dalpha = g * a_s, dg * a_s + g * da_s
    b_s = front_amp_rad * np.sin(w * t + ph[2])
    db_s = front_amp_rad * w * np.cos(w * t + ph[2])
    beta, dbeta = g * b_s, dg * b_s + g * db_s
    psi = 0.3 + yaw_rate_radps * t + 0.1 * g * np.sin(w * t + ph[3])
    dpsi = yaw_rate_radps + 0.1 * (dg * np.sin(w * t + ph[3]) + g * w * np.cos(w * t + ph[3]))
    if rest_s > 0:  # no yaw motion while resting
        psi = 0.3 + yaw_rate_radps * np.cumsum(g) / fs * 0 + 0.1 * g * np.sin(w * t + ph[3])
        dpsi = 0.1 * (dg * np.sin(w * t + ph[3]) + g * w * np.cos(w * t + ph[3]))
    q1 = axis_angle_to_quat(EY, psi)
    q2 = axis_angle_to_quat(EZ, alpha)
    q3 = axis_angle_to_quat(EX, beta)
    qm = np.array([1.0, 0, 0, 0]) if q_mount is None else np.asarray(q_mount, float)
    q_seg = quat_mul(quat_mul(q1, q2), q3)
    q = quat_mul(q_seg, qm)
    # body rate of the segment: R3^T R2^T ey psi' + R3^T ez alpha' + ex beta'
    w_seg = (
        quat_rotate(quat_conj(quat_mul(q2, q3)), EY * dpsi[:, None])
        + quat_rotate(quat_conj(q3), EZ * dalpha[:, None])
        + EX * dbeta[:, None]
    )
    gyr = quat_rotate(quat_conj(np.broadcast_to(qm, q.shape)), w_seg)
    # linear acceleration in global frame (zero-mean sinusoids, gated)
    a_lin = (
        acc_amp_mps2
        * g[:, None]
        * np.stack(
            [np.sin(2 * w * t + 1.0), 0.8 * np.sin(2 * w * t + 2.0), 0.3 * np.sin(w * t)], axis=-1
        )
    )
    f_glob = a_lin + np.array([0.0, G0, 0.0])
    acc = quat_rotate(quat_conj(q), f_glob)
    return t, q, gyr, acc


def angle_error_deg(q_est: np.ndarray, q_true: np.ndarray) -> np.ndarray:
    """Total rotation angle between two orientation series, degrees."""
    d = quat_mul(quat_conj(q_true), q_est)
    return np.degrees(2 * np.arccos(np.clip(np.abs(d[..., 0]), 0, 1)))


def inclination_error_deg(q_est: np.ndarray, q_true: np.ndarray) -> np.ndarray:
    """Angle between the true and estimated vertical in the sensor frame, degrees."""
    up = np.array([0.0, 1.0, 0.0])
    a = quat_rotate(quat_conj(q_est), up)
    b = quat_rotate(quat_conj(q_true), up)
    return np.degrees(np.arccos(np.clip(np.sum(a * b, axis=-1), -1, 1)))


def _chain(factors, n):
    """Product of axis rotations ``Π R(a_i, θ_i(t))`` and its exact body angular rate.

    ``factors``: list of ``(axis (3,), angle (n,), rate (n,))``. Returns ``q (n, 4)`` and
    ``ω_body (n, 3)`` with ``ω_body = Σ_i (R_{i+1} ⋯ R_k)ᵀ a_i θ̇_i``.
    """
    qs = [axis_angle_to_quat(np.broadcast_to(a, (n, 3)), th) for a, th, _ in factors]
    q = np.tile([1.0, 0, 0, 0], (n, 1))
    for qi in qs:
        q = quat_mul(q, qi)
    w = np.zeros((n, 3))
    tail = np.tile([1.0, 0, 0, 0], (n, 1))  # R_{i+1} ... R_k
    for (a, _, rate), qi in zip(factors[::-1], qs[::-1], strict=True):
        w += quat_rotate(quat_conj(tail), np.asarray(a) * rate[:, None])
        tail = quat_mul(qi, tail)
    return q, w


def gait_wave(t, f_hz, phase, amp, offset):
    """Asymmetric periodic wave with a slow fall (stance) and a fast rise (swing); value, rate.

    ``s(φ) = sin(φ + 0.5 sin φ)``: the argument speeds up around φ = 0, so the rise is quick.
    """
    ph = 2 * np.pi * f_hz * t + phase
    arg = ph + 0.5 * np.sin(ph)
    darg = 2 * np.pi * f_hz * (1 + 0.5 * np.cos(ph))
    return offset + amp * np.sin(arg), amp * np.cos(arg) * darg


def leg(
    duration_s=60.0,
    fs=100.0,
    *,
    side="right",
    f_hz=0.9,
    rest_s=5.0,
    mount_thigh=None,
    mount_shank=None,
    yaw_rate_radps=0.0,
    seed=0,
):
    """Thigh and shank on one leg with an exact knee joint (JCS angles known).

    Segment orientations (segment → global):
    ``q_thigh = Ry(ψ) Rz(θ) Rx(β_h) Ry(γ_h)`` and
    ``q_shank = q_thigh Rz(-κ) Rx(β_k) Ry(γ_k)`` so that knee flexion is ``κ``, knee
    adduction ``s·β_k`` and rotation ``s·γ_k`` exactly (``s`` the anatomical sign).
    Motion is gated off during ``rest_s`` at both ends (quiet standing, segments vertical).

    Returns a dict with ``t``, per segment ``q_seg``, ``q_sensor``, ``gyr``, ``acc`` and the true
    ``knee_flexion_deg``, ``knee_adduction_deg``, ``knee_rotation_deg``.
    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * fs)
    t = np.arange(n) / fs
    s = 1.0 if side == "right" else -1.0
    ramp = 2.0
    u = np.clip((t - rest_s) / ramp, 0, 1) * np.clip((duration_s - rest_s - t) / ramp, 0, 1)
    du = np.where((t > rest_s) & (t < rest_s + ramp), 1 / ramp, 0.0) - np.where(
        (t > duration_s - rest_s - ramp) & (t < duration_s - rest_s), 1 / ramp, 0.0
    )
    gate = u * u * (3 - 2 * u)
    dgate = 6 * u * (1 - u) * du

    def gated(v, dv):
        return gate * v, dgate * v + gate * dv

    r = np.radians
    shank = gated(*gait_wave(t, f_hz, 0.0, r(30), r(0)))
    knee = gated(*gait_wave(t, f_hz, -0.8, r(30), r(32)))
    th = (shank[0] + knee[0], shank[1] + knee[1])  # thigh sagittal = shank sagittal + knee flexion
    bh = gated(
        r(4) * np.sin(2 * np.pi * f_hz * t + 0.4),
        r(4) * 2 * np.pi * f_hz * np.cos(2 * np.pi * f_hz * t + 0.4),
    )
    gh = gated(
        r(5) * np.sin(2 * np.pi * f_hz * t + 1.0),
        r(5) * 2 * np.pi * f_hz * np.cos(2 * np.pi * f_hz * t + 1.0),
    )
    bk = gated(
        r(3) * np.sin(2 * np.pi * f_hz * t + 2.0),
        r(3) * 2 * np.pi * f_hz * np.cos(2 * np.pi * f_hz * t + 2.0),
    )
    gk = gated(
        r(6) * np.sin(2 * np.pi * f_hz * t - 0.5),
        r(6) * 2 * np.pi * f_hz * np.cos(2 * np.pi * f_hz * t - 0.5),
    )
    psi = 0.4 + yaw_rate_radps * t
    dpsi = np.full(n, yaw_rate_radps)
    factors_th = [
        (EY, psi, dpsi),
        (EZ, *th),
        (EX, s * bh[0], s * bh[1]),
        (EY, s * gh[0], s * gh[1]),
    ]
    q_th, w_th = _chain(factors_th, n)
    q_sh, w_sh = _chain(
        [
            *factors_th,
            (EZ, -knee[0], -knee[1]),
            (EX, s * bk[0], s * bk[1]),
            (EY, s * gk[0], s * gk[1]),
        ],
        n,
    )
    out = {
        "t": t,
        "knee_flexion_deg": np.degrees(knee[0]),
        "knee_adduction_deg": np.degrees(bk[0]),
        "knee_rotation_deg": np.degrees(gk[0]),
        "thigh_sagittal_deg": np.degrees(th[0]),
    }
    for seg, q_seg, w_seg, qm in (
        ("thigh", q_th, w_th, mount_thigh),
        ("shank", q_sh, w_sh, mount_shank),
    ):
        if qm is None:
            qm = axis_angle_to_quat(rng.normal(size=3), rng.uniform(0, np.pi))
        q_sensor = quat_mul(q_seg, qm)
        gyr = quat_rotate(quat_conj(np.broadcast_to(qm, (n, 4))), w_seg)
        amp = 3.0 if seg == "thigh" else 6.0
        a_lin = (
            amp
            * gate[:, None]
            * np.stack(
                [
                    np.sin(4 * np.pi * f_hz * t + 0.3),
                    0.7 * np.sin(4 * np.pi * f_hz * t + 1.9),
                    0.3 * np.sin(2 * np.pi * f_hz * t),
                ],
                axis=-1,
            )
        )
        acc = quat_rotate(quat_conj(q_sensor), a_lin + np.array([0.0, G0, 0.0]))
        out[seg] = {
            "q_seg": q_seg,
            "q_mount": np.asarray(qm),
            "q_sensor": q_sensor,
            "gyr": gyr,
            "acc": acc,
        }
    return out


def leg_recording(
    duration_s=60.0,
    fs=100.0,
    *,
    rest_s=5.0,
    segments=("thigh", "shank"),
    sides=("left", "right"),
    bias_dps=1.0,
    gyr_noise_radps=0.01,
    acc_noise_mps2=0.1,
    yaw_rate_radps=0.0,
    seed=0,
    mounts=None,
):
    """Recording of :func:`leg` on the given sides, with noise and a random constant bias.

    Returns ``(recording, truth)`` where ``truth[side]`` is the :func:`leg` output.
    """
    from gaitkit.model import Recording, SensorStream

    rng = np.random.default_rng(seed)
    streams, truth = {}, {}
    for i, side in enumerate(sides):
        m = {} if mounts is None else mounts.get(side, {})
        L = leg(
            duration_s,
            fs,
            side=side,
            rest_s=rest_s,
            yaw_rate_radps=yaw_rate_radps,
            seed=seed * 10 + i,
            mount_thigh=m.get("thigh"),
            mount_shank=m.get("shank"),
        )
        truth[side] = L
        for seg in segments:
            d = L[seg]
            gyr = d["gyr"] + np.radians(rng.uniform(-bias_dps, bias_dps, 3))
            gyr = gyr + rng.normal(0, gyr_noise_radps, gyr.shape)
            acc = d["acc"] + rng.normal(0, acc_noise_mps2, d["acc"].shape)
            streams[f"{seg}_{side}"] = SensorStream(acc, gyr)
    return Recording(L["t"], fs, streams), truth
