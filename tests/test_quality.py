"""Data-quality detectors on hand-built signals with known defects."""

from __future__ import annotations

import numpy as np
import pytest

from gaitkit.model import Recording, RecordingMeta, SensorStream
from gaitkit.quality import (
    GYRO_SUSTAINED_LIMIT_RADPS,
    assess_quality,
    detect_clipping,
    detect_gaps,
    detect_nan_runs,
    detect_suspect_gyro,
    find_runs,
)
from gaitkit.units import G0

FS = 100.0


def walking_gyro(n: int = 3000, seed: int = 0) -> np.ndarray:
    """Shank-like angular velocity: 1 Hz strides, sagittal swing peaks about 5 rad/s."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FS
    phase = 2 * np.pi * t
    gz = -5.0 * np.clip(np.sin(phase), 0, None) ** 3 + 1.5 * np.sin(2 * phase)
    return np.column_stack([0.4 * np.sin(phase), 0.6 * np.cos(phase), gz]) + rng.normal(
        0, 0.02, (n, 3))


def test_find_runs():
    s, e = find_runs(np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool))
    assert s.tolist() == [0, 4, 6] and e.tolist() == [2, 5, 9]
    s, e = find_runs(np.zeros(0, dtype=bool))
    assert s.size == 0 and e.size == 0


def test_detect_gaps_counts_missing_samples():
    t = np.concatenate([np.arange(100), np.arange(112, 200), np.arange(203, 300)]) / FS
    gaps = detect_gaps(t, FS)
    assert [(g.start_s, g.end_s) for g in gaps] == [(1.0, 1.12), (pytest.approx(2.0), 2.03)]
    assert [g.detail.split(" ")[0] for g in gaps] == ["12", "3"]
    # jitter below 1.5 periods is not a gap
    tj = np.arange(300) / FS + np.random.default_rng(0).uniform(-0.002, 0.002, 300)
    assert detect_gaps(np.sort(tj), FS) == ()


def test_detect_nan_runs():
    x = np.ones(50)
    x[[3, 4, 5, 20, 49]] = np.nan
    t = np.arange(50) / FS
    rows = detect_nan_runs(t, x, FS, placement="shank_left", channel="gyr_x")
    assert [(r.start_s, r.end_s, r.detail) for r in rows] == [
        (0.03, pytest.approx(0.06), "3 samples NaN"),
        (0.2, pytest.approx(0.21), "1 samples NaN"),
        (0.49, pytest.approx(0.50), "1 samples NaN"),
    ]
    assert all(r.kind == "nan_run" and r.channel == "gyr_x" for r in rows)


def test_clipping_with_known_full_scale():
    t = np.arange(1000) / FS
    x = 3.0 * G0 * np.sin(2 * np.pi * t)  # ±3 g signal through a ±2 g sensor
    clipped = np.clip(x, -2 * G0, 2 * G0)
    rows, frac = detect_clipping(t, clipped, FS, full_scale=2 * G0, placement="shank_left",
                                 channel="acc_y")
    expected = np.mean(np.abs(x) >= 0.999 * 2 * G0)
    assert frac == pytest.approx(expected)
    assert 0.45 < frac < 0.55  # arcsin(2/3): 46 % of a sine beyond 2/3 of its amplitude
    # runs are 0.5 s apart (< 1 s): merged into one span
    assert len(rows) == 1 and rows[0].start_s == pytest.approx(0.12, abs=0.011)
    rows, frac = detect_clipping(t, x / 2, FS, full_scale=2 * G0)
    assert rows == () and frac == 0.0


def test_clipping_plateau_without_full_scale():
    t = np.arange(1000) / FS
    x = 30.0 * np.sin(2 * np.pi * 0.2 * t)
    x = np.minimum(x, 25.0)  # saturates at +25 m/s²
    rows, frac = detect_clipping(t, x, FS, quantity="acc")
    assert frac == pytest.approx(np.mean(x == 25.0)) and frac > 0.1
    assert all("plateau" in r.detail for r in rows)
    # a natural signal reaches its maximum once: no clipping
    rows, frac = detect_clipping(t, 30.0 * np.sin(2 * np.pi * 0.2 * t + 0.1), FS, quantity="acc")
    assert frac == 0.0
    # quantised signal at rest repeating its extreme near 1 g: below the 1.5 g plateau threshold
    rest = np.round(np.random.default_rng(1).normal(G0, 0.02, 1000), 2)
    assert detect_clipping(t, rest, FS, quantity="acc")[1] == 0.0
    # constant channel is not "clipping"
    assert detect_clipping(t, np.full(1000, 30.0), FS, quantity="acc")[1] == 0.0


def test_suspect_gyro_healthy_walking_not_flagged():
    g = walking_gyro()
    t = np.arange(g.shape[0]) / FS
    rows, stats = detect_suspect_gyro(t, g, FS, full_scale_radps=np.deg2rad(2000))
    assert rows == ()
    assert stats["rail_fraction"] == 0.0
    assert stats["max_window_median_radps"] < 3.0


def test_suspect_gyro_amplified_10x_and_clipped_is_flagged():
    fs_rad = np.deg2rad(2000)
    g = np.clip(10 * walking_gyro(), -fs_rad, fs_rad)
    t = np.arange(g.shape[0]) / FS
    rows, stats = detect_suspect_gyro(t, g, FS, full_scale_radps=fs_rad, placement="thigh_left")
    assert len(rows) == 1 and rows[0].kind == "suspect_gyro" and rows[0].placement == "thigh_left"
    assert (rows[0].start_s, rows[0].end_s) == (0.0, pytest.approx(30.0))
    assert stats["max_window_median_radps"] > GYRO_SUSTAINED_LIMIT_RADPS
    assert stats["rail_fraction"] > 0.005
    assert "median |ω| over 5 s reaches" in rows[0].detail
    assert "% of samples at the range limit" in rows[0].detail


def test_suspect_gyro_rails_alone_flag_without_known_range():
    g = walking_gyro()
    g[::50, 2] = 9.0  # the rail of an unknown range, hit on 2 % of samples, runs of 1 ...
    g[1::50, 2] = 9.0  # ... and 2
    t = np.arange(g.shape[0]) / FS
    rows, stats = detect_suspect_gyro(t, g, FS)
    assert stats["rail_fraction"] == pytest.approx(0.04)
    assert len(rows) == 1 and "4.0 % of samples at the range limit" in rows[0].detail
    assert "median" not in rows[0].detail


def test_suspect_gyro_nan_tolerant_and_short():
    g = walking_gyro(n=120)
    g[10:30] = np.nan
    t = np.arange(120) / FS
    rows, stats = detect_suspect_gyro(t, g, FS)
    assert rows == () and np.isfinite(stats["max_window_median_radps"])


def test_assess_quality_table_and_meta_full_scale():
    n = 1000
    t = np.arange(n) / FS
    acc = np.tile([0.0, G0, 0.0], (n, 1))
    acc[100:150, 1] = 2 * G0  # at the stated rail
    gyr = walking_gyro(n)
    gyr[500:503, 0] = np.nan
    rec = Recording(t, FS, {"shank_right": SensorStream(acc, gyr)},
                    RecordingMeta(extra={"acc_full_scale_mps2": 2 * G0}))
    rep = assess_quality(rec)
    row = rep.channels.set_index(["placement", "channel"]).loc[("shank_right", "acc_y")]
    assert row.clipped_pct == pytest.approx(5.0)
    nan_row = rep.channels.set_index(["placement", "channel"]).loc[("shank_right", "gyr_x")]
    assert nan_row.n_nan == 3 and nan_row.nan_pct == pytest.approx(0.3)
    kinds = sorted(a.kind for a in rep.annotations)
    assert kinds == ["clipping", "nan_run"]
    assert rep.suspect_placements == ()
    # explicit full scale beyond the data: no clipping
    assert assess_quality(rec, acc_full_scale_mps2=4 * G0).channels.clipped_pct.sum() == 0.0


def test_suspect_gyro_at_rest_uses_activity_labels():
    """A ~10x amplified gyro during labelled standing is flagged; a healthy one is not."""
    rng = np.random.default_rng(5)
    n = 1500
    t = np.arange(n) / FS
    healthy = rng.normal(0, 0.08, (n, 3))  # quiet-standing sway, |ω| median about 0.13 rad/s
    spans = [("standing", 0.0, 15.0)]
    rows, stats = detect_suspect_gyro(t, healthy, FS, activity_spans=spans)
    assert rows == () and stats["max_static_median_radps"] < 0.2
    amplified = 15 * healthy  # median |ω| about 2 rad/s: under the walking limit
    rows, stats = detect_suspect_gyro(t, amplified, FS, activity_spans=spans)
    assert stats["max_window_median_radps"] < GYRO_SUSTAINED_LIMIT_RADPS
    assert len(rows) == 1 and "while labelled still reaches" in rows[0].detail
    # without labels the same data cannot be judged
    assert detect_suspect_gyro(t, amplified, FS)[0] == ()
    # walking labels do not use the static limit; spans shorter than 2 s are ignored
    assert detect_suspect_gyro(t, amplified, FS, activity_spans=[("walking", 0, 15)])[0] == ()
    assert detect_suspect_gyro(t, amplified, FS, activity_spans=[("standing", 0, 1.5)])[0] == ()
