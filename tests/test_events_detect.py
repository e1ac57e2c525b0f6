"""Event and bout detection on hand-built signals (known answers) and bad inputs."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError, InputFormatError, InsufficientDataError, RecordingError
from gaitkit.events import (
    EVENT_OFFSETS_S,
    EVENT_TABLE_COLUMNS,
    detect_bouts,
    detect_gait_events,
    segment_strides,
)
from gaitkit.frames import axis_angle_to_quat, quat_to_matrix
from gaitkit.model import Annotation, Recording, SensorStream

G = 9.81


def gauss(t, c, s):
    return np.exp(-0.5 * ((t - c) / s) ** 2)


def shank_omega(t, stride_s, t0):
    """Gait-like sagittal angular velocity (rad/s): swing peak, IC and pre-swing troughs.

    Per stride starting at IC time k*T + t0: IC trough at 0, slow stance rotation, pre-swing
    trough at 0.60 T (final contact) and mid-swing peak at 0.80 T.
    """
    w = np.zeros_like(t)
    k0 = int(np.floor((t[0] - t0) / stride_s)) - 1
    k1 = int(np.ceil((t[-1] - t0) / stride_s)) + 1
    for k in range(k0, k1 + 1):
        s = t0 + k * stride_s
        w += -2.0 * gauss(t, s, 0.035)
        w += -0.8 * gauss(t, s + 0.3 * stride_s, 0.12 * stride_s)
        w += -2.5 * gauss(t, s + 0.60 * stride_s, 0.045)
        w += 5.0 * gauss(t, s + 0.80 * stride_s, 0.07)
    return w


def truth(stride_s, t0, n, kind):
    """Extremum times of the hand-built signal plus the documented walking offsets."""
    off = {"ic": 0.0, "fc": 0.60, "ms": 0.80}[kind]
    shift = EVENT_OFFSETS_S["walk"].get(kind, 0.0)
    return t0 + (np.arange(-2, n) + off) * stride_s + shift


def make_recording(fs, duration_s=30.0, stride_s=1.1, rotate=None, still=(0.0, 0.0)):
    t = np.arange(int(duration_s * fs)) / fs
    streams = {}
    for side, t0 in (("left", 0.2), ("right", 0.2 + stride_s / 2)):
        w = shank_omega(t, stride_s, t0)
        quiet = (t < still[0]) | (t >= duration_s - still[1])
        w = np.where(quiet, 0.0, w)
        gyr = np.zeros((t.size, 3))
        gyr[:, 2] = w  # ISB z: sagittal
        gyr[:, 0] = 0.3 * np.sin(2 * np.pi * t / stride_s)  # some frontal motion
        acc = np.tile([0.0, G, 0.0], (t.size, 1))
        if rotate is not None:
            r = rotate[side]
            gyr, acc = gyr @ r.T, acc @ r.T
        streams[f"shank_{side}"] = SensorStream(acc, gyr)
    return Recording(t, fs, streams)


@pytest.mark.parametrize("fs", [50.0, 100.0, 1000.0])
def test_known_answer_across_sampling_rates(fs):
    stride = 1.1
    rec = make_recording(fs, stride_s=stride)
    det = detect_gait_events(rec)
    ev = det.events
    assert tuple(ev.columns) == EVENT_TABLE_COLUMNS
    assert len(det.bouts) == 1 and det.bouts["activity"].iloc[0] == "walk"
    for side, t0 in (("left", 0.2), ("right", 0.2 + stride / 2)):
        for kind in ("ic", "fc", "ms"):
            got = np.sort(ev[(ev["side"] == side) & (ev["event"] == kind)]["time_s"].to_numpy())
            ref = truth(stride, t0, 40, kind)
            ref = ref[(ref > got.min() - 0.01) & (ref < got.max() + 0.01)]
            assert got.size == ref.size >= 22
            # extrema of the summed Gaussians sit within a few ms of their centres
            assert np.abs(got - ref).max() < 0.012, (side, kind, np.abs(got - ref).max())


def test_any_mounting_orientation_and_report():
    rng = np.random.default_rng(0)
    rot = {}
    for side in ("left", "right"):
        rot[side] = quat_to_matrix(axis_angle_to_quat(rng.normal(size=3), rng.uniform(1, 3)))
    base = detect_gait_events(make_recording(100.0)).events
    det = detect_gait_events(make_recording(100.0, rotate=rot))
    ev = det.events
    assert len(ev) == len(base)
    np.testing.assert_allclose(ev["time_s"].to_numpy(), base["time_s"].to_numpy(), atol=1e-6)
    axes = det.axes.set_index("placement")
    for side in ("left", "right"):
        a = axes.loc[f"shank_{side}", ["axis_x", "axis_y", "axis_z"]].to_numpy(float)
        np.testing.assert_allclose(a, rot[side] @ [0.0, 0.0, 1.0], atol=0.02)
        assert axes.loc[f"shank_{side}", "confidence"] > 0.5


def test_upside_down_sensor_gets_sign_flipped():
    flip = {"left": np.diag([1.0, -1.0, -1.0]), "right": np.eye(3)}
    det = detect_gait_events(make_recording(100.0, rotate=flip))
    axes = det.axes.set_index("placement")
    assert axes.loc["shank_left", "nearest_axis"] == "-z"
    assert axes.loc["shank_right", "nearest_axis"] == "+z"
    assert (det.events["event"] == "ms").sum() >= 50


def test_standing_gives_no_bouts_and_quiet_edges():
    rec = make_recording(100.0, duration_s=40.0, still=(8.0, 8.0))
    bouts = detect_bouts(rec)
    assert len(bouts) == 1
    assert 7.0 <= bouts["start_s"].iloc[0] <= 8.5
    assert 31.5 <= bouts["end_s"].iloc[0] <= 33.0
    t = np.arange(3000) / 100.0
    rng = np.random.default_rng(1)
    quiet = Recording(
        t,
        100.0,
        {
            "shank_left": SensorStream(
                np.tile([0, G, 0], (t.size, 1)) + rng.normal(0, 0.05, (t.size, 3)),
                rng.normal(0, 0.02, (t.size, 3)),
            )
        },
    )
    assert len(detect_bouts(quiet)) == 0
    det = detect_gait_events(quiet)
    assert len(det.events) == 0 and tuple(det.events.columns) == EVENT_TABLE_COLUMNS
    assert len(segment_strides(det.events, det.bouts)) == 0


def test_pedalling_like_sinusoid_is_not_gait():
    t = np.arange(6000) / 100.0
    w = 3.0 * np.sin(2 * np.pi * 1.2 * t)
    gyr = np.column_stack([0.1 * w, 0 * w, w])
    rec = Recording(t, 100.0, {"shank_left": SensorStream(np.tile([0, G, 0], (t.size, 1)), gyr)})
    assert len(detect_bouts(rec)) == 0


def test_gap_and_nan_runs_are_not_crossed():
    rec = make_recording(100.0, duration_s=40.0)
    keep = (rec.time_s < 15.0) | (rec.time_s >= 18.0)  # 3 s gap
    gyr = rec.streams["shank_left"].gyr_radps[keep].copy()
    t = rec.time_s[keep]
    nan_run = (t >= 26.0) & (t < 27.5)
    gyr[nan_run] = np.nan
    streams = {
        "shank_left": SensorStream(rec.streams["shank_left"].acc_mps2[keep], gyr),
        "shank_right": SensorStream(
            rec.streams["shank_right"].acc_mps2[keep], rec.streams["shank_right"].gyr_radps[keep]
        ),
    }
    gapped = Recording(t, 100.0, streams, annotation_rows=(Annotation("gap", 15.0, 18.0),))
    det = detect_gait_events(gapped)
    ev = det.events
    assert not ((ev["time_s"] > 15.0) & (ev["time_s"] < 18.0)).any()
    left = ev[ev["side"] == "left"]
    assert not ((left["time_s"] > 26.0) & (left["time_s"] < 27.5)).any()
    # no bout spans the gap
    b = det.bouts
    assert not ((b["start_s"] < 15.0) & (b["end_s"] > 18.0)).any()
    s = segment_strides(ev, det.bouts)
    v = s[s["valid"]]
    spans_gap = (v["ic_time_s"] < 15.0) & (v["next_ic_time_s"] > 18.0)
    spans_nan = (v["side"] == "left") & (v["ic_time_s"] < 26.0) & (v["next_ic_time_s"] > 27.5)
    assert not spans_gap.any() and not spans_nan.any()
    # strides elsewhere are intact: 40 s minus the cuts at 1.1 s/stride, minus bout edges
    assert len(v[v["side"] == "right"]) >= 20


def test_suspect_annotation_lowers_confidence_and_rejects():
    rec = make_recording(100.0)
    sus = rec.with_annotations([Annotation("suspect_gyro", 10.0, 20.0, "shank_left")])
    det = detect_gait_events(sus)
    ev = det.events
    inside = (ev["side"] == "left") & (ev["time_s"] > 10.5) & (ev["time_s"] < 19.5)
    assert ev.loc[inside, "quality_flags"].str.contains("suspect_gyro").all()
    assert (ev.loc[inside, "confidence"] < 0.3).all()
    assert (ev.loc[~inside & (ev["side"] == "right"), "confidence"] > 0.5).all()
    s = segment_strides(ev, det.bouts)
    mid = (s["side"] == "left") & (s["ic_time_s"] > 11.0) & (s["next_ic_time_s"] < 19.0)
    assert mid.sum() >= 6
    assert (s.loc[mid, "reject_reason"] == "suspect_gyro").all()


def test_clipped_mid_swing_uses_plateau_centre():
    rec = make_recording(100.0)
    g = rec.streams["shank_left"].gyr_radps.copy()
    g[:, 2] = np.minimum(g[:, 2], 4.0)  # saturate the swing peaks at 4 rad/s
    g[:, 2] = np.where(g[:, 2] >= 4.0, 4.0, g[:, 2])
    clipped = dataclasses.replace(
        rec,
        streams={
            "shank_left": SensorStream(rec.streams["shank_left"].acc_mps2, g),
            "shank_right": rec.streams["shank_right"],
        },
        annotation_rows=(Annotation("clipping", 0.0, 30.0, "shank_left", "gyr_z"),),
    )
    ev = detect_gait_events(clipped).events
    ms = ev[(ev["side"] == "left") & (ev["event"] == "ms")]
    ref = truth(1.1, 0.2, 40, "ms")
    got = ms["time_s"].to_numpy()
    err = got - ref[np.argmin(np.abs(got[:, None] - ref[None, :]), axis=1)]
    assert np.abs(err).max() < 0.012
    assert ms["quality_flags"].str.contains("gyro_clipped").all()


def test_bad_inputs_raise_named_errors():
    t = np.arange(500) / 100.0
    thigh = Recording(
        t, 100.0, {"thigh_left": SensorStream(np.zeros((500, 3)), np.zeros((500, 3)))}
    )
    with pytest.raises(
        InsufficientDataError, match=r"need a shank sensor .* the recording has thigh_left"
    ):
        detect_gait_events(thigh)
    with pytest.raises(RecordingError, match="expected a gaitkit Recording, got DataFrame"):
        detect_bouts(pd.DataFrame())
    rec = make_recording(100.0, duration_s=10.0)
    with pytest.raises(ConfigError, match="min_mid_swings must be an integer >= 2, got 1"):
        detect_bouts(rec, min_mid_swings=1)
    with pytest.raises(InputFormatError, match=r"bouts need columns .* missing 'activity'"):
        detect_gait_events(rec, pd.DataFrame({"bout_id": [0], "start_s": [0.0], "end_s": [5.0]}))
    bad = pd.DataFrame({"bout_id": [0], "start_s": [0.0], "end_s": [5.0], "activity": ["swim"]})
    with pytest.raises(
        InputFormatError, match="bouts row 0: activity must be 'walk' or 'run', got 'swim'"
    ):
        detect_gait_events(rec, bad)
    bad = pd.DataFrame({"bout_id": [0], "start_s": [5.0], "end_s": [1.0], "activity": ["walk"]})
    with pytest.raises(InputFormatError, match="bouts row 0: end_s must exceed start_s"):
        detect_gait_events(rec, bad)


def test_given_bouts_are_used():
    rec = make_recording(100.0)
    bouts = pd.DataFrame({"bout_id": [7], "start_s": [5.0], "end_s": [15.0], "activity": ["walk"]})
    ev = detect_gait_events(rec, bouts).events
    assert set(ev["bout_id"]) == {7}
    assert ev["time_s"].min() > 4.0 and ev["time_s"].max() < 16.0


def test_forced_activity_and_bad_activity():
    rec = make_recording(100.0)
    assert list(detect_bouts(rec, activity="run")["activity"]) == ["run"]
    assert list(detect_bouts(rec)["activity"]) == ["walk"]
    with pytest.raises(ConfigError, match="activity must be 'auto', 'walk' or 'run', got 'swim'"):
        detect_bouts(rec, activity="swim")
    with pytest.raises(ConfigError, match="running_method must be 'purcell' or 'gyro'"):
        detect_gait_events(rec, running_method="fft")


def test_nan_run_in_thigh_does_not_cut_shank_events():
    rec = make_recording(100.0, duration_s=40.0)
    sh = rec.streams["shank_left"]
    g = sh.gyr_radps.copy()
    g[1500:1700] = np.nan  # 2 s NaN run in the thigh only
    streams = dict(rec.streams)
    streams["thigh_left"] = SensorStream(sh.acc_mps2, g)
    det = detect_gait_events(dataclasses.replace(rec, streams=streams))
    base = detect_gait_events(rec)
    assert len(det.events) == len(base.events) and len(det.bouts) == 1
    axes = det.axes.set_index("placement")
    assert axes.loc["thigh_left", "confidence"] > 0.5


def test_car_ride_vibration_and_sitting_give_no_bouts():
    """Road vibration (8-20 Hz, up to ~1 rad/s) and slow sway of a seated passenger."""
    from scipy.signal import butter, sosfiltfilt

    fs = 100.0
    t = np.arange(int(120 * fs)) / fs
    rng = np.random.default_rng(5)
    sos = butter(4, [8.0, 20.0], btype="band", fs=fs, output="sos")
    vib = sosfiltfilt(sos, rng.normal(0, 1.5, (t.size, 3)), axis=0)
    sway = 0.3 * np.sin(2 * np.pi * 0.3 * t)[:, None] * np.array([0.2, 0.3, 1.0])
    gyr = vib + sway
    acc = np.tile([0.0, G, 0.0], (t.size, 1)) + 3 * vib
    assert np.abs(gyr).max() > 1.0  # raw peaks above the 50 °/s floor
    rec = Recording(
        t, fs, {"shank_left": SensorStream(acc, gyr), "shank_right": SensorStream(acc, -gyr)}
    )
    assert len(detect_bouts(rec)) == 0


def test_memo_does_not_keep_recordings_alive():
    import gc
    import weakref

    rec = make_recording(100.0, duration_s=15.0)
    ref = weakref.ref(rec)
    bouts = detect_bouts(rec)
    det = detect_gait_events(rec, bouts)  # reuses the memoised preparation
    assert len(det.events) > 0
    del rec
    gc.collect()
    assert ref() is None
