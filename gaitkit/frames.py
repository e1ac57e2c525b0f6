"""Body placements, coordinate frames and rotation helpers.

Conventions (one for the whole package)
---------------------------------------
*Sensor frame*: the axes printed on the IMU, as mounted. Raw streams in a
:class:`~gaitkit.model.Recording` are always in the sensor frame; their columns are named
``acc_x``, ``gyr_y``, ... with no frame suffix.

*Segment frame* (ISB, Wu et al. 2002, J Biomech 35:543-548; Wu & Cavanagh 1995): for the thigh
and the shank of **either** leg,

- ``x`` points anterior (forward),
- ``y`` points superior, along the segment's long axis (knee to hip on the thigh, ankle to knee
  on the shank),
- ``z`` points to the subject's right.

It is right-handed on both legs, so the same physical motion has opposite signs on left and
right for rotations about ``x`` and ``y``. Reported anatomical angles apply a per-side sign
(:func:`anatomical_sign`) so that, e.g., internal rotation and adduction are positive on both
legs. Flexion/extension is about ``z`` and needs no side sign: with ``z`` to the right, a
positive rotation about ``z`` tips ``y`` backward and ``x`` upward, i.e. the segment's distal
end moves forward (hip flexion for the thigh, forward shank inclination for the shank).

*Global frame*: ``X`` forward (direction of progression), ``Y`` up (against gravity), ``Z`` to
the right, used by the simulator and by orientation estimates after heading alignment.

Quaternions are ``(w, x, y, z)`` arrays, scalar first, Hamilton convention, and rotate vectors
from the body frame into the reference frame: ``v_ref = q ⊗ v_body ⊗ q*``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = [
    "PLACEMENTS",
    "REQUIRED_PLACEMENTS",
    "Side",
    "anatomical_sign",
    "axis_angle_to_quat",
    "matrix_to_quat",
    "placement_segment",
    "placement_side",
    "quat_conj",
    "quat_mul",
    "quat_normalize",
    "quat_rotate",
    "quat_to_matrix",
]

Side = Literal["left", "right"]

#: The placements gaitkit knows: thigh and shank of both legs, optionally feet and pelvis.
PLACEMENTS: tuple[str, ...] = (
    "shank_left",
    "shank_right",
    "thigh_left",
    "thigh_right",
    "foot_left",
    "foot_right",
    "pelvis",
)
#: Placements the analysis is built around (any non-empty subset may be present).
REQUIRED_PLACEMENTS: tuple[str, ...] = PLACEMENTS[:4]


def placement_side(placement: str) -> Side | None:
    """Return ``"left"``/``"right"`` for a lateral placement, ``None`` for the pelvis."""
    if placement.endswith("_left"):
        return "left"
    if placement.endswith("_right"):
        return "right"
    return None


def placement_segment(placement: str) -> str:
    """Return the segment of a placement: ``"shank"``, ``"thigh"``, ``"foot"`` or ``"pelvis"``."""
    return placement.split("_", 1)[0]


def anatomical_sign(side: Side, axis: Literal["x", "y", "z"]) -> float:
    """Sign that turns a rotation about a segment-frame axis into an anatomical angle.

    With the ISB frame (z to the right on both legs), rotations about ``x`` (ab/adduction,
    frontal plane) and ``y`` (internal/external, axial) are mirrored between legs. gaitkit
    reports them so that **adduction** and **internal rotation** are positive on both legs.
    A positive rotation about ``+y`` takes ``x`` (toes) toward ``-z`` (left): internal rotation
    on the right leg, external on the left. A positive rotation about ``+x`` moves the distal
    end toward ``-z``: adduction (toward the midline) on the right leg, abduction on the left.
    Hence the sign is ``+1`` on the right and ``-1`` on the left for ``x`` and ``y``.

    Parameters
    ----------
    side
        ``"left"`` or ``"right"``.
    axis
        Segment-frame axis of the rotation.

    Returns
    -------
    float
        ``+1.0`` or ``-1.0``.
    """
    if axis == "z":
        return 1.0
    return 1.0 if side == "right" else -1.0


def quat_normalize(q: np.ndarray) -> np.ndarray:
    """Normalise quaternions (``(..., 4)``) to unit length."""
    q = np.asarray(q, dtype=float)
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def quat_conj(q: np.ndarray) -> np.ndarray:
    """Conjugate (inverse of a unit quaternion), ``(..., 4)``."""
    q = np.asarray(q, dtype=float)
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_mul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product ``p ⊗ q`` of broadcastable ``(..., 4)`` arrays."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    pw, px, py, pz = np.moveaxis(p, -1, 0)
    qw, qx, qy, qz = np.moveaxis(q, -1, 0)
    return np.stack(
        [
            pw * qw - px * qx - py * qy - pz * qz,
            pw * qx + px * qw + py * qz - pz * qy,
            pw * qy - px * qz + py * qw + pz * qx,
            pw * qz + px * qy - py * qx + pz * qw,
        ],
        axis=-1,
    )


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors ``v`` (``(..., 3)``) by unit quaternions ``q`` (``(..., 4)``).

    Uses ``v' = v + 2w (u × v) + 2 u × (u × v)`` with ``q = (w, u)``, which avoids building
    quaternion products.
    """
    q = np.asarray(q, dtype=float)
    v = np.asarray(v, dtype=float)
    w = q[..., :1]
    u = q[..., 1:]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def axis_angle_to_quat(axis: np.ndarray, angle_rad: np.ndarray | float) -> np.ndarray:
    """Quaternion of a rotation by ``angle_rad`` about ``axis`` (normalised here)."""
    axis = np.asarray(axis, dtype=float)
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    half = 0.5 * np.asarray(angle_rad, dtype=float)[..., None]
    return np.concatenate([np.cos(half), np.sin(half) * axis], axis=-1)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` of unit quaternions ``(..., 4)``."""
    q = np.asarray(q, dtype=float)
    w, x, y, z = np.moveaxis(q, -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """Convert rotation matrices ``(..., 3, 3)`` to unit quaternions ``(..., 4)`` with ``w >= 0``.

    Shepperd's method (Shepperd 1978, J Guid Control 1:223-224): pick the largest of the four
    squared components to stay numerically stable for every rotation.
    """
    m = np.asarray(m, dtype=float)
    tr = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
    cand = np.stack(
        [1 + tr, 1 + 2 * m[..., 0, 0] - tr, 1 + 2 * m[..., 1, 1] - tr, 1 + 2 * m[..., 2, 2] - tr],
        axis=-1,
    )
    k = np.argmax(cand, axis=-1)
    s = 2.0 * np.sqrt(np.maximum(np.take_along_axis(cand, k[..., None], -1)[..., 0], 1e-300))
    m21_12 = m[..., 2, 1] - m[..., 1, 2]
    m02_20 = m[..., 0, 2] - m[..., 2, 0]
    m10_01 = m[..., 1, 0] - m[..., 0, 1]
    m01_10 = m[..., 0, 1] + m[..., 1, 0]
    m02p20 = m[..., 0, 2] + m[..., 2, 0]
    m12_21 = m[..., 1, 2] + m[..., 2, 1]
    q = np.where(
        (k == 0)[..., None],
        np.stack([s / 4, m21_12 / s, m02_20 / s, m10_01 / s], -1),
        np.where(
            (k == 1)[..., None],
            np.stack([m21_12 / s, s / 4, m01_10 / s, m02p20 / s], -1),
            np.where(
                (k == 2)[..., None],
                np.stack([m02_20 / s, m01_10 / s, s / 4, m12_21 / s], -1),
                np.stack([m10_01 / s, m02p20 / s, m12_21 / s, s / 4], -1),
            ),
        ),
    )
    q = np.where(q[..., :1] < 0, -q, q)
    return quat_normalize(q)
