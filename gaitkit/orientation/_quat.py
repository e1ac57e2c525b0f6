"""Vectorised quaternion helpers used by orientation and kinematics.

Conventions are those of :mod:`gaitkit.frames`: ``(w, x, y, z)``, Hamilton product, body→reference.
The basic products live in :mod:`gaitkit.frames`; here are the extras the orientation filter needs
(exponential map, prefix products, shortest-arc rotations, yaw rotations, Cardan angles).
"""

from __future__ import annotations

import numpy as np

from gaitkit.frames import quat_normalize

__all__ = [
    "cardan_zxy",
    "quat_cumprod",
    "quat_from_rotvec",
    "quat_shortest_arc",
    "quat_yaw",
]


def quat_from_rotvec(phi: np.ndarray) -> np.ndarray:
    """Quaternion ``exp(phi / 2)`` of rotation vectors ``phi`` (``(..., 3)``, radians).

    ``sin(θ/2)/θ`` is evaluated as ``sinc(θ/2π)/2`` so that a zero rotation is exact and there
    is no division by zero.
    """
    phi = np.asarray(phi, dtype=float)
    return np.moveaxis(rotvec_to_quat_cm(np.moveaxis(phi, -1, 0)), 0, -1)


def rotvec_to_quat_cm(phi: np.ndarray) -> np.ndarray:
    """Component-major :func:`quat_from_rotvec`: ``(3, ...)`` rotation vectors → ``(4, ...)``."""
    theta = np.sqrt(phi[0] * phi[0] + phi[1] * phi[1] + phi[2] * phi[2])
    # sin(θ/2)/θ = sinc(θ/2π)/2 with numpy's normalised sinc, exact (1/2) at θ = 0
    k = 0.5 * np.sinc(theta * (0.5 / np.pi))
    out = np.empty((4, *theta.shape), dtype=phi.dtype)
    np.cos(0.5 * theta, out=out[0])
    np.multiply(k, phi, out=out[1:])
    return out


def _mul_cm(p: np.ndarray, q: np.ndarray, out: np.ndarray) -> None:
    """``out = p ⊗ q`` for component-major ``(4, ...)`` arrays (contiguous components)."""
    pw, px, py, pz = p
    qw, qx, qy, qz = q
    np.multiply(pw, qw, out=out[0])
    out[0] -= px * qx
    out[0] -= py * qy
    out[0] -= pz * qz
    np.multiply(pw, qx, out=out[1])
    out[1] += px * qw
    out[1] += py * qz
    out[1] -= pz * qy
    np.multiply(pw, qy, out=out[2])
    out[2] -= px * qz
    out[2] += py * qw
    out[2] += pz * qx
    np.multiply(pw, qz, out=out[3])
    out[3] += px * qy
    out[3] -= py * qx
    out[3] += pz * qw


