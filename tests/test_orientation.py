"""Orientation estimation against exactly known rotation trajectories."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from _kinematics_truth import inclination_error_deg, trajectory

from gaitkit.errors import ConfigError, RecordingError
from gaitkit.frames import axis_angle_to_quat, quat_mul, quat_rotate
from gaitkit.model import Recording, SensorStream
from gaitkit.orientation import (
    cardan_zxy,
    detect_rest,
    estimate_orientation,
    estimate_orientations,
    quat_cumprod,
    quat_from_rotvec,
    quat_shortest_arc,
)

FS = 100.0


def _sequential(dq):
    out = np.empty_like(dq)
    out[0] = dq[0]
    for k in range(1, len(dq)):
        out[k] = quat_mul(out[k - 1], dq[k])
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 700), block=st.integers(2, 70), seed=st.integers(0, 2**16))
def test_cumprod_equals_sequential_product(n, block, seed):
    rng = np.random.default_rng(seed)
    dq = quat_from_rotvec(rng.normal(0, 0.5, (n, 3)))
    np.testing.assert_allclose(quat_cumprod(dq, block), _sequential(dq), atol=1e-12)


def test_rotvec_exponential_known_answers():
    np.testing.assert_array_equal(quat_from_rotvec(np.zeros((1, 3))), [[1.0, 0, 0, 0]])
    q = quat_from_rotvec(np.array([[0.0, 0.0, np.pi / 2]]))
    np.testing.assert_allclose(q, axis_angle_to_quat([0, 0, 1.0], np.pi / 2)[None], atol=1e-15)
    np.testing.assert_allclose(quat_rotate(q, [1.0, 0, 0]), [[0, 1.0, 0]], atol=1e-15)


def test_shortest_arc_maps_vectors_including_opposite():
    u = np.array([[1.0, 0, 0], [0, -1.0, 0], [0.6, 0.8, 0]])
    v = np.array([[0.0, 1, 0], [0, 1.0, 0], [0, 1.0, 0]])
    q = quat_shortest_arc(u, v)
    np.testing.assert_allclose(quat_rotate(q, u), v, atol=1e-12)


def test_cardan_zxy_inverts_composition():
    a, b, c = 0.7, -0.2, 0.35
    q = quat_mul(
        quat_mul(axis_angle_to_quat([0, 0, 1.0], a), axis_angle_to_quat([1.0, 0, 0], b)),
        axis_angle_to_quat([0, 1.0, 0], c),
    )
    from gaitkit.frames import quat_to_matrix

    np.testing.assert_allclose(cardan_zxy(quat_to_matrix(q)), (a, b, c), atol=1e-12)


def test_exact_signals_give_exact_inclination():
    qm = axis_angle_to_quat([0.3, 1.0, -0.5], 2.0)
    t, q, gyr, acc = trajectory(60, FS, q_mount=qm, rest_s=8)
    est = estimate_orientation(acc, gyr, FS, t)
    err = inclination_error_deg(est.quat, q)
    assert err.mean() < 0.03
    assert err.max() < 0.1
    np.testing.assert_allclose(np.linalg.norm(est.quat, axis=1), 1.0, atol=1e-6)  # float32


def test_noise_and_bias_bias_recovered_inclination_within_tenths():
    t, q, gyr, acc = trajectory(120, FS, rest_s=10, seed=4)
    rng = np.random.default_rng(7)
    bias = np.radians([1.5, -0.8, 0.6])
    est = estimate_orientation(
        acc + rng.normal(0, 0.1, acc.shape), gyr + bias + rng.normal(0, 0.01, gyr.shape), FS, t
    )
    assert np.abs(np.degrees(est.gyr_bias_radps - bias)).max() < 0.05
    err = inclination_error_deg(est.quat, q)
    assert err.mean() < 0.1
    assert np.percentile(err, 99) < 0.4
    assert est.notes == ()


def test_relative_rotation_over_a_stride_matches_truth_despite_heading_drift():
    # heading is unobservable, but rotation between two samples 1 s apart must be right
    t, q, gyr, acc = trajectory(60, FS, rest_s=5, seed=2, yaw_rate_radps=0.05)
    est = estimate_orientation(acc, gyr + np.radians([0, 0.3, 0]), FS, t).quat
    from gaitkit.frames import quat_conj

    k = np.arange(1000, 5000, 50)
    d_true = quat_mul(quat_conj(q[k]), q[k + 100])
    d_est = quat_mul(quat_conj(est[k]), est[k + 100])
    ang = 2 * np.degrees(np.arccos(np.clip(np.abs(np.sum(d_true * d_est, axis=1)), 0, 1)))
    assert ang.max() < 0.5


def test_no_rest_bias_zero_with_note_and_inclination_still_corrected():
    t, q, gyr, acc = trajectory(60, FS, rest_s=0, seed=3)
    est = estimate_orientation(acc, gyr + np.radians([1.0, 1.0, -1.0]), FS, t)
    assert est.notes == ("no rest period found: gyroscope bias assumed zero",)
    assert not est.rest.any()
    err = inclination_error_deg(est.quat, q)
    assert np.median(err) < 1.0


def test_drifting_bias_tracked_between_rests_no_inclination_drift():
    # 10 min, standing at both ends, bias drifting linearly by 1 °/s over the recording
    t, q, gyr, acc = trajectory(600, FS, rest_s=10, seed=5)
    bias = np.radians(np.stack([0.5 + t / 600, -0.5 + 0 * t, 0.2 - 0.5 * t / 600], -1))
    est = estimate_orientation(acc, gyr + bias, FS, t)
    inside = (t > 5) & (t < 595)  # between the rest centres: interpolated, not held
    assert np.degrees(np.abs(est.gyr_bias_radps - bias))[inside].max() < 0.02
    err = inclination_error_deg(est.quat, q)
    moving = (t > 15) & (t < 585)
    first, last = err[moving][:10000].mean(), err[moving][-10000:].mean()
    assert max(first, last) < 0.1
    assert abs(last - first) < 0.05  # no growth over 10 min


def test_gap_splits_and_both_sides_are_right():
    t, q, gyr, acc = trajectory(60, FS, rest_s=6, seed=6)
    keep = (t < 25) | (t >= 27)
    est = estimate_orientation(acc[keep], gyr[keep], FS, t[keep])
    err = inclination_error_deg(est.quat, q[keep])
    tk = t[keep]
    edge = (tk > 21) & (tk < 31)  # stretch ends in motion: only half a gravity window there
    assert err[~edge].max() < 0.15
    assert err[edge].max() < 1.5


def test_short_gaps_bridged_like_ble_packet_loss():
    t, q, gyr, acc = trajectory(60, FS, rest_s=6, seed=8)
    rng = np.random.default_rng(3)
    keep = np.ones(t.size, bool)
    for start in rng.choice(t.size - 10, 60, replace=False):  # 60 bursts of 1-5 samples
        keep[start : start + rng.integers(1, 6)] = False
    est = estimate_orientation(acc[keep], gyr[keep], FS, t[keep])
    err = inclination_error_deg(est.quat, q[keep])
    # each bridged gap adds the error of a linear rate interpolation (≈0.5° peak here, with
    # fast synthetic motion); the gravity correction keeps it from accumulating
    assert err.max() < 1.0
    assert np.median(err) < 0.3
    with pytest.raises(ConfigError, match="max_gap_s must be > 0 s, got 0"):
        estimate_orientation(acc, gyr, FS, t, max_gap_s=0)


def test_detect_rest_finds_standing_at_both_ends():
    _, _, gyr, acc = trajectory(40, FS, rest_s=5, seed=1)
    rng = np.random.default_rng(0)
    rest = detect_rest(acc + rng.normal(0, 0.05, acc.shape), gyr + 0.02, FS)
    assert rest[50:450].all() and rest[-450:-50].all()
    assert not rest[1000:3000].any()


def test_estimate_orientations_on_recording():
    t, q, gyr, acc = trajectory(30, FS, rest_s=4)
    rec = Recording(t, FS, {"shank_left": SensorStream(acc, gyr)})
    est = estimate_orientations(rec)
    assert set(est) == {"shank_left"}
    assert inclination_error_deg(est["shank_left"].quat, q).max() < 0.2
    with pytest.raises(RecordingError, match="placement 'thigh_left' not in the recording"):
        estimate_orientations(rec, ("thigh_left",))


@pytest.mark.parametrize(
    ("kwargs", "exc", "msg"),
    [
        ({"acc_mps2": np.zeros((10, 2))}, RecordingError, r"must both have shape \(n, 3\)"),
        (
            {"sampling_rate_hz": 0.0},
            ConfigError,
            "sampling_rate_hz must be finite and > 0, got 0.0",
        ),
        ({"gravity_window_s": -1.0}, ConfigError, "gravity_window_s must be > 0 s, got -1.0"),
        ({"time_s": np.arange(5.0)}, RecordingError, r"time_s must have shape \(10,\), got \(5,\)"),
        ({"rest": np.ones(3, bool)}, RecordingError, r"rest mask must have shape \(10,\)"),
    ],
)
def test_bad_input_errors(kwargs, exc, msg):
    args = {
        "acc_mps2": np.tile([0, 9.81, 0.0], (10, 1)),
        "gyr_radps": np.zeros((10, 3)),
        "sampling_rate_hz": FS,
    }
    args.update(kwargs)
    with pytest.raises(exc, match=msg):
        estimate_orientation(**args)


def test_nan_input_error():
    acc = np.tile([0, 9.81, 0.0], (10, 1))
    acc[3, 1] = np.nan
    with pytest.raises(RecordingError, match="must be finite"):
        estimate_orientation(acc, np.zeros((10, 3)), FS)
