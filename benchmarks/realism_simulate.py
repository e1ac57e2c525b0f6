"""Shank sagittal angular-velocity features around IC and toe-off: HuGaDB vs the simulator.

Development script (not a test): it reads the HuGaDB sample under /work/shared (or the path
given as the first argument), measures per stride, relative to foot/shank sensor references,

- ``ms_radps``: mid-swing peak of the shank sagittal angular velocity ω (swing positive);
- ``ic_min_ratio``: the minimum of ω after mid-swing (the "IC minimum", Aminian et al. 2002,
  J Biomech 35:689-699) divided by the mid-swing peak (negative number);
- ``ic_min_ms``: time of that minimum (parabolic sub-sample interpolation) minus the IC
  reference, the shank impact = sample of largest shank |acc| between 40 ms after MS and 45 %
  of the stride after MS (the heel-strike shock reaches the tibia within a few ms, Lafortune
  et al. 1995 J Biomech 28:1353; gaitkit's simulator puts it ~5-10 ms after contact);
- ``ic_half_width_ms``: width of the trough at half of the minimum's depth (below 0.5·ω_min);
- ``lr_plateau_radps`` and ``to_plateau_ms``: the loading-response level (median ω between
  150 and 300 ms after the reference, walking; 60-120 ms running) and the time from the
  minimum until ω first comes within 20 % of (min → plateau) of it;
- ``ps_min_ratio`` / ``ps_min_ms``: the pre-swing minimum (the minimum of ω from 20 % of the
  stride after the IC minimum to the next mid-swing peak) relative to the next MS peak and to
  the foot toe-off reference, the first downward zero crossing of the foot sagittal angular
  velocity less than 150 ms before to after it (the foot stops plantar-flexing and starts
  rotating forward once the toe has left the ground); ``ps_min_vs_pushoff_ms`` uses the foot's
  push-off peak (maximum plantar-flexion rate) instead;
- ``ic_min_vs_foot_ms`` / ``impact_vs_foot_ms``: the IC minimum and the shank impact relative
  to the upward zero crossing of the foot sagittal rate in terminal swing (end of the foot's
  forward rotation).

HuGaDB's sampling rate is not recorded (58.8 Hz assumed; 50-60 Hz plausible), so every time
has a ±17 ms sample quantisation per stride and a ±10 % scale uncertainty.

Run: ``PYTHONPATH=. python benchmarks/realism_simulate.py [hugadb_dir]``.
"""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path

import numpy as np


def _parab(y: np.ndarray, i: int) -> tuple[float, float]:
    if 0 < i < y.size - 1:
        a, b, c = y[i - 1], y[i], y[i + 1]
        den = a - 2 * b + c
        if den != 0:
            d = 0.5 * (a - c) / den
            if abs(d) <= 1:
                return i + d, b - 0.25 * (a - c) * d
    return float(i), float(y[i])


