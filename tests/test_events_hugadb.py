"""Shank events on real HuGaDB recordings (no event truth: consistency checks).

HuGaDB (Chereshnev & Kertész-Farkas 2017): six IMUs incl. feet, activity label per sample.
Foot-gyro mid-swings (Sabatini et al. 2005) give an independent stride count per leg.
"""

import dataclasses
import warnings

import numpy as np
import pytest

from gaitkit.errors import DataQualityWarning
from gaitkit.events import detect_gait_events, segment_strides
from gaitkit.events._foot import foot_mid_swings
from gaitkit.frames import axis_angle_to_quat, quat_to_matrix
from gaitkit.model import SensorStream

FS_HZ = 58.8  # HuGaDB does not store its rate; ~58.8 Hz from the authors' totals (README)
WALKING = 1
STANDING = 8
CLEAN_WALKING = [
    "HuGaDB_v1_walking_01_00.txt",
    "HuGaDB_v1_walking_01_02.txt",
    "HuGaDB_v1_walking_08_01.txt",
    "HuGaDB_v1_various_01_08.txt",
    "HuGaDB_v1_various_08_05.txt",
]
RUNNING = ["HuGaDB_v1_running_08_00.txt", "HuGaDB_v1_running_08_01.txt"]
CORRUPTED = "HuGaDB_v1_walking_04_00.txt"

_cache: dict = {}


def load(hugadb_dir, name):
    """Recording (through gaitkit's reader), per-sample activity labels, events, strides."""
    if name not in _cache:
        from gaitkit import io
        path = hugadb_dir / name
        with warnings.catch_warnings():
            # clipping (and, for the corrupted file, suspect gyros) is reported by the reader
            # and tested in test_io_hugadb.py; here only the events are under test
            warnings.simplefilter("ignore", DataQualityWarning)
            rec = io.read_recording(path, sampling_rate_hz=FS_HZ)
        labels = np.loadtxt(path, skiprows=4, usecols=[-1], dtype=int)
        assert labels.size == rec.n_samples
        det = detect_gait_events(rec)
        strides = segment_strides(det.events, det.bouts)
        _cache[name] = (rec, labels, det, strides)
    return _cache[name]


def label_at(rec, labels, t):
    i = np.clip(np.searchsorted(rec.time_s, t), 0, rec.n_samples - 1)
    return labels[i]


@pytest.mark.parametrize("name", CLEAN_WALKING)
def test_shank_strides_match_foot_strides(hugadb_dir, name):
    rec, labels, det, _ = load(hugadb_dir, name)
    ev = det.events
    for side in ("left", "right"):
        shank = ev[(ev["side"] == side) & (ev["event"] == "ms")]["time_s"].to_numpy()
        foot = foot_mid_swings(rec, side)
        n_shank = int((label_at(rec, labels, shank) == WALKING).sum())
        n_foot = int((label_at(rec, labels, foot) == WALKING).sum())
        assert n_foot >= 20
        assert abs(n_shank - n_foot) <= 0.02 * n_foot, (side, n_shank, n_foot)


@pytest.mark.parametrize("name", CLEAN_WALKING)
def test_walking_bouts_legs_alternate_and_plausible(hugadb_dir, name):
    _rec, _labels, det, strides = load(hugadb_dir, name)
    assert set(det.bouts["activity"]) == {"walk"}
    ic = det.events[det.events["event"] == "ic"].sort_values("time_s")
    same = (ic["side"].to_numpy()[1:] == ic["side"].to_numpy()[:-1]).mean()
    assert same <= 0.02
    valid = strides[strides["valid"]]
    assert len(valid) >= 0.9 * len(strides)
    assert 0.7 <= valid["stride_time_s"].median() <= 1.3
    assert 52 <= valid["stance_pct"].median() <= 68
    # walking has double support, never flight
    assert valid["double_support_pct"].median() > 5
    assert float((_flight(valid) == 0).mean()) > 0.95


