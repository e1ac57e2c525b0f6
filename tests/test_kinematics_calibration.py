"""Functional sensor-to-segment calibration against known mountings."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _kinematics_truth import angle_error_deg, leg_recording

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.frames import axis_angle_to_quat, quat_mul
from gaitkit.kinematics import calibrate_segments, detect_walking
from gaitkit.model import Recording, SensorStream


def _mount_err(cal, truth, placement):
    seg, side = placement.split("_")
    q_true = truth[side][seg]["q_mount"]
    return angle_error_deg(np.asarray(cal[placement].q_sensor_to_segment)[None], q_true[None])[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_mountings_recovered_both_legs(seed):
    # random mountings: any strap rotation, tilt, upside down (uniform random rotations)
    rec, truth = leg_recording(45, seed=seed)
    cal = calibrate_segments(rec)
    assert set(cal) == {"thigh_left", "thigh_right", "shank_left", "shank_right"}
    for p, c in cal.items():
        assert c.method == "standing+walking"
        assert _mount_err(cal, truth, p) < 2.0, p
        assert c.flexion_axis_variance_explained > 0.9
        assert c.sign_skewness > 0.5
        assert c.standing_s > 6.0
        assert c.walking_s > 25.0
        assert c.gravity_std_mps2 < 0.3
        assert c.to_dict()["placement"] == p


def test_upside_down_and_strap_rotations_explicit():
    ups = axis_angle_to_quat([1.0, 0, 0], np.pi)  # sensor upside down
    strap = axis_angle_to_quat([0, 1.0, 0], np.radians(30))  # 30° about the long axis
    tilt = axis_angle_to_quat([1.0, 0, 0], np.radians(10))
    mounts = {
        "left": {"thigh": quat_mul(strap, ups), "shank": quat_mul(tilt, strap)},
        "right": {"thigh": ups, "shank": quat_mul(quat_mul(strap, tilt), ups)},
    }
    rec, truth = leg_recording(45, seed=5, mounts=mounts)
    cal = calibrate_segments(rec)
    for p in cal:
        assert _mount_err(cal, truth, p) < 2.0, p


def test_walking_only_fallback_when_no_standing():
    rec, truth = leg_recording(45, rest_s=0.0, seed=3)
    cal = calibrate_segments(rec)
    for p, c in cal.items():
        assert c.method == "walking-only"
        assert c.standing_s == 0.0 and np.isnan(c.gravity_std_mps2)
        assert any("no standing period" in n for n in c.notes)
        # the mean segment inclination in gait becomes an offset of the calibration
        seg, side = p.split("_")
        sag = truth[side]["thigh_sagittal_deg"]
        if seg == "shank":
            sag = sag - truth[side]["knee_flexion_deg"]
        assert _mount_err(cal, truth, p) == pytest.approx(abs(sag.mean()), abs=2.0)


def test_given_periods_are_used():
    rec, truth = leg_recording(45, seed=4)
    cal = calibrate_segments(rec, standing=(0.5, 4.5), walking=[(8.0, 20.0), (22.0, 36.0)])
    for p, c in cal.items():
        assert c.standing_s == pytest.approx(4.0, abs=0.02)
        assert c.walking_s == pytest.approx(26.0, abs=0.02)
        assert _mount_err(cal, truth, p) < 2.0


def test_sitting_like_posture_rejected_for_standing():
    # the "standing" period given is during walking at a forward-inclined instant? Use a
    # recording whose thigh rest posture is horizontal (sitting): rotate the rest samples' gravity
    rec, _ = leg_recording(45, seed=6, sides=("right",), segments=("thigh",))
    s = rec.streams["thigh_right"]
    acc = s.acc_mps2.copy()
    # replace the first 5 s by a still sensor seeing gravity 90° away from its walking mean
    g_walk = acc[1000:3000].mean(axis=0)
    perp = np.cross(g_walk, [1.0, 0.0, 0.0])
    perp = 9.80665 * perp / np.linalg.norm(perp)
    acc[:500] = perp
    gyr = s.gyr_radps.copy()
    gyr[:500] = 0.0
    rec2 = Recording(rec.time_s, rec.sampling_rate_hz, {"thigh_right": SensorStream(acc, gyr)})
    cal = calibrate_segments(rec2)["thigh_right"]
    assert cal.method == "walking-only"
    assert any("not upright standing" in n for n in cal.notes)


def test_no_walking_raises_clear_error():
    t = np.arange(1000) / 100.0
    still = SensorStream(np.tile([0.0, 9.81, 0.0], (1000, 1)), np.zeros((1000, 3)))
    rec = Recording(t, 100.0, {"shank_left": still})
    with pytest.raises(
        InsufficientDataError,
        match=r"calibration of 'shank_left': needs at least 5 s of walking to find the flexion "
        r"axis, found 0.0 s \(none detected",
    ):
        calibrate_segments(rec)


def test_no_thigh_or_shank_raises():
    t = np.arange(1000) / 100.0
    still = SensorStream(np.tile([0.0, 9.81, 0.0], (1000, 1)), np.zeros((1000, 3)))
    rec = Recording(t, 100.0, {"pelvis": still})
    with pytest.raises(InsufficientDataError, match="no thigh or shank stream in the recording"):
        calibrate_segments(rec)
    with pytest.raises(ConfigError, match="placement 'pelvis' is not a thigh or shank stream"):
        calibrate_segments(rec, placements=["pelvis"])


@pytest.mark.parametrize(
    ("standing", "msg"),
    [
        ((5.0, 1.0), r"standing: expected \(start_s, end_s\) pairs with end_s > start_s"),
        (np.ones(7, bool), r"standing: a boolean mask must have shape \(4500,\), got \(7,\)"),
    ],
)
def test_bad_periods_raise(standing, msg):
    rec, _ = leg_recording(45, seed=0, sides=("left",), segments=("shank",))
    with pytest.raises(ConfigError, match=msg):
        calibrate_segments(rec, standing=standing)


def test_detect_walking_gate():
    rec, _ = leg_recording(40, seed=0, sides=("left",), segments=("shank",))
    w = detect_walking(rec.streams["shank_left"].gyr_radps, 100.0)
    t = rec.time_s
    assert w[(t > 9) & (t < 31)].all()
    assert not w[t < 4].any() and not w[t > 36].any()


def test_annotated_standing_used_when_rest_detection_fails():
    from gaitkit.model import Annotation

    # noisy gyroscopes (0.06 rad/s per axis) defeat the rest detector ...
    rec, truth = leg_recording(45, seed=8, gyr_noise_radps=0.06, sides=("left",))
    cal = calibrate_segments(rec)
    assert all(c.method == "walking-only" for c in cal.values())
    # ... but a labelled standing period (as HuGaDB's activity labels) is used
    rec2 = rec.with_annotations([Annotation("standing", 0.0, 4.5, detail="activity=standing")])
    cal2 = calibrate_segments(rec2)
    for p, c in cal2.items():
        assert c.method == "standing+walking"
        assert c.standing_s == pytest.approx(4.5, abs=0.02)
        assert "standing from the recording's annotations (4.5 s)" in c.notes
        assert _mount_err(cal2, truth, p) < 2.5


def test_hinge_axes_recovered_on_exact_hinge():
    from gaitkit.frames import quat_conj, quat_rotate
    from gaitkit.kinematics import estimate_hinge_axes

    rng = np.random.default_rng(0)
    n = 4000
    t = np.arange(n) / 100.0
    # thigh sensor rate: broadband; knee angle about j1 (thigh sensor frame) varies
    g1 = np.stack([np.sin(3 * t), 2 * np.cos(5.1 * t + 1), 0.7 * np.sin(1.3 * t)], -1)
    g1 = g1 + rng.normal(0, 0.3, (n, 3))
    j1 = np.array([0.3, -0.2, 0.93])
    j1 /= np.linalg.norm(j1)
    kappa = 0.8 * np.sin(2 * np.pi * 0.9 * t)
    dkappa = 0.8 * 2 * np.pi * 0.9 * np.cos(2 * np.pi * 0.9 * t)
    q_rel = axis_angle_to_quat(np.broadcast_to(j1, (n, 3)), kappa)  # shank body -> thigh body
    w_shank_in_thigh = g1 + j1 * dkappa[:, None]
    w_shank_body = quat_rotate(quat_conj(q_rel), w_shank_in_thigh)
    mount = axis_angle_to_quat([0.2, 1.0, 0.4], 2.1)  # shank sensor -> shank body
    g2 = quat_rotate(quat_conj(np.broadcast_to(mount, (n, 4))), w_shank_body)
    j2 = quat_rotate(quat_conj(mount), j1)  # the same axis in the shank sensor frame
    tilt = axis_angle_to_quat([1.0, 0, 0], np.radians(15))
    a1, a2, r0, r1 = estimate_hinge_axes(
        g1 + rng.normal(0, 0.01, g1.shape),
        g2 + rng.normal(0, 0.01, g2.shape),
        quat_rotate(tilt, j1),
        quat_rotate(tilt, j2),
    )
    assert np.degrees(np.arccos(a1 @ j1)) < 0.5
    assert np.degrees(np.arccos(a2 @ j2)) < 0.5
    assert r1 < 0.05 < r0


def test_refine_hinge_option_reports_axis_source_and_residual():
    rec, truth = leg_recording(45, seed=9, sides=("right",))
    cal = calibrate_segments(rec, refine_hinge=True)
    for p, c in cal.items():
        assert c.axis_source == "knee-hinge"
        assert np.isnan(c.crosstalk_correction_deg)  # hinge axes are left as found
        assert 0.0 < c.hinge_residual_radps < 0.5
        # the synthetic knee is not a pure hinge (±3° adduction, ±6° rotation): a few degrees
        assert _mount_err(cal, truth, p) < 6.0
    assert all(c.axis_source == "gyro-pca" for c in calibrate_segments(rec).values())


def test_crosstalk_correction_on_exact_leg_and_switch():
    # exact synthetic leg: the principal axis of the shank is 0.7° off about the tibia (its
    # frontal/axial motion is coupled to flexion); decorrelating frontal from sagittal angular
    # velocity brings it within 0.1° (measured 0.05°); the thigh follows its shank
    rec, truth = leg_recording(45, seed=1)
    cal = calibrate_segments(rec)
    cal0 = calibrate_segments(rec, crosstalk_segments=())
    for side in ("left", "right"):
        sh, th = f"shank_{side}", f"thigh_{side}"
        assert _mount_err(cal, truth, sh) < 0.3 < _mount_err(cal0, truth, sh)
        assert cal[th].crosstalk_correction_deg == cal[sh].crosstalk_correction_deg
        assert 0.2 < abs(cal[sh].crosstalk_correction_deg) < 2.0
        assert any(n.startswith("flexion axis rotated") for n in cal[sh].notes)
        assert any("as the same leg's shank" in n for n in cal[th].notes)
        assert cal[sh].to_dict()["crosstalk_correction_deg"] == cal[sh].crosstalk_correction_deg
    for c in cal0.values():
        assert np.isnan(c.crosstalk_correction_deg)
        assert not any("cross-talk" in n for n in c.notes)
        # the correction turns about y only: the orthogonality figure is unchanged
        assert c.axis_orthogonality_deg == pytest.approx(
            cal[c.placement].axis_orthogonality_deg, abs=1e-9
        )


def test_crosstalk_correction_reuses_given_orientations():
    from gaitkit.orientation import estimate_orientations

    rec, truth = leg_recording(45, seed=2, sides=("left",), segments=("shank",))
    ori = estimate_orientations(rec)
    a = calibrate_segments(rec, orientations=ori)["shank_left"]
    b = calibrate_segments(rec)["shank_left"]
    assert a.crosstalk_correction_deg == pytest.approx(b.crosstalk_correction_deg, abs=0.1)
    assert _mount_err({"shank_left": a}, truth, "shank_left") < 0.3


def test_thigh_alone_decorrelated_only_when_asked():
    rec, _ = leg_recording(45, seed=3, sides=("right",), segments=("thigh",))
    assert np.isnan(calibrate_segments(rec)["thigh_right"].crosstalk_correction_deg)
    c = calibrate_segments(rec, crosstalk_segments=("thigh",))["thigh_right"]
    assert np.isfinite(c.crosstalk_correction_deg)


def test_crosstalk_correction_skipped_without_long_walking_runs():
    rec, _ = leg_recording(45, seed=4, sides=("left",), segments=("shank",))
    short = [(10.0 + 2 * k, 11.5 + 2 * k) for k in range(8)]  # 8 runs of 1.5 s: 12 s in all
    c = calibrate_segments(rec, walking=short)["shank_left"]
    assert c.walking_s == pytest.approx(12.0, abs=0.05)
    assert np.isnan(c.crosstalk_correction_deg)
    assert (
        "cross-talk correction not applied: walking runs of 2 s or more total 0.0 s (< 5 s)"
        in c.notes
    )
