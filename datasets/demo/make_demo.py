"""Regenerate the bundled demo recording (deterministic): ``python datasets/demo/make_demo.py``.

tests/test_demo.py checks that this script's configuration reproduces the shipped file exactly.
"""

from __future__ import annotations

from pathlib import Path

from gaitkit.io._simulation import write_simulation
from gaitkit.simulate import SimulationConfig, simulate_gait

HERE = Path(__file__).resolve().parent

#: A 60 s overground walk at 1.3 m/s, both legs, thigh and shank sensors strapped on by hand
#: (up to 20° off about the segment, 5° tilt), with a mildly over-pronating right leg
#: (+4° extra tibial internal rotation in loading), 5 s of quiet standing at both ends.
DEMO_CONFIG = SimulationConfig(
    duration_s=60.0,
    activity="walk",
    speed_mps=1.3,
    extra_tibial_internal_rotation_deg={"left": 0.0, "right": 4.0},
    misalignment_deg=20.0,
    tilt_deg=5.0,
    sampling_rate_hz=100.0,
    standing_s=(5.0, 5.0),
    seed=2026,
)


def main() -> None:
    """Write the demo recording and its ground truth beside this script."""
    for path in write_simulation(simulate_gait(DEMO_CONFIG), HERE / "demo_walk.csv"):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
