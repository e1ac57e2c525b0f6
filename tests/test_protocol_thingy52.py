"""Nordic Thingy:52 motion service: derived raw/config vectors, fixed-point scales, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_protocols import ProtocolError
from firmware_protocols import thingy52 as th

VECTORS = json.loads((Path(__file__).parent / "vectors" / "thingy52.json").read_text())["vectors"]
G0 = 9.80665


def _vid(v: dict) -> str:
    return v["id"] + ("[derived]" if v.get("derived") else "[vendor]")


def _by_kind(kind: str) -> list:
    return [pytest.param(v, id=_vid(v)) for v in VECTORS if v["packet_kind"] == kind]


@pytest.mark.parametrize("v", _by_kind("thingy_raw"))
def test_raw_vectors(v):
    dec = th.make_decoder(motion_freq_hz=100)
    (b,) = dec.decode(bytes.fromhex(v["packet_hex"]))
    exp = v["expected"]
    np.testing.assert_allclose(b.acc_mps2 / G0, [exp["acc_g"]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.rad2deg(b.gyr_radps), [exp["gyro_deg_s"]], atol=1e-9)
    np.testing.assert_allclose(b.mag_ut, [exp["compass_uT"]], rtol=0, atol=1e-12)
    if "wrong_thingyjs_decode_acc" in exp:
        # issue #20: Thingy.js divides by 64 and reads 16 g at rest; we must not
        assert np.abs(b.acc_mps2 / G0).max() < 1.1
        raw = np.frombuffer(bytes.fromhex(v["packet_hex"]), "<i2")[:3]
        np.testing.assert_allclose(raw / 64, exp["wrong_thingyjs_decode_acc"])
    assert b.device_time_s is None and b.meta["motion_freq_hz"] == 100
    assert dec.stats.packets == 1 and dec.stats.samples == 1


@pytest.mark.parametrize("v", _by_kind("thingy_config"))
def test_config_vectors(v):
    payload = bytes.fromhex(v["packet_hex"])
    cfg = th.parse_config(payload)
    for key, value in v["expected"].items():
        assert getattr(cfg, key) == value
    assert cfg.to_bytes() == payload
    if v["expected"].get("motion_freq_hz") == 100:
        (cmd,) = th.start_commands(motion_freq_hz=100)
        assert cmd.payload == payload and cmd.characteristic_uuid == th.CONFIG_UUID


def test_saturation_limits_of_the_fixed_point_formats():
    extremes = np.array([32767, -32768, 0] * 3, dtype="<i2").tobytes()
    (b,) = th.make_decoder().decode(extremes)
    assert b.acc_mps2[0, 0] / G0 == pytest.approx(32767 / 1024)
    assert np.rad2deg(b.gyr_radps[0, 1]) == pytest.approx(-1024.0)
    assert b.mag_ut[0, 0] == pytest.approx(32767 / 16)


def test_decode_many_is_one_batch_in_order():
    rng = np.random.default_rng(1)
    vals = rng.integers(-32768, 32768, (500, 9)).astype("<i2")
    pkts = [r.tobytes() for r in vals]
    dec = th.make_decoder()
    (b,) = dec.decode_many(pkts)
    np.testing.assert_array_equal(np.rint(b.mag_ut * 16), vals[:, 6:9])
    np.testing.assert_array_equal(np.rint(np.rad2deg(b.gyr_radps) * 32), vals[:, 3:6])
    assert dec.stats.packets == 500 and dec.stats.samples == 500


@pytest.mark.parametrize("n", [0, 1, 17, 19, 20, 36])
def test_wrong_length_raises(n):
    dec = th.make_decoder()
    with pytest.raises(ProtocolError) as info:
        dec.decode(bytes(n))
    assert str(info.value) == (
        f"thingy52: offset {min(n, 18)}: expected 18-byte raw motion packet, found {n} bytes"
    )
    assert dec.stats.rejected_packets == 1


def test_config_errors():
    with pytest.raises(ValueError, match="motion_freq_hz must be an integer 5-200, got 250"):
        th.MotionConfig(motion_freq_hz=250)
    with pytest.raises(ProtocolError, match="thingy52: offset 0: expected 9-byte motion config"):
        th.parse_config(b"\x00" * 8)
    with pytest.raises(ProtocolError, match="thingy52: offset 8: expected wake_on_motion 0 or 1"):
        th.parse_config(bytes.fromhex("e803f401f4010a0002"))
    with pytest.raises(ProtocolError, match="motion_freq_hz must be an integer 5-200, got 1"):
        th.parse_config(bytes.fromhex("e803f401f401010001"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_fuzz_only_protocol_errors(payload):
    try:
        out = th.make_decoder().decode(payload)
    except ProtocolError as exc:
        assert exc.family == "thingy52" and len(payload) != 18
        assert exc.offset == min(len(payload), 18)
    else:
        assert len(payload) == 18 and out[0].n_samples == 1
