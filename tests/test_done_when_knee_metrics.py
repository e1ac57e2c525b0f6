"""Issue 5's acceptance, end to end: raw simulated IMU data → ``analyze`` → summary.json.

Events are detected, sensors calibrated and angles estimated from the signals (30° strap
rotation, 10° tilt, noise and gyro bias), so this checks the whole chain, not the metric
formulas alone (those are checked against truth in test_metrics_sim.py).
"""

from __future__ import annotations

import pytest

from gaitkit import analyze
from gaitkit.simulate import simulate_gait

MOUNTING = {"misalignment_deg": 30.0, "tilt_deg": 10.0}
CASES = {
    # simulated condition -> (metric that must be flagged, side of concern)
    "tibial_ir_right_5deg": (
        {"extra_tibial_internal_rotation_deg": {"right": 5.0}},
        "tibial_ir_excursion_deg",
        "right",
    ),
    "hip_range_left_minus_30pct": ({"hip_rom_scale": {"left": 0.7}}, "thigh_rom_deg", "left"),
    "step_time_asymmetry_10pct": ({"step_time_asymmetry_pct": 10.0}, "step_time_s", "right"),
}


@pytest.mark.parametrize("activity", ["walk", "run"])
@pytest.mark.parametrize("case", list(CASES))
def test_asymmetry_is_recognised_with_side_and_metric(activity, case):
    overrides, metric, side = CASES[case]
    rec = simulate_gait(duration_s=60.0, seed=7, activity=activity, **MOUNTING, **overrides)
    summary = analyze(rec.recording).summary
    assert summary["symmetry"][metric]["flag"], summary["symmetry"][metric]
    mine = [f for f in summary["findings"] if f["metric"] == metric]
    assert len(mine) == 1 and mine[0]["side"] == side
    assert str(round(abs(summary["symmetry"][metric]["si_pct"]))) in mine[0]["text"]


@pytest.mark.parametrize("activity", ["walk", "run"])
def test_symmetric_person_raises_no_flag_in_20_of_20_seeds(activity):
    flagged = {}
    for seed in range(100, 120):
        rec = simulate_gait(duration_s=60.0, seed=seed, activity=activity, **MOUNTING)
        sym = analyze(rec.recording).summary["symmetry"]
        hits = [m for m, row in sym.items() if row["flag"]]
        if hits:
            flagged[seed] = hits
    assert flagged == {}