def stride_features(w: np.ndarray, fs: float, ic_ref: np.ndarray, to_ref: np.ndarray,
                    run: bool, ic_alt: np.ndarray | None = None,
                    to_alt: np.ndarray | None = None) -> list[dict]:
    """Features of ω (swing positive) for each stride between consecutive MS peaks."""
    from scipy.signal import find_peaks

    pk, _ = find_peaks(w, height=0.5 * np.percentile(w, 99), distance=int(0.3 * fs if run
                                                                           else 0.6 * fs))
    rows = []
    for a, b in itertools.pairwise(pk):
        T = (b - a) / fs
        if not (0.4 < T < 1.6):
            continue
        ms = w[a]
        i1 = a + int(0.45 * T * fs)
        seg = w[a:i1]
        im = int(np.argmin(seg)) + a
        t_min, v_min = _parab(w, im)
        ic = ic_ref[(ic_ref > a + 0.04 * fs) & (ic_ref < i1)]
        if ic.size != 1:
            continue
        ic = float(ic[0])
        # half-depth width
        half = 0.5 * v_min
        lo = im
        while lo > a and w[lo - 1] < half:
            lo -= 1
        hi = im
        while hi < b and w[hi + 1] < half:
            hi += 1
        # interpolate crossings
        t_lo = lo - (w[lo] - half) / (w[lo] - w[lo - 1]) if lo > a else float(lo)
        t_hi = hi + (half - w[hi]) / (w[hi + 1] - w[hi])
        p0, p1 = (0.06, 0.12) if run else (0.15, 0.30)
        pl = w[int(ic + p0 * fs):int(ic + p1 * fs)]
        plateau = float(np.median(pl)) if pl.size else np.nan
        thr = v_min + 0.8 * (plateau - v_min)
        j = im
        while j < b and w[j] < thr:
            j += 1
        # pre-swing
        j0 = im + int(0.2 * T * fs)
        ip = int(np.argmin(w[j0:b])) + j0
        t_ps, v_ps = _parab(w, ip)
        to = to_ref[(to_ref > t_ps - 0.15 * fs) & (to_ref < b)]
        alt = {}
        if ic_alt is not None:
            fa = ic_alt[(ic_alt > a) & (ic_alt < i1)]
            alt["ic_min_vs_foot_ms"] = 1000 * (t_min - fa[0]) / fs if fa.size else np.nan
            alt["impact_vs_foot_ms"] = 1000 * (ic - fa[0]) / fs if fa.size else np.nan
        if to_alt is not None:
            ta = to_alt[(to_alt > t_ps - 0.15 * fs) & (to_alt < b)]
            alt["ps_min_vs_pushoff_ms"] = 1000 * (t_ps - ta[0]) / fs if ta.size else np.nan
        rows.append({
            **alt,
            "stride_s": T, "ms_radps": ms, "ic_min_radps": v_min, "ic_min_ratio": v_min / ms,
            "ic_min_ms": 1000 * (t_min - ic) / fs, "ic_half_width_ms": 1000 * (t_hi - t_lo) / fs,
            "lr_plateau_radps": plateau, "to_plateau_ms": 1000 * (j - t_min) / fs,
            "ps_min_radps": v_ps, "ps_min_ratio": v_ps / w[b],
            "ps_min_ms": 1000 * (t_ps - to[0]) / fs if to.size else np.nan,
        })
    return rows


def hugadb_references(rec, side: str, run: bool) -> tuple[np.ndarray, ...]:
    """Shank ω (swing positive), shank-impact samples, foot toe-off times (samples), and the
    alternatives: foot heel-strike (upward zero crossing of the foot sagittal rate after swing,
    the foot stops rotating forward and starts its plantar flexion to foot-flat) and the foot
    push-off peak (maximum plantar-flexion rate)."""
    from scipy.signal import find_peaks

    fs = rec.sampling_rate_hz
    sh, ft = rec.streams[f"shank_{side}"], rec.streams[f"foot_{side}"]
    w = -sh.gyr_radps[:, 1]
    sa = np.linalg.norm(sh.acc_mps2, axis=1)
    imp, _ = find_peaks(sa, distance=int(0.25 * fs if run else 0.5 * fs), height=1.5 * 9.80665)
    fg = ft.gyr_radps[:, 1]               # push-off peak positive, swing negative
    pp, _ = find_peaks(fg, height=0.5 * np.percentile(fg, 99), distance=int(0.3 * fs))
    hs = []
    sw, _ = find_peaks(-fg, height=0.5 * np.percentile(-fg, 99), distance=int(0.3 * fs))
    for p in sw:
        k = p
        while k + 1 < fg.size and fg[k + 1] < 0:
            k += 1
        if k + 1 < fg.size:
            hs.append(k + fg[k] / (fg[k] - fg[k + 1]))
    to = []
    for p in pp:
        k = p
        while k + 1 < fg.size and fg[k + 1] > 0:
            k += 1
        if k + 1 < fg.size:
            to.append(k + fg[k] / (fg[k] - fg[k + 1]))
    pk = [float(_parab(fg, int(p))[0]) for p in pp]
    return w, imp.astype(float), np.asarray(to), np.asarray(hs), np.asarray(pk)


