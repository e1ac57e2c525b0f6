"""Reading arbitrary CSV through a declared column map: units, signs, time, detection, errors."""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitkit.errors import ConfigError, DataQualityWarning, GaitkitError, InputFormatError
from gaitkit.io import ChannelSpec, ColumnMap, read_mapped_csv, read_recording
from gaitkit.units import G0

FS = 100.0
N = 1000


def truth(seed: int = 0, moving: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A physically consistent swinging sensor: pitch θ(t) = 0.5 sin(2π t) about z.

    Gravity seen by the accelerometer turns with θ, and the gyro reads θ' on z (peaks
    3.1 rad/s), so unit inference has something real to compare.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(N) / FS
    amp = 0.5 if moving else 0.0
    theta = amp * np.sin(2 * np.pi * t)
    dtheta = amp * 2 * np.pi * np.cos(2 * np.pi * t)
    acc = np.column_stack([G0 * np.sin(theta), G0 * np.cos(theta), np.zeros(N)])
    acc += rng.normal(0, 0.05, (N, 3))
    gyr = np.column_stack([np.zeros(N), np.zeros(N), dtheta]) + rng.normal(0, 0.01, (N, 3))
    return t, acc, gyr


def vendor_file(tmp_path: Path, *, acc_unit="g", gyr_unit="deg/s", time_unit="ms", sep=",",
                moving=True, flip_gz=True, comment=True, name="vendor.csv") -> Path:
    t, acc, gyr = truth(moving=moving)
    a = acc / {"g": G0, "m/s^2": 1.0}[acc_unit]
    g = gyr * {"deg/s": 180 / np.pi, "rad/s": 1.0}[gyr_unit]
    if flip_gz:
        g[:, 2] = -g[:, 2]
    ts = t * {"s": 1, "ms": 1e3, "us": 1e6}[time_unit]
    lines = ["# exported by SomeVendor Studio 3.2"] if comment else []
    lines.append(sep.join(["timestamp", "AccX", "AccY", "AccZ", "GyrX", "GyrY", "GyrZ", "Temp"]))
    for k in range(N):
        vals = [repr(float(ts[k])), *(repr(float(v)) for v in a[k]),
                *(repr(float(v)) for v in g[k]), "31.5"]
        lines.append(sep.join(vals))
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def map_doc(acc_unit="g", gyr_unit="deg/s", time_unit="ms", sign_gz=-1) -> dict:
    chans = []
    for q, cols in (("acc", ("AccX", "AccY", "AccZ")), ("gyr", ("GyrX", "GyrY", "GyrZ"))):
        for a, c in zip("xyz", cols, strict=True):
            chans.append({"column": c, "placement": "shank_right", "quantity": q, "axis": a,
                          "sign": sign_gz if c == "GyrZ" else 1})
    return {"time": {"column": "timestamp", "unit": time_unit}, "sampling_rate_hz": 100.0,
            "units": {"acc": acc_unit, "gyr": gyr_unit}, "channels": chans}


