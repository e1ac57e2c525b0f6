"""Kinematics on real HuGaDB walking (no angle truth: plausibility against normative ranges).

HuGaDB (Chereshnev & Kertész-Farkas 2017) has thigh and shank IMUs on both legs. Normative
sagittal ranges of motion in level walking (Winter 2009, Biomechanics and Motor Control of
Human Movement, 4th ed.; Perry & Burnfield 2010, Gait Analysis): knee flexion ~55–65°, thigh
(hip) ~40–45°, shank ~65–75°. Assert medians per leg within generous bands (assumed 58.8 Hz,
sensor noise, no optical reference) and that standing labels are used for calibration.
"""

import warnings

import numpy as np
import pytest

from gaitkit.kinematics import calibrate_segments, compute_angles, stride_features

FILES = [
    "HuGaDB_v1_walking_01_02.txt",
    "HuGaDB_v1_walking_08_01.txt",
    "HuGaDB_v1_various_08_05.txt",
]


@pytest.mark.parametrize("name", FILES)
def test_walking_ranges_of_motion_plausible(hugadb_dir, name):
    from gaitkit import io
    from gaitkit.errors import DataQualityWarning
    from gaitkit.events import detect_bouts, detect_gait_events, segment_strides

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # assumed rate, clipped feet
        rec = io.read_recording(hugadb_dir / name, sampling_rate_hz=58.8)
    rec = rec.select([p for p in rec.placements if p.split("_")[0] in ("thigh", "shank")])
    cal = calibrate_segments(rec)
    if "various" in name:  # labelled standing at the start
        assert all(c.method == "standing+walking" for c in cal.values())
    ang = compute_angles(rec, cal)
    bouts = detect_bouts(rec)
    strides = segment_strides(detect_gait_events(rec, bouts).events, bouts)
    f = stride_features(ang, strides)
    ann = rec.annotations
    walk = ann[ann.detail.str.startswith("activity=walking")]
    ic = strides.ic_time_s.to_numpy()
    in_walk = np.zeros(ic.size, bool)
    for a, b in zip(walk.start_s, walk.end_s, strict=True):  # labelled level walking only
        in_walk |= (ic >= a) & (strides.next_ic_time_s.to_numpy() <= b)
    ok = strides.valid.to_numpy() & in_walk
    for side in ("left", "right"):
        s = f[ok & (f.side == side).to_numpy()]
        assert len(s) >= 5, side
        assert 40 < np.median(s.knee_flexion_rom_deg) < 75, side
        assert 30 < np.median(s.thigh_rom_deg) < 60, side
        assert 55 < np.median(s.shank_rom_deg) < 90, side
