"""Accuracy of bouts, events and strides against the simulator's exact truth.

Sweep: walking 0.6-2.0 m/s and running 2.5-5 m/s with sensor noise, gyroscope bias, 30° mounting
misalignment about the long axis, 10° tilt, one sensor upside down and 3 % stride-time
variability. Strides overlapping the simulator's start/stop ramps (``valid``/``steady`` false in
the truth) are "don't care" (see ``gaitkit.evaluation.match_events``).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import gaitkit.simulate as simulate
from gaitkit.evaluation import event_agreement, stride_agreement
from gaitkit.events import detect_bouts, detect_gait_events, segment_strides
from gaitkit.model import Recording, SensorStream

#: (activity, speed m/s) → (IC MAE, FC MAE) limits in seconds (task targets)
LIMITS = {"walk": (0.010, 0.015), "run": (0.015, 0.025)}
CASES = [("walk", 0.6), ("walk", 1.4), ("walk", 2.0), ("run", 2.5), ("run", 3.5), ("run", 5.0)]


def simulate_case(activity, speed, seed=1, **kw):
    cfg = dict(
        duration_s=40.0,
        activity=activity,
        speed_mps=speed,
        misalignment_deg=30.0,
        tilt_deg=10.0,
        stride_time_cv_pct=3.0,
        gyr_bias_radps=0.05,
        upside_down={"shank_left": True},
        seed=seed,
    )
    cfg.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # clipping warnings of the simulated sensors
        return simulate.simulate_gait(simulate.SimulationConfig(**cfg))


@pytest.mark.parametrize(("activity", "speed"), CASES)
def test_accuracy_sweep(activity, speed):
    sim = simulate_case(activity, speed)
    det = detect_gait_events(sim.recording)
    assert list(det.bouts["activity"]) == [activity]
    strides = segment_strides(det.events, det.bouts)
    sa = stride_agreement(strides, sim.strides, tolerance_s=0.15, reference_scored="valid")
    sa = sa.set_index("quantity")
    assert sa.loc["stride_time_s", "f1"] >= 0.995
    assert sa.loc["stride_time_s", "mae_s"] < 0.005
    ea = event_agreement(det.events, sim.events, tolerance_s=0.15, reference_scored="steady")
    ea = ea.set_index("event")
    ic_lim, fc_lim = LIMITS[activity]
    assert ea.loc["ic", "mae_s"] <= ic_lim
    assert ea.loc["fc", "mae_s"] <= fc_lim
    assert ea.loc["ms", "mae_s"] <= 0.005
    assert ea.loc["ic", "recall"] == 1.0 and ea.loc["fc", "recall"] == 1.0
    # walking has double support, running a flight phase
    valid = strides[strides["valid"]]
    if activity == "walk":
        assert (valid["double_support_time_s"] > 0).mean() > 0.95
        assert bool((_flight(valid) == 0).all())
    else:
        assert float((_flight(valid) > 0).mean()) > 0.95
        assert (valid["double_support_time_s"] == 0).all()
    # axes found and reported for all four sensors, the upside-down shank included
    axes = det.axes.set_index("placement")
    assert len(axes) == 4 and (axes["confidence"] > 0.5).all()


@pytest.mark.parametrize("fs", [50.0, 1000.0])
def test_sampling_rate_independent(fs):
    sim = simulate_case("walk", 1.2, seed=3, duration_s=30.0, sampling_rate_hz=fs)
    det = detect_gait_events(sim.recording)
    ea = event_agreement(det.events, sim.events, tolerance_s=0.15, reference_scored="steady")
    ea = ea.set_index("event")
    assert ea.loc["ic", "mae_s"] <= 0.010 and ea.loc["fc", "mae_s"] <= 0.015


def test_dropped_samples_are_bridged():
    """BLE-like packet loss (bursts of 1-5 samples) is bridged; accuracy is kept."""
    sim = simulate_case("walk", 1.3, seed=4, dropped_samples_pct=3.0)
    t = sim.recording.time_s
    assert (np.diff(t) > 0.015).sum() > 30
    det = detect_gait_events(sim.recording)
    strides = segment_strides(det.events, det.bouts)
    sa = stride_agreement(strides, sim.strides, tolerance_s=0.15, reference_scored="valid")
    assert sa.iloc[0]["f1"] >= 0.995
    ea = event_agreement(det.events, sim.events, tolerance_s=0.15, reference_scored="steady")
    ea = ea.set_index("event")
    assert ea.loc["ic", "mae_s"] <= 0.010 and ea.loc["fc", "mae_s"] <= 0.015
    assert det.events["quality_flags"].str.contains("bridged_gap").any()


def _concat(sims, pause_s=5.0):
    """Join simulations in time (a pause of standing between them is already in each)."""
    t_all, streams, offset = [], {}, 0.0
    for sim in sims:
        rec = sim.recording
        t_all.append(rec.time_s - rec.time_s[0] + offset)
        offset = t_all[-1][-1] + 1.0 / rec.sampling_rate_hz
        for p, s in rec.streams.items():
            streams.setdefault(p, []).append((s.acc_mps2, s.gyr_radps))
    st = {
        p: SensorStream(np.vstack([a for a, _ in v]), np.vstack([g for _, g in v]))
        for p, v in streams.items()
    }
    return Recording(np.concatenate(t_all), sims[0].recording.sampling_rate_hz, st)


def test_walk_stand_run_bouts():
    walk = simulate_case("walk", 1.3, seed=5, duration_s=30.0, misalignment_deg=0.0)
    run = simulate_case("run", 3.0, seed=6, duration_s=30.0, misalignment_deg=0.0)
    rec = _concat([walk, run])
    bouts = detect_bouts(rec)
    assert list(bouts["activity"]) == ["walk", "run"]
    # each bout lies inside its simulated gait span (5 s standing at both ends of each)
    assert 4.0 <= bouts["start_s"].iloc[0] and bouts["end_s"].iloc[0] <= 26.0
    assert 34.0 <= bouts["start_s"].iloc[1] and bouts["end_s"].iloc[1] <= 56.0
    assert (bouts["confidence"] > 0.5).all()


def test_stride_table_matches_truth_durations():
    sim = simulate_case("walk", 1.3, seed=7)
    det = detect_gait_events(sim.recording)
    strides = segment_strides(det.events, det.bouts)
    sa = stride_agreement(strides, sim.strides, tolerance_s=0.15, reference_scored="valid")
    sa = sa.set_index("quantity")
    assert sa.loc["stance_time_s", "mae_s"] < 0.015
    assert sa.loc["swing_time_s", "mae_s"] < 0.015
    # limits of agreement of stride time far inside Bertoli et al. 2018's ±27 ms
    assert sa.loc["stride_time_s", "loa_upper_s"] < 0.010
    assert sa.loc["stride_time_s", "loa_lower_s"] > -0.010
    assert isinstance(strides, pd.DataFrame)


def _flight(strides):
    """Each stride's flight time (s), from the single definition in gaitkit.metrics."""
    from gaitkit.metrics import compute_temporal

    flight = compute_temporal(strides)["flight_time_s"].to_numpy()
    return flight[np.isfinite(flight)]  # undefined after a bout's last stride