def test_declared_units_sign_and_time(tmp_path):
    p = vendor_file(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_mapped_csv(p, map_doc())
    t, acc, gyr = truth()
    assert rec.placements == ("shank_right",)
    np.testing.assert_allclose(rec.time_s, t, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rec.streams["shank_right"].acc_mps2, acc, rtol=1e-12)
    np.testing.assert_allclose(rec.streams["shank_right"].gyr_radps, gyr, rtol=1e-12, atol=1e-15)
    assert rec.sampling_rate_hz == 100.0
    assert any("unmapped columns ignored: Temp" in n for n in rec.meta.notes)
    assert rec.meta.extra["column_map"] == ColumnMap.from_dict(map_doc()).to_dict()


def test_auto_units_g_and_deg_per_s_are_detected_and_stated(tmp_path):
    p = vendor_file(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_mapped_csv(p, map_doc(acc_unit="auto", gyr_unit="auto"))
    msgs = [str(w.message) for w in caught]
    _, acc, gyr = truth()
    med_g = np.median(np.linalg.norm(acc, axis=1)) / G0
    assert any(f"assumed g for shank_right acc because median |acc| = {med_g:.3g}" in m
               for m in msgs)
    # gravity turns at exactly the gyro's rate: the deg/s file reads 57.3x that
    ratio = [m for m in msgs if "assumed deg/s for shank_right gyr because it reads" in m]
    assert len(ratio) == 1
    value = float(ratio[0].split("it reads ")[1].split("×")[0])
    assert value == pytest.approx(57.3, rel=0.05)
    assert sum("assumed" in n for n in rec.meta.notes) == 2
    np.testing.assert_allclose(rec.streams["shank_right"].acc_mps2, acc, rtol=1e-12)
    np.testing.assert_allclose(rec.streams["shank_right"].gyr_radps, gyr, rtol=1e-12, atol=1e-15)


def test_auto_units_si_are_detected(tmp_path):
    p = vendor_file(tmp_path, acc_unit="m/s^2", gyr_unit="rad/s", time_unit="s")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_mapped_csv(p, map_doc("auto", "auto", "s"))
    msgs = " | ".join(str(w.message) for w in caught)
    _, acc, _ = truth()
    med = np.median(np.linalg.norm(acc, axis=1))
    assert f"assumed m/s^2 for shank_right acc because median |acc| = {med:.3g}" in msgs
    assert "assumed rad/s for shank_right gyr because it reads 1.0" in msgs
    np.testing.assert_allclose(rec.streams["shank_right"].acc_mps2, acc)


def test_still_gyro_unit_cannot_be_told(tmp_path):
    p = vendor_file(tmp_path, moving=False)
    match = (r"vendor.csv, column 'GyrX': shank_right gyr: cannot tell deg/s from rad/s "
             r"\(99th percentile of \|gyr\| = .*, only 0 quasi-static turning samples to "
             r"compare with the accelerometer\); declare the unit in the column map")
    with pytest.raises(InputFormatError, match=match):
        read_mapped_csv(p, map_doc(gyr_unit="auto"))


def test_acc_unit_cannot_be_told(tmp_path):
    p = vendor_file(tmp_path, acc_unit="g")
    doc = map_doc(acc_unit="auto")
    for c in doc["channels"]:
        if c["quantity"] == "acc":
            c["unit"] = None
    text = p.read_text().splitlines()
    # scale acc columns by 100: median |acc| about 100, neither g nor m/s² nor mg
    out = text[:2]
    for line in text[2:]:
        f = line.split(",")
        f[1:4] = [repr(float(v) * 100) for v in f[1:4]]
        out.append(",".join(f))
    p.write_text("\n".join(out) + "\n")
    with pytest.raises(InputFormatError, match=r"column 'AccX': shank_right acc: cannot tell the "
                                               r"unit, median \|acc\| = 100 \(expected about 1 "
                                               r"for g, 9.8 for m/s², 1000 for mg\)"):
        read_mapped_csv(p, doc)


def test_microsecond_time_and_semicolons(tmp_path):
    p = vendor_file(tmp_path, time_unit="us", sep=";")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_mapped_csv(p, map_doc(time_unit="us"))
    np.testing.assert_allclose(rec.time_s[:3], [0.0, 0.01, 0.02])
    assert "columns are semicolon-separated" in rec.meta.notes


def test_no_time_column_uses_rate(tmp_path):
    p = vendor_file(tmp_path)
    doc = map_doc()
    doc["time"] = None
    doc["sampling_rate_hz"] = 50.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_mapped_csv(p, doc)
    assert rec.sampling_rate_hz == 50.0
    np.testing.assert_allclose(rec.time_s[:3], [0.0, 0.02, 0.04])
    assert "time built from the declared sampling rate 50 Hz (no time column)" in rec.meta.notes


def test_no_time_and_no_rate(tmp_path):
    p = vendor_file(tmp_path)
    doc = map_doc()
    doc["time"] = None
    doc["sampling_rate_hz"] = None
    with pytest.raises(InputFormatError, match=r"expected a time column or a sampling rate: the "
                                               r"column map has neither"):
        read_mapped_csv(p, doc)


def test_rate_estimated_when_not_declared(tmp_path):
    p = vendor_file(tmp_path)
    doc = map_doc()
    doc["sampling_rate_hz"] = None
    with pytest.warns(DataQualityWarning, match=r"sampling rate estimated as 100 Hz"):
        rec = read_mapped_csv(p, doc)
    assert rec.sampling_rate_hz == pytest.approx(100.0)


def test_map_names_missing_column(tmp_path):
    p = vendor_file(tmp_path)
    doc = map_doc()
    doc["channels"][0]["column"] = "AccelX"
    with pytest.raises(InputFormatError, match=r"vendor.csv, line 2, column 'AccelX': column map "
                                               r"names column 'AccelX', not in the file; found "
                                               r"timestamp, AccX"):
        read_mapped_csv(p, doc)


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["channels"].pop(), r"placement shank_right needs all six channels; not "
                                        r"mapped: shank_right_gyr_z"),
        (lambda d: d["channels"][0].update(placement="ankle"), r"unknown placement 'ankle'"),
        (lambda d: d["channels"][0].update(unit="furlong"), r"unit must be 'auto' or one of"),
        (lambda d: d["channels"][0].update(sign=2), r"sign must be \+1 or -1, got 2"),
        (lambda d: d["channels"][1].update(axis="x"), r"shank_right_acc_x is the target of more "
                                                      r"than one column"),
        (lambda d: d.update(time={"column": "timestamp", "unit": "h"}),
         r"time unit must be one of s, ms, us, µs, got 'h'"),
        (lambda d: d.update(colour="red"), r"unknown key 'colour'"),
        (lambda d: d["channels"][0].pop("axis"), r"channels\[0\] lacks axis"),
    ],
)
def test_bad_maps(tmp_path, mutate, match):
    doc = map_doc()
    mutate(doc)
    with pytest.raises(ConfigError, match=match):
        ColumnMap.from_dict(doc)
    p = vendor_file(tmp_path)
    with pytest.raises(InputFormatError, match=r"vendor.csv: bad column map: .*" + match):
        read_mapped_csv(p, doc)


