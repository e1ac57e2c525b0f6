"""gaitkit CSV reader/writer: exact round trips, sidecar, and every bad-input message."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitkit.errors import DataQualityWarning, GaitkitError, InputFormatError
from gaitkit.frames import PLACEMENTS
from gaitkit.io import read_recording, sidecar_path, write_recording
from gaitkit.model import ANNOTATION_KINDS, Annotation, Recording, RecordingMeta, SensorStream

HC = [HealthCheck.function_scoped_fixture]
CHANS = [f"{q}_{a}" for q in ("acc", "gyr") for a in "xyz"]


def header(placements=("shank_left",)) -> str:
    return ",".join(["time_s"] + [f"{p}_{c}" for p in placements for c in CHANS])


def rows(n: int, fs: float = 100.0, placements=("shank_left",), seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        vals = []
        for _ in placements:
            vals += [f"{v:.6f}" for v in rng.normal([0, 9.81, 0], 0.5)]
            vals += [f"{v:.6f}" for v in rng.normal(0, 0.5, 3)]
        out.append(",".join([repr(k / fs), *vals]))
    return out


def write_text(tmp_path: Path, text: str, name: str = "rec.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def read_quiet(path: Path, **kw) -> Recording:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_recording(path, **kw)


def make_recording(n: int = 300, fs: float = 100.0, seed: int = 1, clip: bool = True) -> Recording:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    streams = {
        p: SensorStream(rng.normal([0, 9.8, 0], 2.0, (n, 3)), rng.normal(0, 1.5, (n, 3)))
        for p in ("shank_left", "thigh_left", "shank_right", "thigh_right")
    }
    meta = RecordingMeta(
        subject="S01",
        session="run1",
        device="sim",
        notes=("made up",),
        extra={"speed_mps": 1.3, "tags": ["a", "b"]},
    )
    anns = (
        Annotation("bout", 0.5, 2.0, detail="activity=walking"),
        Annotation("clipping", 0.1, 0.2, "shank_left", "acc_x", "3 of 10 samples clipped"),
    )
    if not clip:
        anns = anns[:1]
    return Recording(t, fs, streams, meta, anns)


# -- round trips ------------------------------------------------------------------------


def assert_same(a: Recording, b: Recording) -> None:
    assert a.placements == b.placements
    np.testing.assert_array_equal(a.time_s, b.time_s)
    assert a.sampling_rate_hz == b.sampling_rate_hz
    for p in a.placements:
        # bit-exact, NaN in the same places
        assert a.streams[p].acc_mps2.tobytes() == b.streams[p].acc_mps2.tobytes()
        assert a.streams[p].gyr_radps.tobytes() == b.streams[p].gyr_radps.tobytes()
    assert a.annotation_rows == b.annotation_rows
    for key in ("subject", "session", "device", "notes"):
        assert getattr(a.meta, key) == getattr(b.meta, key)
    assert dict(a.meta.extra) == dict(b.meta.extra)


def test_round_trip_with_sidecar(tmp_path):
    rec = make_recording()
    csv_path, side = write_recording(rec, tmp_path / "walk.csv")
    assert side == tmp_path / "walk.json"
    doc = json.loads(side.read_text())
    assert doc["sampling_rate_hz"] == 100.0 and doc["format_version"] == 1
    assert doc["units"] == {"time_s": "s", "acc": "m/s^2", "gyr": "rad/s"}
    with pytest.warns(DataQualityWarning, match="clipping"):
        back = read_recording(csv_path)
    assert_same(rec, back)
    assert back.meta.source == str(csv_path)
    header_line = csv_path.read_text().splitlines()[0]
    assert header_line.startswith("time_s,shank_left_acc_x,shank_left_acc_y")


def test_sidecar_defects_are_warned_again(tmp_path):
    rec = make_recording()
    write_recording(rec, tmp_path / "w.csv")
    with pytest.warns(DataQualityWarning, match=r"clipping in 1 channel\(s\) \(shank_left_acc_x\)"):
        read_recording(tmp_path / "w.csv")


finite_acc = st.floats(-900, 900, allow_nan=False, width=64)
finite_gyr = st.floats(-90, 90, allow_nan=False, width=64)


@st.composite
def recordings(draw) -> Recording:
    n = draw(st.integers(2, 40))
    fs = draw(st.floats(1.0, 2000.0))
    t0 = draw(st.floats(-1e4, 1e4))
    steps = draw(st.lists(st.floats(1e-4, 10.0), min_size=n - 1, max_size=n - 1))
    t = t0 + np.concatenate(([0.0], np.cumsum(steps)))
    if not np.all(np.diff(t) > 0):
        t = t0 + np.arange(n) / fs
    placements = draw(st.lists(st.sampled_from(PLACEMENTS), min_size=1, max_size=3, unique=True))
    streams = {}
    for p in placements:
        acc = np.array(draw(st.lists(finite_acc, min_size=3 * n, max_size=3 * n))).reshape(n, 3)
        gyr = np.array(draw(st.lists(finite_gyr, min_size=3 * n, max_size=3 * n))).reshape(n, 3)
        if draw(st.booleans()):
            acc[draw(st.integers(0, n - 1)), draw(st.integers(0, 2))] = np.nan
        streams[p] = SensorStream(acc, gyr)
    text = st.text(max_size=20)
    anns = draw(
        st.lists(
            st.builds(
                lambda k, a, d, pl, tx: Annotation(k, a, a + d, pl, None, tx),
                st.sampled_from(sorted(ANNOTATION_KINDS)),
                st.floats(-1e6, 1e6),
                st.floats(0, 1e3),
                st.sampled_from([None, *placements]),
                text,
            ),
            max_size=3,
        )
    )
    meta = RecordingMeta(
        subject=draw(st.none() | text),
        session=draw(st.none() | text),
        notes=tuple(draw(st.lists(text, max_size=2))),
        extra=draw(st.dictionaries(st.text(max_size=5), st.integers() | text, max_size=2)),
    )
    return Recording(t, fs, streams, meta, tuple(anns))


@settings(max_examples=60, deadline=None, suppress_health_check=HC)
@given(rec=recordings())
def test_round_trip_is_exact(tmp_path, rec):
    path = tmp_path / "rt.csv"
    write_recording(rec, path)
    assert_same(rec, read_quiet(path))


def test_no_sidecar_estimates_rate_and_says_so(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(200, fs=50.0)]) + "\n")
    with pytest.warns(DataQualityWarning, match=r"sampling rate estimated as 50 Hz from the med"):
        rec = read_recording(p)
    assert rec.sampling_rate_hz == pytest.approx(50.0)
    assert any("estimated as 50 Hz" in n for n in rec.meta.notes)
    assert rec.placements == ("shank_left",)
    assert rec.n_samples == 200


def test_rate_argument_is_used_without_warning(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(200, fs=50.0)]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read_recording(p, sampling_rate_hz=50.0)
    assert rec.sampling_rate_hz == 50.0 and rec.meta.notes == ()


def test_rate_argument_disagreeing_with_time_is_noted(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(200, fs=50.0)]) + "\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_recording(p, sampling_rate_hz=100.0)
    msgs = [str(w.message) for w in caught]
    assert any(
        "sampling_rate_hz argument says 100 Hz but the time column's median step implies "
        "50 Hz; using 100 Hz" in m
        for m in msgs
    )
    assert any("199 gap(s)" in m for m in msgs)  # every 20 ms step is a gap at 100 Hz
    assert rec.sampling_rate_hz == 100.0


# -- data quality on read -------------------------------------------------------------------


def test_nan_run_is_annotated_and_kept(tmp_path):
    lines = rows(100)
    for k in range(40, 45):
        parts = lines[k].split(",")
        parts[5] = ""  # shank_left_gyr_y
        lines[k] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    with pytest.warns(
        DataQualityWarning,
        match=r"NaN runs in 1 channel\(s\) \(shank_left_gyr_y\), "
        r"kept as NaN",
    ):
        rec = read_recording(p, sampling_rate_hz=100.0)
    gyr_y = rec.streams["shank_left"].gyr_radps[:, 1]
    assert np.isnan(gyr_y[40:45]).all() and np.isfinite(np.delete(gyr_y, range(40, 45))).all()
    nan_rows = rec.annotations.query("kind == 'nan_run'")
    assert len(nan_rows) == 1
    row = nan_rows.iloc[0]
    assert (row.channel, row.start_s, row.end_s) == ("gyr_y", 0.40, pytest.approx(0.45))
    assert row.detail == "5 samples NaN"


def test_gap_is_annotated(tmp_path):
    lines = rows(100)
    del lines[30:42]  # 12 samples missing after t=0.29
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    with pytest.warns(DataQualityWarning, match=r"1 gap\(s\)"):
        rec = read_recording(p, sampling_rate_hz=100.0)
    gaps = rec.annotations.query("kind == 'gap'")
    assert len(gaps) == 1
    assert gaps.iloc[0].start_s == pytest.approx(0.30) and gaps.iloc[0].end_s == pytest.approx(0.42)
    assert gaps.iloc[0].detail.startswith("12 samples missing")


def test_saturating_sensor_is_annotated(tmp_path):
    lines = rows(200)
    for k in list(range(50, 56)) + list(range(180, 184)):  # acc_x rests at +39.2 m/s² (4 g)
        parts = lines[k].split(",")
        parts[1] = "39.2266"
        lines[k] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    with pytest.warns(DataQualityWarning, match=r"clipping in 1 channel\(s\) \(shank_left_acc_x\)"):
        rec = read_recording(p, sampling_rate_hz=100.0)
    clip = rec.annotations.query("kind == 'clipping'")
    assert list(clip.channel) == ["acc_x", "acc_x"]  # two runs 1.24 s apart: not merged
    assert clip.iloc[0].detail.startswith("6 of 6 samples clipped (plateau")
    assert clip.iloc[1].detail.startswith("4 of 4 samples clipped")
    assert (clip.iloc[0].start_s, clip.iloc[0].end_s) == (0.5, pytest.approx(0.56))


def test_clipping_runs_closer_than_1s_merge(tmp_path):
    lines = rows(200)
    for k in list(range(50, 56)) + list(range(120, 124)):
        parts = lines[k].split(",")
        parts[1] = "-39.2266"
        lines[k] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    with pytest.warns(DataQualityWarning, match="clipping"):
        rec = read_recording(p, sampling_rate_hz=100.0)
    clip = rec.annotations.query("kind == 'clipping'")
    assert len(clip) == 1 and clip.iloc[0].detail.startswith("10 of 74 samples clipped")


# -- bad input ----------------------------------------------------------------------------


def expect_error(path: Path, match: str, *, where: Path | None = None, **kw) -> InputFormatError:
    with pytest.raises(InputFormatError, match=match) as info:
        read_quiet(path, **kw)
    assert str(where or path) in str(info.value)
    assert "\n" not in str(info.value)
    return info.value


def test_empty_file(tmp_path):
    expect_error(write_text(tmp_path, ""), r"file is empty; expected a header line and data rows")


def test_header_only(tmp_path):
    expect_error(
        write_text(tmp_path, header() + "\n"),
        r"no data rows below the header \(line 1\); expected samples",
    )


def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.csv", r"nope.csv: no such file")


def test_missing_time_column(tmp_path):
    p = write_text(tmp_path, "t,shank_left_acc_x\n0,1\n")
    expect_error(
        p,
        r"line 1: expected a 'time_s' column, found columns t, shank_left_acc_x",
        format="gaitkit",
    )


def test_missing_channel_columns(tmp_path):
    text = (
        header().replace(",shank_left_gyr_z", "")
        + "\n"
        + "\n".join(r.rsplit(",", 1)[0] for r in rows(5))
        + "\n"
    )
    expect_error(
        write_text(tmp_path, text),
        r"line 1: placement shank_left needs all six channels; missing shank_left_gyr_z",
    )


def test_unknown_placement(tmp_path):
    p = write_text(tmp_path, "\n".join([header().replace("shank_left", "knee_left"), *rows(5)]))
    e = expect_error(
        p,
        r"column 'knee_left_acc_x': unknown placement 'knee_left'; expected one "
        r"of shank_left, shank_right",
    )
    assert e.line == 1 and e.column == "knee_left_acc_x"


def test_unexpected_column_name(tmp_path):
    p = write_text(tmp_path, "time_s,foo\n0,1\n0.01,2\n")
    expect_error(p, r"column 'foo': expected columns named \{placement\}_\{acc\|gyr\}_\{x\|y\|z\}")


def test_duplicated_column(tmp_path):
    h = header() + ",shank_left_acc_x"
    p = write_text(tmp_path, "\n".join([h, *(r + ",1" for r in rows(5))]))
    expect_error(
        p,
        r"line 1, column 'shank_left_acc_x': column name 'shank_left_acc_x' appears 2 "
        r"times; expected unique names",
    )


def test_non_numeric_cell_names_line_column_and_value(tmp_path):
    lines = rows(20)
    parts = lines[7].split(",")
    parts[4] = "abc"
    lines[7] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    e = expect_error(p, r"line 9, column 'shank_left_gyr_x': expected a number, found 'abc'$")
    assert (e.line, e.column) == (9, "shank_left_gyr_x")


def test_decimal_comma_hint(tmp_path):
    text = "time_s;" + ";".join(f"shank_left_{c}" for c in CHANS) + "\n0;1,5;9,8;0;0;0;0\n"
    p = write_text(tmp_path, text)
    expect_error(
        p,
        r"line 2, column 'shank_left_acc_x': expected a number, found '1,5' \(a "
        r"decimal comma\?",
    )


def test_semicolon_delimiter_is_detected_and_stated(tmp_path):
    text = "\n".join([header().replace(",", ";"), *(r.replace(",", ";") for r in rows(50))])
    p = write_text(tmp_path, text)
    with pytest.warns(
        DataQualityWarning,
        match=r"columns are semicolon-separated; gaitkit CSV "
        r"expects commas",
    ):
        rec = read_recording(p, sampling_rate_hz=100.0)
    assert rec.n_samples == 50
    assert "semicolon-separated" in rec.meta.notes[0]


def test_tab_delimiter_is_detected_and_stated(tmp_path):
    text = "\n".join([header().replace(",", "\t"), *(r.replace(",", "\t") for r in rows(50))])
    with pytest.warns(DataQualityWarning, match=r"columns are tab-separated"):
        rec = read_recording(write_text(tmp_path, text), sampling_rate_hz=100.0)
    assert rec.n_samples == 50


def test_ragged_row(tmp_path):
    lines = rows(10)
    lines[4] += ",7"
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(p, r"line 6: expected 7 fields \(comma-separated, as in the header\), found 8")


def test_duplicated_time(tmp_path):
    lines = rows(10)
    lines[5] = lines[4]
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"line 7, column 'time_s': expected strictly increasing time, found time "
        r"0.04 repeats the previous line's \(duplicated sample\)",
    )


def test_time_going_backwards(tmp_path):
    lines = rows(10)
    lines[3], lines[4] = lines[4], lines[3]
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"line 6, column 'time_s': expected strictly increasing time, found time "
        r"0.03 is earlier than the previous line's 0.04",
    )


def test_empty_time_cell(tmp_path):
    lines = rows(10)
    lines[2] = "," + lines[2].split(",", 1)[1]
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(p, r"line 4, column 'time_s': expected a finite time, found an empty cell")


def test_acc_in_counts_is_absurd(tmp_path):
    lines = rows(10)
    parts = lines[6].split(",")
    parts[2] = "16384"
    lines[6] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"line 8, column 'shank_left_acc_y': expected \|acc\| <= 100 g \(981 m/s²\), "
        r"found 16384.0 m/s² with the column read as m/s² \(likely raw counts or the "
        r"wrong unit",
    )


def test_gyro_in_deg_per_s_is_absurd(tmp_path):
    lines = rows(10)
    parts = lines[2].split(",")
    parts[6] = "-350.5"
    lines[2] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"line 4, column 'shank_left_gyr_z': expected \|gyr\| <= 100 rad/s, found "
        r"-350.5 rad/s with the column read as rad/s \(likely deg/s",
    )


def test_mixed_rates_are_explained(tmp_path):
    pl = ("shank_left", "thigh_left")
    lines = rows(40, placements=pl)
    for k in range(1, 40, 2):  # thigh_left only on every 2nd row
        parts = lines[k].split(",")
        lines[k] = ",".join(parts[:7] + [""] * 6)
    p = write_text(tmp_path, "\n".join([header(pl), *lines]))
    expect_error(
        p,
        r"column 'thigh_left_\*': expected every placement sampled on every row of "
        r"'time_s', found thigh_left with values on every 2nd row only while "
        r"shank_left has values on every row: the table mixes sensors sampled at "
        r"different rates",
    )


def test_binary_file(tmp_path):
    p = tmp_path / "b.csv"
    p.write_bytes(b"\x00\x01\x02garbage")
    expect_error(p, r"expected a text file, found binary data \(NUL bytes\)")


def test_not_utf8(tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes(("\n".join([header(), *rows(3)]) + "\n").encode() + b"0.03,\xe9\xff,1,1,1,1,1\n")
    expect_error(p, r"line 5: expected UTF-8 text, found undecodable bytes")


def test_unterminated_quote(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(3), '"0.03,1,1,1,1,1,1', *rows(3)]))
    expect_error(p, r"unreadable table: .*EOF inside string")


def test_bad_sidecar_json(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(5)]))
    sidecar_path(p).write_text('{"sampling_rate_hz": 100,\n "subject": }')
    e = expect_error(
        p,
        r"rec.json, line 2: expected valid JSON, found Expecting value at "
        r"column 13",
        where=sidecar_path(p),
    )
    assert e.path.endswith("rec.json")


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"sampling_rate_hz": -3}, r"column 'sampling_rate_hz': expected a number > 0, found -3"),
        ({"sampling_rate_hz": "100"}, r"expected a number > 0, found '100'"),
        ({"format_version": 99}, r"column 'format_version': expected format_version <= 1"),
        ({"subject": 7}, r"column 'subject': expected a string or null, found int 7"),
        (
            {"annotations": [{"kind": "gap"}]},
            r"column 'annotations\[0\]': expected keys kind, start_s, end_s; "
            r"missing start_s, end_s",
        ),
        (
            {"annotations": [{"kind": "oops", "start_s": 0, "end_s": 1}]},
            r"column 'annotations\[0\]': annotation kind must be one of",
        ),
        (
            {"annotations": [{"kind": "gap", "start_s": 0, "end_s": 1, "placement": "thigh_left"}]},
            r"annotation names placement 'thigh_left', which has no columns in the CSV",
        ),
        ([1, 2], r"expected a JSON object, found list"),
    ],
)
def test_bad_sidecar_fields(tmp_path, doc, match):
    p = write_text(tmp_path, "\n".join([header(), *rows(5)]))
    sidecar_path(p).write_text(json.dumps(doc))
    expect_error(p, match, where=sidecar_path(p))


def test_unrecognised_format(tmp_path):
    p = write_text(tmp_path, "a,b,c\n1,2,3\n")
    expect_error(
        p,
        r"line 1: unrecognised format: expected a gaitkit CSV header .* found columns "
        r"a, b, c; pass column_map=",
    )


def test_unknown_format_name(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(5)]))
    expect_error(
        p, r"expected format one of auto, gaitkit, hugadb, mapped, found 'xls'", format="xls"
    )


def test_write_refuses_json_path(tmp_path):
    with pytest.raises(InputFormatError, match=r"x.json: expected a .csv output path"):
        write_recording(make_recording(), tmp_path / "x.json")


def test_write_refuses_unserialisable_extra(tmp_path):
    rec = make_recording()
    import dataclasses

    rec = dataclasses.replace(rec, meta=RecordingMeta(extra={"f": object()}))
    with pytest.raises(
        InputFormatError,
        match=r"column 'extra': expected JSON-serialisable "
        r"metadata, found Object of type object",
    ):
        write_recording(rec, tmp_path / "x.csv")


# -- fuzzing -----------------------------------------------------------------------------

ALPHABET = '0123456789.,;\t\n-+eEnaNi" #xyz_'


@settings(max_examples=150, deadline=None, suppress_health_check=HC)
@given(body=st.text(alphabet=ALPHABET, max_size=300), keep_header=st.booleans())
def test_fuzzed_text_raises_only_gaitkit_errors(tmp_path, body, keep_header):
    text = (header() + "\n" + body) if keep_header else body
    p = tmp_path / "fuzz.csv"
    p.write_text(text, encoding="utf-8")
    try:
        rec = read_quiet(p, sampling_rate_hz=100.0)
    except GaitkitError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(rec, Recording) and rec.n_samples >= 2


@settings(max_examples=80, deadline=None, suppress_health_check=HC)
@given(data=st.binary(max_size=300), cut=st.integers(0, 400))
def test_fuzzed_bytes_raise_only_gaitkit_errors(tmp_path, data, cut):
    good = ("\n".join([header(), *rows(5)]) + "\n").encode()
    p = tmp_path / "fuzzb.csv"
    p.write_bytes(good[:cut] + data + good[cut:])
    try:
        rec = read_quiet(p)
    except GaitkitError:
        return
    assert isinstance(rec, Recording)


# -- dialects ----------------------------------------------------------------------------


def test_bom_crlf_comments_and_blank_lines(tmp_path):
    text = "\r\n".join(["", "# exported by a logger", "", header(), *rows(30), "", ""])
    p = tmp_path / "d.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode())
    rec = read_quiet(p, sampling_rate_hz=100.0)
    assert rec.n_samples == 30 and rec.placements == ("shank_left",)
    np.testing.assert_allclose(rec.time_s, np.arange(30) / 100.0)


def test_blank_line_inside_data_is_named(tmp_path):
    lines = rows(10)
    lines.insert(4, "")
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    expect_error(p, r"line 6, column 'time_s': expected a finite time, found an empty cell")


def test_whitespace_separated_is_detected_and_stated(tmp_path):
    text = "\n".join([header().replace(",", "  "), *(r.replace(",", " ") for r in rows(20))])
    with pytest.warns(DataQualityWarning, match=r"columns are whitespace-separated"):
        rec = read_recording(write_text(tmp_path, text), sampling_rate_hz=100.0)
    assert rec.n_samples == 20


def test_absurd_time_values(tmp_path):
    lines = rows(4)
    lines[1] = "1e308" + lines[1][lines[1].index(",") :]
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"line 3, column 'time_s': expected \|time\| <= 1e\+12 \(1e12 s\), found "
        r"1e\+308",
    )


def test_time_steps_give_no_rate(tmp_path):
    lines = rows(3)
    for k, v in enumerate(["0", "1e-320", "2e-320"]):
        lines[k] = v + lines[k][lines[k].index(",") :]
    p = write_text(tmp_path, "\n".join([header(), *lines]))
    expect_error(
        p,
        r"expected time steps that give a sampling rate, found a median step of "
        r"1e-320 s; pass the sampling rate",
    )


TOKENS = [
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "-",
    "1,5",
    '"',
    "abc",
    "True",
    "0x1p3",
    "1e-320",
    "999999",
    "-999",
    "  7 ",
    "#",
    "1;2",
    "\t",
    "NA",
    "null",
    "0",
]


@settings(max_examples=200, deadline=None, suppress_health_check=HC)
@given(data=st.data())
def test_fuzzed_cells_raise_only_gaitkit_errors(tmp_path, data):
    """Valid files with random cells, lines and fields damaged."""
    pl = data.draw(st.sampled_from([("shank_left",), ("shank_left", "thigh_left")]))
    n = data.draw(st.integers(2, 12))
    lines = [header(pl), *rows(n, placements=pl)]
    for _ in range(data.draw(st.integers(1, 6))):
        k = data.draw(st.integers(0, len(lines) - 1))
        cells = lines[k].split(",")
        action = data.draw(st.sampled_from(["cell", "drop_field", "add_field", "swap", "dup"]))
        if action == "cell":
            cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(st.sampled_from(TOKENS))
            lines[k] = ",".join(cells)
        elif action == "drop_field":
            lines[k] = ",".join(cells[:-1])
        elif action == "add_field":
            lines[k] = lines[k] + "," + data.draw(st.sampled_from(TOKENS))
        elif action == "swap" and len(lines) > 2:
            j = data.draw(st.integers(1, len(lines) - 1))
            lines[k], lines[j] = lines[j], lines[k]
        else:
            lines.insert(k, lines[k])
    p = tmp_path / "cells.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        rec = read_quiet(p, sampling_rate_hz=data.draw(st.sampled_from([None, 100.0])))
    except GaitkitError as exc:
        assert "\n" not in str(exc) and str(p) in str(exc)
        return
    assert isinstance(rec, Recording) and rec.n_samples >= 2
    assert np.all(np.diff(rec.time_s) > 0)


def test_rate_argument_overrides_sidecar_and_says_so(tmp_path):
    rec = make_recording(clip=False)
    write_recording(rec, tmp_path / "o.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = read_recording(tmp_path / "o.csv", sampling_rate_hz=50.0)
    assert back.sampling_rate_hz == 50.0
    note = "sampling rate 50 Hz given by the user overrides the sidecar's 100 Hz"
    assert note in back.meta.notes
    assert any(note in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = read_recording(tmp_path / "o.csv", sampling_rate_hz=100.0)
    assert same.meta.notes == rec.meta.notes


def test_hand_written_sidecar_keeps_metadata_and_runs_detectors(tmp_path):
    lines = rows(200)
    for k in range(50, 56):
        parts = lines[k].split(",")
        parts[1] = "39.2266"
        lines[k] = ",".join(parts)
    p = write_text(tmp_path, "\n".join([header(), *lines]) + "\n")
    sidecar_path(p).write_text(
        json.dumps(
            {
                "sampling_rate_hz": 100,
                "subject": "P7",
                "annotations": [{"kind": "calibration", "start_s": 0.0, "end_s": 0.4}],
            }
        )
    )
    with pytest.warns(DataQualityWarning, match="clipping"):
        rec = read_recording(p)
    assert rec.meta.subject == "P7" and rec.sampling_rate_hz == 100.0
    assert sorted(rec.annotations.kind) == ["calibration", "clipping"]


def test_unrelated_json_beside_csv_is_ignored(tmp_path):
    p = write_text(tmp_path, "\n".join([header(), *rows(50)]) + "\n")
    sidecar_path(p).write_text(json.dumps({"vendor": "X", "firmware": "1.2"}))
    with pytest.warns(DataQualityWarning, match="estimated"):
        rec = read_recording(p)
    assert "rec.json ignored: it has none of the sidecar keys" in rec.meta.notes


def test_numpy_metadata_is_written_as_json(tmp_path):
    import dataclasses

    rec = make_recording(clip=False)
    rec = dataclasses.replace(
        rec,
        meta=RecordingMeta(
            extra={"speed_mps": np.float32(1.25), "n": np.int64(3), "gains": np.array([1.0, 2.0])}
        ),
    )
    write_recording(rec, tmp_path / "np.csv")
    back = read_quiet(tmp_path / "np.csv")
    assert dict(back.meta.extra) == {"speed_mps": 1.25, "n": 3, "gains": [1.0, 2.0]}


def test_gzip_round_trip(tmp_path):
    rec = make_recording(clip=False)
    csv_path, side = write_recording(rec, tmp_path / "walk.csv.gz")
    assert side == tmp_path / "walk.json"
    assert csv_path.read_bytes()[:2] == b"\x1f\x8b"  # gzip magic
    back = read_recording(csv_path)
    assert_same(rec, back)


def test_corrupt_gzip(tmp_path):
    p = tmp_path / "bad.csv.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    expect_error(p, r"bad.csv.gz: expected gzip-compressed text \(.gz\), found")


def test_truncated_last_line_is_named_as_truncation(tmp_path):
    import gaitkit.io as gio
    from gaitkit.simulate import simulate_gait

    path = tmp_path / "cut.csv"
    gio.write_recording(simulate_gait(duration_s=16.0, seed=1).recording, path)
    text = path.read_text()
    cut = text[: len(text) - 200]  # stop mid-row, as a crashed logger would
    path.write_text(cut)
    n_lines = cut.count("\n") + 1
    with pytest.raises(
        InputFormatError,
        match=rf"cut\.csv, line {n_lines}: the last line has \d+ of 25 fields: "
        r"the file looks truncated",
    ):
        gio.read_recording(path)
