"""`gaitkit.analyze` composes the stages and records how its result was computed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gaitkit import analyze
from gaitkit._json import json_safe
from gaitkit.analysis import AnalysisConfig
from gaitkit.errors import ConfigError, InsufficientDataError
from gaitkit.metrics import METRIC_ALIASES, MIRRORED_METRICS
from gaitkit.metrics._symmetry import readable_label
from gaitkit.model import Recording, SensorStream
from gaitkit.simulate import simulate_gait


@pytest.fixture(scope="module")
def walk():
    return simulate_gait(duration_s=45.0, seed=11, misalignment_deg=20.0, tilt_deg=5.0)


@pytest.fixture(scope="module")
def walk_result(walk):
    return analyze(walk.recording)


def test_summary_schema(walk, walk_result):
    s = walk_result.summary
    json.dumps(s, allow_nan=False)  # strict JSON
    assert s["gaitkit_version"] and s["config"] == AnalysisConfig().to_dict()
    assert s["input"]["placements"] == list(walk.recording.placements)
    for side in ("left", "right"):
        leg = s["legs"][side]
        assert leg["stride_count"] == int(
            ((walk_result.strides["side"] == side) & walk_result.strides["valid"]).sum()
        )
        true_cadence = (
            120.0 / walk.strides.loc[walk.strides["side"] == side, "stride_time_s"].median()
        )
        assert leg["cadence_spm"] == pytest.approx(true_cadence, abs=1.5)
        for name in (
            "stride_time_s",
            "stance_pct",
            "knee_flexion_rom_deg",
            "tibial_ir_excursion_deg",
            "knee_thigh_rom_ratio",
        ):
            assert set(leg["metrics"][name]) == {"mean", "sd", "cv_pct", "n"}
    # symmetry for every per-stride metric, with the fields the issue names
    per_leg = set(s["legs"]["left"]["metrics"]) & set(s["legs"]["right"]["metrics"])
    compared = {m for m in per_leg if s["legs"]["left"]["metrics"][m]["n"] >= 2}
    assert compared - set(METRIC_ALIASES) - set(MIRRORED_METRICS) <= set(s["symmetry"])
    assert not set(METRIC_ALIASES) & set(s["symmetry"])  # an alias is compared once, canonically
    for row in s["symmetry"].values():
        assert {"left", "right", "si_pct", "symmetry_angle_deg", "ratio", "ci95", "flag"} <= set(
            row
        )
    for f in s["findings"]:
        assert set(f) == {"metric", "side", "severity", "text"}
    assert {"calibration", "sensor_axes", "quality", "bouts", "notes"} <= set(s)


def test_tables_line_up(walk_result):
    strides, cycles = walk_result.strides, walk_result.cycles
    assert strides[["side", "stride_id"]].duplicated().sum() == 0
    assert set(cycles["pct"]) == set(range(101))
    n_cycles = cycles.groupby(["side", "stride_id"]).ngroups
    assert n_cycles == len(strides)
    # knee flexion ROM per stride agrees with the simulator's truth in walking
    rom = strides.loc[strides["valid"], "knee_flexion_rom_deg"].median()
    assert 50.0 < rom < 70.0


def test_recognises_simulated_over_pronation():
    sim = simulate_gait(duration_s=60.0, seed=5, extra_tibial_internal_rotation_deg={"right": 5.0})
    s = analyze(sim.recording).summary
    row = s["symmetry"]["tibial_ir_excursion_deg"]
    assert row["flag"] and row["right"] > row["left"]
    first = s["findings"][0]
    assert first["side"] == "right" and "tibial" in first["metric"]


def test_shank_only_recording_gives_shank_metrics_and_says_why_no_knee():
    sim = simulate_gait(duration_s=40.0, seed=3, placements=("shank_left", "shank_right"))
    res = analyze(sim.recording)
    cols = set(res.strides.columns)
    assert "shank_rom_deg" in cols and "tibial_ir_excursion_deg" in cols
    assert not any(c.startswith(("knee_", "thigh_")) for c in cols)
    assert any("knee" in n for n in res.summary["notes"])


def test_events_only_config():
    sim = simulate_gait(duration_s=30.0, seed=2)
    res = analyze(sim.recording, AnalysisConfig(kinematics=False, metrics=False))
    assert res.cycles is None and res.angles is None
    assert "stride_time_s" in res.summary["legs"]["left"]["metrics"]
    assert "symmetry" not in res.summary


def test_config_round_trip_and_errors():
    cfg = AnalysisConfig(bootstrap_samples=500, seed=3, activity="run")
    assert AnalysisConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    with pytest.raises(ConfigError, match=r"unknown analysis option\(s\) \['bootstraps'\]"):
        AnalysisConfig.from_dict({"bootstraps": 10})
    with pytest.raises(ConfigError, match="cycle_points must be an integer >= 11, got 5"):
        AnalysisConfig(cycle_points=5)
    with pytest.raises(ConfigError, match="activity must be 'auto', 'walk' or 'run', got 'hop'"):
        AnalysisConfig(activity="hop")  # type: ignore[arg-type]


def test_needs_a_shank():
    t = np.arange(500) / 100.0
    rec = Recording(t, 100.0, {"thigh_left": SensorStream(np.zeros((500, 3)), np.zeros((500, 3)))})
    with pytest.raises(
        InsufficientDataError, match="gait events need a shank sensor; the recording has thigh_left"
    ):
        analyze(rec)


def test_readable_labels_and_json_safe():
    assert readable_label("knee_flexion_at_ic_deg") == "knee flexion at initial contact"
    assert (
        readable_label("lr_tibial_ir_velocity_dps")
        == "loading-response tibial internal rotation velocity"
    )
    assert json_safe({"a": np.float64("nan"), "b": (np.int64(2), np.bool_(True))}) == {
        "a": None,
        "b": [2, True],
    }


def test_stages_are_reported_in_order_and_drawn_only_on_a_terminal(walk):
    import io

    from gaitkit.analysis import STAGES
    from gaitkit.cli._progress import stage_progress

    seen: list[str] = []
    analyze(walk.recording, AnalysisConfig(kinematics=False, metrics=False), on_stage=seen.append)
    assert tuple(seen) == STAGES

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        cb = stage_progress(len(STAGES), "analyze", stream=stream)
        for name in STAGES:
            cb(name)
    assert "analyze [4/4] done" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert pipe.getvalue() == ""


def test_corrupted_real_recording_is_flagged_not_reported(hugadb_dir):
    """HuGaDB walking_04_00 has amplified, saturated gyros: flagged, no confident numbers."""
    import warnings

    from gaitkit.errors import DataQualityWarning
    from gaitkit.io import read_recording

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # asserted in test_io_hugadb.py
        rec = read_recording(hugadb_dir / "HuGaDB_v1_walking_04_00.txt")
    s = analyze(rec).summary
    assert {"shank_left", "shank_right"} <= set(s["quality"]["suspect_sensors"])
    for side in ("left", "right"):
        leg = s["legs"][side]
        assert leg["stride_count"] == 0 and leg["cadence_spm"] is None
        assert leg["rejected_strides"]["suspect_gyro"] > 100
    assert not any(f["severity"] in ("moderate", "marked") for f in s["findings"])


def test_no_gait_is_an_error_that_says_why(tmp_path, capsys):
    sim = simulate_gait(duration_s=30.0, seed=4)
    standing = sim.recording.slice_time(0.0, 4.0)  # the simulator stands for the first 5 s
    with pytest.raises(InsufficientDataError, match=r"no walking or running found in 4\.0 s"):
        analyze(standing)
    from gaitkit.cli import main
    from gaitkit.io import write_recording

    path = tmp_path / "stand.csv"
    write_recording(standing, path)
    assert main(["analyze", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gaitkit analyze: error: ")
    assert "no walking or running found" in err[0]
    assert not (tmp_path / "out").exists()


def test_packet_loss_keeps_features_and_one_gap_policy():
    """3 % dropped samples (BLE-like bursts) must not void most strides' angle features."""
    sim = simulate_gait(duration_s=60.0, seed=1, dropped_samples_pct=3.0)
    st = analyze(sim.recording).strides
    st = st[st["valid"]]
    assert st["knee_flexion_max_deg"].notna().mean() > 0.9
    both = st[["knee_flexion_max_deg", "knee_flexion_min_deg", "knee_flexion_rom_deg"]].dropna()
    assert len(both) == st["knee_flexion_rom_deg"].notna().sum()  # voided together, or not
    np.testing.assert_allclose(
        both["knee_flexion_rom_deg"], both["knee_flexion_max_deg"] - both["knee_flexion_min_deg"]
    )


def test_every_output_column_is_explained_in_columns_md(tmp_path):
    """write_analysis writes a data dictionary; every column the pipeline emits is in it."""
    from gaitkit.io import write_analysis
    from gaitkit.schema import COLUMN_DOCS

    for activity in ("walk", "run"):
        res = analyze(simulate_gait(duration_s=30.0, seed=1, activity=activity).recording)
        for table in (res.strides, res.events, res.bouts, res.cycles):
            missing = [c for c in table.columns if c not in COLUMN_DOCS]
            assert missing == [], f"document these columns in gaitkit.schema.COLUMN_DOCS: {missing}"
        paths = write_analysis(res, tmp_path / activity)
        text = paths["columns"].read_text()
        assert "| `ms_time_s` | mid-swing" in text and "(undocumented)" not in text