@pytest.mark.parametrize("name", ["HuGaDB_v1_various_01_08.txt", "HuGaDB_v1_various_08_05.txt"])
def test_no_strides_while_standing(hugadb_dir, name):
    rec, labels, det, strides = load(hugadb_dir, name)
    stand = labels == STANDING
    assert stand.sum() > 3 * FS_HZ
    # samples standing for more than 1 s on both sides of them
    k = int(FS_HZ)
    core = np.convolve(stand.astype(int), np.ones(2 * k + 1, int), mode="same") == 2 * k + 1
    ms = det.events[det.events["event"] == "ms"]["time_s"].to_numpy()
    assert not core[np.clip(np.searchsorted(rec.time_s, ms), 0, rec.n_samples - 1)].any()
    t0 = strides["ic_time_s"].to_numpy()
    t1 = strides["next_ic_time_s"].to_numpy()
    inside = core[np.searchsorted(rec.time_s, t0)] & core[np.searchsorted(rec.time_s, t1)]
    assert not inside.any()


@pytest.mark.parametrize("name", RUNNING)
def test_running_classified_with_flight(hugadb_dir, name):
    _rec, _labels, det, strides = load(hugadb_dir, name)
    assert set(det.bouts["activity"]) == {"run"}
    valid = strides[strides["valid"]]
    assert len(valid) >= 10
    assert valid["stance_pct"].median() < 45
    assert float(np.median(_flight(valid))) > 0.05


def test_corrupted_gyro_flagged_not_trusted(hugadb_dir):
    rec, _labels, det, strides = load(hugadb_dir, CORRUPTED)
    assert len(strides) > 100
    assert not strides["valid"].any()
    assert strides["reject_reason"].str.contains("suspect_gyro").all()
    assert (det.events["confidence"] < 0.3).all()
    # also flagged without the reader's annotation (implausible mid-swing speeds)
    bare = dataclasses.replace(rec, annotation_rows=())
    det2 = detect_gait_events(bare)
    assert det2.events["quality_flags"].str.contains("implausible_gyro").mean() > 0.9
    assert not segment_strides(det2.events, det2.bouts)["valid"].any()


def test_orientation_invariance(hugadb_dir):
    """Rotating every sensor arbitrarily (incl. upside down) leaves the events unchanged."""
    rec, _labels, det, _ = load(hugadb_dir, "HuGaDB_v1_walking_08_01.txt")
    rng = np.random.default_rng(3)
    streams, rots = {}, {}
    for p, s in rec.streams.items():
        axis = rng.normal(size=3)
        angle = rng.uniform(0.5, np.pi)
        r = quat_to_matrix(axis_angle_to_quat(axis, angle))
        rots[p] = r
        streams[p] = SensorStream(s.acc_mps2 @ r.T, s.gyr_radps @ r.T)
    rot = dataclasses.replace(rec, streams=streams)
    det2 = detect_gait_events(rot)
    a = det.events.sort_values(["side", "event", "time_s"]).reset_index(drop=True)
    b = det2.events.sort_values(["side", "event", "time_s"]).reset_index(drop=True)
    assert len(a) == len(b)
    assert (a[["side", "event"]] == b[["side", "event"]]).all().all()
    assert np.abs(a["time_s"] - b["time_s"]).max() < 1.0 / FS_HZ
    # the reported axes are the rotated ones
    for p in ("shank_left", "shank_right"):
        ax0 = det.axes.set_index("placement").loc[p, ["axis_x", "axis_y", "axis_z"]].to_numpy(float)
        ax1 = (
            det2.axes.set_index("placement").loc[p, ["axis_x", "axis_y", "axis_z"]].to_numpy(float)
        )
        np.testing.assert_allclose(rots[p] @ ax0, ax1, atol=1e-6)


def test_axes_report_hugadb(hugadb_dir):
    _rec, _labels, det, _ = load(hugadb_dir, "HuGaDB_v1_walking_01_00.txt")
    axes = det.axes.set_index("placement")
    # README: sagittal = gyro_y on every sensor, shin mid-swing peak negative in the file;
    # the reader negates HuGaDB gyroscopes (see read_hugadb), so the swing lobe is on +y
    for p in ("shank_left", "shank_right", "thigh_left", "thigh_right"):
        assert axes.loc[p, "nearest_axis"] == "+y"
        assert axes.loc[p, "explained_variance"] > 0.8
    assert (axes.loc[["shank_left", "shank_right"], "confidence"] > 0.5).all()


def _flight(strides):
    """Each stride's flight time (s), from the single definition in gaitkit.metrics."""
    from gaitkit.metrics import compute_temporal

    flight = compute_temporal(strides)["flight_time_s"].to_numpy()
    return flight[np.isfinite(flight)]  # undefined after a bout's last stride
