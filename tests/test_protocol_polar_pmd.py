"""Polar PMD decoder, control point and commands against the vendor's own vectors.

Every vector comes from tests/vectors/polar_pmd.json, a copy of the shared protocol vectors; each
entry keeps its source (polarofficial/polar-ble-sdk @ 8fb5311c, SDK unit tests or
online_measurement.pdf figures). Values the source asserts are checked exactly (or within the
float32 tolerance the SDK's own assertions use); ``derived_full_decode`` blocks are checked in
separate tests named ``*_derived``.
"""

from __future__ import annotations

import itertools
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_protocols import Decoder, ProtocolError, SampleBatch
from firmware_protocols._base import G0, RAD_PER_DEG
from firmware_protocols.polar_pmd import (
    CONTROL_POINT_UUID,
    DATA_UUID,
    FAMILY,
    PROFILE,
    SERVICE_UUID,
    encode_settings,
    get_settings_command,
    make_decoder,
    parse_control_point_response,
    parse_data_frame,
    parse_delta_content,
    parse_features,
    parse_reference_sample,
    parse_settings,
    parse_start_command,
    parse_stopped_notification,
    sample_timestamps_ns,
    start_commands,
    stop_commands,
)

VECTORS_PATH = Path(__file__).parent / "vectors" / "polar_pmd.json"
VECTORS = json.loads(VECTORS_PATH.read_text())["vectors"]
BY_ID = {v["id"]: v for v in VECTORS}


def _kind(*kinds: str) -> list[dict]:
    return [v for v in VECTORS if v["packet_kind"] in kinds]


def _ids(vs: list[dict]) -> list[str]:
    return [v["id"] for v in vs]


def _xyz(d: dict) -> list[float]:
    return [d["x"], d["y"], d["z"]]


def _hex_sum_mod32(expr: str) -> int:
    """Evaluate an SDK assertion like ``(0x41A00000 + 0xFDECCCCD).toInt()`` modulo 2^32."""
    terms = expr.replace(".toInt()", "").strip("()").split("+")
    return sum(int(t.strip().strip("()"), 16) for t in terms) & 0xFFFFFFFF


def _asserted_samples(exp: dict) -> dict:
    """The per-sample values a data vector asserts (key ``samples`` or ``samples_mG``)."""
    out = exp.get("samples") or exp.get("samples_mG")
    assert out, "every data vector asserts some samples"
    return out


DATA_VECTORS = _kind("pmd_data_notification")
CONTENT_VECTORS = _kind("pmd_frame_content")
RESPONSE_VECTORS = _kind("pmd_cp_response")
TIMESTAMP_VECTORS = [v for v in _kind("timestamp_rule") if "config" in v]


def test_vector_file_is_the_shared_copy_with_sources() -> None:
    assert len(VECTORS) == 39
    for v in VECTORS:
        assert v["source"]["repo"] == "polarofficial/polar-ble-sdk"
        assert v["source"]["commit"] == "8fb5311c8f63fd58fdd03df1b46cbb2e8f05209e"
        assert v["source"]["where"]


# --- data frames ------------------------------------------------------------------------------


@pytest.mark.parametrize("vec", DATA_VECTORS, ids=_ids(DATA_VECTORS))
def test_data_frame_vector_sdk_exact(vec: dict) -> None:
    """Header, sample count, samples and timestamps exactly as the SDK tests assert."""
    cfg, exp = vec["config"], vec["expected"]
    frame = parse_data_frame(
        bytes.fromhex(vec["packet_hex"]), factor=cfg["factor"], sdk_integer_mg=True
    )
    assert frame.measurement_type == exp["frame"]["measurement_type"]
    assert frame.timestamp_ns == exp["frame"]["timestamp_ns"]
    assert frame.frame_type == exp["frame"]["frame_type"]
    assert frame.compressed == exp["frame"]["compressed"]
    assert frame.n_samples == exp["n_samples"]
    for k, s in _asserted_samples(exp).items():
        got = frame.values[int(k)]
        if cfg["measurement"] == "ACC":
            assert got.tolist() == _xyz(s)  # integer mG, exact
        else:  # GYRO floats: the SDK computes float32, so compare as float32 exactly
            assert np.float32(got).tolist() == np.float32(_xyz(s)).tolist()
    ts = sample_timestamps_ns(
        cfg["previous_frame_timestamp_ns"],
        frame.timestamp_ns,
        frame.n_samples,
        cfg["sample_rate_hz"],
    )
    assert ts[-1] == frame.timestamp_ns
    if "last_sample_timestamp_ns" in exp:
        assert ts[-1] == exp["last_sample_timestamp_ns"]
    if "first_sample_timestamp_ns" in exp:
        assert ts[0] == exp["first_sample_timestamp_ns"]
    if "sample_timestamps_ns" in exp:
        assert ts.tolist() == exp["sample_timestamps_ns"]
    if "sample1_timestamp_ns" in exp:
        assert ts[1] == exp["sample1_timestamp_ns"]
    if "all_samples_abs_le_mG" in exp:
        assert np.abs(frame.values).max() <= exp["all_samples_abs_le_mG"]
    if "raw_counts_as_stated_in_test_comments" in exp:
        for k, raw in exp["raw_counts_as_stated_in_test_comments"].items():
            assert frame.raw[int(k)].tolist() == raw
    if "sample_bit_patterns_hex" in exp:
        for k, pats in exp["sample_bit_patterns_hex"].items():
            assert [f"{x:08x}" for x in frame.raw[int(k)]] == pats


