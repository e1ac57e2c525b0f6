"""Benchmark of gaitkit.simulate.simulate_gait: seconds simulated per second of compute.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_simulate.py``.
Prints one line per case as "x real time" (simulated duration / wall time, best of 2).
"""

from __future__ import annotations

import time

from gaitkit.simulate import simulate_gait


def _best(n: int, **kw) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        simulate_gait(**kw)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    simulate_gait(duration_s=15.0)  # warm imports
    cases = [
        ("walk 10 min, 4 sensors, 100 Hz", dict(duration_s=600.0)),
        ("run 10 min, 4 sensors, 100 Hz", dict(duration_s=600.0, activity="run")),
        ("walk 60 min, 4 sensors, 100 Hz", dict(duration_s=3600.0)),
        ("run 60 min, 4 sensors, 100 Hz, 2% dropped, misaligned",
         dict(duration_s=3600.0, activity="run", dropped_samples_pct=2.0, misalignment_deg=30.0)),
        ("walk 10 min, 4 sensors, 1000 Hz", dict(duration_s=600.0, sampling_rate_hz=1000.0)),
    ]
    for label, kw in cases:
        wall = _best(2, **kw)
        print(f"{label}: {wall:.2f} s wall, {kw['duration_s'] / wall:.0f} x real time")


if __name__ == "__main__":
    main()