def _cumprod_cm(d: np.ndarray, block: int) -> np.ndarray:
    """Inclusive prefix product of component-major quaternions ``(4, n)``."""
    n = d.shape[1]
    if n <= block:
        out = np.empty_like(d)
        out[:, 0] = d[:, 0]
        for j in range(1, n):
            _mul_cm(out[:, j - 1 : j], d[:, j : j + 1], out[:, j : j + 1])
        return out
    nb = -(-n // block)
    pad = nb * block - n
    if pad:
        ident = np.zeros((4, pad), dtype=d.dtype)
        ident[0] = 1.0
        d = np.concatenate([d, ident], axis=1)
    # (4, block, nb): position j of every block is one contiguous (4, nb) slab
    d = np.ascontiguousarray(d.reshape(4, nb, block).transpose(0, 2, 1))
    p = np.empty_like(d)
    p[:, 0] = d[:, 0]
    for j in range(1, block):
        _mul_cm(p[:, j - 1], d[:, j], p[:, j])
    totals = _cumprod_cm(np.ascontiguousarray(p[:, block - 1]), block)
    excl = np.empty_like(totals)
    excl[:, 0] = (1.0, 0.0, 0.0, 0.0)
    excl[:, 1:] = totals[:, :-1]
    res = np.empty_like(p)
    _mul_cm(excl[:, None, :], p, res)
    return res.transpose(0, 2, 1).reshape(4, nb * block)[:, :n]


def quat_cumprod(dq: np.ndarray, block: int = 64) -> np.ndarray:
    """Inclusive prefix product ``Q_k = dq_0 ⊗ dq_1 ⊗ … ⊗ dq_k`` of ``(n, 4)`` quaternions.

    The quaternion product is associative but not commutative, so the prefix product is a scan.
    It is computed blockwise: the ``n`` factors are cut into blocks of ``block``; a sequential
    pass over the ``block`` positions runs on all blocks at once (``block`` Python steps, each a
    vector operation over ``n / block`` quaternions); the block totals are scanned recursively and
    finally multiplied onto each block. Work is ``O(n)``, Python steps ``O(block · log n)``.
    This is the classic two-level parallel scan (Blelloch 1990, "Prefix sums and their
    applications", CMU-CS-90-190) applied to the quaternion monoid.

    Parameters
    ----------
    dq
        ``(n, 4)`` unit quaternions.
    block
        Block length (a tuning knob; results are identical up to rounding).

    Returns
    -------
    numpy.ndarray
        ``(n, 4)`` prefix products, renormalised to unit length.
    """
    dq = np.asarray(dq, dtype=float)
    if dq.shape[0] == 0:
        return dq.copy()
    res = _cumprod_cm(np.ascontiguousarray(dq.T), block)
    res /= np.sqrt(np.einsum("ij,ij->j", res, res))
    return np.ascontiguousarray(res.T)


def quat_shortest_arc(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Quaternions of the smallest rotations taking unit vectors ``u`` onto ``v`` (``(..., 3)``).

    ``q = normalise(1 + u·v, u × v)``; undefined for exactly opposite vectors, where an arbitrary
    perpendicular axis is used.
    """
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    w = 1.0 + np.sum(u * v, axis=-1, keepdims=True)
    xyz = np.cross(u, v)
    q = np.concatenate([w, xyz], axis=-1)
    bad = w[..., 0] < 1e-12
    if np.any(bad):
        # opposite vectors: rotate by pi about any axis perpendicular to u
        ub = np.atleast_2d(u[bad])
        alt = np.where(np.abs(ub[:, :1]) < 0.9, [[1.0, 0, 0]], [[0, 1.0, 0]])
        ax = np.cross(ub, alt)
        ax /= np.linalg.norm(ax, axis=-1, keepdims=True)
        q[bad] = np.concatenate([np.zeros((ax.shape[0], 1)), ax], axis=-1)
    return quat_normalize(q)


def quat_yaw(psi_rad: np.ndarray) -> np.ndarray:
    """Quaternions of rotations by ``psi_rad`` about the global vertical ``Y``."""
    half = 0.5 * np.asarray(psi_rad, dtype=float)
    z = np.zeros_like(half)
    return np.stack([np.cos(half), z, np.sin(half), z], axis=-1)


def cardan_zxy(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cardan angles of ``R = Rz(a) · Rx(b) · Ry(c)`` (intrinsic z, then x', then y'').

    This is the sequence of the joint coordinate system of Grood & Suntay (1983, J Biomech Eng
    105:136-144) written with ISB axes (Wu et al. 2002, J Biomech 35:543-548): ``a`` about the
    proximal ``z`` (flexion axis), ``b`` about the floating axis, ``c`` about the distal long
    axis ``y``. From the matrix: ``b = asin(R[2,1])``, ``a = atan2(-R[0,1], R[1,1])``,
    ``c = atan2(-R[2,0], R[2,2])``; gimbal lock at ``|b| = 90°``, far from gait.

    Parameters
    ----------
    m
        ``(..., 3, 3)`` rotation matrices.

    Returns
    -------
    tuple of numpy.ndarray
        ``(a, b, c)`` in radians.
    """
    b = np.arcsin(np.clip(m[..., 2, 1], -1.0, 1.0))
    a = np.arctan2(-m[..., 0, 1], m[..., 1, 1])
    c = np.arctan2(-m[..., 2, 0], m[..., 2, 2])
    return a, b, c


# -- component-major kernels ------------------------------------------------------------------
# Hot paths keep quaternions as (4, n) arrays (each component contiguous) and vectors as (3, n):
# elementwise numpy on contiguous rows is several times faster than on the columns of (n, 4).


def qmul_cm(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product of component-major quaternions ``(4, ...)`` (broadcasting)."""
    pw, px, py, pz = p
    qw, qx, qy, qz = q
    shape = np.broadcast_shapes(pw.shape, qw.shape)
    out = np.empty((4, *shape), dtype=np.result_type(pw, qw))
    _mul_cm((pw, px, py, pz), (qw, qx, qy, qz), out)
    return out


def qconj_cm(q: np.ndarray) -> np.ndarray:
    """Conjugate of component-major quaternions ``(4, ...)``."""
    out = -q
    out[0] = q[0]
    return out


def qrotate_cm(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate component-major vectors ``(3, n)`` by quaternions ``(4, n)``: ``q ⊗ v ⊗ q*``.

    ``v' = v + 2w (u × v) + 2 u × (u × v)``, written out per component.
    """
    w, x, y, z = q
    vx, vy, vz = v
    tx = 2.0 * (y * vz - z * vy)
    ty = 2.0 * (z * vx - x * vz)
    tz = 2.0 * (x * vy - y * vx)
    out = np.empty((3, *tx.shape), dtype=np.result_type(w, vx))
    out[0] = vx + w * tx + (y * tz - z * ty)
    out[1] = vy + w * ty + (z * tx - x * tz)
    out[2] = vz + w * tz + (x * ty - y * tx)
    return out