@pytest.mark.parametrize("vec", DATA_VECTORS, ids=_ids(DATA_VECTORS))
def test_data_frame_vector_through_decoder_si(vec: dict) -> None:
    """The stream decoder gives the same samples in SI (m/s², rad/s) and device time in s."""
    cfg, exp = vec["config"], vec["expected"]
    payload = bytes.fromhex(vec["packet_hex"])
    dec = make_decoder(sample_rate_hz=cfg["sample_rate_hz"] or None, factor=cfg["factor"])
    if cfg["previous_frame_timestamp_ns"]:
        dec.set_previous_timestamp_ns(
            cfg["measurement"], payload[9], cfg["previous_frame_timestamp_ns"]
        )
    (batch,) = dec.decode(payload)
    assert isinstance(batch, SampleBatch) and batch.family == FAMILY
    assert batch.n_samples == exp["n_samples"]
    for k, s in _asserted_samples(exp).items():
        if cfg["measurement"] == "ACC":
            mg = batch.acc_mps2[int(k)] / G0 * 1000.0
            # the SDK truncates to integer mG; full resolution lies within 1 mG above |value|
            assert np.all(np.abs(mg - _xyz(s)) < 1.0)
            assert batch.gyr_radps is None
        else:
            np.testing.assert_allclose(batch.gyr_radps[int(k)] / RAD_PER_DEG, _xyz(s), rtol=1e-7)
            assert batch.acc_mps2 is None
    assert batch.device_time_s[-1] == exp["frame"]["timestamp_ns"] / 1e9
    assert batch.meta["device_time_ns"][-1] == exp["frame"]["timestamp_ns"]
    assert batch.lost_samples == 0 and not batch.meta["stale"]


def test_acc_raw_type1_full_decode_derived() -> None:
    """All 36 samples and timestamps of the raw 52 Hz frame (derived_full_decode, labelled)."""
    vec = BY_ID["polar_acc_raw_type1_52hz"]
    dfd = vec["derived_full_decode"]
    assert dfd["derived"] is True
    dec = make_decoder(sample_rate_hz=52)
    (b,) = dec.decode(bytes.fromhex(vec["packet_hex"]))
    np.testing.assert_allclose(
        b.acc_mps2, np.array(dfd["samples_mG"]) * G0 / 1000, rtol=0, atol=1e-12
    )
    assert b.meta["device_time_ns"].tolist() == dfd["timestamps_ns"]


def test_acc_delta_type0_full_decode_derived() -> None:
    vec = BY_ID["polar_acc_delta_type0_factor"]
    dfd = vec["derived_full_decode"]
    frame = parse_data_frame(bytes.fromhex(vec["packet_hex"]), factor=0.000244, sdk_integer_mg=True)
    assert frame.raw.tolist() == dfd["raw_counts"]
    assert frame.values.tolist() == dfd["samples_mG"]
    _, blocks = parse_delta_content(bytes.fromhex(vec["packet_hex"])[10:], 3, 16)
    assert [{"bits": w, "count": c} for w, c in blocks] == dfd["delta_blocks"]


def test_factor_float32_from_vector_hex() -> None:
    vec = BY_ID["polar_acc_delta_type0_factor"]
    f = struct.unpack("<f", bytes.fromhex(vec["config"]["factor_float32_hex"]))[0]
    a = parse_data_frame(bytes.fromhex(vec["packet_hex"]), factor=f, sdk_integer_mg=True)
    b = parse_data_frame(bytes.fromhex(vec["packet_hex"]), factor=0.000244, sdk_integer_mg=True)
    assert np.array_equal(a.values, b.values)


@pytest.mark.parametrize("vec", CONTENT_VECTORS, ids=_ids(CONTENT_VECTORS))
def test_frame_content_vectors(vec: dict) -> None:
    cfg, exp = vec["config"], vec["expected"]
    content = bytes.fromhex(vec["packet_hex"])
    enc = "float" if cfg["encoding"].startswith("FLOAT") else "int"
    if vec["id"] == "polar_acc_delta_content_short":
        # The source asserts only reference sample channel 0; the bytes of its second block are
        # shorter than the block header declares (22 of 90 bytes), which strict parsing reports.
        ref = parse_reference_sample(content, 3, 16)
        assert ref[0] == exp["samples"]["0"]["x"]
        with pytest.raises(ProtocolError, match=r"offset 115: expected 90 bytes of packed deltas"):
            parse_delta_content(content, 3, 16)
        return
    samples, blocks = parse_delta_content(content, cfg["channels"], cfg["resolution_bits"], enc)
    assert len(samples) == exp["n_samples"]
    for k, s in exp.get("samples", {}).items():
        assert samples[int(k)].tolist() == s
    for k, pats in exp.get("sample_bit_patterns_hex", {}).items():
        assert [f"{x:08x}" for x in samples[int(k)]] == pats
    for k, exprs in exp.get("assertion_expressions", {}).items():
        want = [_hex_sum_mod32(e) for e in exprs]
        assert samples[int(k)].tolist() == want
    if "delta_blocks_per_test_comments" in exp:
        assert [list(b) for b in blocks] == exp["delta_blocks_per_test_comments"]


def test_content_short_first_block_derived() -> None:
    """Derived decode of the short constant: the first (complete) block, labelled derived."""
    vec = BY_ID["polar_acc_delta_content_short"]
    dfd = vec["derived_full_decode"]
    content = bytes.fromhex(vec["packet_hex"])
    w0, c0 = dfd["delta_blocks"][0]["bits"], dfd["delta_blocks"][0]["count"]
    first_block_end = 6 + 2 + (w0 * c0 * 3 + 7) // 8
    samples, blocks = parse_delta_content(content[:first_block_end], 3, 16)
    assert blocks == [(w0, c0)]
    assert samples[:3].tolist() == dfd["first_samples_raw"]


def test_reference_sample_vector() -> None:
    vec = BY_ID["polar_ref_sample_16bit_4ch"]
    ref = parse_reference_sample(bytes.fromhex(vec["packet_hex"]), 4, 16)
    assert ref.tolist() == vec["expected"]["samples"]["0"]


