"""HuGaDB reader on the public sample (via the hugadb_dir fixture) and on hand-built files."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitkit.errors import DataQualityWarning, GaitkitError, InputFormatError
from gaitkit.io import HUGADB_DEFAULT_RATE_HZ, detect_format, labelled_bouts, read_recording
from gaitkit.io._hugadb import HEADER
from gaitkit.units import G0

SAMPLE_FILES = {
    "HuGaDB_v1_walking_01_00.txt": 5989,
    "HuGaDB_v1_walking_01_02.txt": 3158,
    "HuGaDB_v1_walking_08_01.txt": 1393,
    "HuGaDB_v1_running_08_00.txt": 378,
    "HuGaDB_v1_running_08_01.txt": 638,
    "HuGaDB_v1_various_01_08.txt": 4882,
    "HuGaDB_v1_various_08_05.txt": 3658,
    "HuGaDB_v1_walking_04_00.txt": 7074,
}
CORRUPTED = "HuGaDB_v1_walking_04_00.txt"
PLACEMENTS6 = ("shank_left", "shank_right", "thigh_left", "thigh_right", "foot_left", "foot_right")


def read_all(path: Path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_recording(path, **kw)
    return rec, [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]


@pytest.fixture(scope="module")
def sample(hugadb_dir):
    return {name: read_all(hugadb_dir / name) for name in SAMPLE_FILES}


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_sample_file_loads(sample, hugadb_dir, name):
    rec, msgs = sample[name]
    assert detect_format(hugadb_dir / name) == "hugadb"
    assert rec.placements == PLACEMENTS6
    assert rec.n_samples == SAMPLE_FILES[name]
    assert rec.sampling_rate_hz == HUGADB_DEFAULT_RATE_HZ == 58.8
    np.testing.assert_allclose(np.diff(rec.time_s), 1 / 58.8)
    assert rec.meta.source == str(hugadb_dir / name)
    assert any("sampling rate assumed 58.8 Hz" in n for n in rec.meta.notes)
    assert any("sampling rate assumed 58.8 Hz" in m for m in msgs)
    assert any("EMG_r and EMG_l columns dropped" in n for n in rec.meta.notes)
    subject = name.split("_")[3]
    assert rec.meta.subject == subject


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_suspect_gyro_only_in_corrupted_file(sample, name):
    rec, msgs = sample[name]
    flagged = {a.placement for a in rec.annotation_rows if a.kind == "suspect_gyro"}
    if name == CORRUPTED:
        assert flagged == set(PLACEMENTS6)
        assert any("suspect gyroscope(s)" in m for m in msgs)
    else:
        assert flagged == set()
        assert not any("suspect gyroscope" in m for m in msgs)


def test_units_standing_shank_is_one_g(sample):
    """Median |acc| of a shank while standing is gravity, 9.81 m/s²; gyro near zero."""
    rec, _ = sample["HuGaDB_v1_various_01_08.txt"]
    bouts = labelled_bouts(rec)
    standing = bouts[bouts.activity == "standing"]
    assert len(standing) == 2
    for _, b in standing.iterrows():
        seg = rec.slice_time(b.start_s, b.end_s)
        for p in ("shank_left", "shank_right", "thigh_left", "thigh_right"):
            acc = np.linalg.norm(seg.streams[p].acc_mps2, axis=1)
            assert np.median(acc) == pytest.approx(G0, abs=0.4)
            # gravity along -x on shins and thighs (HuGaDB README, measured)
            assert np.median(seg.streams[p].acc_mps2[:, 0]) < -0.9 * G0
            assert np.median(np.linalg.norm(seg.streams[p].gyr_radps, axis=1)) < 0.3


def test_walking_gyro_in_rad_per_s(sample):
    """Shank sagittal (gyr_y) swing peaks of walking are a few rad/s (Aminian et al. 2002)."""
    rec, _ = sample["HuGaDB_v1_walking_01_00.txt"]
    for p in ("shank_left", "shank_right"):
        gy = rec.streams[p].gyr_radps[:, 1]
        peak = np.percentile(gy, 99)  # mid-swing peak: negative in the file, negated on reading
        assert 3.0 < peak < 10.0


def test_conversion_of_raw_counts(hugadb_dir):
    rec, _ = read_all(hugadb_dir / "HuGaDB_v1_walking_01_00.txt")
    # first data row of the file: acc_rs_y = -6992, gyro_rs_x = -4407
    assert rec.streams["shank_right"].acc_mps2[0, 1] == pytest.approx(-6992 / 16384 * G0)
    assert rec.streams["shank_right"].gyr_radps[0, 0] == pytest.approx(
        -np.deg2rad(-4407 / 16.384)
    )  # gyroscope signs negated on reading (see read_hugadb)
    assert rec.streams["foot_right"].acc_mps2[0, 0] == pytest.approx(-2 * G0)


def test_activity_labels_become_annotations(sample):
    rec, _ = sample["HuGaDB_v1_various_08_05.txt"]
    bouts = labelled_bouts(rec)
    assert set(bouts.activity) == {"walking", "going_up", "standing"}
    assert bouts.start_s.iloc[0] == 0.0
    assert bouts.end_s.iloc[-1] == pytest.approx(rec.duration_s)
    np.testing.assert_allclose(bouts.start_s.iloc[1:].to_numpy(), bouts.end_s.iloc[:-1].to_numpy())
    kinds = {
        a.detail.split(" ")[0]: a.kind
        for a in rec.annotation_rows
        if a.detail.startswith("activity=")
    }
    assert kinds == {
        "activity=walking": "bout",
        "activity=going_up": "bout",
        "activity=standing": "standing",
    }


def test_accelerometer_clipping_is_annotated(sample):
    """Shin accelerometers clip at ±2 g: some % in walking, far more in running (README).

    Measured (any axis at the rail): walking_01_00 shanks 18-21 %, running_08_01 40-46 %.
    """
    walk, msgs = sample["HuGaDB_v1_walking_01_00.txt"]
    run, _ = sample["HuGaDB_v1_running_08_01.txt"]

    def clipped_pct(rec, placement):
        m = np.zeros(rec.n_samples, dtype=bool)
        for k in range(3):
            m |= np.abs(rec.streams[placement].acc_mps2[:, k]) >= 0.999 * 2 * G0
        return 100 * m.mean()

    for p in ("shank_left", "shank_right"):
        assert 10 < clipped_pct(walk, p) < 25
        assert clipped_pct(run, p) > 35
    clip = walk.annotations.query("kind == 'clipping' and placement == 'shank_right'")
    assert set(clip.channel) >= {"acc_x", "acc_z"}
    assert any("clipping in" in m for m in msgs)


def test_rate_can_be_set(hugadb_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        rec = read_recording(hugadb_dir / "HuGaDB_v1_walking_08_01.txt", sampling_rate_hz=50.0)
    assert rec.sampling_rate_hz == 50.0
    assert rec.duration_s == pytest.approx(1393 / 50.0)
    assert any("50 Hz given by the user" in n for n in rec.meta.notes)


# -- hand-built files ---------------------------------------------------------------------


def hugadb_text(rows: list[list[int]], header=HEADER, comments=3) -> str:
    lines = ["#Activity\twalking ", "#ActivityID\t1 ", "#Date 10-20-15-35"][:comments]
    lines.append("\t".join(header))
    lines += ["\t".join(str(v) for v in r) for r in rows]
    return "\n".join(lines) + "\n"


def still_rows(n: int, act: int = 8) -> list[list[int]]:
    block = [-16384, 0, 0, 3, -2, 1]  # -1 g on x (gravity), small gyro
    return [block * 6 + [100, 100, act] for _ in range(n)]


def test_hand_built_file_reads(tmp_path):
    p = tmp_path / "HuGaDB_v1_standing_03_02.txt"
    p.write_text(hugadb_text(still_rows(10)), encoding="utf-8")
    rec, _ = read_all(p, sampling_rate_hz=60.0)
    assert rec.meta.subject == "03" and rec.meta.session == "standing_02"
    assert rec.meta.extra["hugadb_date"] == "10-20-15-35"
    np.testing.assert_allclose(rec.streams["thigh_left"].acc_mps2[:, 0], -G0)
    assert labelled_bouts(rec).activity.tolist() == ["standing"]


def test_wrong_header(tmp_path):
    header = list(HEADER)
    header[3] = "gyro_rf_q"
    p = tmp_path / "h.txt"
    p.write_text(hugadb_text(still_rows(3), header=header))
    with pytest.raises(
        InputFormatError,
        match=r"h.txt, line 4: expected the 39-column HuGaDB "
        r"header \(acc_rf_x ... act\), found 39 columns: "
        r"missing gyro_rf_x; unexpected gyro_rf_q",
    ):
        read_recording(p, format="hugadb", sampling_rate_hz=60.0)


def test_value_outside_int16(tmp_path):
    rows = still_rows(5)
    rows[2][7] = 99999  # acc_rs_y
    p = tmp_path / "h.txt"
    p.write_text(hugadb_text(rows))
    with pytest.raises(
        InputFormatError,
        match=r"line 7, column 'acc_rs_y': expected raw int16 "
        r"counts \(-32768..32767\), found 99999",
    ):
        read_recording(p, sampling_rate_hz=60.0)


def test_non_numeric_cell(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text(hugadb_text(still_rows(5)).replace("\t100\t100\t8\n", "\t100\tx\t8\n", 1))
    with pytest.raises(
        InputFormatError,
        match=r"line 5, column 'EMG_l': expected a number, "
        r"found 'x'",
    ):
        read_recording(p, sampling_rate_hz=60.0)


def test_missing_activity(tmp_path):
    rows = still_rows(5)
    text = hugadb_text(rows).splitlines()
    text[6] = text[6].rsplit("\t", 1)[0] + "\t"
    p = tmp_path / "h.txt"
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(
        InputFormatError,
        match=r"line 7, column 'act': expected an activity id "
        r"1-12, found an empty cell",
    ):
        read_recording(p, sampling_rate_hz=60.0)


def test_unknown_activity_is_kept_as_note(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text(hugadb_text(still_rows(5, act=42)))
    rec, _ = read_all(p, sampling_rate_hz=60.0)
    assert labelled_bouts(rec).activity.tolist() == ["unknown_42"]
    assert any("activity ids [42.0] are not in the HuGaDB table" in n for n in rec.meta.notes)


def test_detector_figures_per_file(sample):
    """Margins of the suspect-gyro detector on every sample file (see quality docstring)."""
    from gaitkit.quality import assess_quality

    for name, (rec, _) in sample.items():
        stats = assess_quality(rec).gyro_stats
        meds = [s["max_window_median_radps"] for s in stats.values()]
        rails = [s["rail_fraction"] for s in stats.values()]
        if name == CORRUPTED:
            assert min(meds) > 19.0 and min(rails) > 0.015
        else:
            assert max(meds) < 7.0 and max(rails) == 0.0
            static = [s["max_static_median_radps"] for s in stats.values()]
            if "various" in name:
                assert max(static) < 0.15


TOKENS = ["", "nan", "1e400", "abc", "32767", "-32768", "40000", "1.5", "0", "13", "-1", "\t"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_hugadb_raises_only_gaitkit_errors(tmp_path, data):
    n = data.draw(st.integers(2, 8))
    lines = hugadb_text(still_rows(n)).splitlines()
    for _ in range(data.draw(st.integers(1, 5))):
        k = data.draw(st.integers(0, len(lines) - 1))
        cells = lines[k].split("\t")
        cells[data.draw(st.integers(0, len(cells) - 1))] = data.draw(st.sampled_from(TOKENS))
        lines[k] = "\t".join(cells)
    p = tmp_path / "HuGaDB_v1_walking_99_00.txt"
    p.write_text("\n".join(lines) + "\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            rec = read_recording(p, sampling_rate_hz=data.draw(st.sampled_from([None, 60.0])))
    except GaitkitError as exc:
        assert "\n" not in str(exc)
        return
    assert rec.n_samples >= 2 and rec.placements == PLACEMENTS6


def mapped_copy(hugadb_dir, name, tmp_path, gyr_unit: str):
    """Write a HuGaDB file as a vendor-style CSV in g and deg/s (or rad/s), no time column."""
    import pandas as pd

    from gaitkit.io import HUGADB_PLACEMENTS

    raw = pd.read_csv(hugadb_dir / name, sep="\t", skiprows=3)
    out = {}
    chans = []
    for code, placement in HUGADB_PLACEMENTS.items():
        for a in "xyz":
            out[f"{code}_ax_{a}"] = raw[f"acc_{code}_{a}"] / 16384.0
            g = raw[f"gyro_{code}_{a}"] / 16.384
            out[f"{code}_gx_{a}"] = g if gyr_unit == "deg/s" else np.deg2rad(g)
            chans += [
                {"column": f"{code}_ax_{a}", "placement": placement, "quantity": "acc", "axis": a},
                {"column": f"{code}_gx_{a}", "placement": placement, "quantity": "gyr", "axis": a},
            ]
    p = tmp_path / f"{name}.{gyr_unit.replace('/', '_')}.csv"
    pd.DataFrame(out).to_csv(p, index=False)
    return p, {
        "time": None,
        "sampling_rate_hz": 58.8,
        "units": {"acc": "auto", "gyr": "auto"},
        "channels": chans,
    }


@pytest.mark.parametrize("name", ["HuGaDB_v1_walking_08_01.txt", "HuGaDB_v1_various_08_05.txt"])
@pytest.mark.parametrize("gyr_unit", ["deg/s", "rad/s"])
def test_unit_inference_on_real_data(hugadb_dir, tmp_path, name, gyr_unit):
    """Gyro unit told from how fast gravity turns in the accelerometer, on all six sensors."""
    from gaitkit.io import read_mapped_csv

    p, cmap = mapped_copy(hugadb_dir, name, tmp_path, gyr_unit)
    rec, msgs = read_all_mapped(read_mapped_csv, p, cmap)
    assert sum(f"assumed {gyr_unit} for" in m for m in msgs) == 6
    assert sum("assumed g for" in m for m in msgs) == 6
    ref, _ = read_all(hugadb_dir / name)
    for pl in PLACEMENTS6:
        np.testing.assert_allclose(
            # the HuGaDB reader negates gyroscopes; the mapped copy keeps the file's signs
            rec.streams[pl].gyr_radps, -ref.streams[pl].gyr_radps, rtol=1e-12, atol=1e-12
        )


def test_unit_inference_refuses_amplified_gyros(hugadb_dir, tmp_path):
    from gaitkit.io import read_mapped_csv

    p, cmap = mapped_copy(hugadb_dir, CORRUPTED, tmp_path, "deg/s")
    with pytest.raises(
        InputFormatError,
        match=r"gyr: cannot tell deg/s from rad/s: it reads "
        r"\d+× the rate at which gravity turns",
    ):
        read_all_mapped(read_mapped_csv, p, cmap)


def read_all_mapped(reader, p, cmap):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = reader(p, cmap)
    return rec, [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]


def test_labelled_gait_bouts_feed_the_event_detector(sample):
    rec, _ = sample["HuGaDB_v1_various_01_08.txt"]
    gait = labelled_bouts(rec, gait_only=True)
    every = labelled_bouts(rec)
    assert set(gait.activity) == {"walk"}
    assert gait.bout_id.tolist() == list(range(len(gait)))
    n_header = rec.meta.extra["hugadb_activity"].split().count("walking")  # "#Activity" line
    assert len(gait) == (every.activity == "walking").sum() == n_header == 9
    np.testing.assert_allclose(
        gait.end_s - gait.start_s,
        (every.end_s - every.start_s)[every.activity == "walking"].to_numpy(),
    )
    from gaitkit import events

    det = events.detect_gait_events(rec, gait)  # accepted as bouts by the detector
    assert len(det.events) > 0


def test_quality_warnings_point_at_the_callers_line(hugadb_dir):
    import warnings

    import gaitkit

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gaitkit.read_recording(hugadb_dir / "HuGaDB_v1_walking_01_00.txt")  # this line
    assert caught and {w.filename for w in caught} == {__file__}


def _gravity_tracking_residual(rec, sign, win_s=0.4):
    """Median error (m/s²) of predicting the low-passed accelerometer over short windows from
    its first sample rotated by the integrated ``sign · gyro``; per placement.

    In a consistent sensor, gravity in the sensor frame turns opposite to the body's rotation,
    so the right sign predicts the accelerometer better (linear acceleration is the noise).
    """
    from scipy.signal import butter, sosfiltfilt
    from scipy.spatial.transform import Rotation

    fs = rec.sampling_rate_hz
    sos = butter(2, 3.0 / (fs / 2), output="sos")
    n = int(win_s * fs)
    out = {}
    for p, s in rec.streams.items():
        a = sosfiltfilt(sos, s.acc_mps2, axis=0)
        errs = []
        for k0 in range(0, len(a) - n, n):
            step = Rotation.from_rotvec(sign * s.gyr_radps[k0 : k0 + n - 1] / fs)
            cum = [Rotation.identity()]
            for r in step:
                cum.append(cum[-1] * r)
            pred = Rotation.concatenate(cum).inv().apply(a[k0])
            errs.append(np.linalg.norm(pred - a[k0 : k0 + n], axis=1).mean())
        out[p] = float(np.median(errs))
    return out


def test_gyro_sign_agrees_with_gravity(hugadb_dir):
    """After reading, +ω predicts how gravity moves in every sensor clearly better than -ω."""
    rec, _ = read_all(hugadb_dir / "HuGaDB_v1_walking_08_01.txt")
    plus, minus = _gravity_tracking_residual(rec, +1.0), _gravity_tracking_residual(rec, -1.0)
    for p in rec.placements:
        assert plus[p] < minus[p], (p, plus[p], minus[p])
        if not p.startswith("thigh"):  # thighs turn little in gait: linear acceleration blurs
            assert plus[p] < 0.8 * minus[p], (p, plus[p], minus[p])
    assert any("gyroscope signs negated" in n for n in rec.meta.notes)
