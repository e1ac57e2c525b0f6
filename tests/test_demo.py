"""`gaitkit demo` runs end to end on the bundled recording, which regenerates exactly."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pandas as pd

from gaitkit.cli import main
from gaitkit.io import read_recording
from gaitkit.io._bundled import demo_path
from gaitkit.simulate import simulate_gait

REPO = Path(__file__).resolve().parents[1]


def test_demo_command_writes_outputs(tmp_path, capsys):
    out = tmp_path / "demo-out"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "outputs in" in printed and str(out.resolve()) in printed
    strides = pd.read_csv(out / "strides.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert {"left", "right"} <= set(summary["legs"])
    truth = pd.read_csv(REPO / "datasets" / "demo" / "demo_walk.strides.csv")
    for side in ("left", "right"):
        leg = summary["legs"][side]
        # cadence within 2 steps/min of the simulated truth
        true_cadence = 120.0 / truth.loc[truth["side"] == side, "stride_time_s"].median()
        assert abs(leg["cadence_spm"] - true_cadence) < 2.0
        assert leg["stride_count"] >= 0.9 * (truth["side"] == side).sum() - 2
    assert strides["valid"].sum() > 70


def test_bundled_demo_regenerates_bit_for_bit():
    make_demo = runpy.run_path(str(REPO / "datasets" / "demo" / "make_demo.py"))
    sim = simulate_gait(make_demo["DEMO_CONFIG"])
    shipped = read_recording(demo_path())
    assert shipped.placements == sim.recording.placements
    np.testing.assert_array_equal(shipped.time_s, sim.recording.time_s)
    for p in shipped.placements:
        np.testing.assert_array_equal(
            shipped.streams[p].acc_mps2, sim.recording.streams[p].acc_mps2
        )
        np.testing.assert_array_equal(
            shipped.streams[p].gyr_radps, sim.recording.streams[p].gyr_radps
        )
