"""Segment and knee angles against an exact two-segment leg (known JCS angles)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _kinematics_truth import leg_recording

from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.kinematics import calibrate_segments, compute_angles
from gaitkit.schema import ANGLE_COLUMNS


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


@pytest.fixture(scope="module")
def both_legs():
    rec, truth = leg_recording(60, seed=11, yaw_rate_radps=0.02)
    cal = calibrate_segments(rec)
    return rec, truth, cal, compute_angles(rec, cal)


def test_table_layout(both_legs):
    rec, _, _, ang = both_legs
    assert list(ang.columns) == ["time_s", "side", *ANGLE_COLUMNS]
    assert list(ang["side"].unique()) == ["left", "right"]
    assert len(ang) == 2 * rec.n_samples
    np.testing.assert_array_equal(ang.loc[ang.side == "right", "time_s"], rec.time_s)


@pytest.mark.parametrize("side", ["left", "right"])
def test_knee_angles_match_truth_with_noise_bias_and_heading_drift(both_legs, side):
    _, truth, _, ang = both_legs
    a = ang[ang.side == side]
    L = truth[side]
    assert _rmse(a.knee_flexion_deg, L["knee_flexion_deg"]) < 0.5
    assert _rmse(a.knee_adduction_deg, L["knee_adduction_deg"]) < 1.5
    # rotation: mean defined by the functional axes, excursion must match
    e = a.knee_rotation_deg.to_numpy() - L["knee_rotation_deg"]
    assert np.sqrt(np.mean((e - e.mean()) ** 2)) < 0.7
    assert _rmse(a.thigh_sagittal_deg, L["thigh_sagittal_deg"]) < 0.5
    shank_sag = L["thigh_sagittal_deg"] - L["knee_flexion_deg"]
    assert _rmse(a.shank_sagittal_deg, shank_sag) < 0.5


def test_signs_are_anatomical_on_both_legs(both_legs):
    # the synthetic legs are mirror images with the same anatomical angles (knee adduction and
    # rotation signs are per-side in truth); flexion positive in swing on both
    _, truth, _, ang = both_legs
    for side in ("left", "right"):
        a = ang[ang.side == side]
        assert a.knee_flexion_deg.max() > 55
        c = np.corrcoef(a.knee_adduction_deg, truth[side]["knee_adduction_deg"])[0, 1]
        assert c > 0.9
        c = np.corrcoef(a.knee_rotation_deg, truth[side]["knee_rotation_deg"])[0, 1]
        assert c > 0.9


def test_standing_zero_posture(both_legs):
    _, _, _, ang = both_legs
    still = ang[ang.time_s < 4]
    for c in ("knee_flexion_deg", "thigh_sagittal_deg", "shank_sagittal_deg", "shank_frontal_deg"):
        assert still[c].abs().max() < 1.0, c


def test_shank_only_gives_shank_columns_only():
    rec, truth = leg_recording(40, seed=2, segments=("shank",), sides=("right",))
    ang = compute_angles(rec, calibrate_segments(rec))
    assert list(ang.columns) == [
        "time_s",
        "side",
        "shank_sagittal_deg",
        "shank_frontal_deg",
        "shank_axial_deg",
    ]
    assert set(ang.side) == {"right"}
    L = truth["right"]
    assert _rmse(ang.shank_sagittal_deg, L["thigh_sagittal_deg"] - L["knee_flexion_deg"]) < 0.5


def test_bad_inputs():
    rec, _ = leg_recording(40, seed=2, segments=("shank",), sides=("right",))
    cal = calibrate_segments(rec)
    with pytest.raises(InsufficientDataError, match="no calibrated sensor"):
        compute_angles(rec, {})
    with pytest.raises(ConfigError, match=r"calibrations\['shank_right'\] must be a Segment"):
        compute_angles(rec, {"shank_right": np.array([1.0, 0, 0, 0])})
    with pytest.raises(ConfigError, match="calibrations names 'thigh_left', not in the recording"):
        compute_angles(rec, {"thigh_left": cal["shank_right"]})
    with pytest.raises(ConfigError, match="heading_window_s must be > 0 s, got 0"):
        compute_angles(rec, cal, heading_window_s=0)
    with pytest.raises(ConfigError, match="orientations has no entry for calibrated placement"):
        compute_angles(rec, cal, orientations={})
