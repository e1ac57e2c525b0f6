"""Benchmark of bout + gait-event detection (and the strides table) on a one-hour recording.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_events.py``.

The input is made with the simulator: 60 minutes, four sensors (shanks and thighs), 100 Hz,
walking at 1.3 m/s with noise, gyroscope bias and 30° misalignment, built by tiling a
10-minute simulation six times (simulating a full hour takes longer than detecting in it).
Timed: ``detect_bouts`` followed by ``detect_gait_events`` on the same recording, as
``gaitkit.analysis.analyze`` calls them, best of 5 runs after a warm-up, single thread
(BLAS/OpenMP pools set to one thread before numpy loads). The strides table is timed apart.
Prints "x real time" = recording duration / wall time. Target: ≥ 20 000 x (≈ 0.18 s).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from gaitkit.events import _bouts, detect_bouts, detect_gait_events, segment_strides  # noqa: E402
from gaitkit.model import Recording, SensorStream  # noqa: E402
from gaitkit.simulate import simulate_gait  # noqa: E402


def make_hour(activity: str = "walk", speed: float = 1.3) -> Recording:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate_gait(
            duration_s=600.0,
            activity=activity,
            speed_mps=speed,
            misalignment_deg=30.0,
            gyr_bias_radps=0.05,
            standing_s=(0.0, 0.0),
            seed=11,
        )
    rec = sim.recording
    reps = 6
    fs = rec.sampling_rate_hz
    streams = {
        p: SensorStream(np.tile(s.acc_mps2, (reps, 1)), np.tile(s.gyr_radps, (reps, 1)))
        for p, s in rec.streams.items()
    }
    t = np.arange(rec.n_samples * reps) / fs
    return Recording(t, fs, streams)


def _best(n: int, fn) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    for activity, speed in (("walk", 1.3), ("run", 3.5)):
        rec = make_hour(activity, speed)
        minutes = rec.duration_s / 60.0

        def run(rec: Recording = rec):
            _bouts._MEMO.clear()  # time the full computation, not the memo
            bouts = detect_bouts(rec)
            return detect_gait_events(rec, bouts)

        det = run()  # warm-up (imports, filter design cache)
        wall = _best(5, run)
        n_ev = len(det.events)
        print(
            f"bouts + events, {activity} {minutes:.0f} min, {len(rec.placements)} sensors, "
            f"{rec.sampling_rate_hz:.0f} Hz: {wall:.3f} s wall, "
            f"{rec.duration_s / wall:,.0f} x real time ({n_ev} events)"
        )
        wall_s = _best(5, lambda det=det: segment_strides(det.events, det.bouts))
        print(
            f"strides table ({activity}): {wall_s:.3f} s wall, "
            f"{rec.duration_s / wall_s:,.0f} x real time"
        )


if __name__ == "__main__":
    main()