def test_doc_h10_truncated_raw_frame() -> None:
    """online_measurement.pdf Fig. 3 H10 frame (truncated after 2 samples by the doc)."""
    vec = BY_ID["polar_doc_h10_acc_raw_frame_truncated"]
    assert vec["truncated"] is True
    frame = parse_data_frame(bytes.fromhex(vec["packet_hex"]))
    exp = vec["expected"]
    assert frame.timestamp_ns == exp["frame"]["timestamp_ns"]
    assert (frame.measurement_type, frame.frame_type, frame.compressed) == (2, 1, False)
    assert frame.values[0, 1:].tolist() == [exp["samples"]["0"]["y"], exp["samples"]["0"]["z"]]
    # source_inconsistency: the doc prints -184 for bytes 45 FF, which are -187
    incons = vec["source_inconsistency"]
    assert frame.values[0, 0] == incons["bytes_decode_to"] != incons["sample0_x_as_printed"]


def test_doc_verity_truncated_delta_frame() -> None:
    """Fig. 3 Verity frame: block declares 29 x 8-bit samples; the doc prints fewer bytes."""
    vec = BY_ID["polar_doc_verity_acc_delta_frame_truncated"]
    payload = bytes.fromhex(vec["packet_hex"])
    exp = vec["expected"]
    with pytest.raises(ProtocolError, match=r"expected 87 bytes of packed deltas"):
        parse_data_frame(payload)
    # Test-side edit: declare only the whole samples the doc printed, then decode them.
    n_whole = (len(payload) - 10 - 6 - 2) // 3
    patched = payload[:17] + bytes([n_whole]) + payload[18 : 18 + 3 * n_whole]
    frame = parse_data_frame(patched)
    assert frame.timestamp_ns == exp["frame"]["timestamp_ns"]
    assert payload[16:18] == bytes([exp["delta_block"]["bits"], exp["delta_block"]["count"]])
    for k, raw in exp["raw_counts"].items():
        assert frame.raw[int(k)].tolist() == raw


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize("vec", TIMESTAMP_VECTORS, ids=_ids(TIMESTAMP_VECTORS))
def test_timestamp_rule_vectors(vec: dict) -> None:
    c = vec["config"]
    ts = sample_timestamps_ns(
        c["previous_frame_timestamp_ns"],
        c["frame_timestamp_ns"],
        c["n_samples"],
        c["sample_rate_hz"],
    )
    assert ts.tolist() == vec["expected"]["sample_timestamps_ns"]


def test_timestamp_error_vectors() -> None:
    cases = BY_ID["polar_timestamps_error_cases"]["expected"]["cases"]
    with pytest.raises(ProtocolError, match="expected a sample rate to time a frame"):
        sample_timestamps_ns(cases[0]["prev"], cases[0]["ts"], cases[0]["n"], cases[0]["rate"])
    with pytest.raises(ProtocolError, match=r"offset 1: expected frame timestamp ≥ 100 samples"):
        sample_timestamps_ns(cases[1]["prev"], cases[1]["ts"], cases[1]["n"], cases[1]["rate"])
    with pytest.raises(ProtocolError, match="after the previous one"):
        sample_timestamps_ns(200, 100, 3, 52)


def test_timestamp_half_to_even_on_absolute_value() -> None:
    # prev=100, ts=101, n=2 → 100.5 → 100 (even); prev=101, ts=102 → 101.5 → 102 (even)
    assert sample_timestamps_ns(100, 101, 2).tolist() == [100, 101]
    assert sample_timestamps_ns(101, 102, 2).tolist() == [102, 102]


