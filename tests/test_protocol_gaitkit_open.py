"""gaitkit open protocol: round trips, wraparound, losses, re-ordering, errors, firmware drift."""

from __future__ import annotations

import binascii
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from firmware_protocols import ProtocolError
from firmware_protocols import gaitkit_open as go

G0 = 9.80665
FIRMWARE = Path(go.__file__).parent / "firmware" / "gaitkit_open_nrf52840"
HEADER = FIRMWARE / "gaitkit_open_protocol.h"
SKETCH = FIRMWARE / "gaitkit_open_nrf52840.ino"

int16s = hnp.arrays(np.int16, st.tuples(st.integers(1, 60), st.just(6)))


def _cat(batches, name):
    return np.concatenate([getattr(b, name) for b in batches])


def _counts(batches, acc_code=3, gyro_code=3):
    acc = _cat(batches, "acc_mps2") / (go.ACC_RANGE_CODES_G[acc_code] * G0 / 32768)
    gyr = _cat(batches, "gyr_radps") / (
        go.GYRO_RANGE_CODES_DPS[gyro_code] * np.pi / 180 / 32768
    )
    return np.rint(np.concatenate([acc, gyr], axis=1)).astype(np.int64)


# --- known answers --------------------------------------------------------------------------


def test_crc_check_value():
    assert go.crc16_ccitt_false(b"123456789") == 0x29B1  # CRC catalogue check value


