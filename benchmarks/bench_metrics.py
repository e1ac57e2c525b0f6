"""Benchmark of the metrics stage: per-stride metrics + symmetry + findings.

Input: a 60-minute, four-sensor (shank and thigh, both legs) recording from the gaitkit
simulator (``--source sim``, default; its true angles and strides) or built analytically
(``--source synthetic``), with the long angle table (all eight angle columns per side) and
shank accelerometers for tibial shock. Building the input is not timed: the benchmark measures
only :mod:`gaitkit.metrics` (``compute_stride_metrics`` + ``summarize_metrics`` +
``symmetry_table`` with 2000 bootstrap resamples + ``findings``). Prints the stage time as
"x real time" (recording duration / compute time; target >= 10,000x).

Run: ``PYTHONPATH=. python benchmarks/bench_metrics.py [--source sim|synthetic] [--minutes 60]
[--rate 100] [--activity walk|run]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from gaitkit.metrics import compute_stride_metrics, findings, summarize_metrics, symmetry_table
from gaitkit.model import Recording, SensorStream
from gaitkit.schema import ANGLE_COLUMNS
from gaitkit.units import G0


def build(minutes: float, fs: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    dur = minutes * 60.0
    t = np.arange(int(dur * fs)) / fs
    rows, parts, streams = [], [], {}
    for side, off in (("left", 0.0), ("right", 0.52)):
        st = 1.05 + 0.02 * rng.normal(size=int(dur / 1.05) + 10)
        ic = 1.0 + off + np.concatenate([[0.0], np.cumsum(st)])
        ic = ic[ic + 2 < dur]
        n = ic.size - 1
        phase = np.interp(t, ic, np.arange(ic.size), left=0, right=n)
        u = phase % 1.0
        stance = u < 0.6
        d = {"time_s": t, "side": side}
        for j, c in enumerate(ANGLE_COLUMNS):
            d[c] = 10 * np.sin(2 * np.pi * phase - j) + 0.3 * rng.normal(size=t.size)
        d["shank_axial_deg"] = np.where(stance, 8 * np.sin(np.pi * u / 0.6), 0.0)
        parts.append(pd.DataFrame(d))
        acc = np.zeros((t.size, 3))
        acc[:, 1] = G0 * (1 + 4 * np.exp(-0.5 * ((u - 0.02) / 0.01) ** 2))
        streams[f"shank_{side}"] = SensorStream(acc, np.zeros_like(acc))
        streams[f"thigh_{side}"] = SensorStream(acc, np.zeros_like(acc))
        for k in range(n):
            rows.append((side, k, ic[k], ic[k] + 0.6 * (ic[k + 1] - ic[k]), ic[k + 1]))
    s = pd.DataFrame(
        rows, columns=["side", "stride_id", "ic_time_s", "fc_time_s", "next_ic_time_s"]
    )
    s["bout_id"] = 0
    s["activity"] = "run"
    s["stride_time_s"] = s["next_ic_time_s"] - s["ic_time_s"]
    s["stance_time_s"] = s["fc_time_s"] - s["ic_time_s"]
    s["swing_time_s"] = s["stride_time_s"] - s["stance_time_s"]
    s["stance_pct"] = 100 * s["stance_time_s"] / s["stride_time_s"]
    s["valid"] = True
    s["reject_reason"] = ""
    rec = Recording(t, fs, streams)
    return s, pd.concat(parts, ignore_index=True), rec, dur


def build_sim(minutes: float, fs: float, activity: str, seed: int = 0):
    from gaitkit.simulate import SimulationConfig, simulate_gait

    sim = simulate_gait(
        SimulationConfig(
            duration_s=minutes * 60.0, activity=activity, sampling_rate_hz=fs, seed=seed
        )
    )
    return sim.strides, sim.angles, sim.recording, sim.recording.duration_s


def run_stage(s, angles, rec):
    m = compute_stride_metrics(s, angles, rec)
    summ = summarize_metrics(m)
    sym = symmetry_table(m, n_boot=2000, seed=0)
    f = findings(summ, sym)
    return m, sym, f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=100.0, help="sampling rate, Hz")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--source", choices=("sim", "synthetic"), default="sim")
    ap.add_argument("--activity", choices=("walk", "run"), default="walk")
    args = ap.parse_args()
    if args.source == "sim":
        s, angles, rec, dur = build_sim(args.minutes, args.rate, args.activity)
    else:
        s, angles, rec, dur = build(args.minutes, args.rate)
    best = best_cpu = np.inf
    run_stage(s, angles, rec)  # warm-up (page faults, lazy imports)
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        m, sym, _f = run_stage(s, angles, rec)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    n_metrics = len([c for c in m.columns if c not in s.columns])
    print(
        f"metrics stage ({args.source}, {args.activity}): {args.minutes:.0f} min, 4 sensors, "
        f"{args.rate:.0f} Hz, "
        f"{len(s)} strides, {n_metrics} per-stride metrics, {len(sym)} symmetry rows"
    )
    print(
        f"  best of {args.repeat}: {best:.3f} s -> {dur / best:,.0f} x real time "
        "(target >= 10,000 x)"
    )
    print(
        f"  CPU time (all threads) best of {args.repeat}: {best_cpu:.3f} s -> "
        f"{dur / best_cpu:,.0f} x real time per core-second (less sensitive to a busy machine)"
    )


if __name__ == "__main__":
    main()