def main(root: str) -> None:
    import pandas as pd

    from gaitkit.io import read_recording

    warnings.simplefilter("ignore")
    out = []
    for f in sorted(Path(root).glob("HuGaDB_v1_*.txt")):
        if "walking_04_00" in f.name:     # gyros amplified ~10x and clipped (README)
            continue
        rec = read_recording(f)
        fs = rec.sampling_rate_hz
        acts = rec.annotations
        bouts = acts[acts["kind"] == "bout"]
        for _, bt in bouts.iterrows():
            act = bt["detail"].split()[0].split("=")[1]
            if act not in ("walking", "running"):
                continue
            run = act == "running"
            i0, i1 = np.searchsorted(rec.time_s, [bt["start_s"], bt["end_s"]])
            for side in ("left", "right"):
                w, imp, to, hs, po = hugadb_references(rec, side, run)
                sl = slice(i0, i1)

                def cut(x: np.ndarray, i0: int = i0, i1: int = i1) -> np.ndarray:
                    return x[(x >= i0) & (x < i1)] - i0

                rows = stride_features(w[sl], fs, cut(imp), cut(to), run, cut(hs), cut(po))
                for r in rows:
                    r.update(file=f.name, side=side, activity=act)
                out += rows
    df = pd.DataFrame(out)
    report(df, "HuGaDB")
    report(simulated(), "simulator (true IC / FC as references, 58.8 Hz, 1 kHz)")


COLS = ["ms_radps", "ic_min_ratio", "ic_min_ms", "ic_half_width_ms", "lr_plateau_radps",
        "to_plateau_ms", "ps_min_ratio", "ps_min_ms", "ic_min_vs_foot_ms", "impact_vs_foot_ms",
        "ps_min_vs_pushoff_ms", "stride_s"]


def report(df, title: str) -> None:
    import pandas as pd

    cols = [c for c in COLS if c in df.columns]
    print(f"== {title}")
    pd.set_option("display.width", 200)
    for act, g in df.groupby("activity"):
        print(f"{act}: {len(g)} strides, {g.file.nunique()} files")
        q = g[cols].quantile([0.25, 0.5, 0.75]).T
        q.columns = ["q25", "median", "q75"]
        print(q.round(2).to_string())
        print(g.groupby("file")[cols].median().round(2).to_string())


def simulated():
    """The same features on the simulator: IC reference = true IC, TO reference = true FC."""
    import pandas as pd

    from gaitkit.simulate import simulate_gait

    out = []
    for act, v in [("walk", 0.6), ("walk", 1.0), ("walk", 1.3), ("walk", 1.6), ("walk", 2.0),
                   ("run", 2.5), ("run", 3.5), ("run", 5.0)]:
        for fs in (58.8, 1000.0):
            sim = simulate_gait(duration_s=40.0, activity=act, speed_mps=v, sampling_rate_hz=fs,
                                seed=3, placements=("shank_right",), standing_s=(2.0, 2.0))
            t = sim.recording.time_s
            st = sim.strides[(sim.strides.side == "right") & sim.strides.valid]
            w = sim.recording.streams["shank_right"].gyr_radps[:, 2]
            ic = np.interp(st.ic_time_s.to_numpy(), t, np.arange(t.size))
            fc = np.interp(st.fc_time_s.to_numpy(), t, np.arange(t.size))
            i0, i1 = int(ic[0]), int(np.interp(st.next_ic_time_s.iloc[-1], t, np.arange(t.size)))
            rows = stride_features(w[i0:i1], fs, ic - i0, fc - i0, act == "run")
            for r in rows:
                r.update(file=f"{act} {v:g} m/s {fs:g} Hz", side="right", activity=act)
            out += rows
    return pd.DataFrame(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/hugadb")
