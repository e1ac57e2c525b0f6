"""Left/right comparisons the calibration cannot support are withheld, with the reason."""

from __future__ import annotations

import warnings

from gaitkit import analyze
from gaitkit.errors import DataQualityWarning
from gaitkit.metrics import CALIBRATION_LIMIT_DEG, gate_by_calibration


def _row(flag=True):
    return {"left": 5.0, "right": 9.0, "si_pct": 57.0, "flag": flag}


SYM = {
    "tibial_ir_excursion_deg": _row(),
    "knee_rotation_excursion_deg": _row(),
    "knee_flexion_min_deg": _row(),
    "knee_flexion_rom_deg": _row(),
    "step_time_s": _row(),
}
FINDINGS = [{"metric": m, "side": "right", "severity": "marked", "text": m} for m in SYM]
GOOD = {p: 1.0 for p in ("shank_left", "shank_right", "thigh_left", "thigh_right")}


def test_good_calibration_changes_nothing_but_marks_reliability():
    sym, found = gate_by_calibration(SYM, FINDINGS, GOOD)
    assert all(r["flag"] for r in sym.values())
    assert found == FINDINGS
    assert sym["tibial_ir_excursion_deg"]["reliable"] is True
    assert "reliable" not in sym["step_time_s"]  # not calibration-sensitive
    assert SYM["tibial_ir_excursion_deg"] == _row()  # inputs untouched


def test_poor_shank_axis_withholds_rotation_comparisons_only():
    axis = dict(GOOD, shank_right=14.2)
    sym, found = gate_by_calibration(SYM, FINDINGS, axis)
    assert not sym["tibial_ir_excursion_deg"]["flag"]
    assert not sym["knee_rotation_excursion_deg"]["flag"]  # needs shank and thigh
    assert "shank_right deviates 14°" in sym["tibial_ir_excursion_deg"]["reliability_note"]
    assert sym["knee_flexion_rom_deg"]["flag"] and sym["step_time_s"]["flag"]
    metrics = [f["metric"] for f in found]
    assert metrics.count("calibration") == 2 and "tibial_ir_excursion_deg" not in metrics
    info = [f for f in found if f["metric"] == "calibration"]
    assert all(f["severity"] == "info" and f["side"] == "both" for f in info)
    assert any(
        "tibial rotation" in f["text"] and f"limit {CALIBRATION_LIMIT_DEG:.0f}°" in f["text"]
        for f in info
    )


def test_without_standing_absolute_angles_are_withheld_but_ranges_kept():
    standing = {p: p != "thigh_left" for p in GOOD}
    sym, found = gate_by_calibration(SYM, FINDINGS, GOOD, standing_calibrated=standing)
    assert not sym["knee_flexion_min_deg"]["flag"]
    assert (
        "thigh_left was calibrated without a standing period"
        in (sym["knee_flexion_min_deg"]["reliability_note"])
    )
    assert sym["knee_flexion_rom_deg"]["flag"] and sym["tibial_ir_excursion_deg"]["flag"]
    assert any("absolute joint and segment angle" in f["text"] for f in found)


def test_real_recording_with_a_poorly_seated_shank_sensor(hugadb_dir):
    """HuGaDB various_01_08: the right shank's axis is 14° off; rotation is not compared."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        from gaitkit.io import read_recording

        rec = read_recording(hugadb_dir / "HuGaDB_v1_various_01_08.txt")
    s = analyze(rec).summary
    assert s["calibration"]["shank_right"]["axis_orthogonality_deg"] > CALIBRATION_LIMIT_DEG
    row = s["symmetry"]["tibial_ir_excursion_deg"]
    assert row["reliable"] is False and row["flag"] is False
    assert not any(f["metric"].startswith("tibial_ir") for f in s["findings"])
    assert any(f["metric"] == "calibration" and "shank_right" in f["text"] for f in s["findings"])


def test_rules_for_stance_share_and_absolute_angles():
    import numpy as np
    import pandas as pd

    from gaitkit.metrics import symmetry_table

    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame(
        {
            "side": ["left"] * n + ["right"] * n,
            "valid": True,
            # stance share 10 % larger on the right: beyond the 6 % temporal rule
            "stance_pct": np.r_[rng.normal(60, 0.5, n), rng.normal(66, 0.5, n)],
            # knee flexion minimum 0.3° vs 0.03°: a huge percentage of an arbitrary zero,
            # but a 0.27° difference, far below the 3° rule
            "knee_flexion_min_deg": np.r_[rng.normal(0.3, 0.1, n), rng.normal(0.03, 0.1, n)],
        }
    )
    sym = symmetry_table(df, ["stance_pct", "knee_flexion_min_deg"], n_boot=500)
    assert sym["stance_pct"]["flag"] and sym["stance_pct"]["threshold"] == 6.0
    assert sym["knee_flexion_min_deg"]["basis"] == "diff"
    assert not sym["knee_flexion_min_deg"]["flag"]


def test_running_load_is_per_minute_of_gait_and_kinematic_ranges_are_kept():
    from gaitkit.kinematics import stride_features
    from gaitkit.simulate import simulate_gait

    sim = simulate_gait(duration_s=60.0, seed=8, activity="run", standing_s=(10.0, 10.0))
    res = analyze(sim.recording)
    load = {r["side"]: r for r in res.summary["running_load"]}
    strides_per_min = res.summary["legs"]["left"]["cadence_spm"] / 2.0
    assert abs(load["left"]["impacts_per_min"] / strides_per_min - 1.0) < 0.15
    # knee ROM in the table is the full-rate measurement, not a 101-point re-measure
    own = stride_features(res.angles, res.strides).set_index(["side", "stride_id"])
    table = res.strides.set_index(["side", "stride_id"])
    ok = table["knee_flexion_rom_deg"].notna()
    assert (
        table.loc[ok, "knee_flexion_rom_deg"] == own.loc[ok[ok].index, "knee_flexion_rom_deg"]
    ).all()


def test_unapplied_or_implausible_crosstalk_correction_withholds_rotation_comparisons():
    for shank_right, withheld in ((3.0, False), (15.0, True), (float("nan"), True)):
        sym, _ = gate_by_calibration(
            SYM,
            FINDINGS,
            GOOD,
            crosstalk_correction_deg={"shank_left": -2.0, "shank_right": shank_right},
        )
        assert sym["tibial_ir_excursion_deg"]["flag"] is (not withheld)
        assert sym["knee_flexion_rom_deg"]["flag"]  # sagittal: unaffected
        if withheld:
            note = sym["tibial_ir_excursion_deg"]["reliability_note"]
            assert "cross-talk correction of shank_right" in note
