"""WitMotion BLE 5.0: vendor command bytes, derived frames, byte-stream reassembly and resync."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_protocols import ProtocolError
from firmware_protocols import witmotion as wm

VECTORS = json.loads((Path(__file__).parent / "vectors" / "witmotion.json").read_text())["vectors"]
G0 = 9.80665
BY_ID = {v["id"]: v for v in VECTORS}


def _vid(v: dict) -> str:
    return v["id"] + ("[derived]" if v.get("derived") else "[vendor]")


def _by_kind(*kinds: str) -> list:
    return [pytest.param(v, id=_vid(v)) for v in VECTORS if v["packet_kind"] in kinds]


def _check_frame(batch, exp):
    np.testing.assert_allclose(batch.acc_mps2 / G0, [exp["acc_g"]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.rad2deg(batch.gyr_radps), [exp["gyro_deg_s"]], atol=1e-9)
    np.testing.assert_allclose(batch.meta["angle_deg"], [exp["angle_deg"]], atol=1e-12)


def _frame(values, flag=0x61) -> bytes:
    return bytes([0x55, flag]) + np.asarray(values, dtype="<i2").tobytes()


# --- vectors ----------------------------------------------------------------------------------

_BUILDERS = {
    "wit_cmd_unlock": lambda: wm.unlock_command(),
    "wit_cmd_save": lambda: wm.save_command(),
    "wit_cmd_read_magnetometer": lambda: wm.read_register_command(0x3A),
    "wit_cmd_read_quaternion": lambda: wm.read_register_command(0x51),
}


@pytest.mark.parametrize("v", _by_kind("wit_command"))
def test_command_vectors(v):
    cmd = _BUILDERS[v["id"]]()
    assert cmd.payload == bytes.fromhex(v["packet_hex"])
    assert cmd.characteristic_uuid == wm.WRITE_UUID


@pytest.mark.parametrize("v", _by_kind("wit_command_table"))
def test_command_tables(v):
    for row in v["expected"]["writes"]:
        if "rate_hz" in row:
            cmd = wm.rate_command(row["rate_hz"])
        else:
            cmd = wm.bandwidth_command(row["bandwidth_hz"])
        assert cmd.payload.hex() == row["write_hex"]


@pytest.mark.parametrize("v", [p for p in _by_kind("wit_frame") if "0x61" in p.values[0]["id"]])
def test_data_frame_vectors(v):
    dec = wm.make_decoder()
    (b,) = dec.decode(bytes.fromhex(v["packet_hex"]))
    _check_frame(b, v["expected"])
    if "raw_int16" in v["expected"]:
        raw = np.frombuffer(bytes.fromhex(v["packet_hex"])[2:], "<i2")
        np.testing.assert_array_equal(raw, v["expected"]["raw_int16"])
    assert b.device_time_s is None and b.sample_index is None
    assert b.meta["losses_detectable"] is False


@pytest.mark.parametrize(
    "v", [pytest.param(BY_ID["wit_data_0x71_mag"], id="wit_data_0x71_mag[derived]")]
)
def test_register_reply_vector(v):
    (b,) = wm.make_decoder().decode(bytes.fromhex(v["packet_hex"]))
    assert b.n_samples == 0
    assert b.meta["start_register"] == v["expected"]["start_register"]
    assert b.meta["registers"] == v["expected"]["registers"]
    assert b.meta["mag_sdk_scaled"] == pytest.approx(v["expected"]["mag_sdk_scaled"])


@pytest.mark.parametrize("v", _by_kind("wit_notification_sequence"))
def test_fragmented_stream_vector(v):
    dec = wm.make_decoder()
    out = []
    for h in v["packet_hex"]:
        out += dec.decode(bytes.fromhex(h))
    assert len(out) == v["expected"]["n_frames"]
    for b, exp in zip(out, v["expected"]["frames"], strict=True):
        _check_frame(b, exp)
    assert dec.skipped_bytes == 3 and out[0].meta["skipped_bytes"] == 3
    assert dec.buffered_bytes == 0 and dec.stats.packets == 3 and dec.stats.samples == 2


# --- stream behaviour -------------------------------------------------------------------------


def _stream(n: int, seed: int = 0) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(seed)
    vals = rng.integers(-32768, 32768, size=(n, 9)).astype(np.int16)
    return b"".join(_frame(r) for r in vals), vals


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_split_of_a_stream_decodes_the_same(data):
    stream, vals = _stream(12)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=15)))
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    dec = wm.make_decoder()
    out = []
    for p in pieces:
        out += dec.decode(p)
    acc = np.concatenate([b.acc_mps2 for b in out])
    np.testing.assert_array_equal(np.rint(acc / (16 * G0 / 32768)), vals[:, :3])
    assert dec.skipped_bytes == 0 and dec.buffered_bytes == 0


def test_garbage_between_frames_is_counted_and_reported():
    stream, vals = _stream(4)
    garbage = bytes([0x01, 0x55, 0x02, 0x55])  # includes lone 0x55 that are not headers
    data = stream[:40] + garbage + stream[40:]
    dec = wm.make_decoder()
    out = dec.decode(data)
    assert sum(b.n_samples for b in out) == 4
    assert dec.skipped_bytes == 4
    assert [b.meta["skipped_bytes"] for b in out] == [0, 4]
    gyr = np.concatenate([b.gyr_radps for b in out])
    np.testing.assert_allclose(gyr, vals[:, 3:6] * np.deg2rad(2000 / 32768))


def test_trailing_header_byte_is_kept_for_the_next_notification():
    stream, _ = _stream(2)
    dec = wm.make_decoder()
    assert dec.decode(b"\x00\x00" + stream[:1]) == []
    assert dec.buffered_bytes == 1 and dec.skipped_bytes == 2
    out = dec.decode(stream[1:])
    assert sum(b.n_samples for b in out) == 2


def test_register_reply_between_data_frames_keeps_order():
    reply = bytes.fromhex(BY_ID["wit_data_0x71_mag"]["packet_hex"])
    stream, _ = _stream(3)
    out = wm.make_decoder().decode(stream[:20] + reply + stream[20:])
    assert [b.meta["frame"] for b in out] == ["data", "register_read", "data"]
    assert [b.n_samples for b in out] == [1, 0, 2]


def test_quaternion_and_other_register_replies():
    q = wm.make_decoder().decode(_frame([0x51, 32767, 0, -16384, 0, 0, 0, 0, 0], 0x71))[0]
    assert q.meta["quaternion_wxyz"] == pytest.approx([32767 / 32768, 0, -0.5, 0])
    t = wm.make_decoder().decode(_frame([0x40, 2534, -1, 0, 0, 0, 0, 0, 7], 0x71))[0]
    assert t.meta["registers"] == [2534, -1, 0, 0, 0, 0, 0, 7]  # raw: scale not documented
    assert set(t.meta) == {"frame", "start_register", "registers", "skipped_bytes"}


def test_decode_many_equals_decode():
    stream, _ = _stream(50, seed=3)
    chunks = [stream[i : i + 33] for i in range(0, len(stream), 33)]
    a = wm.make_decoder()
    one = [b for c in chunks for b in a.decode(c)]
    b_ = wm.make_decoder()
    many = b_.decode_many(chunks)
    np.testing.assert_array_equal(
        np.concatenate([b.acc_mps2 for b in one]), np.concatenate([b.acc_mps2 for b in many])
    )
    assert a.stats == b_.stats


def test_reset_drops_partial_frame():
    stream, _ = _stream(1)
    dec = wm.make_decoder()
    dec.decode(stream[:7])
    dec.reset()
    assert dec.buffered_bytes == 0
    assert dec.decode(stream[7:]) == []  # the tail alone is garbage ...
    assert dec.skipped_bytes == 13  # ... and it is counted


def test_start_commands_unlock_then_write_then_save():
    cmds = wm.start_commands(sampling_rate_hz=100, bandwidth_hz=42, save=True)
    assert [c.payload.hex() for c in cmds] == [
        "ffaa6988b5", "ffaa030900", "ffaa6988b5", "ffaa1f0400", "ffaa000000"
    ]
    assert wm.start_commands() == [] and wm.stop_commands() == []
    with pytest.raises(
        ValueError, match=r"sampling_rate_hz must be one of \[1, 5, 10, 50, 100, 200\], got 25"
    ):
        wm.rate_command(25)
    with pytest.raises(ValueError, match="bandwidth_hz must be one of"):
        wm.bandwidth_command(7)


def test_non_bytes_payload_is_a_protocol_error():
    with pytest.raises(ProtocolError, match="witmotion: expected notification bytes, found str"):
        wm.make_decoder().decode("5561")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8))
def test_fuzz_never_crashes_and_accounts_for_every_byte(chunks):
    dec = wm.make_decoder()
    frames = 0
    for c in chunks:
        for b in dec.decode(c):
            assert b.family == "witmotion"
            frames += max(b.n_samples, 1 if b.meta["frame"] == "register_read" else 0)
    total = sum(len(c) for c in chunks)
    assert frames * 20 + dec.skipped_bytes + dec.buffered_bytes == total
