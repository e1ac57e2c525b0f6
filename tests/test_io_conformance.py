"""One contract for every reader: what any ``read_*`` must return (MNE's _test_raw_reader idea).

For each reader and input: a valid :class:`Recording` in SI units with ``meta.source`` set, an
explicit sampling rate, strictly increasing time, notes for every assumption, annotations
consistent with the recording, and an exact round trip through gaitkit CSV.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from gaitkit.errors import DataQualityWarning
from gaitkit.frames import PLACEMENTS
from gaitkit.io import read_recording, write_recording
from gaitkit.model import ANNOTATION_KINDS, Recording
from gaitkit.units import G0

N = 600
FS = 100.0


def _signals(seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(N) / FS
    theta = 0.5 * np.sin(2 * np.pi * t)
    acc = np.column_stack([G0 * np.sin(theta), G0 * np.cos(theta), np.zeros(N)])
    acc = acc + rng.normal(0, 0.05, (N, 3))
    gyr = np.column_stack([np.zeros(N), np.zeros(N), np.pi * np.cos(2 * np.pi * t)])
    return t, acc, gyr + rng.normal(0, 0.01, (N, 3))


def gaitkit_csv(tmp: Path) -> tuple[Path, dict]:
    t, acc, gyr = _signals()
    cols = ["time_s"] + [f"thigh_left_{q}_{a}" for q in ("acc", "gyr") for a in "xyz"]
    data = np.column_stack([t, acc, gyr])
    p = tmp / "g.csv"
    p.write_text(",".join(cols) + "\n" + "\n".join(",".join(map(repr, r)) for r in data.tolist()))
    return p, {"sampling_rate_hz": FS}


def mapped_csv(tmp: Path) -> tuple[Path, dict]:
    t, acc, gyr = _signals()
    data = np.column_stack([t * 1000, acc / G0, np.rad2deg(gyr)])
    p = tmp / "m.csv"
    p.write_text("ms;ax;ay;az;gx;gy;gz\n" + "\n".join(";".join(map(repr, r))
                                                      for r in data.tolist()))
    chans = [{"column": c, "placement": "shank_left", "quantity": q, "axis": c[1]}
             for q, cs in (("acc", ("ax", "ay", "az")), ("gyr", ("gx", "gy", "gz"))) for c in cs]
    return p, {"column_map": {"time": {"column": "ms", "unit": "ms"},
                              "units": {"acc": "auto", "gyr": "auto"}, "channels": chans}}


def hugadb_txt(tmp: Path) -> tuple[Path, dict]:
    from gaitkit.io._hugadb import HEADER

    _, acc, gyr = _signals()
    a = np.clip(np.round(acc / G0 * 16384), -32768, 32767).astype(int)
    g = np.clip(np.round(np.rad2deg(gyr) * 16.384), -32768, 32767).astype(int)
    rows = []
    for k in range(N):
        block = [*a[k], *g[k]]
        rows.append("\t".join(map(str, block * 6 + [0, 0, 1 if k < N // 2 else 8])))
    p = tmp / "HuGaDB_v1_various_02_01.txt"
    p.write_text("#Activity\twalking standing\n#ActivityID\t1 8\n#Date 01-01-10-00\n"
                 + "\t".join(HEADER) + "\n" + "\n".join(rows) + "\n")
    return p, {"sampling_rate_hz": FS}


MAKERS = {"gaitkit": gaitkit_csv, "mapped": mapped_csv, "hugadb": hugadb_txt}


def check_contract(rec: Recording, path: Path) -> None:
    assert isinstance(rec, Recording)
    assert rec.meta.source == str(path)
    assert rec.sampling_rate_hz > 0 and np.isfinite(rec.sampling_rate_hz)
    assert np.all(np.diff(rec.time_s) > 0)
    assert set(rec.placements) <= set(PLACEMENTS)
    for s in rec.streams.values():
        med = np.nanmedian(np.linalg.norm(s.acc_mps2, axis=1))
        assert 0.5 * G0 < med < 4 * G0  # SI: gravity dominates the median
        assert np.nanmax(np.abs(s.gyr_radps)) < 100
    for a in rec.annotation_rows:
        assert a.kind in ANNOTATION_KINDS
        assert a.placement is None or a.placement in rec.streams
        last = rec.time_s[-1] + 2 / rec.sampling_rate_hz
        assert rec.time_s[0] - 1e-9 <= a.start_s <= a.end_s <= last


@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_reader_contract_and_round_trip(tmp_path, fmt):
    path, kw = MAKERS[fmt](tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_recording(path, **kw)
    assert all(issubclass(w.category, DataQualityWarning) for w in caught)
    check_contract(rec, path)
    t, acc, gyr = _signals()
    # int16 quantisation in HuGaDB: half a count is 0.3 mm/s² and 0.5 mrad/s
    tol = 1e-3 if fmt == "hugadb" else 1e-9
    # the HuGaDB reader negates gyroscopes (the files' gyro turns opposite to their accelerometer)
    gyr_sign = -1.0 if fmt == "hugadb" else 1.0
    for s in rec.streams.values():
        np.testing.assert_allclose(s.acc_mps2, acc, atol=tol)
        np.testing.assert_allclose(s.gyr_radps, gyr_sign * gyr, atol=tol)
    np.testing.assert_allclose(rec.time_s, t, atol=1e-12)
    if fmt == "mapped":  # every assumption is stated
        assert sum("assumed" in n for n in rec.meta.notes) == 2
    out = tmp_path / "rt.csv"
    write_recording(rec, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        back = read_recording(out)
    check_contract(back, out)
    assert back.annotation_rows == rec.annotation_rows
    assert back.meta.notes == rec.meta.notes
    for p in rec.placements:
        assert back.streams[p].acc_mps2.tobytes() == rec.streams[p].acc_mps2.tobytes()
        assert back.streams[p].gyr_radps.tobytes() == rec.streams[p].gyr_radps.tobytes()


def test_hugadb_sample_contract(hugadb_dir, tmp_path):
    for path in sorted(hugadb_dir.glob("HuGaDB_v1_*.txt")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            rec = read_recording(path)
        check_contract(rec, path)


def test_bundled_demo_contract():
    from gaitkit.io import demo_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        rec = read_recording(demo_path())
    check_contract(rec, demo_path())
    assert rec.sampling_rate_hz == 100.0 and rec.duration_s == pytest.approx(60.0, abs=0.02)


@pytest.mark.parametrize("activity", ["walk", "run"])
def test_simulator_output_round_trips_exactly(tmp_path, activity):
    import gaitkit.simulate as simulate
    sim = simulate.simulate_gait(duration_s=16.0, activity=activity, seed=3)
    rec = sim.recording
    write_recording(rec, tmp_path / "sim.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        back = read_recording(tmp_path / "sim.csv")
    check_contract(back, tmp_path / "sim.csv")
    assert back.annotation_rows == rec.annotation_rows
    assert back.sampling_rate_hz == rec.sampling_rate_hz
    np.testing.assert_array_equal(back.time_s, rec.time_s)
    for p in rec.placements:
        assert back.streams[p].acc_mps2.tobytes() == rec.streams[p].acc_mps2.tobytes()
        assert back.streams[p].gyr_radps.tobytes() == rec.streams[p].gyr_radps.tobytes()
