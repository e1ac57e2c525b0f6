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
    a_lin = acc_amp_mps2 * g[:, None] * np.stack(
        [np.sin(2 * w * t + 1.0), 0.8 * np.sin(2 * w * t + 2.0), 0.3 * np.sin(w * t)], axis=-1
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
