"""Ground-truth gait simulator: determinism, config validation, physical consistency, truth."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from gaitkit.errors import ConfigError, DataQualityWarning, InputFormatError
from gaitkit.frames import (
    axis_angle_to_quat,
    quat_conj,
    quat_mul,
    quat_rotate,
)
from gaitkit.schema import ANGLE_COLUMNS, STRIDE_COLUMNS
from gaitkit.simulate import (
    SimulationConfig,
    default_cadence_spm,
    simulate_gait,
    stance_fraction,
)
from gaitkit.units import G0

QUIET = {"acc_noise_mps2": 0.0, "gyr_noise_radps": 0.0, "gyr_bias_radps": 0.0}


@pytest.fixture(scope="module")
def walk_quiet():
    return simulate_gait(duration_s=30.0, seed=4, misalignment_deg=30.0, tilt_deg=10.0,
                         upside_down={"shank_left": True}, **QUIET)


@pytest.fixture(scope="module")
def walk_quiet_1k():
    return simulate_gait(duration_s=20.0, seed=5, sampling_rate_hz=1000.0, **QUIET)


@pytest.fixture(scope="module")
def run_default():
    return simulate_gait(duration_s=40.0, activity="run", seed=6)


def _steady(sim):
    return sim.strides[sim.strides["valid"]].reset_index(drop=True)


def _integrate_gyro(q0, gyr, t):
    """Integrate body-frame angular velocity (trapezoid rate, exact exponential map)."""
    q = q0
    for i in range(len(t) - 1):
        w = 0.5 * (gyr[i] + gyr[i + 1])
        ang = np.linalg.norm(w) * (t[i + 1] - t[i])
        if ang > 0:
            q = quat_mul(q, axis_angle_to_quat(w, ang))
    return q


def _quat_angle_deg(a, b):
    d = quat_mul(quat_conj(a), b)
    return float(np.rad2deg(2 * np.arccos(min(1.0, abs(d[0])))))


# -- determinism and configuration ---
def test_same_seed_same_simulation_and_different_seed_differs():
    a = simulate_gait(duration_s=15.0, seed=11, misalignment_deg=20, dropped_samples_pct=2)
    b = simulate_gait(duration_s=15.0, seed=11, misalignment_deg=20, dropped_samples_pct=2)
    c = simulate_gait(duration_s=15.0, seed=12, misalignment_deg=20, dropped_samples_pct=2)
    assert np.array_equal(a.recording.time_s, b.recording.time_s)
    for p in a.recording.placements:
        assert np.array_equal(a.recording.streams[p].acc_mps2, b.recording.streams[p].acc_mps2)
        assert np.array_equal(a.recording.streams[p].gyr_radps, b.recording.streams[p].gyr_radps)
        assert np.array_equal(a.mounting[p], b.mounting[p])
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.angles, b.angles)
    assert not np.array_equal(a.events["time_s"].to_numpy()[:5], c.events["time_s"].to_numpy()[:5])


def test_options_do_not_reshuffle_other_random_streams():
    base = simulate_gait(duration_s=15.0, seed=3)
    other = simulate_gait(duration_s=15.0, seed=3, misalignment_deg=25, gyr_bias_radps=0.05)
    pd.testing.assert_frame_equal(base.events, other.events)
    pd.testing.assert_frame_equal(base.angles, other.angles)


def test_config_json_round_trip():
    cfg = SimulationConfig(activity="run", speed_mps=4.0, seed=9, standing_s=(2.0, 3.0),
                           extra_tibial_internal_rotation_deg={"right": 6.0},
                           hip_rom_scale={"left": 0.7}, upside_down={"thigh_left": True},
                           placements=("shank_right", "shank_left"))
    d = json.loads(json.dumps(cfg.to_dict()))
    back = SimulationConfig.from_dict(d)
    assert back == cfg
    assert back.placements == ("shank_left", "shank_right")
    assert back.extra_tibial_internal_rotation_deg == {"left": 0.0, "right": 6.0}
    assert back.effective_cadence_spm == pytest.approx(150 + 6 * 4.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activity": "swim"}, "SimulationConfig.activity must be 'walk' or 'run', got 'swim'"),
        ({"speed_mps": 9.0}, "SimulationConfig.speed_mps must be <= 2.2, got 9"),
        ({"activity": "run", "speed_mps": 1.0}, "SimulationConfig.speed_mps must be >= 1.8, got 1"),
        ({"sampling_rate_hz": float("nan")},
         "SimulationConfig.sampling_rate_hz must be a finite number, got nan"),
        ({"stride_time_cv_pct": 12}, "SimulationConfig.stride_time_cv_pct must be <= 10, got 12"),
        ({"hip_rom_scale": {"middle": 1.0}},
         "SimulationConfig.hip_rom_scale keys must be 'left'/'right', got 'middle'"),
        ({"hip_rom_scale": {"left": 0.0}},
         "SimulationConfig.hip_rom_scale['left'] must be >= 0.2, got 0"),
        ({"extra_tibial_internal_rotation_deg": 5},
         "SimulationConfig.extra_tibial_internal_rotation_deg must be a mapping"),
        ({"placements": ("shank_left", "wrist")},
         "SimulationConfig.placements: unknown placement 'wrist'"),
        ({"placements": ()}, "SimulationConfig.placements must be a non-empty tuple"),
        ({"upside_down": {"shank_left": "yes"}},
         "SimulationConfig.upside_down['shank_left'] must be true/false, got 'yes'"),
        ({"duration_s": 12.0},
         "SimulationConfig.duration_s must leave >= 5 s of gait after standing_s 5+5 s, got"
         " duration_s=12"),
        ({"standing_s": (1.0,)},
         "SimulationConfig.standing_s must be (start_s, end_s), got (1.0,)"),
        ({"acc_range_g": 1.0}, "SimulationConfig.acc_range_g must be > 1, got 1"),
        ({"seed": -1}, "SimulationConfig.seed must be an integer >= 0, got -1"),
        ({"sensor_axes": "foo"},
         "SimulationConfig.sensor_axes must be 'segment' or 'skin', got 'foo'"),
        ({"tilt_deg": True}, "SimulationConfig.tilt_deg must be a finite number, got True"),
    ],
)
def test_config_errors_name_the_field(kwargs, message):
    with pytest.raises(ConfigError) as exc:
        SimulationConfig(**kwargs)
    assert message in str(exc.value)


def test_from_dict_and_overrides_reject_unknown_fields():
    with pytest.raises(ConfigError, match="SimulationConfig has no field 'speed'"):
        SimulationConfig.from_dict({"speed": 1.0})
    with pytest.raises(ConfigError, match="SimulationConfig has no field 'sped_mps'"):
        simulate_gait(SimulationConfig(), sped_mps=1.0)
    with pytest.raises(ConfigError, match="SimulationConfig has no field 'speedd'; fields: "):
        simulate_gait(speedd=1.0)
    with pytest.raises(ConfigError, match="config must be a SimulationConfig, got dict"):
        simulate_gait({"duration_s": 10})


# -- physical consistency ---
def test_gyro_integrates_back_to_segment_orientation(walk_quiet):
    sim = walk_quiet
    t = sim.recording.time_s
    worst = 0.0
    for _, st in _steady(sim).iloc[:6].iterrows():
        i0, i1 = np.searchsorted(t, [st.ic_time_s, st.next_ic_time_s])
        for p in sim.recording.placements:
            qs, qm = sim.segment_orientation[p], sim.mounting[p]
            q = _integrate_gyro(quat_mul(qs[i0], qm), sim.recording.streams[p].gyr_radps[i0:i1 + 1],
                                t[i0:i1 + 1])
            worst = max(worst, _quat_angle_deg(q, quat_mul(qs[i1], qm)))
    assert worst < 0.1  # over a whole stride at 100 Hz, misaligned, tilted, one upside down


def test_gyro_integrates_through_the_running_contact_transients():
    # the sharpest transients (running 5 m/s): exact derivative, so at 1 kHz the trapezoid
    # integration error over a stride is tiny
    sim = simulate_gait(duration_s=14.0, activity="run", speed_mps=5.0, seed=4,
                        sampling_rate_hz=1000.0, standing_s=(1.0, 1.0), misalignment_deg=30.0,
                        placements=("shank_left", "shank_right"), **QUIET)
    t = sim.recording.time_s
    worst = 0.0
    for _, st in _steady(sim).iloc[:4].iterrows():
        i0, i1 = np.searchsorted(t, [st.ic_time_s, st.next_ic_time_s])
        for p in sim.recording.placements:
            qs, qm = sim.segment_orientation[p], sim.mounting[p]
            q = _integrate_gyro(quat_mul(qs[i0], qm), sim.recording.streams[p].gyr_radps[i0:i1 + 1],
                                t[i0:i1 + 1])
            worst = max(worst, _quat_angle_deg(q, quat_mul(qs[i1], qm)))
    assert worst < 0.01


def test_sagittal_gyro_integrates_to_shank_angle_change():
    sim = simulate_gait(duration_s=20.0, seed=8, **QUIET)   # sensor axes = segment axes
    t = sim.recording.time_s
    ang = sim.angles[sim.angles["side"] == "right"]["shank_sagittal_deg"].to_numpy()
    gz = sim.recording.streams["shank_right"].gyr_radps[:, 2]
    st = _steady(sim)
    st = st[st["side"] == "right"].iloc[2]
    # over a whole stride the sagittal gyro closes on the sagittal angle change
    i0, i1 = np.searchsorted(t, [st.ic_time_s, st.next_ic_time_s])
    integ = np.rad2deg(np.trapezoid(gz[i0:i1 + 1], t[i0:i1 + 1]))
    assert abs(integ - (ang[i1] - ang[i0])) < 0.5
    # IC -> mid-swing: the body-z rate is not exactly d(sagittal)/dt when the segment is also
    # rotated in the frontal/axial planes (Cardan coupling); agreement within 2 % of excursion
    i0, i1 = np.searchsorted(t, [st.ic_time_s, st.ms_time_s])
    integ = np.rad2deg(np.trapezoid(gz[i0:i1 + 1], t[i0:i1 + 1]))
    excursion = ang[i1] - ang[i0]
    assert abs(excursion) > 20.0       # a real excursion, not a trivial check
    assert abs(integ - excursion) < 0.02 * abs(excursion)


def test_accelerometer_integrates_to_true_velocity(walk_quiet_1k):
    sim = walk_quiet_1k
    t = sim.recording.time_s
    for _, st in _steady(sim).iloc[:4].iterrows():
        i0, i1 = np.searchsorted(t, [st.ic_time_s, st.next_ic_time_s])
        for p in sim.recording.placements:
            q = quat_mul(sim.segment_orientation[p][i0:i1 + 1], sim.mounting[p][None])
            a = quat_rotate(q, sim.recording.streams[p].acc_mps2[i0:i1 + 1]) - [0.0, G0, 0.0]
            dv = np.trapezoid(a, t[i0:i1 + 1], axis=0)
            v_true = sim.sensor_velocity_mps[p]
            assert np.abs(v_true[i0] + dv - v_true[i1]).max() < 2e-3
            # position: the site velocity integrates to the site displacement
            dx = np.trapezoid(v_true[i0:i1 + 1], t[i0:i1 + 1], axis=0)
            pos = sim.sensor_position_m[p]
            assert np.abs(pos[i0] + dx - pos[i1]).max() < 1e-4
            # each site advances at the walking speed over a stride
            speed = (pos[i1, 0] - pos[i0, 0]) / (t[i1] - t[i0])
            assert speed == pytest.approx(1.3, rel=0.03)


def test_standing_reads_gravity_and_bias():
    sim = simulate_gait(duration_s=20.0, seed=2, misalignment_deg=40.0,
                        upside_down={"thigh_right": True})
    cfg = sim.config
    rest = sim.recording.time_s < cfg.standing_s[0] - 0.1
    for p, s in sim.recording.streams.items():
        acc = s.acc_mps2[rest]
        norm = np.linalg.norm(acc, axis=1)
        tol = 4 * cfg.acc_noise_mps2 / np.sqrt(rest.sum()) + 1e-3
        assert norm.mean() == pytest.approx(G0, abs=tol)
        assert acc.std(axis=0) == pytest.approx([cfg.acc_noise_mps2] * 3, rel=0.15)
        gyr_mean = s.gyr_radps[rest].mean(axis=0)
        tol = 4 * cfg.gyr_noise_radps / np.sqrt(rest.sum())
        assert np.abs(gyr_mean - sim.gyr_bias_radps[p]).max() < tol
        assert np.linalg.norm(sim.gyr_bias_radps[p]) == pytest.approx(cfg.gyr_bias_radps)
        # gravity seen through the true mounting: v_sensor = q* ⊗ (0, g, 0) ⊗ q
        expect = quat_rotate(quat_conj(sim.mounting[p]), np.array([0.0, G0, 0.0]))
        assert np.abs(acc.mean(axis=0) - expect).max() < 0.01
    # upside down: sensor y points down
    assert sim.recording.streams["thigh_right"].acc_mps2[rest, 1].mean() < -9.0
    angles = sim.angles[sim.angles["time_s"] < cfg.standing_s[0]]
    assert np.abs(angles[list(ANGLE_COLUMNS)].to_numpy()).max() == 0.0


def test_anatomical_signs_follow_frames_conventions(walk_quiet):
    sim = walk_quiet
    for side, sgn in (("left", -1.0), ("right", 1.0)):
        tab = sim.angles[sim.angles["side"] == side].reset_index(drop=True)
        q = sim.segment_orientation[f"thigh_{side}"]
        y = quat_rotate(q, np.array([0.0, 1.0, 0.0]))        # hip <- knee, global
        # sagittal: knee anterior of hip <=> -y_X > 0; value is the projected angle
        proj = np.rad2deg(np.arctan2(-y[:, 0], y[:, 1]))
        assert np.abs(proj - tab["thigh_sagittal_deg"]).max() < 1e-9
        # frontal (adduction +): knee medial <=> y tilts toward the lateral side (+Z right)
        front = np.rad2deg(np.arcsin(sgn * y[:, 2]))
        assert np.abs(front - tab["thigh_frontal_deg"]).max() < 1e-9
        # shank internal rotation: toes (x) turn medially; compare at the IR peak of stance
        qs = sim.segment_orientation[f"shank_{side}"]
        i = int(np.argmax(tab["shank_axial_deg"]))
        x = quat_rotate(qs[i], np.array([1.0, 0.0, 0.0]))
        assert tab["shank_axial_deg"][i] > 3.0 and -sgn * x[2] > 0.03   # toward the midline
        # 2-D knee flexion relation of the schema
        approx = tab["thigh_sagittal_deg"] - tab["shank_sagittal_deg"]
        assert np.abs(approx - tab["knee_flexion_deg"]).max() < 2.0
        assert tab["knee_flexion_deg"].max() == pytest.approx(62.0, abs=6.0)


# -- events ---
@pytest.mark.parametrize(
    ("activity", "speed", "lo", "hi"),
    [("walk", 0.9, 60.5, 63.5), ("walk", 1.3, 58.5, 61.5), ("walk", 1.8, 56.0, 59.5),
     ("run", 2.8, 36.0, 42.0), ("run", 3.5, 34.0, 40.0), ("run", 5.0, 28.0, 35.0)],
)
def test_stance_fraction_and_cadence_by_speed(activity, speed, lo, hi):
    sim = simulate_gait(duration_s=25.0, activity=activity, speed_mps=speed, seed=1,
                        placements=("shank_right",))
    st = _steady(sim)
    assert lo < st["stance_pct"].mean() < hi
    expected = 100 * stance_fraction(activity, speed)
    assert expected == pytest.approx(st["stance_pct"].mean(), abs=0.5)
    cad = default_cadence_spm(activity, speed)
    assert st["stride_time_s"].mean() == pytest.approx(120.0 / cad, rel=0.02)


def test_events_sit_where_the_kinematics_put_them(walk_quiet_1k):
    sim = walk_quiet_1k
    t = sim.recording.time_s
    ev = sim.events
    assert set(ev["event"]) == {"ic", "fc", "ms"}
    for side in ("left", "right"):
        gz = sim.recording.streams[f"shank_{side}"].gyr_radps[:, 2]   # segment axes, no noise
        for _, st in _steady(sim)[lambda d, s=side: d["side"] == s].iterrows():
            assert st.ic_time_s < st.fc_time_s < st.ms_time_s < st.next_ic_time_s
            sw = (t > st.fc_time_s) & (t < st.next_ic_time_s)
            t_peak = t[sw][np.argmax(gz[sw])]
            assert abs(t_peak - st.ms_time_s) <= 0.001          # within one 1 kHz sample
            ph = (st.ms_time_s - st.ic_time_s) / st.stride_time_s
            assert 0.75 < ph < 0.87
            # the shank stops swinging forward shortly before IC (ω crosses zero from + to -
            # in terminal swing) and rotates backward at IC, as in real shank-gyro recordings
            nxt = (t > st.ms_time_s) & (t <= st.next_ic_time_s)
            t_n, g_n = t[nxt], gz[nxt]
            cross = t_n[1:][(g_n[:-1] > 0) & (g_n[1:] <= 0)]
            assert len(cross) == 1
            assert 0.0 < st.next_ic_time_s - cross[0] < 0.10 * st.stride_time_s
            i_ic = np.searchsorted(t, st.next_ic_time_s)
            assert -0.8 * gz[sw].max() < gz[i_ic] < -0.35 * gz[sw].max()
    # strides are IC to IC; event rows match the strides table
    ic = ev[ev["event"] == "ic"]
    st_all = sim.strides
    assert np.allclose(np.sort(ic["time_s"]), np.sort(st_all["ic_time_s"]))
    assert list(st_all.columns[: len(STRIDE_COLUMNS)]) == list(STRIDE_COLUMNS)


def _shank_features(sim, side="right"):
    """Per steady stride: MS peak, IC minimum (value, time - IC), its half-depth width, the mean
    rate 60-120 ms after the minimum, pre-swing minimum (value, time - FC); ms and rad/s."""
    t = sim.recording.time_s
    gz = sim.recording.streams[f"shank_{side}"].gyr_radps[:, 2]
    rows = []
    for _, st in _steady(sim)[lambda d: d["side"] == side].iterrows():
        i_ms = np.searchsorted(t, st.ms_time_s)
        i_end = np.searchsorted(t, st.next_ic_time_s + 0.25 * st.stride_time_s)
        seg = gz[i_ms:i_end]
        # local minima of the rate between MS and the next stance
        loc = np.flatnonzero((seg[1:-1] < seg[:-2]) & (seg[1:-1] <= seg[2:])) + 1
        j = loc[np.argmin(seg[loc])]
        half = seg < 0.5 * seg[j]
        lo, hi = j, j
        while half[lo - 1]:
            lo -= 1
        while half[hi + 1]:
            hi += 1
        after = (t > t[i_ms + j] + 0.06) & (t < t[i_ms + j] + 0.12)
        i_fc = np.searchsorted(t, st.fc_time_s)
        k0 = np.searchsorted(t, st.fc_time_s - 0.25 * st.stride_time_s)
        k = k0 + np.argmin(gz[k0:i_ms])
        rows.append({"ms": gz[i_ms], "ic_min": seg[j],
                     "ic_dt_ms": 1e3 * (t[i_ms + j] - st.next_ic_time_s),
                     "ic_width_ms": 1e3 * (t[i_ms + hi] - t[i_ms + lo]),
                     "lr_mean": gz[after].mean(), "ps_min": gz[k],
                     "ps_dt_ms": 1e3 * (t[k] - t[i_fc])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("activity,speed", [("walk", 0.6), ("walk", 1.3), ("walk", 2.0),
                                            ("run", 2.5), ("run", 5.0)])
def test_shank_gyro_features_sit_at_true_ic_and_fc(activity, speed):
    """Realism figures of the shank sagittal rate (docs/simulator_realism.md).

    Real shank gyroscopes show a sharp local minimum at heel strike (HuGaDB walking: depth 0.62
    of the MS peak, 0-30 ms after the shank impact, ~80 ms wide at half depth, relaxed within
    ~80 ms; Aminian et al. 2002, Salarian et al. 2004: the IC feature within ~0-20 ms of
    contact) and a pre-swing minimum near toe-off (Catalfamo et al. 2010; HuGaDB: ~45 ms before
    the foot's forward rotation starts).
    """
    sim = simulate_gait(duration_s=14.0 if speed > 0.8 else 20.0, activity=activity,
                        speed_mps=speed, seed=11,
                        standing_s=(1.0, 1.0),
                        sampling_rate_hz=1000.0, placements=("shank_right",), **QUIET)
    f = _shank_features(sim)
    assert len(f) >= 4
    depth = -f.ic_min / f.ms
    assert (f.ic_dt_ms >= 0).all() and (f.ic_dt_ms <= 20).all()
    if activity == "walk":
        assert ((depth >= 0.45) & (depth <= 0.8)).all()
        assert ((f.ic_width_ms > 50) & (f.ic_width_ms < 100)).all()
        # relaxed: 60-120 ms after the minimum the rate is back above half the minimum
        assert (f.lr_mean > 0.5 * f.ic_min).all()
        assert ((f.ps_dt_ms > -30) & (f.ps_dt_ms < 0)).all()
    else:
        assert ((depth >= 0.9) & (depth <= 1.4)).all()
        assert ((f.ic_width_ms > 25) & (f.ic_width_ms < 60)).all()
        assert (f.lr_mean > 0.5 * f.ic_min).all()
        assert ((f.ps_dt_ms > -30) & (f.ps_dt_ms < 10)).all()
    assert ((-f.ps_min / f.ms > 0.45) & (-f.ps_min / f.ms < 0.9)).all()


def test_contact_transient_is_local_and_exact():
    """The IC/FC transients change the shank angle only locally and keep ω = dθ/dt exactly."""
    from gaitkit.simulate._curves import contact_transient, push_off_transient
    from gaitkit.simulate._engine import _transient_jet

    for act, v in (("walk", 1.3), ("run", 3.5)):
        for tr in (contact_transient(act, v), push_off_transient(act, v)):
            area = sum(a * s for a, s in zip(tr.amp_radps, tr.sigma_s, strict=True))
            assert area == pytest.approx(0.0, abs=1e-12)
            knots = np.array([0.0, 1.0])
            t = np.linspace(-0.5, 1.5, 200001)
            jet = _transient_jet(tr, knots, t)
            far = np.abs(t - np.round(t)) > 0.4
            assert np.abs(jet[0][far]).max() < 1e-9
            dt = t[1] - t[0]
            assert np.allclose(np.gradient(jet[0], dt), jet[1], atol=1e-5)
            assert np.allclose(np.gradient(jet[1], dt), jet[2], atol=1e-2 * np.abs(jet[2]).max())


def test_left_right_alternate_and_step_asymmetry():
    sim = simulate_gait(duration_s=40.0, seed=3, step_time_asymmetry_pct=10.0,
                        placements=("shank_left",))
    ic = sim.events[sim.events["event"] == "ic"].sort_values("time_s")
    sides = ic["side"].to_numpy()
    assert np.all(sides[1:] != sides[:-1])
    times = ic["time_s"].to_numpy()
    steps = np.diff(times)
    ending = sides[1:]
    right_step = steps[ending == "right"].mean()
    left_step = steps[ending == "left"].mean()
    assert right_step / left_step == pytest.approx(1.10, abs=0.01)


def test_stride_time_variability_matches_cv():
    sim = simulate_gait(duration_s=300.0, seed=7, stride_time_cv_pct=4.0,
                        placements=("shank_left",))
    st = sim.strides[sim.strides["side"] == "right"]["stride_time_s"]
    assert 100 * st.std() / st.mean() == pytest.approx(4.0, rel=0.2)


# -- targeted truth modifications ---
def _stride_stat(sim, side, col, fn):
    a = sim.angles[sim.angles["side"] == side]
    t = a["time_s"].to_numpy()
    v = a[col].to_numpy()
    out = []
    for _, st in _steady(sim)[lambda d: d["side"] == side].iterrows():
        m = (t >= st.ic_time_s) & (t < st.next_ic_time_s)
        out.append(fn(v[m], t[m], st))
    return np.array(out)


def test_extra_tibial_internal_rotation_adds_requested_excursion():
    base = simulate_gait(duration_s=30.0, seed=21, **QUIET)
    pron = simulate_gait(duration_s=30.0, seed=21, **QUIET,
                         extra_tibial_internal_rotation_deg={"right": 5.0})
    r0 = base.angles["side"] == "right"
    diff = pron.angles["shank_axial_deg"] - base.angles["shank_axial_deg"]
    assert np.abs(diff[~r0]).max() == 0.0                       # left untouched
    d_r = pd.Series(diff[r0].to_numpy(), index=base.angles.loc[r0, "time_s"].to_numpy())
    for _, st in _steady(base)[lambda d: d["side"] == "right"].iterrows():
        seg = d_r[(d_r.index >= st.ic_time_s) & (d_r.index < st.next_ic_time_s)]
        assert seg.max() == pytest.approx(5.0, abs=0.02)      # sampled near the bump peak
        assert seg[seg.index > st.fc_time_s].abs().max() < 1e-9  # released by toe-off
        assert abs(seg.iloc[0]) < 0.05                          # zero at initial contact
    # excursion from IC to the stance IR peak grows by the requested amount
    exc0 = _stride_stat(base, "right", "shank_axial_deg",
                        lambda v, t, s: v[t < s.fc_time_s].max() - v[0])
    exc1 = _stride_stat(pron, "right", "shank_axial_deg",
                        lambda v, t, s: v[t < s.fc_time_s].max() - v[0])
    assert np.mean(exc1 - exc0) == pytest.approx(5.0, abs=0.1)
    fr = pron.angles["shank_frontal_deg"] - base.angles["shank_frontal_deg"]
    assert fr[r0].min() == pytest.approx(-2.5, abs=0.02)  # toward abduction: knee medial


def test_hip_rom_scale_scales_thigh_range_on_one_side():
    base = simulate_gait(duration_s=30.0, seed=22, **QUIET)
    red = simulate_gait(duration_s=30.0, seed=22, **QUIET, hip_rom_scale={"left": 0.7})
    rng = lambda v, t, s: v.max() - v.min()  # noqa: E731
    ratio = _stride_stat(red, "left", "thigh_sagittal_deg", rng) / _stride_stat(
        base, "left", "thigh_sagittal_deg", rng)
    assert ratio.mean() == pytest.approx(0.7, abs=0.01)
    right = base.angles["side"] == "right"
    assert np.array_equal(red.angles.loc[right, "thigh_sagittal_deg"],
                          base.angles.loc[right, "thigh_sagittal_deg"])
    # knee flexion is kept: the shank carries the difference
    left = ~right
    assert np.abs(red.angles.loc[left, "knee_flexion_deg"]
                  - base.angles.loc[left, "knee_flexion_deg"]).max() < 1.5


# -- sensor defects ---
def test_impacts_give_realistic_peak_tibial_acceleration(run_default):
    imp = run_default.impacts
    steady = imp[imp["ic_time_s"] > run_default.config.standing_s[0] + 2.0]
    steady = steady[steady["ic_time_s"] < 30.0]
    assert 5.0 < steady["peak_g"].median() < 12.0
    assert (steady["peak_sampled_g"] <= steady["peak_g"] + 1e-9).all()
    assert ((steady["time_s"] - steady["ic_time_s"]) < 0.03).all()
    walk = simulate_gait(duration_s=20.0, seed=1, placements=("shank_left",)).impacts
    assert 1.5 < walk["peak_g"].median() < 4.0


def test_clipping_at_full_scale(run_default):
    sim = simulate_gait(duration_s=20.0, activity="run", seed=6, acc_range_g=4.0,
                        gyr_range_dps=500.0)
    lim = 4.0 * G0
    acc = sim.recording.streams["shank_right"].acc_mps2
    assert np.abs(acc).max() == pytest.approx(lim)
    assert np.abs(run_default.recording.streams["shank_right"].acc_mps2).max() > lim
    gyr = sim.recording.streams["shank_right"].gyr_radps
    assert np.abs(gyr).max() == pytest.approx(np.deg2rad(500.0))
    ann = sim.recording.annotations
    clip = ann[ann["kind"] == "clipping"]
    assert {"acc_y", "gyr_z"} <= set(clip["channel"])


def test_dropped_samples_leave_time_gaps():
    sim = simulate_gait(duration_s=30.0, seed=4, dropped_samples_pct=5.0)
    n_full = 30 * 100
    rec = sim.recording
    assert rec.n_samples == pytest.approx(0.95 * n_full, abs=3)
    dt = np.diff(rec.time_s)
    assert dt.max() > 1.5 / 100 and dt.max() <= 6.01 / 100
    gaps = rec.annotations[rec.annotations["kind"] == "gap"]
    assert len(gaps) == int((dt > 0.015).sum())
    missing = gaps["detail"].str.split(" ").str[0].astype(int).sum()
    assert missing == n_full - rec.n_samples
    # truth stays on the kept rows
    assert len(sim.angles) == 2 * rec.n_samples
    assert sim.segment_orientation["shank_left"].shape == (rec.n_samples, 4)


def test_mounting_perturbations_stay_within_bounds():
    sim = simulate_gait(duration_s=15.0, seed=30, misalignment_deg=30.0, tilt_deg=10.0)
    for p, q in sim.mounting.items():
        y = quat_rotate(q, np.array([0.0, 1.0, 0.0]))      # sensor y in the segment frame
        tilt = np.rad2deg(np.arccos(np.clip(y[1], -1, 1)))
        assert tilt <= 10.0 + 1e-9, p
        total = np.rad2deg(2 * np.arccos(min(1.0, abs(q[0]))))
        assert total <= 30.0 + 10.0 + 1e-6
    skin = simulate_gait(duration_s=15.0, seed=30, sensor_axes="skin")
    z = quat_rotate(skin.mounting["thigh_left"], np.array([0.0, 0.0, 1.0]))
    assert np.allclose(z, [0.0, 0.0, -1.0])                   # faces out of the left thigh


def test_simulate_core_is_fast_and_pure():
    code = ("import sys, time; t=time.time(); import gaitkit.simulate; "
            "assert 'matplotlib' not in sys.modules and 'bleak' not in sys.modules; "
            "import gaitkit; assert gaitkit.simulate_gait is gaitkit.simulate.simulate_gait")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(_repo_root()))


def _repo_root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


# -- truth files and CLI ---
def test_ground_truth_round_trip(tmp_path):
    from gaitkit.io._simulation import read_ground_truth, write_ground_truth

    sim = simulate_gait(duration_s=15.0, seed=2, misalignment_deg=10.0)
    written = write_ground_truth(sim, tmp_path / "rec.csv")
    assert sorted(p.name for p in written) == sorted(
        ["rec.events.csv", "rec.strides.csv", "rec.angles.csv", "rec.impacts.csv",
         "rec.truth.json"])
    events, angles, meta = read_ground_truth(tmp_path / "rec.csv")
    assert np.array_equal(events["time_s"].to_numpy(), sim.events["time_s"].to_numpy())
    assert list(events["event"]) == list(sim.events["event"])
    for c in ANGLE_COLUMNS:
        assert np.array_equal(angles[c].to_numpy(), sim.angles[c].to_numpy())
    assert meta["config"] == sim.config
    for p in sim.mounting:
        assert np.array_equal(meta["mounting_quat_sensor_to_segment"][p], sim.mounting[p])
        assert np.array_equal(meta["gyr_bias_radps"][p], sim.gyr_bias_radps[p])
    assert np.array_equal(meta["strides"]["fc_time_s"], sim.strides["fc_time_s"])
    assert list(meta["strides"]["reject_reason"]) == list(sim.strides["reject_reason"])
    # the config alone reproduces the simulation
    again = simulate_gait(meta["config"])
    assert np.array_equal(again.recording.streams["shank_left"].acc_mps2,
                          sim.recording.streams["shank_left"].acc_mps2)


def test_ground_truth_read_errors(tmp_path):
    from gaitkit.io._simulation import read_ground_truth, write_ground_truth

    with pytest.raises(InputFormatError, match=r"none\.truth\.json: ground-truth file not found"):
        read_ground_truth(tmp_path / "none.csv")
    sim = simulate_gait(duration_s=12.0, standing_s=(1.0, 1.0), seed=1,
                        placements=("shank_left",))
    write_ground_truth(sim, tmp_path / "a.csv")
    (tmp_path / "a.truth.json").write_text('{"format": "other"}')
    with pytest.raises(InputFormatError, match=r"a\.truth\.json, column 'format': expected format "
                                               r"'gaitkit-simulation-truth', found 'other'"):
        read_ground_truth(tmp_path / "a.csv")
    write_ground_truth(sim, tmp_path / "b.csv")
    ev = pd.read_csv(tmp_path / "b.events.csv").drop(columns=["time_s"])
    ev.to_csv(tmp_path / "b.events.csv", index=False)
    with pytest.raises(InputFormatError, match=r"b\.events\.csv, line 1, column 'time_s'"):
        read_ground_truth(tmp_path / "b.truth.json")


def test_cli_help_and_errors(capsys):
    from gaitkit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--duration", "--activity", "--speed", "--seed", "--out", "--extra-tibial-ir",
                "--hip-rom-scale", "--rate", "--misalignment", "--dropped"):
        assert opt in out
    assert main(["simulate", "--out", "x.csv", "--speed", "9"]) == 1
    assert ("gaitkit simulate: error: SimulationConfig.speed_mps must be <= 2.2, got 9"
            in capsys.readouterr().err)
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--out", "x.csv", "--extra-tibial-ir", "middle=3"])
    assert exc.value.code == 2
    assert "expected SIDE=VALUE with SIDE left or right, got 'middle=3'" in capsys.readouterr().err


def test_cli_writes_recording_and_truth(tmp_path, capsys):
    from gaitkit import io
    from gaitkit.cli import main
    from gaitkit.io._simulation import read_ground_truth

    out = tmp_path / "sub" / "x.csv"
    rc = main(["simulate", "--duration", "20", "--activity", "run", "--speed", "3.5",
               "--seed", "3", "--out", str(out), "--extra-tibial-ir", "right=5",
               "--hip-rom-scale", "left=0.7", "--misalignment", "30", "--dropped", "1",
               "--acc-bias", "0.1", "--upside-down", "shank_right", "--placements",
               "shank_left,shank_right,thigh_left"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "x.truth.json" in printed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)   # the dropped rows are gaps
        rec = io.read_recording(out)
    _, angles, meta = read_ground_truth(out)
    sim = simulate_gait(meta["config"])
    assert np.array_equal(rec.time_s, sim.recording.time_s)
    assert np.array_equal(rec.streams["thigh_left"].gyr_radps,
                          sim.recording.streams["thigh_left"].gyr_radps)
    assert meta["config"].hip_rom_scale["left"] == 0.7
    assert meta["config"].upside_down["shank_right"] and meta["config"].acc_bias_mps2 == 0.1
    assert rec.placements == ("shank_left", "shank_right", "thigh_left")
    assert len(angles) == 2 * rec.n_samples


# -- property and bias-model tests ---
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    activity=hs.sampled_from(["walk", "run"]),
    frac=hs.floats(0.0, 1.0),
    cv=hs.floats(0.0, 10.0),
    asym=hs.floats(-40.0, 40.0),
    ir=hs.floats(0.0, 30.0),
    rom=hs.floats(0.2, 2.0),
    placements=hs.lists(hs.sampled_from(["shank_left", "shank_right", "thigh_left",
                                         "thigh_right"]), min_size=1, max_size=4, unique=True),
    seed=hs.integers(0, 2**31),
)
def test_config_round_trip_property(activity, frac, cv, asym, ir, rom, placements, seed):
    lo, hi = (0.4, 2.2) if activity == "walk" else (1.8, 7.0)
    cfg = SimulationConfig(activity=activity, speed_mps=lo + frac * (hi - lo),
                           stride_time_cv_pct=cv, step_time_asymmetry_pct=asym,
                           extra_tibial_internal_rotation_deg={"left": ir},
                           hip_rom_scale={"right": rom}, placements=tuple(placements), seed=seed)
    back = SimulationConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert back == cfg
    assert back.to_dict() == cfg.to_dict()


def test_bias_random_walk_and_accelerometer_bias_are_recorded():
    sim = simulate_gait(duration_s=30.0, seed=13, acc_noise_mps2=0.0, gyr_noise_radps=0.0,
                        gyr_bias_radps=0.01, gyr_bias_rw_radps_per_sqrt_s=0.002,
                        acc_bias_mps2=0.2)
    rec = sim.recording
    t = rec.time_s
    end_rest = t > sim.config.duration_s - sim.config.standing_s[1] + 1.0   # impact tail gone
    for p, s in rec.streams.items():
        drift = sim.gyr_bias_drift_radps[p]
        assert drift.shape == (rec.n_samples, 3)
        # at rest the gyro reads exactly constant bias + drift (no noise here)
        bias = sim.gyr_bias_radps[p] + drift[end_rest]
        assert np.abs(s.gyr_radps[end_rest] - bias).max() < 1e-12
        assert np.linalg.norm(sim.acc_bias_mps2[p]) == pytest.approx(0.2)
        expect = quat_rotate(quat_conj(sim.mounting[p]), np.array([0.0, G0, 0.0]))
        assert np.abs(s.acc_mps2[end_rest] - expect - sim.acc_bias_mps2[p]).max() < 1e-9
    # the drift is a random walk with the configured density: var ≈ q²·t
    final = np.concatenate([d[-1] for d in sim.gyr_bias_drift_radps.values()])
    rms = np.sqrt(np.mean(final**2))
    assert 0.2 * 0.002 * np.sqrt(30.0) < rms < 3.0 * 0.002 * np.sqrt(30.0)


def test_phase_time_warp_is_exact_monotone_and_smooth():
    from gaitkit.simulate._engine import _Phase

    rng = np.random.default_rng(0)
    # contacts with 10 % stride CV and alternating ±40 % step asymmetry (the config limits)
    steps = np.where(np.arange(80) % 2, 1.4, 1.0) * (1 + 0.1 * rng.standard_normal(80))
    knots = np.cumsum(np.r_[0.0, steps])
    ph = _Phase(knots)
    assert np.array_equal(ph(knots), np.arange(knots.size, dtype=float))
    t = np.linspace(knots[0] - 1, knots[-1] + 1, 400001)
    rate = ph(t, 1)
    assert rate.min() > 0.3 / steps.max()
    h = t[1] - t[0]
    assert np.abs(np.gradient(ph(t), h) - rate)[1:-1].max() < 1e-6
    assert np.abs(np.gradient(rate, h) - ph(t, 2))[1:-1].max() < 1e-2 * np.abs(ph(t, 2)).max()
    assert np.abs(np.diff(rate)).max() < 1e-3          # rate continuous across contacts
    sim = simulate_gait(duration_s=60.0, seed=5, stride_time_cv_pct=10.0,
                        step_time_asymmetry_pct=40.0, placements=("shank_left",))
    st = sim.strides
    assert (st["ic_time_s"] < st["fc_time_s"]).all() and (st["fc_time_s"] < st["ms_time_s"]).all()
    assert (st["ms_time_s"] < st["next_ic_time_s"]).all()