def test_map_file_json_and_toml_round_trip(tmp_path):
    cmap = ColumnMap.from_dict(map_doc())
    assert ColumnMap.from_dict(json.loads(json.dumps(cmap.to_dict()))) == cmap
    jp = tmp_path / "map.json"
    jp.write_text(json.dumps(cmap.to_dict()))
    assert ColumnMap.from_file(jp) == cmap
    toml = ['sampling_rate_hz = 100.0', '[time]', 'column = "timestamp"', 'unit = "ms"',
            '[units]', 'acc = "g"', 'gyr = "deg/s"']
    for c in map_doc()["channels"]:
        toml += ["[[channels]]", f'column = "{c["column"]}"', f'placement = "{c["placement"]}"',
                 f'quantity = "{c["quantity"]}"', f'axis = "{c["axis"]}"', f'sign = {c["sign"]}']
    tp = tmp_path / "map.toml"
    tp.write_text("\n".join(toml) + "\n")
    assert ColumnMap.from_file(tp) == cmap
    p = vendor_file(tmp_path)
    rec = read_recording(p, column_map=tp)
    assert rec.placements == ("shank_right",)


def test_bad_map_file(tmp_path):
    jp = tmp_path / "map.json"
    jp.write_text('{"channels": [\n}')
    with pytest.raises(InputFormatError, match=r"map.json, line 2: expected valid JSON"):
        ColumnMap.from_file(jp)
    with pytest.raises(InputFormatError, match=r"nomap.json: no such column-map file"):
        ColumnMap.from_file(tmp_path / "nomap.json")


def test_wrong_units_declared_are_caught(tmp_path):
    """Declaring m/s² for data in counts trips the absurd-value check, naming the unit."""
    p = vendor_file(tmp_path, acc_unit="g")
    text = p.read_text().splitlines()
    f = text[5].split(",")
    f[2] = "16384"
    text[5] = ",".join(f)
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(InputFormatError, match=r"line 6, column 'AccY': expected \|acc\| <= 100 g "
                                               r"\(981 m/s²\), found 160672.1536 m/s² with the "
                                               r"column read as g"):
        read_mapped_csv(p, map_doc())


def test_channel_spec_validation():
    with pytest.raises(ConfigError, match=r"quantity must be 'acc' or 'gyr', got 'mag'"):
        ChannelSpec("M", "shank_left", "mag", "x")


@functools.cache
def vendor_lines() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return vendor_file(Path(d)).read_text().splitlines()


TOKENS = ["", "nan", "inf", "1e400", "abc", "1,5", "-", "0", "1e9", "-3", '"']


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_mapped_raises_only_gaitkit_errors(tmp_path, data):
    lines = vendor_lines()[:2 + data.draw(st.integers(2, 30))]
    p = tmp_path / "fz.csv"
    for _ in range(data.draw(st.integers(1, 5))):
        k = data.draw(st.integers(1, len(lines) - 1))
        cells = lines[k].split(",")
        cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(st.sampled_from(TOKENS))
        lines[k] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    doc = map_doc(acc_unit=data.draw(st.sampled_from(["g", "auto"])),
                  gyr_unit=data.draw(st.sampled_from(["deg/s", "auto"])))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            rec = read_mapped_csv(p, doc)
    except GaitkitError as exc:
        assert "\n" not in str(exc)
        return
    assert rec.n_samples >= 2


def test_unit_inference_survives_a_nan_early_on(tmp_path):
    """One empty cell must not blind the gravity-turn comparison for the rest of the file."""
    p = vendor_file(tmp_path)
    lines = p.read_text().splitlines()
    f = lines[5].split(",")
    f[1] = ""
    lines[5] = ",".join(f)
    p.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_mapped_csv(p, map_doc(acc_unit="auto", gyr_unit="auto"))
    assert any("assumed deg/s for shank_right gyr because it reads 5" in str(w.message)
               for w in caught)
    assert np.isnan(rec.streams["shank_right"].acc_mps2[3, 0])
