"""Read speed of gaitkit CSV: a 60-min, 4-sensor recording vs plain ``pandas.read_csv``.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_io.py [--rate 100] [--minutes 60] [--repeat 3]

Prints, for each reader, the best wall time of ``--repeat`` runs, the speed as "x real time"
(recording duration / read time) and the ratio to ``pandas.read_csv`` of the same file measured
in the same run. gaitkit's read includes validation (header, time, magnitudes, mixed rates) and
the quality detectors (gaps, NaN runs, clipping, suspect gyros).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from gaitkit.errors import DataQualityWarning
from gaitkit.io import read_recording, write_recording
from gaitkit.model import Recording, SensorStream


def make(minutes: float, fs: float) -> Recording:
    n = int(minutes * 60 * fs)
    rng = np.random.default_rng(0)
    t = np.arange(n) / fs
    streams = {}
    for k, p in enumerate(("shank_left", "shank_right", "thigh_left", "thigh_right")):
        ph = 2 * np.pi * 0.9 * t + k
        acc = np.column_stack([2 * np.sin(ph), 9.81 + 4 * np.cos(ph), np.sin(2 * ph)])
        gyr = np.column_stack([0.3 * np.sin(ph), 0.5 * np.cos(ph), 5 * np.sin(ph + 1)])
        streams[p] = SensorStream(acc + rng.normal(0, 0.05, (n, 3)),
                                  gyr + rng.normal(0, 0.01, (n, 3)))
    return Recording(t, fs, streams)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rec = make(a.minutes, a.rate)
    dur = rec.duration_s
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "long.csv"
        t0 = time.perf_counter()
        write_recording(rec, path)
        t_write = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        bare = Path(d) / "bare.csv"
        bare.write_bytes(path.read_bytes())  # no sidecar: rate given, detectors run
        print(f"file: {rec.n_samples} rows x {1 + 6 * len(rec.placements)} columns, "
              f"{size_mb:.0f} MB, {dur / 60:.0f} min at {a.rate:g} Hz")
        print(f"write_recording: {t_write:.2f} s ({dur / t_write:,.0f} x real time)")
        t_pd = best(lambda: pd.read_csv(path), a.repeat)
        t_pd64 = best(lambda: pd.read_csv(path, dtype=np.float64), a.repeat)

        def gk_sidecar() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                r = read_recording(path)
            assert r.n_samples == rec.n_samples

        def gk_bare() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                r = read_recording(bare, sampling_rate_hz=a.rate)
            assert r.n_samples == rec.n_samples

        t_side = best(gk_sidecar, a.repeat)
        t_bare = best(gk_bare, a.repeat)
        back = read_recording(path)
        exact = all(np.array_equal(back.streams[p].acc_mps2, rec.streams[p].acc_mps2)
                    and np.array_equal(back.streams[p].gyr_radps, rec.streams[p].gyr_radps)
                    for p in rec.placements)
    print(f"pandas.read_csv (default dtypes):   {t_pd:6.2f} s  {dur / t_pd:8,.0f} x real time")
    print(f"pandas.read_csv (dtype=float64):    {t_pd64:6.2f} s  {dur / t_pd64:8,.0f} x real time")
    print(f"gaitkit read_recording (sidecar):   {t_side:6.2f} s  {dur / t_side:8,.0f} x real time"
          f"  ratio to pandas {t_side / t_pd:.2f}")
    print(f"gaitkit read_recording (no sidecar, detectors run): {t_bare:6.2f} s  "
          f"{dur / t_bare:8,.0f} x real time  ratio to pandas {t_bare / t_pd:.2f}")
    print(f"round trip bit-exact: {exact}")


if __name__ == "__main__":
    main()