def test_timestamps_exact_at_real_epoch() -> None:
    """At 2026-era timestamps (~8.3e17 ns) the result is exact, where float64 would be off."""
    prev = 830_000_000_123_456_789
    ts = prev + 692_307_692  # 36 samples at 52 Hz
    got = sample_timestamps_ns(prev, ts, 36)
    want = [prev + (692_307_692 * (i + 1) * 2 + 36) // 72 for i in range(36)]  # exact, no ties
    assert got.tolist() == want


def _frame(ts: int, n: int, mtype: int = 2, start: int = 0) -> bytes:
    vals = (np.arange(n * 3).reshape(n, 3) + start).astype("<i2")
    return bytes([mtype]) + ts.to_bytes(8, "little") + b"\x01" + vals.tobytes()


NS52 = 1e9 / 52


def test_decoder_continuous_stream_52hz() -> None:
    dec = make_decoder(sample_rate_hz=52)
    t0 = 800_000_000_000_000_000
    out = []
    for k in range(5):
        out += dec.decode(_frame(t0 + round(36 * NS52 * (k + 1)), 36))
    t = np.concatenate([b.meta["device_time_ns"] for b in out])
    assert np.all(np.abs(np.diff(t) - NS52) <= 1)
    assert sum(b.lost_samples for b in out) == 0 and dec.stats.lost_samples == 0
    assert [b.meta["timestamp_rule"] for b in out] == ["sample_rate"] + ["previous_frame"] * 4
    assert dec.stats.packets == 5 and dec.stats.samples == 180


def test_decoder_gap_counts_lost_samples() -> None:
    dec = make_decoder(sample_rate_hz=52)
    t0 = 800_000_000_000_000_000
    ends = [t0 + round(36 * NS52 * (k + 1)) for k in range(4)]
    dec.decode(_frame(ends[0], 36))
    dec.decode(_frame(ends[1], 36))
    (b,) = dec.decode(_frame(ends[3], 36))  # frame 3 lost: 36 samples
    assert b.lost_samples == 36 and dec.stats.lost_samples == 36
    assert b.meta["timestamp_rule"] == "last_interval" and b.meta["loss_checked"]
    # samples stay at the nominal spacing ending at the frame timestamp, not stretched over the gap
    assert np.all(np.abs(np.diff(b.meta["device_time_ns"]) - NS52) <= 1)
    assert b.meta["device_time_ns"][0] - ends[1] == pytest.approx(37 * NS52, abs=2)


def test_decoder_off_nominal_device_rate_no_false_losses() -> None:
    """A device 4 % slower than nominal: no false losses; a dropped frame is still counted."""
    dec = make_decoder(sample_rate_hz=52)
    true_interval = 1e9 / (52 * 0.96)
    t0 = 800_000_000_000_000_000
    ends = [t0 + round(36 * true_interval * (k + 1)) for k in range(12)]
    out = [dec.decode(_frame(e, 36))[0] for k, e in enumerate(ends) if k != 7]
    assert [b.lost_samples for b in out] == [0] * 7 + [36] + [0] * 3
    gap = out[7].meta["device_time_ns"]
    np.testing.assert_allclose(np.diff(gap), true_interval, atol=1)  # measured, not nominal
    assert out[1].meta["loss_checked"] and not _first_checked(out)


def _first_checked(out: list) -> bool:
    return bool(out[0].meta["loss_checked"])


def test_decoder_duplicate_and_reordered_frames_flagged() -> None:
    dec = make_decoder(sample_rate_hz=52)
    t0 = 800_000_000_000_000_000
    ends = [t0 + round(36 * NS52 * (k + 1)) for k in range(4)]
    dec.decode(_frame(ends[0], 36))
    dec.decode(_frame(ends[1], 36))
    (dup,) = dec.decode(_frame(ends[1], 36))
    assert dup.meta["stale"] and dec.stats.stale_frames == 1
    (b3,) = dec.decode(_frame(ends[3], 36))  # arrives before frame 2
    assert b3.lost_samples == 36
    (late,) = dec.decode(_frame(ends[2], 36))
    assert late.meta["stale"] and dec.stats.stale_frames == 2
    assert late.meta["device_time_ns"][-1] == ends[2]
    assert np.all(np.abs(np.diff(late.meta["device_time_ns"]) - NS52) <= 1)
    # state was not moved back: the next frame is timed from frame 3
    (b4,) = dec.decode(_frame(ends[3] + round(36 * NS52), 36))
    assert not b4.meta["stale"] and b4.lost_samples == 0
    assert b4.meta["timestamp_rule"] == "previous_frame"


def test_decoder_clock_reset_detected() -> None:
    dec = make_decoder(sample_rate_hz=200)
    t_run = 830_000_000_000_000_000
    dec.decode(_frame(t_run, 20))
    h10_reset = 599_616_000_000_000_000 + 10**9  # H10 clock back at 2019-01-01
    (b,) = dec.decode(_frame(h10_reset, 20))
    assert b.meta["clock_reset"] and not b.meta["stale"] and dec.stats.clock_resets == 1
    assert b.meta["device_time_ns"][-1] == h10_reset
    (c,) = dec.decode(_frame(h10_reset + 10**8, 20))
    assert c.meta["timestamp_rule"] == "previous_frame" and c.lost_samples == 0


def test_decoder_streams_keyed_by_measurement_and_frame_type() -> None:
    dec = make_decoder(sample_rate_hz=52)
    t0 = 800_000_000_000_000_000
    dec.decode(_frame(t0, 10))
    gyro = BY_ID["polar_gyro_delta_type0"]["packet_hex"]
    g = bytes.fromhex(gyro)
    (gb,) = dec.decode(g[:1] + (t0 - 5).to_bytes(8, "little") + g[9:])  # other stream: not stale
    assert not gb.meta["stale"]
    (ab,) = dec.decode(_frame(t0 + round(10 * NS52), 10))
    assert ab.meta["timestamp_rule"] == "previous_frame"


def test_decoder_first_frame_without_rate_is_an_error() -> None:
    dec = make_decoder()
    with pytest.raises(ProtocolError, match="polar_pmd: expected a sample rate to time a frame"):
        dec.decode(_frame(800_000_000_000_000_000, 10))
    assert dec.stats.rejected_packets == 1


def test_decoder_learns_rate_from_start_command_and_factor_from_response() -> None:
    """Verity Sense start (Fig. 3): 52 Hz from the written command, FACTOR from the response."""
    dec = make_decoder()
    assert isinstance(dec, Decoder)
    dec.observe_command(bytes.fromhex(BY_ID["polar_cp_start_acc_verity"]["packet_hex"]))
    resp = dec.handle_control_point(
        bytes.fromhex(BY_ID["polar_cp_start_acc_verity_resp_factor"]["packet_hex"])
    )
    assert resp.ok and dec.factor("ACC") == pytest.approx(0.000244, rel=1e-7)
    vec = BY_ID["polar_acc_delta_type0_factor"]
    (b,) = dec.decode(bytes.fromhex(vec["packet_hex"]))
    mg = b.acc_mps2 / G0 * 1000
    assert np.all(np.abs(mg - np.array(vec["derived_full_decode"]["samples_mG"])) < 1)
    assert b.meta["timestamp_rule"] == "sample_rate"


def test_decoder_routes_cp_response_and_device_stop() -> None:
    dec = make_decoder(sample_rate_hz=52)
    resp_hex = BY_ID["polar_cp_start_acc_verity_resp_factor"]["packet_hex"]
    assert dec.decode(bytes.fromhex(resp_hex)) == []
    t0 = 800_000_000_000_000_000
    dec.decode(_frame(t0, 10))
    stopped = dec.handle_control_point(
        bytes.fromhex(BY_ID["polar_cp_device_stop_notification"]["packet_hex"])
    )
    assert stopped == (1, 2)
    (b,) = dec.decode(_frame(t0 + 10**9, 10))  # ACC state dropped: timed from the rate again
    assert b.meta["timestamp_rule"] == "sample_rate" and b.lost_samples == 0
    dec.reset()
    (c,) = dec.decode(_frame(t0 + 2 * 10**9, 10))
    assert c.meta["timestamp_rule"] == "sample_rate"


def test_sdk_integer_mg_option_reproduces_sdk() -> None:
    vec = BY_ID["polar_acc_delta_type0_factor"]
    dec = make_decoder(sample_rate_hz=52, factor=0.000244, sdk_integer_mg=True)
    (b,) = dec.decode(bytes.fromhex(vec["packet_hex"]))
    np.testing.assert_allclose(
        b.acc_mps2 * 1000 / G0, vec["derived_full_decode"]["samples_mG"], rtol=0, atol=1e-9
    )


def test_profile() -> None:
    assert PROFILE.family == "polar_pmd"
    assert PROFILE.service_uuid == SERVICE_UUID == "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
    assert PROFILE.notify_uuids == (CONTROL_POINT_UUID, DATA_UUID)
    assert PROFILE.data_uuids == (DATA_UUID,)
    gatt = json.loads(VECTORS_PATH.read_text())["gatt"]
    assert CONTROL_POINT_UUID == gatt["control_point"].lower()
    assert DATA_UUID == gatt["data"].lower()


# --- control point ----------------------------------------------------------------------------

_SETTING_KEYS = {
    "SAMPLE_RATE_hz": "SAMPLE_RATE",
    "RESOLUTION_bits": "RESOLUTION",
    "RANGE_g": "RANGE",
    "CHANNELS": "CHANNELS",
}


@pytest.mark.parametrize("vec", RESPONSE_VECTORS, ids=_ids(RESPONSE_VECTORS))
def test_control_point_response_vectors(vec: dict) -> None:
    exp = vec["expected"]
    r = parse_control_point_response(bytes.fromhex(vec["packet_hex"]))
    if isinstance(exp.get("op_code"), int):
        assert r.op_code == exp["op_code"]
    if isinstance(exp.get("measurement_type"), int):
        assert r.measurement_type == exp["measurement_type"]
    if "status" in exp:
        st_ = exp["status"]
        if isinstance(st_, int):
            assert r.status == st_
        else:  # e.g. "ERROR_INVALID_RESOLUTION(7)"
            name, code = st_.rstrip(")").split("(")
            assert r.status == int(code) and r.status_name == name
    if "more" in exp:
        assert r.more == exp["more"]
    if "parameters_hex" in exp:
        assert r.parameters.hex() == exp["parameters_hex"]
    if "settings" in exp:
        got = r.settings()
        for k, vals in exp["settings"].items():
            assert list(got[_SETTING_KEYS[k]]) == vals
    if "factor" in exp:
        (f,) = r.settings()["FACTOR"]
        assert f == pytest.approx(exp["factor"], rel=1e-9)
        assert struct.pack("<f", f).hex().upper() == exp["factor_float32_hex_le"]
        assert struct.unpack("<I", struct.pack("<f", f))[0] == exp["factor_uint32"]


def test_settings_tlv_vector() -> None:
    vec = BY_ID["polar_settings_parse_gyro_ranges"]
    got = parse_settings(bytes.fromhex(vec["packet_hex"]))
    exp = vec["expected"]
    assert len(got) == exp["n_setting_types"]
    for k in ("SAMPLE_RATE", "RESOLUTION", "RANGE", "CHANNELS"):
        assert list(got[k]) == exp[k]
    assert encode_settings(got) == bytes.fromhex(vec["packet_hex"])


def test_features_vector() -> None:
    vec = BY_ID["polar_cp_features_read_verity"]
    got = parse_features(bytes.fromhex(vec["packet_hex"]))
    bits = vec["expected"]["byte1_bits"]
    for key, present in bits.items():
        name = key.split("_", 1)[1].upper()
        if name == "BIOZ":
            continue  # bit 4 is not a measurement in the SDK's feature map
        assert (name in got) == present
    assert "SDK_MODE" not in got


def test_stopped_notification_vector() -> None:
    vec = BY_ID["polar_cp_device_stop_notification"]
    assert (
        list(parse_stopped_notification(bytes.fromhex(vec["packet_hex"])))
        == vec["expected"]["stopped_types"]
    )


def test_multi_packet_response_concatenates_parameters() -> None:
    first = bytes.fromhex("f0010200010004190032006400c800")  # more=1
    second = bytes.fromhex("f0010200000101100002030200040008 00".replace(" ", ""))
    r = parse_control_point_response(first, second)
    assert not r.more
    s = r.settings()
    assert s["SAMPLE_RATE"] == (25, 50, 100, 200) and s["RANGE"] == (2, 4, 8)


# --- commands ---------------------------------------------------------------------------------


def test_command_vectors() -> None:
    assert (
        get_settings_command("ACC").payload.hex()
        == BY_ID["polar_cp_get_acc_settings_req"]["packet_hex"]
    )
    assert (
        get_settings_command("ACC", sdk_mode=True).payload.hex()
        == (BY_ID["polar_cp_get_sdk_mode_acc_settings_req"]["packet_hex"])
    )
    (verity,) = start_commands("ACC", sample_rate_hz=52, range=8, channels=3, device="verity")
    assert verity.payload.hex() == BY_ID["polar_cp_start_acc_verity"]["packet_hex"]
    assert verity.characteristic_uuid == CONTROL_POINT_UUID and verity.response
    # H10 doc orders RANGE first; the settings are the same
    (h10,) = start_commands("ACC", sample_rate_hz=200, range=8, device="h10")
    doc = bytes.fromhex(BY_ID["polar_cp_start_acc_h10"]["packet_hex"])
    assert parse_start_command(h10.payload) == parse_start_command(doc)
    exp = BY_ID["polar_cp_start_acc_h10"]["expected"]["settings"]
    assert parse_start_command(doc)[1] == {
        "RANGE": (exp["RANGE_g"],),
        "SAMPLE_RATE": (exp["SAMPLE_RATE_hz"],),
        "RESOLUTION": (exp["RESOLUTION_bits"],),
    }
    (stop,) = stop_commands("ACC")
    assert stop.payload.hex() == BY_ID["polar_cp_stop_acc"]["packet_hex"]
    sdk = start_commands("GYRO", sample_rate_hz=208, range=2000, device="verity", sdk_mode=True)
    assert sdk[0].payload.hex() == BY_ID["polar_cp_start_sdk_mode"]["packet_hex"]
    assert sdk[1].payload[:2] == b"\x02\x05"
    assert parse_start_command(sdk[1].payload)[1]["SAMPLE_RATE"] == (208,)
    assert (
        stop_commands("GYRO", sdk_mode=True)[-1].payload.hex()
        == (BY_ID["polar_cp_stop_sdk_mode"]["packet_hex"])
    )


def test_sdk_mode_responses_from_doc() -> None:
    for vid, op in (("polar_cp_start_sdk_mode", 2), ("polar_cp_stop_sdk_mode", 3)):
        r = parse_control_point_response(bytes.fromhex(BY_ID[vid]["expected"]["response_hex"]))
        assert (r.op_code, r.measurement_type, r.ok, r.more) == (op, 9, True, False)


def test_other_error_paths() -> None:
    with pytest.raises(ValueError, match=r"polar_pmd: option settings: expected one of \["):
        encode_settings({"GAIN": 3})
    with pytest.raises(ProtocolError, match=r"offset 0: expected 02 <measurement type> <settings>"):
        parse_start_command(b"\x03\x02")
    with pytest.raises(ValueError, match=r"option factor: expected a finite positive number"):
        make_decoder(factor=0.0)
    with pytest.raises(ValueError, match=r"option sample_rate_hz: expected keys 'ACC'/'GYRO'"):
        make_decoder(sample_rate_hz={"PPG": 130})
    bad_factor = bytes.fromhex("f00202000005010000c0ff")  # FACTOR = NaN
    with pytest.raises(ProtocolError, match=r"offset 7: expected a finite positive FACTOR"):
        make_decoder().handle_control_point(bad_factor)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sample_rate_hz": 100, "range": 8, "device": "verity"},
            r"polar_pmd: option sample_rate_hz: expected one of \[52\] for verity ACC, found 100",
        ),
        (
            {"sample_rate_hz": 200, "range": 16, "device": "h10"},
            r"option range: expected one of \[2, 4, 8\] for h10 ACC, found 16",
        ),
        ({"sample_rate_hz": 30}, r"option sample_rate_hz: expected one of \[25, 26, 50, 52,"),
        (
            {"sample_rate_hz": 52, "resolution_bits": 12},
            r"option resolution_bits: expected one of \[16\]",
        ),
        ({"sample_rate_hz": 52, "channels": 4}, r"option channels: expected one of \[3\]"),
        ({"sample_rate_hz": 52, "device": "h9"}, r"option device: expected 'h10', 'oh1', 'verity'"),
        (
            {"sample_rate_hz": 52, "available": {"SAMPLE_RATE": (25, 50)}},
            r"option sample_rate_hz: expected one of \[25, 50\] for this device's reported",
        ),
    ],
)
def test_start_command_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        start_commands("ACC", **kwargs)


