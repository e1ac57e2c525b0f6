"""Movesense GSP: vendor command bytes, derived data vectors, reassembly, time and losses."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_protocols import ProtocolError
from firmware_protocols import movesense as ms

VECTORS = json.loads((Path(__file__).parent / "vectors" / "movesense.json").read_text())["vectors"]
G0 = 9.80665


def _vid(v: dict) -> str:
    return v["id"] + ("[derived]" if v.get("derived") else "[vendor]")


def _by_kind(*kinds: str) -> list:
    return [pytest.param(v, id=_vid(v)) for v in VECTORS if v["packet_kind"] in kinds]


def _data(ts_ms: int, *arrays: np.ndarray, ref: int = 99, kind: int = 2) -> bytes:
    """GSP DATA packet: [kind][ref][u32 ts][arrays of float32 xyz] (test-side encoder)."""
    body = b"".join(np.asarray(a, dtype="<f4").tobytes() for a in arrays)
    return struct.pack("<BBI", kind, ref, ts_ms % (1 << 32)) + body


# --- vectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("v", _by_kind("gsp_command"))
def test_command_vectors(v):
    payload = bytes.fromhex(v["packet_hex"])
    exp = v["expected"]
    if "response_hex" in exp:  # HELLO: builder bytes and the firmware's reply
        assert ms.hello_command(payload[1]).payload == payload
        dec = ms.make_decoder(path="/Meas/IMU6/52")
        (batch,) = dec.decode(bytes.fromhex(exp["response_hex"]))
        assert batch.n_samples == 0
        assert batch.meta["text"] == "Hello" and batch.meta["reference"] == 123
        return
    parsed = ms.parse_command(payload)
    assert parsed["command"] == exp["command"]
    assert parsed["reference"] == exp["reference"]
    if exp["command"] == 1:
        assert parsed["path"] == exp["path"]
        assert ms.subscribe_command(exp["path"], exp["reference"]).payload == payload
        assert ms.subscribe_command(exp["path"], exp["reference"]).characteristic_uuid == (
            ms.WRITE_UUID
        )
    else:
        assert ms.unsubscribe_command(exp["reference"]).payload == payload
        assert ms.stop_commands(reference=exp["reference"])[0].payload == payload


def _path_for(v: dict) -> str:
    if "config" in v and "path" in v["config"]:
        return v["config"]["path"]
    return "/Meas/Acc/13"  # ms_data_acc_13hz_1sample_near_wrap: an Acc/13 notification


@pytest.mark.parametrize("v", _by_kind("gsp_data", "gsp_data_sequence"))
def test_data_vectors(v):
    dec = ms.make_decoder(path=_path_for(v))
    hexes = v["packet_hex"] if isinstance(v["packet_hex"], list) else [v["packet_hex"]]
    batches = []
    for i, h in enumerate(hexes):
        out = dec.decode(bytes.fromhex(h))
        if i < len(hexes) - 1:
            assert out == []  # DATA waits for its DATA_PART2
        batches += out
    (b,) = batches
    exp = v["expected"]
    assert b.n_samples == exp["n_samples"]
    # float32 values: the source values are the float32 numbers themselves
    np.testing.assert_allclose(b.acc_mps2, exp["acc_m_s2"], rtol=0, atol=1e-12)
    if "gyro_deg_s" in exp:
        np.testing.assert_allclose(np.rad2deg(b.gyr_radps), exp["gyro_deg_s"], rtol=1e-12)
    else:
        assert b.gyr_radps is None
    if "magn_uT" in exp:
        np.testing.assert_allclose(b.mag_ut, exp["magn_uT"], rtol=0, atol=1e-12)
    t0 = exp.get("timestamp_ms_first_sample", exp.get("timestamp_ms"))
    assert b.device_time_s[0] * 1000 == pytest.approx(t0, abs=1e-6)
    if "sample_times_ms" in exp:
        np.testing.assert_allclose(b.device_time_s * 1000, exp["sample_times_ms"], atol=1e-6)
    assert b.lost_samples == 0
    assert dec.stats.samples == exp["n_samples"] and dec.stats.packets == len(hexes)


# --- time, wraparound, losses -----------------------------------------------------------------


def test_timestamp_wraparound_continues_device_time():
    v = next(x for x in VECTORS if x["id"] == "ms_data_acc_13hz_1sample_near_wrap")
    dec = ms.make_decoder(path="/Meas/Acc/13")
    (a,) = dec.decode(bytes.fromhex(v["packet_hex"]))
    # next packets every 1000/13 ms: the u32 ms timestamp wraps 296 ms after the vector
    times = [4294967000 + round(k * 1000 / 13) for k in range(1, 7)]
    raw = [struct.unpack_from("<I", _data(t, [[0.0, 0.0, -9.81]]), 2)[0] for t in times]
    assert raw[-1] < 1000 < raw[0]  # really wrapped
    out = [dec.decode(_data(t, [[0.0, 0.0, -9.81]]))[0] for t in times]
    np.testing.assert_allclose([b.device_time_s[0] for b in out], np.array(times) / 1000, atol=1e-9)
    assert [b.lost_samples for b in out] == [0] * 6 and dec.stats.lost_samples == 0
    assert a.device_time_s[0] == pytest.approx(4294967.0)


def test_losses_from_timestamp_jump_and_batches_split():
    rate = 104
    dec = ms.make_decoder(path=f"/Meas/IMU6/{rate}")
    n = 4
    acc = np.arange(n * 3, dtype=float).reshape(n, 3)
    gyr = -acc
    packets = []
    t = 1000.0
    starts = []
    for k in range(6):
        if k == 3:
            t += 2 * n * 1000 / rate  # two packets (8 samples) lost
        starts.append(round(t))
        packets.append(_data(round(t), acc, gyr))
        t += n * 1000 / rate
    out = []
    for p in packets:
        out += dec.decode(p)
    assert [b.lost_samples for b in out] == [0, 0, 0, 8, 0, 0]
    assert dec.stats.lost_samples == 8 and dec.stats.samples == 24
    # vectorised path: same losses, batches split at the gap
    dec2 = ms.make_decoder(path=f"/Meas/IMU6/{rate}")
    many = dec2.decode_many(packets)
    assert [b.n_samples for b in many] == [12, 12]
    assert [b.lost_samples for b in many] == [0, 8]
    np.testing.assert_allclose(
        np.concatenate([b.device_time_s for b in many]),
        np.concatenate([b.device_time_s for b in out]),
    )
    assert dec2.stats == dec.stats


def test_time_going_back_is_flagged_not_counted_as_loss():
    dec = ms.make_decoder(path="/Meas/Acc/52")
    one = [[0.0, 0.0, 9.8]]
    dec.decode(_data(5000, one))
    (b,) = dec.decode(_data(4000, one))  # re-ordered / clock set back
    assert b.meta["time_went_back"] is True and b.lost_samples == 0
    assert b.device_time_s[0] == pytest.approx(4.0)


def test_reference_filter_skips_other_subscriptions():
    dec = ms.make_decoder(path="/Meas/Acc/52", reference=99)
    assert dec.decode(_data(0, [[1.0, 2.0, 3.0]], ref=100)) == []
    assert dec.stats.rejected_packets == 1 and dec.stats.samples == 0
    (b,) = dec.decode(_data(0, [[1.0, 2.0, 3.0]], ref=99))
    assert b.meta["reference"] == 99


def test_reset_forgets_pending_part_and_time():
    v = next(x for x in VECTORS if x["id"] == "ms_data_imu9_104hz_split")
    dec = ms.make_decoder(path="/Meas/IMU9/104")
    dec.decode(bytes.fromhex(v["packet_hex"][0]))
    dec.reset()
    with pytest.raises(ProtocolError, match="movesense: offset 0: expected DATA_PART2 right after"):
        dec.decode(bytes.fromhex(v["packet_hex"][1]))


def test_command_result_status_byte_orders():
    dec = ms.make_decoder(path="/Meas/IMU6/104")
    (ok,) = dec.decode(bytes([1, 99, 200, 0]))
    assert ok.meta["status"] == 200 and ok.meta["status_byte_order"] == "little"
    (err,) = dec.decode(bytes([1, 99, 0x01, 0xFB]))  # sample firmware's 507, big-endian
    assert err.meta["status"] == 507 and err.meta["status_byte_order"] == "big"
    assert [r["status"] for r in dec.command_results] == [200, 507]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\x02", "movesense: offset 1: expected packet [type][reference], found 1 bytes"),
        (b"\x07\x63\x00\x00", "movesense: offset 0: expected packet type 1 (result), 2 (DATA) or "
         "3 (DATA_PART2), found 0x07"),
        (b"\x02\x63\x00\x00", "movesense: offset 4: expected DATA of at least 6 bytes"),
        (b"\x03\x63" + bytes(20), "movesense: offset 0: expected DATA_PART2 right after a DATA"),
    ],
)
def test_malformed_packets_raise_protocol_error(payload, message):
    dec = ms.make_decoder(path="/Meas/IMU6/104")
    with pytest.raises(ProtocolError) as info:
        dec.decode(payload)
    assert str(info.value).startswith(message)
    assert info.value.family == "movesense"
    assert dec.stats.rejected_packets == 1


def test_part2_that_does_not_complete_samples_raises():
    dec = ms.make_decoder(path="/Meas/IMU9/104")
    assert dec.decode(_data(0, np.zeros((5, 3)))[:50]) == []  # 44 data bytes: not whole samples
    with pytest.raises(ProtocolError, match=r"expected DATA \+ DATA_PART2 = 6 \+ 36·n bytes"):
        dec.decode(b"\x03\x63" + bytes(7))


def test_samples_per_packet_resolves_ambiguous_split():
    # IMU6, 8 samples = 198 bytes; a 150-byte first part is exactly 6 samples' worth
    acc = np.ones((8, 3))
    full = _data(0, acc, -acc)
    part1, part2 = full[:150], b"\x03\x63" + full[150:]
    dec = ms.make_decoder(path="/Meas/IMU6/104", samples_per_packet=8)
    assert dec.decode(part1) == []
    (b,) = dec.decode(part2)
    np.testing.assert_array_equal(b.acc_mps2, acc)
    np.testing.assert_allclose(b.gyr_radps, np.deg2rad(-acc))


def test_invalid_commands_and_paths():
    with pytest.raises(ValueError, match="sample rate in '/Meas/IMU6/100' must be one of"):
        ms.start_commands(measurement="IMU6", sampling_rate_hz=100)
    with pytest.raises(ValueError, match="client reference must be 1-255, got 0"):
        ms.subscribe_command("/Meas/IMU6/104", 0)
    with pytest.raises(TypeError, match="movesense decoder needs path="):
        ms.make_decoder()
    (c,) = ms.start_commands(measurement="IMU9", sampling_rate_hz=208, reference=7)
    assert c.payload == b"\x01\x07/Meas/IMU9/208"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=6))
def test_fuzz_only_protocol_errors(payloads):
    dec = ms.make_decoder(path="/Meas/IMU6/104")
    for p in payloads:
        try:
            out = dec.decode(p)
        except ProtocolError as exc:
            assert exc.family == "movesense" and exc.expected and exc.offset is not None
            continue
        for b in out:
            assert b.family == "movesense"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "snan"])
def test_non_finite_float_sample_is_a_protocol_error(bad):
    dec = ms.make_decoder(path="/Meas/Acc/13")
    pkt = bytearray(_data(1000, [[0.0, 1.0, -9.81]]))
    if bad == "snan":
        pkt[-4:] = bytes.fromhex("0100807f")  # signalling NaN bit pattern, float32 LE
    else:
        pkt[-4:] = struct.pack("<f", bad)
    with pytest.raises(ProtocolError, match=r"movesense: offset 14: expected a finite float32"):
        dec.decode(bytes(pkt))
    with pytest.raises(ProtocolError, match=r"finite float32 sample, found .* in notification 1"):
        dec.decode_many([_data(2000, [[0.0, 1.0, -9.81]]), bytes(pkt)])