def test_example_packet_layout_by_hand():
    (p,) = go.EXAMPLE_NOTIFICATIONS
    assert len(p) == 14 + 3 * 12 + 2
    assert p[0] == 0xA1 and p[1] == 3
    assert int.from_bytes(p[2:4], "little") == 7  # device id
    assert p[4] == 4 | (3 << 4) | (3 << 6)  # 100 Hz, ±16 g, ±2000 dps
    assert int.from_bytes(p[6:10], "little") == 1000
    assert int.from_bytes(p[10:14], "little") == 5_000_000
    assert np.frombuffer(p[14:50], "<i2").tolist()[:6] == [0, 0, 2048, 1, 2, 3]
    (b,) = go.make_decoder().decode(p)
    # 2048 counts at ±16 g = 1 g exactly
    np.testing.assert_allclose(b.acc_mps2[0], [0, 0, G0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(b.device_time_s, [5.0, 5.01, 5.02])
    assert b.sample_index.tolist() == [1000, 1001, 1002]
    assert b.meta["device_id"] == 7 and b.meta["sampling_rate_hz"] == 100.0


def test_mtu_sizes():
    assert go.samples_per_packet_for_mtu(247) == 19  # 14 + 19*12 + 2 = 244 = 247 - 3
    assert go.samples_per_packet_for_mtu(185) == 13
    assert go.samples_per_packet_for_mtu(23) == 0  # compact packets
    full = go.encode_packets(np.zeros((19, 3)), np.zeros((19, 3)), rate_code=4)
    compact = go.encode_packets(np.zeros((1, 3)), np.zeros((1, 3)), rate_code=4,
                                samples_per_packet=0)
    assert len(full[0]) == 247 - 3 and len(compact[0]) == 23 - 3


# --- property tests -------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    samples=int16s,
    spp=st.integers(0, 19),
    counter=st.integers(0, 2**32 - 1),
    t_us=st.integers(0, 2**32 - 1),
    rate_code=st.sampled_from(sorted(go.RATE_CODES_HZ)),
    acc_code=st.integers(0, 3),
    gyro_code=st.integers(0, 3),
)
def test_round_trip_is_exact(samples, spp, counter, t_us, rate_code, acc_code, gyro_code):
    pkts = go.encode_packets(
        samples[:, :3], samples[:, 3:], rate_code=rate_code, acc_range_code=acc_code,
        gyro_range_code=gyro_code, samples_per_packet=spp, first_counter=counter,
        first_time_us=t_us, device_id=513,
    )
    dec = go.make_decoder()
    out = dec.decode_many(pkts)
    np.testing.assert_array_equal(_counts(out, acc_code, gyro_code), samples)
    idx = _cat(out, "sample_index")
    first = counter if spp else counter % 2**16
    assert idx.tolist() == list(range(first, first + len(samples)))  # unwrapped across 2^32
    t = _cat(out, "device_time_s")
    rate = go.RATE_CODES_HZ[rate_code]
    if spp:  # µs clock: every sample exactly on the nominal grid (first-sample stamp + i/rate)
        expected = (t_us + np.floor(np.arange(len(samples)) // spp * spp * 1e6 / rate)) / 1e6
        expected += (np.arange(len(samples)) % spp) / rate
        np.testing.assert_allclose(t, expected, rtol=0, atol=2e-9)
    else:  # compact: ms clock, monotonic across the 2^16 ms wrap
        assert np.all(np.diff(t) > -1e-9)
    assert dec.stats.lost_samples == 0 and dec.stats.samples == len(samples)
    # one packet at a time gives the same samples
    dec1 = go.make_decoder()
    one = [b for p in pkts for b in dec1.decode(p)]
    np.testing.assert_array_equal(_cat(one, "sample_index"), idx)
    np.testing.assert_allclose(_cat(one, "device_time_s"), t, rtol=0, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    spp=st.integers(1, 19),
    n_packets=st.integers(3, 30),
    drop=st.sets(st.integers(1, 29), max_size=8),
    counter=st.integers(2**32 - 200, 2**32 - 1),
)
def test_losses_from_counter_jumps_across_wrap(spp, n_packets, drop, counter):
    samples = np.zeros((spp * n_packets, 6), dtype=np.int16)
    pkts = go.encode_packets(samples[:, :3], samples[:, 3:], rate_code=5, samples_per_packet=spp,
                             first_counter=counter, first_time_us=2**32 - 10_000)
    kept = [p for i, p in enumerate(pkts) if i not in drop]
    last_kept = max(i for i in range(n_packets) if i not in drop)
    lost_true = spp * len([i for i in drop if i < last_kept])  # a loss shows at the next packet
    dec = go.make_decoder()
    out = dec.decode_many(kept)
    assert dec.stats.lost_samples == lost_true
    assert sum(b.lost_samples for b in out) == lost_true
    idx = _cat(out, "sample_index")
    kept_i = [i for i in range(n_packets) if i not in drop]
    expected = [counter + i * spp + j for i in kept_i for j in range(spp)]
    assert idx.tolist() == expected
    # device time and index agree across the 2^32 µs wrap: t = t0 + (idx - idx0) / 200 Hz
    t = _cat(out, "device_time_s")
    np.testing.assert_allclose(t - t[0], (idx - idx[0]) / 200.0, atol=1e-9)


def test_reordered_packet_is_flagged_late_and_refunds_the_loss():
    s = np.arange(4 * 5 * 6, dtype=np.int16).reshape(-1, 6)
    pkts = go.encode_packets(s[:, :3], s[:, 3:], rate_code=4, samples_per_packet=5,
                             first_counter=65530)
    order = [0, 2, 1, 3]
    dec = go.make_decoder()
    out = [b for i in order for b in dec.decode(pkts[i])]
    assert [b.lost_samples for b in out] == [0, 5, 0, 0]
    assert [b.meta["late"] for b in out] == [False, False, True, False]
    assert [b.sample_index[0] for b in out] == [65530, 65540, 65535, 65545]
    assert dec.stats.lost_samples == 0 and dec.late_samples == 5
    # batched: the same, the late packet in its own batch
    dec2 = go.make_decoder()
    many = dec2.decode_many([pkts[i] for i in order])
    assert [b.sample_index[0] for b in many] == [65530, 65540, 65535, 65545]
    assert dec2.stats.lost_samples == 0


def test_compact_counter_and_ms_clock_wrap():
    n = 70_000  # > 2^16 samples: the u16 counter wraps once
    z = np.zeros((n, 3), dtype=np.int16)
    pkts = go.encode_packets(z, z, rate_code=8, samples_per_packet=0, first_counter=0,
                             first_time_us=0)  # 1600 Hz: 43.75 s
    dec = go.make_decoder()
    out = dec.decode_many(pkts)
    idx = _cat(out, "sample_index")
    assert idx[0] == 0 and idx[-1] == n - 1 and len(out) == 1
    pkts2 = go.encode_packets(z[:2000], z[:2000], rate_code=1, samples_per_packet=0,
                              first_time_us=60_000_000)  # 12.5 Hz: 160 s, crosses 65.536 s
    t = _cat(go.make_decoder().decode_many(pkts2), "device_time_s")
    np.testing.assert_allclose(np.diff(t), 0.08, atol=1.5e-3)
    assert t[-1] == pytest.approx(60 + 1999 * 0.08, abs=1e-3)


def test_reset_starts_a_new_reference():
    z = np.zeros((10, 3), dtype=np.int16)
    a = go.encode_packets(z, z, rate_code=4, samples_per_packet=5, first_counter=100)
    b = go.encode_packets(z, z, rate_code=4, samples_per_packet=5, first_counter=0)
    dec = go.make_decoder()
    dec.decode_many(a)
    dec.reset()
    out = dec.decode_many(b)
    assert out[0].sample_index[0] == 0 and out[0].lost_samples == 0 and not out[0].meta["late"]


# --- errors ---------------------------------------------------------------------------------


def _valid():
    return go.EXAMPLE_NOTIFICATIONS[0]


_CORRUPT = _valid()[:20] + b"\xff" + _valid()[21:]  # one sample byte changed


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "gaitkit_open: offset 0: expected a magic/version byte, found empty payload"),
        (b"\x55" + _valid()[1:], "gaitkit_open: offset 0: expected magic/version byte 0xa1 (full) "
         "or 0xc1 (compact), found 0x55"),
        (b"\xa2" + _valid()[1:], "gaitkit_open: offset 0: expected protocol version 1, found "
         "version 2"),
        (_valid()[:20], "gaitkit_open: offset 20: expected full packet of at least 28 bytes, "
         "found 20 bytes"),
        (_valid()[:-1], "gaitkit_open: offset 51: expected 52 bytes for 3 samples, found 51 bytes"),
        (_valid() + b"\x00", "gaitkit_open: offset 52: expected 52 bytes for 3 samples, found 53"),
        (_valid()[:1] + b"\x14" + _valid()[2:], "gaitkit_open: offset 1: expected sample count "
         "1-19, found 20"),
        (_CORRUPT, "gaitkit_open: offset 50: expected CRC-16/CCITT-FALSE "
         f"0x{binascii.crc_hqx(_CORRUPT[:-2], 0xFFFF):04x}, found 0x7ad4"),
        (b"\xc1" + bytes(18), "gaitkit_open: offset 19: expected 20-byte compact packet, found 19"),
    ],
    ids=["empty", "bad-magic", "version-2", "short", "truncated", "padded", "bad-count",
         "bad-crc", "compact-short"],
)
def test_malformed_packets(payload, message):
    dec = go.make_decoder()
    with pytest.raises(ProtocolError) as info:
        dec.decode(payload)
    assert str(info.value).startswith(message)
    assert info.value.family == "gaitkit_open"
    assert dec.stats.rejected_packets == 1 and dec.stats.packets == 0


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fuzzed_packets_raise_only_protocol_errors(data):
    p = bytearray(_valid())
    for _ in range(data.draw(st.integers(1, 4))):
        p[data.draw(st.integers(0, len(p) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(p) + 3))
    p = bytes(p[:cut]) + bytes(max(0, cut - len(p)))
    try:
        out = go.make_decoder().decode(p)
    except ProtocolError as exc:
        assert exc.family == "gaitkit_open" and exc.offset is not None and exc.expected
    else:  # only the untouched packet (or a change the CRC cannot see) decodes
        assert go.crc16_ccitt_false(p[:-2]) == int.from_bytes(p[-2:], "little")
        assert out[0].n_samples >= 1


def test_info_and_control_helpers():
    info = go.encode_info(device_id=0xBEEF, imu_chip=1, rate_code=11, acc_range_code=1,
                          gyro_range_code=3, samples_per_packet=19)
    parsed = go.parse_info(info)
    assert (parsed.device_id, parsed.sampling_rate_hz, parsed.acc_range_code) == (0xBEEF, 119.0, 1)
    with pytest.raises(ProtocolError, match="gaitkit_open: offset 8: expected CRC"):
        go.parse_info(info[:8] + b"\x00\x00")
    cmds = go.start_commands(sampling_rate_hz=200, acc_range_code=3, gyro_range_code=2,
                             samples_per_packet=19)
    assert [c.payload.hex() for c in cmds] == ["0305", "040302", "0613", "01"]
    assert all(c.characteristic_uuid == go.CONTROL_UUID for c in cmds)
    assert go.stop_commands()[0].payload == b"\x02"
    assert go.identify_command(3).payload == b"\x05\x03"
    assert go.parse_control_reply(b"\x83\x03") == (3, 3)
    with pytest.raises(ValueError, match=r"sampling_rate_hz must be one of .*got 150"):
        go.start_commands(sampling_rate_hz=150)
    with pytest.raises(ProtocolError, match="offset 0: expected reply opcode with bit 7 set"):
        go.parse_control_reply(b"\x03\x00")


# --- firmware drift -------------------------------------------------------------------------


def _defines() -> dict[str, str]:
    text = HEADER.read_text()
    return dict(re.findall(r"^#define\s+(GK_\w+)\s+(\S+)", text, flags=re.M))


def test_firmware_constants_match_python():
    d = _defines()
    assert d["GK_SERVICE_UUID"].strip('"') == go.SERVICE_UUID
    assert d["GK_DATA_UUID"].strip('"') == go.DATA_UUID
    assert d["GK_CONTROL_UUID"].strip('"') == go.CONTROL_UUID
    assert d["GK_INFO_UUID"].strip('"') == go.INFO_UUID
    assert int(d["GK_MAGIC_FULL"], 0) == go.MAGIC_FULL
    assert int(d["GK_MAGIC_COMPACT"], 0) == go.MAGIC_COMPACT
    assert int(d["GK_PROTOCOL_VERSION"]) == go.PROTOCOL_VERSION
    assert int(d["GK_FULL_HEADER_SIZE"]) == go.FULL_HEADER_SIZE
    assert int(d["GK_COMPACT_SIZE"]) == go.COMPACT_SIZE
    assert int(d["GK_SAMPLE_SIZE"]) == go.SAMPLE_SIZE
    assert int(d["GK_MAX_SAMPLES"]) == go.MAX_SAMPLES_PER_PACKET
    assert int(d["GK_INFO_SIZE"]) == go.INFO_SIZE
    assert int(d["GK_CRC_POLY"], 0) == go.CRC_POLY and int(d["GK_CRC_INIT"], 0) == go.CRC_INIT
    for name, code in [("START", go.OP_START), ("STOP", go.OP_STOP), ("SET_RATE", go.OP_SET_RATE),
                       ("SET_RANGE", go.OP_SET_RANGE), ("IDENTIFY", go.OP_IDENTIFY),
                       ("SET_BATCH", go.OP_SET_BATCH)]:
        assert int(d[f"GK_OP_{name}"], 0) == code
    rates = {int(v): k for k, v in d.items() if k.startswith("GK_RATE_")}
    for code, hz in go.RATE_CODES_HZ.items():
        assert rates[code] == "GK_RATE_" + f"{hz:g}".replace(".", "_") + "HZ"
    sketch = SKETCH.read_text()
    assert '#include "gaitkit_open_protocol.h"' in sketch
    assert "gk_encode_full(" in sketch and "gk_encode_compact(" in sketch


_HARNESS = r"""
#include <stdio.h>
#include "gaitkit_open_protocol.h"
static void hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\n");
}
int main(void) {
  unsigned spp, n, dev, codes; unsigned long counter; unsigned long long t0, step;
  int got = scanf("%u %u %u %u %lu %llu %llu", &spp, &n, &dev, &codes, &counter, &t0, &step);
  if (got != 7) return 2;
  static int16_t s[4096][6];
  for (unsigned i = 0; i < n; i++)
    for (int k = 0; k < 6; k++) { int v; scanf("%d", &v); s[i][k] = (int16_t)v; }
  uint8_t out[GK_MAX_PACKET_SIZE];
  unsigned step_n = spp ? spp : 1;
  for (unsigned i = 0; i < n; i += step_n) {
    unsigned m = (n - i < step_n) ? n - i : step_n;
    uint32_t c = (uint32_t)(counter + i); uint64_t t = t0 + (uint64_t)i * step;
    size_t len = spp ? gk_encode_full(out, (uint16_t)dev, (uint8_t)codes, c, t, &s[i],
                                      (uint8_t)m)
                     : gk_encode_compact(out, (uint8_t)codes, c, t, s[i]);
    hex(out, len);
  }
  size_t len = gk_encode_info(out, (uint16_t)dev, GK_CHIP_LSM9DS1, (uint8_t)codes, (uint8_t)spp, 1);
  hex(out, len);
  float vals[] = {0.0f, 1.0f, -1.0f, 0.5f, 3.99f, -4.5f, 2.0f, 1e-4f, 15.9999f, -16.0f};
  for (int r = 0; r < 4; r++)
    for (int i = 0; i < 10; i++) printf("%d ", gk_quantise(vals[i], GK_ACC_RANGE_G[r]));
  printf("\n");
  return 0;
}
"""


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler on PATH: cannot compile the firmware header")
    d = tmp_path_factory.mktemp("gk_c")
    (d / "h.c").write_text(_HARNESS)
    exe = d / "h"
    subprocess.run(
        [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-Wno-unused-result", "-I", str(FIRMWARE),
         str(d / "h.c"), "-o", str(exe)],
        check=True, capture_output=True, text=True,
    )
    return exe


@pytest.mark.parametrize(("spp", "rate_code"), [(0, 4), (1, 5), (7, 4), (19, 5)])
def test_firmware_header_encodes_identical_packets(harness, spp, rate_code):
    rng = np.random.default_rng(spp)
    n = 101
    s = rng.integers(-32768, 32768, (n, 6)).astype(np.int16)
    counter, t0, dev = 2**32 - 37, 2**32 - 123_456, 0xA55A
    codes = go.codes_byte(rate_code, 2, 1)
    step = int(1e6 / go.RATE_CODES_HZ[rate_code])
    stdin = f"{spp} {n} {dev} {codes} {counter} {t0} {step}\n" + "\n".join(
        " ".join(map(str, r)) for r in s
    )
    res = subprocess.run([str(harness)], input=stdin, capture_output=True, text=True, check=True)
    lines = res.stdout.split()
    py = go.encode_packets(s[:, :3], s[:, 3:], rate_code=rate_code, acc_range_code=2,
                           gyro_range_code=1, samples_per_packet=spp, first_counter=counter,
                           first_time_us=t0, device_id=dev)
    n_pk = len(py)
    assert lines[:n_pk] == [p.hex() for p in py]
    info = go.encode_info(device_id=dev, imu_chip=1, rate_code=rate_code, acc_range_code=2,
                          gyro_range_code=1, samples_per_packet=spp)
    assert lines[n_pk] == info.hex()
    q = np.array(lines[n_pk + 1 :], dtype=np.int64).reshape(4, 10)
    vals = np.array([0.0, 1.0, -1.0, 0.5, 3.99, -4.5, 2.0, 1e-4, 15.9999, -16.0], dtype=np.float32)
    for r, rng_g in enumerate([2.0, 4.0, 8.0, 16.0]):
        c = vals * np.float32(32768.0 / rng_g)
        np.testing.assert_array_equal(q[r], np.clip(np.rint(c), -32768, 32767))


def test_codes_change_mid_stream_splits_batches_with_their_scales():
    s = np.full((6, 6), 1000, dtype=np.int16)
    a = go.encode_packets(s[:, :3], s[:, 3:], rate_code=4, acc_range_code=0, gyro_range_code=0,
                          samples_per_packet=3, first_counter=0, first_time_us=0)
    b = go.encode_packets(s[:, :3], s[:, 3:], rate_code=5, acc_range_code=3, gyro_range_code=3,
                          samples_per_packet=3, first_counter=6, first_time_us=60_000)
    for out in (go.make_decoder().decode_many(a + b),
                [x for p in a + b for x in go.make_decoder().decode(p)][:1]):
        assert out[0].meta["sampling_rate_hz"] == 100.0
        assert out[0].acc_mps2[0, 0] == pytest.approx(1000 * 2 * G0 / 32768)
    out = go.make_decoder().decode_many(a + b)
    assert [x.meta["sampling_rate_hz"] for x in out] == [100.0, 200.0]
    assert out[1].acc_mps2[0, 0] == pytest.approx(1000 * 16 * G0 / 32768)
    assert _cat(out, "sample_index").tolist() == list(range(12))
    np.testing.assert_allclose(_cat(out, "device_time_s"),
                               [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.065, 0.07, 0.075, 0.08,
                                0.085])


def test_verify_crc_off_decodes_a_corrupted_capture():
    (b,) = go.make_decoder(verify_crc=False).decode(_CORRUPT)
    assert b.n_samples == 3
    with pytest.raises(ProtocolError) as info:
        go.make_decoder().decode_many([_valid(), _CORRUPT])
    assert str(info.value) == (
        "gaitkit_open: offset 50: expected CRC-16/CCITT-FALSE "
        f"0x{binascii.crc_hqx(_CORRUPT[:-2], 0xFFFF):04x}, found 0x7ad4 in notification 1"
    )