def test_start_command_measurement_validation() -> None:
    with pytest.raises(
        ValueError, match=r"option measurement: expected 'ACC' or 'GYRO', found 'ECG'"
    ):
        start_commands("ECG", sample_rate_hz=130)
    with pytest.raises(ValueError, match=r"option measurement: h10 does not stream GYRO"):
        start_commands("GYRO", sample_rate_hz=52, device="h10")


def test_make_decoder_measurement_scopes_rate() -> None:
    dec = make_decoder(measurement="gyro", sample_rate_hz=52, range=2000)
    gyro = bytes.fromhex(BY_ID["polar_gyro_delta_type0"]["packet_hex"])
    (b,) = dec.decode(gyro[:1] + (10**18).to_bytes(8, "little") + gyro[9:])
    assert b.meta["timestamp_rule"] == "sample_rate"
    with pytest.raises(ProtocolError, match="expected a sample rate"):
        dec.decode(_frame(10**18, 3))  # ACC has no rate
    with pytest.raises(
        ValueError, match=r"option measurement: expected 'ACC' or 'GYRO', found 'ppg'"
    ):
        make_decoder(measurement="ppg")


def test_make_decoder_rejects_unknown_option() -> None:
    with pytest.raises(ValueError, match=r"polar_pmd: option rate: expected one of"):
        make_decoder(rate=52)
    with pytest.raises(ValueError, match=r"option sample_rate_hz: expected a positive integer"):
        make_decoder(sample_rate_hz=52.5)


