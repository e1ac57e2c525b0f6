"""Rotation helpers and the anatomical sign convention."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gaitkit.frames import (
    anatomical_sign,
    axis_angle_to_quat,
    matrix_to_quat,
    placement_segment,
    placement_side,
    quat_conj,
    quat_mul,
    quat_rotate,
    quat_to_matrix,
)

unit_quats = (
    st.lists(st.floats(-1, 1, allow_nan=False), min_size=4, max_size=4)
    .filter(lambda v: np.linalg.norm(v) > 0.1)
    .map(lambda v: np.asarray(v) / np.linalg.norm(v))
)


@given(unit_quats)
@settings(max_examples=200, deadline=None)
def test_matrix_is_orthonormal_and_round_trips(q):
    m = quat_to_matrix(q)
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
    assert np.isclose(np.linalg.det(m), 1.0)
    q2 = matrix_to_quat(m)
    # q and -q are the same rotation
    assert min(np.abs(q2 - q).max(), np.abs(q2 + q).max()) < 1e-9


@given(unit_quats, st.lists(st.floats(-10, 10), min_size=3, max_size=3))
@settings(max_examples=200, deadline=None)
def test_rotate_matches_matrix_and_product(q, v):
    v = np.asarray(v)
    np.testing.assert_allclose(quat_rotate(q, v), quat_to_matrix(q) @ v, atol=1e-9)
    pure = np.concatenate([[0.0], v])
    via_product = quat_mul(quat_mul(q, pure), quat_conj(q))[1:]
    np.testing.assert_allclose(quat_rotate(q, v), via_product, atol=1e-9)


def test_axis_angle_known_rotation():
    # +90 deg about +y takes x (toes) to -z (left): internal rotation on the right leg.
    q = axis_angle_to_quat(np.array([0.0, 1.0, 0.0]), np.pi / 2)
    np.testing.assert_allclose(quat_rotate(q, np.array([1.0, 0, 0])), [0, 0, -1], atol=1e-12)
    assert anatomical_sign("right", "y") == 1.0
    assert anatomical_sign("left", "y") == -1.0
    # +90 deg about +x moves the distal end (-y) toward -z: adduction on the right leg.
    q = axis_angle_to_quat(np.array([1.0, 0.0, 0.0]), np.pi / 2)
    np.testing.assert_allclose(quat_rotate(q, np.array([0, -1.0, 0])), [0, 0, -1], atol=1e-12)
    assert anatomical_sign("right", "x") == 1.0
    assert anatomical_sign("left", "z") == anatomical_sign("right", "z") == 1.0


def test_vectorised_shapes():
    axes = np.random.default_rng(0).normal(size=(50, 3))
    q = axis_angle_to_quat(axes, np.linspace(0, 3, 50))
    assert q.shape == (50, 4)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0)
    assert quat_to_matrix(q).shape == (50, 3, 3)
    np.testing.assert_allclose(
        quat_to_matrix(matrix_to_quat(quat_to_matrix(q))), quat_to_matrix(q), atol=1e-12
    )


def test_placement_helpers():
    assert placement_side("shank_left") == "left"
    assert placement_side("thigh_right") == "right"
    assert placement_side("pelvis") is None
    assert placement_segment("thigh_right") == "thigh"
