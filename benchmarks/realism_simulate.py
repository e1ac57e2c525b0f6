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
- ``ps_min_ratio`` / ``ps_min_ms``: the pre-swing minimum (the minimum of ω in the 40 % of the
  stride before the next mid-swing peak) relative to MS and to the foot toe-off reference,
  the downward zero crossing of the foot sagittal angular velocity after its push-off peak
  (the foot stops plantar-flexing and starts rotating forward as the toe leaves the ground).

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
                    run: bool) -> list[dict]:
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
        j0 = b - int(0.4 * T * fs)
        ip = int(np.argmin(w[j0:b])) + j0
        t_ps, v_ps = _parab(w, ip)
        to = to_ref[(to_ref > j0) & (to_ref < b + 0.1 * fs)]
        rows.append({
            "stride_s": T, "ms_radps": ms, "ic_min_radps": v_min, "ic_min_ratio": v_min / ms,
            "ic_min_ms": 1000 * (t_min - ic) / fs, "ic_half_width_ms": 1000 * (t_hi - t_lo) / fs,
            "lr_plateau_radps": plateau, "to_plateau_ms": 1000 * (j - t_min) / fs,
            "ps_min_radps": v_ps, "ps_min_ratio": v_ps / w[b],
            "ps_min_ms": 1000 * (t_ps - to[0]) / fs if to.size else np.nan,
        })
    return rows


def hugadb_references(rec, side: str, run: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shank ω (swing positive), shank-impact sample indices, foot toe-off times (samples)."""
    from scipy.signal import find_peaks

    fs = rec.sampling_rate_hz
    sh, ft = rec.streams[f"shank_{side}"], rec.streams[f"foot_{side}"]
    w = -sh.gyr_radps[:, 1]
    sa = np.linalg.norm(sh.acc_mps2, axis=1)
    imp, _ = find_peaks(sa, distance=int(0.25 * fs if run else 0.5 * fs), height=1.5 * 9.80665)
    fg = ft.gyr_radps[:, 1]               # push-off peak positive, swing negative
    pp, _ = find_peaks(fg, height=0.5 * np.percentile(fg, 99), distance=int(0.3 * fs))
    to = []
    for p in pp:
        k = p
        while k + 1 < fg.size and fg[k + 1] > 0:
            k += 1
        if k + 1 < fg.size:
            to.append(k + fg[k] / (fg[k] - fg[k + 1]))
    return w, imp.astype(float), np.asarray(to)


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
                w, imp, to = hugadb_references(rec, side, run)
                sl = slice(i0, i1)
                rows = stride_features(w[sl], fs, imp[(imp >= i0) & (imp < i1)] - i0,
                                       to[(to >= i0) & (to < i1)] - i0, run)
                for r in rows:
                    r.update(file=f.name, side=side, activity=act)
                out += rows
    df = pd.DataFrame(out)
    cols = ["ms_radps", "ic_min_ratio", "ic_min_ms", "ic_half_width_ms", "lr_plateau_radps",
            "to_plateau_ms", "ps_min_ratio", "ps_min_ms", "stride_s"]
    pd.set_option("display.width", 200)
    for act, g in df.groupby("activity"):
        print(f"{act}: {len(g)} strides, {g.file.nunique()} files")
        q = g[cols].quantile([0.25, 0.5, 0.75]).T
        q.columns = ["q25", "median", "q75"]
        print(q.round(2).to_string())
        print(g.groupby("file")[cols].median().round(2).to_string())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/hugadb")