# --- malformed input --------------------------------------------------------------------------

_VERITY = bytes.fromhex(BY_ID["polar_acc_delta_type0_factor"]["packet_hex"])
_RAW = bytes.fromhex(BY_ID["polar_acc_raw_type1_52hz"]["packet_hex"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\x02\x00", r"polar_pmd: offset 2: expected a 10-byte PMD data header, found 2 bytes"),
        (
            b"\x01" + bytes(8) + b"\x00" + bytes(6),
            r"offset 0: expected measurement type 2 \(ACC\) or 5",
        ),
        (
            _RAW[:9] + b"\x7f" + _RAW[10:],
            r"offset 9: expected ACC frame type 0x00-0x02, 0x80-0x81, found 0x7f",
        ),
        (
            b"\x05" + _RAW[1:9] + b"\x01" + _RAW[10:],
            r"offset 9: expected GYRO frame type 0x80-0x81",
        ),
        (_RAW[:-1], r"offset 220: expected a whole number \(≥ 1\) of 6-byte samples"),
        (_RAW[:10], r"expected a whole number \(≥ 1\) of 6-byte samples"),
        (_VERITY[:14], r"offset 14: expected a 6-byte reference sample"),
        (_VERITY[:17], r"offset 16: expected a 2-byte delta block header"),
        (
            _VERITY[:40],
            r"offset 18: expected 210 bytes of packed deltas \(56 samples x 3 ch x 10 bit\)",
        ),
        (
            _VERITY[:16] + b"\x21\x01" + bytes(13),
            r"offset 16: expected delta width 0-32 bits, found 33",
        ),
        (_VERITY[:16] + b"\x04\x00", r"offset 17: expected delta block sample count ≥ 1, found 0"),
        (
            b"\x02" + b"\xff" * 8 + b"\x01" + bytes(6),
            r"offset 1: expected u64 timestamp < 2\^63 ns",
        ),
        (
            b"\x05" + bytes(8) + b"\x81" + bytes.fromhex("0000c07f" + "00000000" * 2),
            r"offset 10: expected finite float32 gyro values, found NaN or infinity",
        ),
    ],
)
def test_malformed_frames_raise_protocol_error(payload: bytes, message: str) -> None:
    dec = make_decoder(sample_rate_hz=52)
    with pytest.raises(ProtocolError, match=message) as ei:
        dec.decode(payload)
    assert ei.value.family == "polar_pmd"
    assert dec.stats.rejected_packets == 1


