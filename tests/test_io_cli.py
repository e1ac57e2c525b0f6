"""``gaitkit info`` and ``gaitkit convert`` end to end (real files, real parser)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from gaitkit.cli import main
from gaitkit.errors import DataQualityWarning
from gaitkit.io import read_recording, write_recording
from gaitkit.model import Recording, RecordingMeta, SensorStream


def small_recording(n: int = 400, fs: float = 100.0) -> Recording:
    rng = np.random.default_rng(3)
    acc = rng.normal([0, 9.8, 0], 1.0, (n, 3))
    acc[100:110, 0] = 4 * 9.80665  # saturated plateau, 10 samples = 2.5 %
    gyr = rng.normal(0, 1.0, (n, 3))
    gyr[200:205, 2] = np.nan
    t = np.arange(n) / fs
    t[300:] += 0.1  # a gap of 10 samples
    return Recording(t, fs, {"shank_left": SensorStream(acc, gyr)}, RecordingMeta(subject="S1"))


def test_info_human_and_json(tmp_path, capsys):
    rec = small_recording()
    p = tmp_path / "r.csv"
    # written without sidecar annotations: drop the sidecar so the reader detects everything
    write_recording(rec, p)
    (tmp_path / "r.json").unlink()
    assert main(["info", str(p), "--rate", "100"]) == 0
    out = capsys.readouterr().out
    assert "placements:    shank_left" in out
    assert "sampling rate: 100 Hz" in out and "ASSUMED" not in out
    assert "duration:      4.100 s (400 samples)" in out  # 4 s of samples + 0.1 s gap
    assert "gaps:          1 (10 samples missing)" in out
    assert "NaN samples:   shank_left_gyr_z 5" in out
    assert "shank_left_acc_x           2.50 %" in out
    assert "suspect gyros: none" in out
    assert main(["info", str(p), "--rate", "100", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["placements"] == ["shank_left"]
    assert d["sampling_rate_hz"] == 100.0 and d["sampling_rate_assumed"] is False
    assert d["n_samples"] == 400 and d["gaps"] == {"count": 1, "missing_samples": 10}
    assert d["clipping_pct"] == {"shank_left_acc_x": 2.5}
    assert d["nan_samples"] == {"shank_left_gyr_z": 5}
    assert d["format"] == "gaitkit"


def test_info_says_rate_is_assumed(tmp_path, capsys):
    rec = small_recording()
    p = tmp_path / "r.csv"
    write_recording(rec, p)
    (tmp_path / "r.json").unlink()
    assert main(["info", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["sampling_rate_assumed"] is True
    assert d["sampling_rate_note"].startswith("sampling rate estimated as 100 Hz")
    assert any("estimated as 100 Hz" in w for w in d["warnings"])


def test_info_error_is_one_line(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("time_s,shank_left_acc_x\n")
    assert main(["info", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("gaitkit info: error: ") and "bad.csv" in err


def test_info_hugadb(hugadb_dir, capsys):
    assert main(["info", str(hugadb_dir / "HuGaDB_v1_walking_04_00.txt"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["format"] == "hugadb" and d["sampling_rate_assumed"] is True
    assert d["suspect_gyros"] == sorted(["shank_left", "shank_right", "thigh_left",
                                         "thigh_right", "foot_left", "foot_right"])
    assert d["activities"] == [{"activity": "walking", "start_s": 0.0,
                                "end_s": pytest.approx(7074 / 58.8)}]
    assert d["clipping_pct"]["shank_right_gyr_y"] > 10


def test_convert_hugadb_then_read_back(hugadb_dir, tmp_path, capsys):
    src = hugadb_dir / "HuGaDB_v1_various_08_05.txt"
    out = tmp_path / "v.csv"
    assert main(["convert", str(src), str(out), "--rate", "60"]) == 0
    msg = capsys.readouterr()
    assert "wrote" in msg.out and "3658 samples" in msg.out and "60 Hz" in msg.out
    assert "gaitkit convert: warning: clipping in" in msg.err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        a = read_recording(src, sampling_rate_hz=60.0)
        b = read_recording(out)
    assert a.placements == b.placements and b.sampling_rate_hz == 60.0
    for p in a.placements:
        assert a.streams[p].acc_mps2.tobytes() == b.streams[p].acc_mps2.tobytes()
        assert a.streams[p].gyr_radps.tobytes() == b.streams[p].gyr_radps.tobytes()
    assert a.annotation_rows == b.annotation_rows
    assert b.meta.extra["source_format"] == "hugadb"
    # no overwrite without --overwrite
    assert main(["convert", str(src), str(out)]) == 1
    assert "exists; pass --overwrite to replace it" in capsys.readouterr().err
    assert main(["info", str(out)]) == 0
    assert "format:        gaitkit (converted from hugadb)" in capsys.readouterr().out


def test_convert_with_map(tmp_path, capsys):
    n = 300
    t = np.arange(n) * 10.0  # ms
    rng = np.random.default_rng(0)
    lines = ["ts;ax;ay;az;gx;gy;gz"]
    for k in range(n):
        v = [t[k], *rng.normal([0, 1, 0], 0.3), *rng.normal(0, 100, 3)]
        lines.append(";".join(repr(float(x)) for x in v))
    src = tmp_path / "vendor.csv"
    src.write_text("\n".join(lines) + "\n")
    cmap = {"time": {"column": "ts", "unit": "ms"}, "units": {"acc": "g", "gyr": "deg/s"},
            "channels": [{"column": c, "placement": "thigh_right", "quantity": q, "axis": c[1]}
                         for q, cs in (("acc", ("ax", "ay", "az")), ("gyr", ("gx", "gy", "gz")))
                         for c in cs]}
    mp = tmp_path / "map.json"
    mp.write_text(json.dumps(cmap))
    out = tmp_path / "out.csv"
    assert main(["convert", str(src), str(out), "--map", str(mp)]) == 0
    capsys.readouterr()
    rec = read_recording(out)
    assert rec.placements == ("thigh_right",) and rec.n_samples == n
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.streams["thigh_right"].acc_mps2[:, 1].mean() == pytest.approx(9.80665, abs=0.5)


def test_convert_refuses_non_csv_output(tmp_path, capsys):
    assert main(["convert", "in.txt", str(tmp_path / "o.parquet")]) == 1
    assert "expected an output file ending in .csv or .csv.gz, found 'o.parquet'" in \
        capsys.readouterr().err


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "info" in out and "convert" in out


def test_mapped_format_without_map(tmp_path, capsys):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    assert main(["info", str(p), "--format", "mapped"]) == 1
    assert "format 'mapped' needs a column map (column_map=, or --map on the command line)" in \
        capsys.readouterr().err