@pytest.mark.parametrize(
    ("packets", "message"),
    [
        ((b"\xf0\x01\x02",), r"offset 3: expected a 5-byte control-point response header"),
        ((b"\xf1\x01\x02\x00\x00",), r"offset 0: expected response code 0xf0, found 0xf1"),
        ((bytes.fromhex("f001020000ff01"),), None),
    ],
)
def test_malformed_control_point(packets: tuple, message: str | None) -> None:
    if message is None:
        r = parse_control_point_response(*packets)
        with pytest.raises(ProtocolError, match=r"offset 5: expected setting type 0-6, found 0xff"):
            r.settings()
        return
    with pytest.raises(ProtocolError, match=message):
        parse_control_point_response(*packets)


def test_malformed_settings() -> None:
    with pytest.raises(
        ProtocolError, match=r"offset 2: expected 2 x 2-byte SAMPLE_RATE values, found 3"
    ):
        parse_settings(bytes.fromhex("0002340000"))
    with pytest.raises(ProtocolError, match=r"offset 0: expected a 2-byte setting header"):
        parse_settings(b"\x00")
    with pytest.raises(ProtocolError, match=r"expected 01 followed by ≥ 1 measurement type"):
        parse_stopped_notification(b"\x02")
    with pytest.raises(ProtocolError, match=r"expected 0f followed by 2 bitmap bytes"):
        parse_features(b"\x0e\x00\x00")


# --- property tests ---------------------------------------------------------------------------


def _pack_deltas(deltas: np.ndarray, width: int) -> bytes:
    """Test-side encoder: pack signed deltas LSB-first over the block."""
    u = deltas.astype(np.int64).ravel() & ((1 << width) - 1)
    bits = ((u[:, None] >> np.arange(width)) & 1).astype(np.uint8).ravel()
    return np.packbits(bits, bitorder="little").tobytes()


def _needed_width(d: np.ndarray) -> int:
    if d.size == 0:
        return 1
    m = max(int(d.max()), -int(d.min()) - 1, 0)
    return m.bit_length() + 1


def encode_compressed(
    samples: np.ndarray, counts: list[int], ref_bytes: int, extra_bits: list[int]
) -> bytes:
    """Build delta-compressed content from samples (n, 3), split into blocks of ``counts``."""
    content = bytearray()
    mask = (1 << (8 * ref_bytes)) - 1
    for v in samples[0]:
        content += (int(v) & mask).to_bytes(ref_bytes, "little")
    if ref_bytes == 4:  # float bit patterns: deltas modulo 2^32, as signed 32-bit
        d = (np.diff(samples.astype(np.int64), axis=0) + (1 << 31)) % (1 << 32) - (1 << 31)
    else:
        d = np.diff(samples.astype(np.int64), axis=0)
    i = 0
    for c, extra in zip(counts, extra_bits, strict=True):
        blk = d[i : i + c]
        w = min(_needed_width(blk) + extra, 32)
        content += bytes((w, c)) + _pack_deltas(blk, w)
        i += c
    return bytes(content)


def _split(n: int, cuts: list[int]) -> list[int]:
    pts = sorted({0, n, *[c % (n + 1) for c in cuts]})
    counts = [b - a for a, b in itertools.pairwise(pts) if b > a]
    out = []
    for c in counts:  # the count field is one byte
        while c > 255:
            out.append(255)
            c -= 255
        out.append(c)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    cuts=st.lists(st.integers(0, 300), max_size=4),
    extra=st.integers(0, 5),
    scale=st.sampled_from([1, 30, 3000, 32767]),
)
def test_round_trip_compressed_int16(
    n: int, seed: int, cuts: list[int], extra: int, scale: int
) -> None:
    rng = np.random.default_rng(seed)
    samples = np.clip(np.cumsum(rng.integers(-scale, scale + 1, (n + 1, 3)), axis=0), -32768, 32767)
    counts = _split(n, cuts)
    content = encode_compressed(samples, counts, 2, [extra] * len(counts))
    ts = 800_000_000_000_000_000
    payload = b"\x05" + ts.to_bytes(8, "little") + b"\x80" + content
    frame = parse_data_frame(payload)
    assert np.array_equal(frame.raw, samples)
    dec = make_decoder(sample_rate_hz=52)
    (b,) = dec.decode(payload)
    np.testing.assert_allclose(b.gyr_radps, samples * RAD_PER_DEG, rtol=1e-15)


@settings(max_examples=100, deadline=None)
@given(
    vals=st.lists(
        st.tuples(*[st.floats(-2000, 2000, width=32, allow_subnormal=False)] * 3),
        min_size=1,
        max_size=60,
    ),
    cut=st.integers(0, 60),
)
def test_round_trip_compressed_float_gyro(vals: list, cut: int) -> None:
    f32 = np.array(vals, dtype=np.float32)
    bits = f32.view(np.uint32).astype(np.int64)
    n = len(vals) - 1
    counts = _split(n, [cut]) if n else []
    content = encode_compressed(bits, counts, 4, [0] * len(counts))
    payload = b"\x05" + (10**18).to_bytes(8, "little") + b"\x81" + content
    frame = parse_data_frame(payload)
    assert np.array_equal(frame.raw, bits)
    assert np.array_equal(frame.values, f32.astype(np.float64))


@settings(max_examples=100, deadline=None)
@given(
    ftype=st.sampled_from([0, 1, 2]),
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 80),
)
def test_round_trip_raw_frames(ftype: int, seed: int, n: int) -> None:
    nbytes = ftype + 1
    lim = 1 << (8 * nbytes - 1)
    vals = np.random.default_rng(seed).integers(-lim, lim, (n, 3))
    content = b"".join(
        int(v & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little") for v in vals.ravel()
    )
    payload = b"\x02" + (10**18).to_bytes(8, "little") + bytes([ftype]) + content
    frame = parse_data_frame(payload)
    assert np.array_equal(frame.values, vals)


def _assert_decodes_or_protocol_error(dec, payload: bytes) -> None:
    try:
        out = dec.decode(payload)
    except ProtocolError as e:
        msg = str(e)
        assert e.family == "polar_pmd" and e.offset is not None and e.expected
        assert msg.startswith(f"polar_pmd: offset {e.offset}: expected ")
        return
    for b in out:
        assert isinstance(b, SampleBatch)
        assert np.isfinite(b.device_time_s).all()
        data = b.acc_mps2 if b.acc_mps2 is not None else b.gyr_radps
        assert np.isfinite(data).all() and len(data) == b.n_samples


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_never_raises_anything_else(payload: bytes) -> None:
    _assert_decodes_or_protocol_error(make_decoder(sample_rate_hz=52), payload)


@settings(max_examples=300, deadline=None)
@given(
    base=st.sampled_from(
        [_VERITY, _RAW, bytes.fromhex(BY_ID["polar_gyro_delta_type1_float"]["packet_hex"])]
    ),
    flips=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_fuzzed_frames_never_raise_anything_else(base: bytes, flips: list) -> None:
    b = bytearray(base)
    for pos, val in flips:
        b[pos % len(b)] = val
    _assert_decodes_or_protocol_error(make_decoder(sample_rate_hz=52), bytes(b))


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, len(_VERITY) - 1))
def test_truncated_compressed_frame_raises(cut: int) -> None:
    dec = make_decoder(sample_rate_hz=52)
    if cut == 16:  # header + reference sample, no block: a valid one-sample frame
        (b,) = dec.decode(_VERITY[:cut])
        assert b.n_samples == 1
        return
    with pytest.raises(ProtocolError, match=r"^polar_pmd: offset \d+: expected "):
        dec.decode(_VERITY[:cut])


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(0, len(_RAW) - 1))
def test_truncated_raw_frame_raises_unless_whole_samples(cut: int) -> None:
    dec = make_decoder(sample_rate_hz=52)
    if cut > 10 and (cut - 10) % 6 == 0:
        (b,) = dec.decode(_RAW[:cut])  # a shorter but valid frame
        assert b.n_samples == (cut - 10) // 6
    else:
        with pytest.raises(ProtocolError, match=r"^polar_pmd: offset \d+: expected "):
            dec.decode(_RAW[:cut])


@settings(max_examples=100, deadline=None)
@given(pad=st.integers(1, 40), byte=st.sampled_from([0x00, 0xFF]))
def test_padded_frames_raise(pad: int, byte: int) -> None:
    dec = make_decoder(sample_rate_hz=52)
    with pytest.raises(ProtocolError, match=r"^polar_pmd: offset \d+: expected "):
        dec.decode(_VERITY + bytes([byte]) * pad)
    if pad % 6:
        with pytest.raises(ProtocolError, match=r"^polar_pmd: offset \d+: expected "):
            dec.decode(_RAW + bytes([byte]) * pad)


def test_bytearray_payloads_as_bleak_delivers_them() -> None:
    vec = BY_ID["polar_acc_delta_type0_factor"]
    a = make_decoder(sample_rate_hz=52, factor=0.000244).decode(bytes.fromhex(vec["packet_hex"]))
    b = make_decoder(sample_rate_hz=52, factor=0.000244).decode(
        bytearray.fromhex(vec["packet_hex"])
    )
    np.testing.assert_array_equal(a[0].acc_mps2, b[0].acc_mps2)
    np.testing.assert_array_equal(a[0].device_time_s, b[0].device_time_s)


def test_every_vector_is_exercised() -> None:
    """Each vector of the JSON is either parametrised by kind or named by a test here."""
    source = Path(__file__).read_text()
    by_kind = {
        v["id"] for v in DATA_VECTORS + CONTENT_VECTORS + RESPONSE_VECTORS + TIMESTAMP_VECTORS
    }
    named = {v["id"] for v in VECTORS if f'"{v["id"]}"' in source}
    assert {v["id"] for v in VECTORS} == by_kind | named
