"""MetaWear decoder and command builders against the vendor's own vectors.

Vectors: tests/vectors/metawear.json, a copy of the shared protocol vectors; each entry keeps its
source (mbientlab/MetaWear-SDK-Cpp @ f67699e5, the SDK's Python tests and C++ sources). Sample
values are compared with the SDK tests' own tolerance (``cbindings.is_close``:
``|a − b| ≤ max(0.001·max(|a|, |b|), 0.001)`` per axis).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_protocols import Decoder, ProtocolError, SampleBatch
from firmware_protocols._base import G0, RAD_PER_DEG
from firmware_protocols.metawear import (
    COMMAND_UUID,
    NOTIFY_UUID,
    PROFILE,
    SERVICE_UUID,
    TICK_S,
    accounter_create_command,
    accounter_epoch_ms,
    configure_command,
    make_decoder,
    parse_logging_time_reference,
    read_config_command,
    start_commands,
    stop_commands,
)

VECTORS_PATH = Path(__file__).parent / "vectors" / "metawear.json"
VECTORS = json.loads(VECTORS_PATH.read_text())["vectors"]
BY_ID = {v["id"]: v for v in VECTORS}


def is_close(a: float, b: float) -> bool:
    """The SDK tests' comparison (bindings/python/.../cbindings.py ``is_close``)."""
    return abs(a - b) <= max(0.001 * max(abs(a), abs(b)), 0.001)


def _chip(cfg: dict) -> str:
    return "bmi270" if "270" in cfg["board"] else "bmi160"


SAMPLE_VECTORS = [v for v in VECTORS if "samples" in v["expected"]]


def test_vector_file_is_the_shared_copy_with_sources() -> None:
    assert len(VECTORS) == 30
    for v in VECTORS:
        assert v["source"]["repo"] == "mbientlab/MetaWear-SDK-Cpp"
        assert v["source"]["commit"] == "f67699e5c7eb64401a68157f553f9585e3857a6a"
        assert v["source"]["where"]


@pytest.mark.parametrize("vec", SAMPLE_VECTORS, ids=[v["id"] for v in SAMPLE_VECTORS])
def test_sample_vectors(vec: dict) -> None:
    cfg, exp = vec["config"], vec["expected"]
    kw: dict = {"chip": _chip(cfg)}
    if "acc_range_g" in cfg:
        kw["acc_range_g"] = cfg["acc_range_g"]
    if "gyro_range_dps" in cfg:
        kw["gyro_range_dps"] = cfg["gyro_range_dps"]
    if "processor" in cfg:
        kw["accounter"] = "time"
    dec = make_decoder(**kw)
    assert isinstance(dec, Decoder)
    (b,) = dec.decode(bytes.fromhex(vec["packet_hex"]))
    assert isinstance(b, SampleBatch) and b.family == "metawear"
    if exp["units"].startswith("g"):
        got = b.acc_mps2 / G0
        assert b.gyr_radps is None
        assert {2: 16384, 4: 8192, 8: 4096, 16: 2048}[b.meta["range_g"]] == cfg["lsb_per_g"]
    else:
        got = b.gyr_radps / RAD_PER_DEG
        assert b.acc_mps2 is None
    assert b.n_samples == len(exp["samples"])
    for k, s in exp["samples"].items():
        for axis, want in zip("xyz", got[int(k)], strict=True):
            assert is_close(want, s[axis]), (k, axis, want, s[axis])
    if "tick" in exp:
        assert b.meta["tick"] == exp["tick"]
        assert b.device_time_s[0] == exp["tick"] * 48 / 32768
    else:
        assert b.device_time_s is None  # streamed data carry no device time


def test_accounter_time_offsets() -> None:
    vec = BY_ID["mw_accounter_time_offsets"]
    dec = make_decoder(accounter="time", sample_rate_hz=100)
    batches = [dec.decode(bytes.fromhex(h))[0] for h in vec["packet_hex"]]
    epochs = [accounter_epoch_ms(b.meta["tick"]) for b in batches]
    assert np.diff(epochs).tolist() == vec["expected"]["epoch_deltas_ms"]
    t = np.concatenate([b.device_time_s for b in batches])
    np.testing.assert_allclose(
        np.diff(t), np.array([7, 7, 6, 7, 7]) * 48 / 32768, rtol=0, atol=1e-12
    )
    assert dec.stats.lost_samples == 0 and dec.stats.stale_packets == 0


def test_accounter_count_vector() -> None:
    vec = BY_ID["mw_accounter_count"]
    dec = make_decoder(accounter="count")
    (b,) = dec.decode(bytes.fromhex(vec["packet_hex"]))
    assert b.sample_index.tolist() == [vec["expected"]["count"]]
    assert b.device_time_s is None


def test_logging_time_reference_from_vector_setup() -> None:
    """TestAccounter.setUp notifies ``0b 84 04 33 0d 00 03`` (vector source note)."""
    tick, uid = parse_logging_time_reference(bytes.fromhex("0b8404330d0003"))
    assert (tick, uid) == (0x0D3304, 3)
    with pytest.raises(ProtocolError, match=r"metawear: offset 0: expected 0b 84 <u32 tick>"):
        parse_logging_time_reference(b"\x0b\x84\x00")


def test_accounter_epoch_rounding_half_away_from_zero() -> None:
    # tick·375/256 has a .5 fraction when tick·375 ≡ 128 (mod 256), e.g. tick 128 → 187.5 → 188
    assert accounter_epoch_ms(128) == 188
    assert accounter_epoch_ms(865190) == round(865190 * 1.46484375)
    assert accounter_epoch_ms(10, reference_epoch_ms=1_700_000_000_000) == 1_700_000_000_015


def _acc_dp(value: int, pid: int = 0, xyz: tuple = (1, 2, 3)) -> bytes:
    return bytes((9, 3, pid)) + value.to_bytes(4, "little") + np.array(xyz, "<i2").tobytes()


def test_accounter_time_wraparound() -> None:
    dec = make_decoder(accounter="time", sample_rate_hz=100)
    step = 7  # ≈ 1/100 s in 48/32768-s ticks
    ticks = [(2**32 - 3 * step + k * step) % 2**32 for k in range(6)]
    times = [dec.decode(_acc_dp(t))[0].device_time_s[0] for t in ticks]
    np.testing.assert_allclose(np.diff(times), step * TICK_S, rtol=0, atol=1e-9)
    assert times[-1] > 2**32 * TICK_S  # unwrapped past 72.8 days
    assert dec.stats.wraps == 1 and dec.stats.lost_samples == 0


def test_accounter_time_gap_counts_losses() -> None:
    dec = make_decoder(accounter="time", sample_rate_hz=100)
    dec.decode(_acc_dp(1000))
    (b,) = dec.decode(_acc_dp(1000 + 4 * 683 // 100))  # 4 periods later → 3 lost
    assert b.lost_samples == 3 and dec.stats.lost_samples == 3


def test_accounter_count_gap_wrap_and_reorder() -> None:
    dec = make_decoder(accounter="count")
    seq = [2**32 - 2, 2**32 - 1, 0, 3, 2, 4, 4]
    out = [dec.decode(_acc_dp(c))[0] for c in seq]
    idx = [int(b.sample_index[0]) for b in out]
    assert idx == [2**32 - 2, 2**32 - 1, 2**32, 2**32 + 3, 2**32 + 2, 2**32 + 4, 2**32 + 4]
    assert [b.lost_samples for b in out] == [0, 0, 0, 2, 0, 0, 0]
    assert [b.meta["stale"] for b in out] == [False] * 4 + [True, False, True]
    assert dec.stats.stale_packets == 2 and dec.stats.wraps == 1 and dec.stats.lost_samples == 2


def test_accounter_time_duplicate_tick() -> None:
    dec = make_decoder(accounter="time", sample_rate_hz=100)
    dec.decode(_acc_dp(500))
    (dup,) = dec.decode(_acc_dp(500))
    assert dup.meta["stale"] and dec.stats.stale_packets == 1
    fast = make_decoder(accounter="time", sample_rate_hz=800)  # 800 Hz: two samples per tick occur
    fast.decode(_acc_dp(500))
    (same,) = fast.decode(_acc_dp(500))
    assert not same.meta["stale"]


def test_accounter_id_and_source() -> None:
    dec = make_decoder(measurement="gyro", range=500, accounter="time", accounter_id=2)
    (b,) = dec.decode(_acc_dp(10, pid=2, xyz=(656, 0, -656)))
    np.testing.assert_allclose(b.gyr_radps[0] / RAD_PER_DEG, [10.0, 0.0, -10.0])
    with pytest.raises(
        ProtocolError, match=r"metawear: offset 2: expected accounter processor id 2, found 1"
    ):
        dec.decode(_acc_dp(11, pid=1))


def test_range_follows_writes_and_config_reads() -> None:
    dec = make_decoder(chip="bmi160")
    single = bytes.fromhex(BY_ID["mw_bmi160_acc_single"]["packet_hex"])
    (b2,) = dec.decode(single)
    assert b2.meta["range_g"] == 2  # SDK default before any write
    dec.observe_command(
        configure_command("acc", chip="bmi160", sample_rate_hz=100, range=4).payload
    )
    (b4,) = dec.decode(single)
    assert b4.meta["range_g"] == 4
    np.testing.assert_allclose(b4.acc_mps2, b2.acc_mps2 * 2)  # ±4 g: 8192 LSB/g
    assert dec.decode(bytes.fromhex("0383280c")) == []  # config read reply: ±16 g
    (b16,) = dec.decode(single)
    assert b16.meta["range_g"] == 16
    assert dec.decode(bytes.fromhex("13832802")) == []  # gyro ±500 deg/s
    assert dec.gyro_range_dps == 500
    d270 = make_decoder(chip="bmi270")
    assert d270.acc_range_g == 8
    d270.observe_command(bytes.fromhex(BY_ID["mw_bmi270_acc_range_16g"]["packet_hex"]))
    assert d270.acc_range_g == 16


def test_chip_dependent_registers() -> None:
    packed160 = bytes.fromhex(BY_ID["mw_bmi160_acc_packed"]["packet_hex"])
    packed270 = bytes.fromhex(BY_ID["mw_bmi270_acc_packed"]["packet_hex"])
    with pytest.raises(
        ProtocolError, match=r"metawear: offset 1: expected bmi270 acc register 0x04"
    ):
        make_decoder(chip="bmi270").decode(packed160)
    with pytest.raises(
        ProtocolError, match=r"offset 1: expected bmi160 acc register 0x04 \(data\), 0x1c"
    ):
        make_decoder(chip="bmi160").decode(packed270)
    gyro160 = bytes.fromhex(BY_ID["mw_bmi160_gyro_single"]["packet_hex"])  # 13 05 + 6 bytes
    with pytest.raises(ProtocolError, match=r"offset 8: expected 20 bytes \(3 x int16"):
        make_decoder(chip="bmi270").decode(gyro160)  # 0x05 is the packed register on BMI270
    (b,) = make_decoder(chip="bmi270", gyro_range_dps=500).decode(b"\x13\x04" + gyro160[2:])
    assert b.n_samples == 1 and is_close(b.gyr_radps[0, 0] / RAD_PER_DEG, 262.409)


def test_profile() -> None:
    gatt = json.loads(VECTORS_PATH.read_text())["gatt"]
    assert PROFILE.family == "metawear"
    assert PROFILE.service_uuid == SERVICE_UUID == gatt["service"].lower()
    assert PROFILE.notify_uuids == PROFILE.data_uuids == (NOTIFY_UUID,)
    assert NOTIFY_UUID == gatt["notify"].lower() and COMMAND_UUID == gatt["command_write"].lower()


# --- commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vid", "chip"),
    [("mw_bmi160_acc_config_odr_table", "bmi160"), ("mw_bmi270_acc_config_odr_table", "bmi270")],
)
def test_acc_odr_tables(vid: str, chip: str) -> None:
    default_range = {"bmi160": 2, "bmi270": 8}[chip]
    for w in BY_ID[vid]["expected"]["writes"]:
        rate = float(w["odr"].removesuffix("Hz"))
        cmd = configure_command("acc", chip=chip, sample_rate_hz=rate, range=default_range)
        assert cmd.payload.hex() == w["write_hex"], w
        assert cmd.characteristic_uuid == COMMAND_UUID


@pytest.mark.parametrize(
    ("vid", "sensor", "chip", "rate", "rng"),
    [
        ("mw_bmi160_acc_range_16g", "acc", "bmi160", 100, 16),
        ("mw_bmi160_acc_200hz_8g", "acc", "bmi160", 200, 8),
        ("mw_bmi270_acc_range_16g", "acc", "bmi270", 100, 16),
        ("mw_bmi270_acc_200hz_8g", "acc", "bmi270", 200, 8),
        ("mw_gyro_config_200hz_2000dps", "gyro", "bmi160", 200, 2000),
        ("mw_gyro_config_100hz_250dps", "gyro", "bmi160", 100, 250),
        ("mw_gyro_config_50hz_125dps", "gyro", "bmi160", 50, 125),
    ],
)
def test_config_command_vectors(vid: str, sensor: str, chip: str, rate: float, rng: int) -> None:
    cmd = configure_command(sensor, chip=chip, sample_rate_hz=rate, range=rng)
    assert cmd.payload.hex() == BY_ID[vid]["packet_hex"]
    assert cmd.characteristic_uuid == BY_ID[vid]["expected"]["write_characteristic"].lower()


def test_start_stop_sequences_match_vectors() -> None:
    acc = start_commands("acc", chip="bmi160", sample_rate_hz=200, range=8)
    assert [c.payload.hex() for c in acc] == [
        BY_ID["mw_bmi160_acc_200hz_8g"]["packet_hex"],
        BY_ID["mw_acc_subscribe"]["packet_hex"],
        BY_ID["mw_acc_enable_sampling"]["packet_hex"],
        BY_ID["mw_acc_start"]["packet_hex"],
    ]
    packed160 = start_commands("acc", chip="bmi160", sample_rate_hz=200, range=8, packed=True)
    assert packed160[1].payload.hex() == BY_ID["mw_bmi160_acc_packed_subscribe"]["packet_hex"]
    packed270 = start_commands("acc", chip="bmi270", sample_rate_hz=200, range=8, packed=True)
    assert packed270[1].payload.hex() == BY_ID["mw_bmi270_acc_packed_subscribe"]["packet_hex"]
    gyro = start_commands("gyro", chip="bmi160", sample_rate_hz=200, range=2000)
    assert [c.payload.hex() for c in gyro] == [
        BY_ID["mw_gyro_config_200hz_2000dps"]["packet_hex"],
        BY_ID["mw_gyro_subscribe"]["packet_hex"],
        BY_ID["mw_gyro_enable_sampling"]["packet_hex"],
        BY_ID["mw_gyro_start"]["packet_hex"],
    ]
    gp = start_commands("gyro", chip="bmi160", sample_rate_hz=800, range=1000, packed=True)
    assert gp[1].payload.hex() == BY_ID["mw_gyro_packed_subscribe"]["packet_hex"]
    g270 = start_commands("gyro", chip="bmi270", sample_rate_hz=100, range=2000, packed=True)
    assert g270[1].payload.hex() == "130501"  # BMI270 packed gyro register 0x05 (register header)
    # stops: "stop = 03 01 00", "disable = 03 02 00 01" (acc vectors), "unsubscribe = 03 04 00"
    assert [c.payload.hex() for c in stop_commands("acc", chip="bmi160")] == [
        "030100",
        "03020001",
        "030400",
    ]
    assert [c.payload.hex() for c in stop_commands("gyro", chip="bmi160")] == [
        "130100",
        "13020001",
        "130500",
    ]
    assert BY_ID["mw_acc_disable_sampling"]["packet_hex"] == "03020001"
    assert read_config_command("acc").payload.hex() == "0383"


def test_accounter_create_vectors() -> None:
    assert (
        accounter_create_command("acc", mode="time").payload.hex()
        == BY_ID["mw_accounter_create"]["packet_hex"]
    )
    assert (
        accounter_create_command("acc", mode="count").payload.hex()
        == (BY_ID["mw_accounter_count_create"]["packet_hex"])
    )
    assert BY_ID["mw_accounter_time_acc"]["config"]["processor"].startswith(
        "accounter(time), create cmd 09 02 03 04 ff a0 11 31 03"
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: configure_command("acc", chip="bmi160", sample_rate_hz=120, range=8),
            r"option sample_rate_hz: expected one of \[0.78125,",
        ),
        (
            lambda: configure_command("acc", chip="bmi160", sample_rate_hz=100, range=6),
            r"option range: expected one of \[2, 4, 8, 16\], found 6",
        ),
        (
            lambda: configure_command("gyro", chip="bmi270", sample_rate_hz=12.5, range=2000),
            r"option sample_rate_hz: expected one of \[25.0,",
        ),
        (
            lambda: configure_command("gyro", chip="bmi160", sample_rate_hz=100, range=300),
            r"option range: expected one of \[2000, 1000, 500, 250, 125\]",
        ),
        (
            lambda: configure_command("mag", chip="bmi160", sample_rate_hz=100, range=8),
            r"option sensor: expected one of \['acc', 'gyro'\], found 'mag'",
        ),
        (
            lambda: start_commands("acc", chip="bmi280", sample_rate_hz=100, range=8),
            r"option chip: expected one of \['bmi160', 'bmi270'\], found 'bmi280'",
        ),
        (
            lambda: accounter_create_command("acc", mode="delta"),
            r"option mode: expected one of \['time', 'count'\]",
        ),
        (
            lambda: make_decoder(acc_range_g=3),
            r"metawear: option acc_range_g: expected one of \[2, 4, 8, 16\], found 3",
        ),
        (
            lambda: make_decoder(accounter="tick"),
            r"option accounter: expected None, 'time' or 'count'",
        ),
        (lambda: make_decoder(rate=100), r"metawear: option rate: expected one of"),
        (
            lambda: make_decoder(sample_rate_hz=-5),
            r"option sample_rate_hz: expected a positive rate",
        ),
        (
            lambda: make_decoder(chip="bmx055"),
            r"option chip: expected one of \['bmi160', 'bmi270'\]",
        ),
        (
            lambda: make_decoder(gyro_range_dps=300),
            r"option gyro_range_dps: expected one of \[2000,",
        ),
        (lambda: make_decoder(accounter_source="mag"), r"option accounter_source: expected 'acc'"),
        (lambda: make_decoder(measurement="mag"), r"option measurement: expected 'acc' or 'gyro'"),
    ],
)
def test_option_validation(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --- malformed input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            b"\x03",
            r"metawear: offset 1: expected a 2-byte \[module\]\[register\] header, found 1 bytes",
        ),
        (
            bytes.fromhex("030416c494a22a"),
            r"offset 7: expected 8 bytes \(1 x int16 x,y,z\), found 7 bytes",
        ),
        (
            bytes.fromhex("031c62b7530de9fd16d04d0e57028affa1050a"),
            r"offset 19: expected 20 bytes \(3 x int16",
        ),
        (bytes.fromhex("0304") + bytes(10), r"offset 12: expected 8 bytes"),
        (
            bytes.fromhex("0309000000"),
            r"offset 1: expected bmi160 acc register 0x04 \(data\), 0x1c \(packed\) or 0x83",
        ),
        (
            bytes.fromhex("0a0300"),
            r"offset 0: expected module 0x03 \(acc\), 0x13 \(gyro\) or 09 03",
        ),
        (
            bytes.fromhex("090300a6330d00c100b12419cd"),
            r"offset 0: expected an accounter set in make_decoder",
        ),
        (bytes.fromhex("038328"), r"offset 3: expected a 4-byte acc config reply"),
        (
            bytes.fromhex("03832807"),
            r"offset 3: expected bmi160 acc range byte \[3, 5, 8, 12\], found 0x07",
        ),
        (
            bytes.fromhex("13832809"),
            r"offset 3: expected gyro range code \[0, 1, 2, 3, 4\], found 0x09",
        ),
    ],
)
def test_malformed_notifications(payload: bytes, message: str) -> None:
    dec = make_decoder(chip="bmi160")
    with pytest.raises(ProtocolError, match=message):
        dec.decode(payload)
    assert dec.stats.rejected_packets == 1


def test_malformed_accounter_length() -> None:
    dec = make_decoder(accounter="count")
    with pytest.raises(
        ProtocolError, match=r"offset 12: expected 13 bytes: 09 03 <id> <u32> \+ 3 x int16"
    ):
        dec.decode(bytes.fromhex("090300ec010000010b9a0740"))


# --- property tests ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    chip=st.sampled_from(["bmi160", "bmi270"]),
    sensor=st.sampled_from(["acc", "gyro"]),
    packed=st.booleans(),
    rng=st.integers(0, 4),
    vals=st.lists(st.integers(-32768, 32767), min_size=9, max_size=9),
)
def test_round_trip_single_and_packed(
    chip: str, sensor: str, packed: bool, rng: int, vals: list
) -> None:
    """Encode int16 samples as the firmware does, decode back exactly (scale from the range)."""
    from firmware_protocols.metawear import ACC_LSB_PER_G, GYRO_LSB_PER_DPS, REGISTERS

    regs = REGISTERS[(sensor, chip)]
    n = 3 if packed else 1
    raw = np.array(vals[: 3 * n], dtype=np.int64).reshape(n, 3)
    header = bytes(({"acc": 3, "gyro": 0x13}[sensor], regs["packed" if packed else "data"]))
    payload = header + raw.astype("<i2").tobytes()
    if sensor == "acc":
        r = [2, 4, 8, 16, 16][rng]
        (b,) = make_decoder(chip=chip, acc_range_g=r).decode(payload)
        back = b.acc_mps2 / G0 * ACC_LSB_PER_G[r]
    else:
        r = [2000, 1000, 500, 250, 125][rng]
        (b,) = make_decoder(chip=chip, gyro_range_dps=r).decode(payload)
        back = b.gyr_radps / RAD_PER_DEG * GYRO_LSB_PER_DPS[r]
    np.testing.assert_allclose(back, raw, rtol=0, atol=1e-9)
    assert b.meta["packed"] == packed


def _check(dec, payload: bytes) -> None:
    try:
        out = dec.decode(payload)
    except ProtocolError as e:
        assert e.family == "metawear" and e.offset is not None and e.expected
        assert str(e).startswith(f"metawear: offset {e.offset}: expected ")
        return
    for b in out:
        assert isinstance(b, SampleBatch) and b.n_samples in (1, 3)


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=40), accounter=st.sampled_from([None, "time", "count"]))
def test_garbage_never_raises_anything_else(payload: bytes, accounter: str | None) -> None:
    _check(make_decoder(chip="bmi160", accounter=accounter, sample_rate_hz=100), payload)


@settings(max_examples=200, deadline=None)
@given(
    vid=st.sampled_from(["mw_bmi160_acc_packed", "mw_bmi160_gyro_single", "mw_accounter_time_acc"]),
    cut=st.integers(0, 19),
    pad=st.binary(min_size=0, max_size=6),
)
def test_truncated_or_padded_raise(vid: str, cut: int, pad: bytes) -> None:
    full = bytes.fromhex(BY_ID[vid]["packet_hex"])
    dec = make_decoder(chip="bmi160", accounter="time")
    if cut < len(full):
        with pytest.raises(ProtocolError, match=r"^metawear: offset \d+: expected "):
            dec.decode(full[:cut])
    if pad:
        with pytest.raises(ProtocolError, match=r"^metawear: offset \d+: expected "):
            dec.decode(full + pad)


# --- batch decoding ---------------------------------------------------------------------------


def _concat(batches: list[SampleBatch], name: str) -> np.ndarray | None:
    arrs = [getattr(b, name) for b in batches if getattr(b, name) is not None]
    return np.concatenate(arrs) if arrs else None


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(
        st.sampled_from(["acc_single", "acc_packed", "gyro_packed"]), min_size=1, max_size=40
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_decode_many_equals_decode_interleaved(kinds: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    hdr = {
        "acc_single": (b"\x03\x04", 1),
        "acc_packed": (b"\x03\x1c", 3),
        "gyro_packed": (b"\x13\x07", 3),
    }
    payloads = [
        hdr[k][0] + rng.integers(-32768, 32768, 3 * hdr[k][1]).astype("<i2").tobytes()
        for k in kinds
    ]
    one = make_decoder(chip="bmi160", acc_range_g=8, gyro_range_dps=1000)
    many = make_decoder(chip="bmi160", acc_range_g=8, gyro_range_dps=1000)
    singles = [b for p in payloads for b in one.decode(p)]
    merged = many.decode_many(payloads)
    for name in ("acc_mps2", "gyr_radps"):
        a = _concat(singles, name)
        b = _concat(merged, name)
        assert (a is None) == (b is None)
        if a is not None:
            # per-kind order is kept; single and packed acc are separate kinds
            for kind, (h, _) in hdr.items():
                if (name == "acc_mps2") != kind.startswith("acc"):
                    continue
                sa = [x for x, p in zip(singles, payloads, strict=True) if p[:2] == h]
                sb = [x for x in merged if x.meta.get("packed") == (kind != "acc_single")]
                if sa:
                    np.testing.assert_array_equal(_concat(sa, name), _concat(sb, name))
    assert one.stats == many.stats


@settings(max_examples=60, deadline=None)
@given(
    mode=st.sampled_from(["time", "count"]),
    start=st.integers(0, 2**32 - 1),
    steps=st.lists(st.sampled_from([1, 1, 1, 2, 5, 7, 7, 14, 0, -1]), min_size=1, max_size=50),
)
def test_decode_many_accounter_equals_decode(mode: str, start: int, steps: list[int]) -> None:
    vals = [start]
    for s_ in steps:
        vals.append((vals[-1] + s_) % 2**32)
    payloads = [_acc_dp(v) for v in vals]
    one = make_decoder(accounter=mode, sample_rate_hz=100)
    many = make_decoder(accounter=mode, sample_rate_hz=100)
    singles = [b for p in payloads for b in one.decode(p)]
    merged = many.decode_many(payloads)
    key = "device_time_s" if mode == "time" else "sample_index"
    np.testing.assert_array_equal(_concat(singles, key), _concat(merged, key))
    np.testing.assert_array_equal(_concat(singles, "acc_mps2"), _concat(merged, "acc_mps2"))
    assert sum(b.lost_samples for b in singles) == sum(b.lost_samples for b in merged)
    assert one.stats == many.stats


def test_decode_many_raises_on_bad_packet() -> None:
    dec = make_decoder()
    with pytest.raises(ProtocolError, match=r"metawear: offset 1: expected a 2-byte"):
        dec.decode_many([bytes.fromhex("030416c494a22ad0"), b"\x03"])
    with pytest.raises(ProtocolError, match=r"offset 7: expected 8 bytes"):
        dec.decode_many([bytes.fromhex("030416c494a22a")] * 3)


def test_bytearray_payloads_as_bleak_delivers_them() -> None:
    hexes = [BY_ID["mw_bmi160_acc_packed"]["packet_hex"]] * 2
    a = make_decoder(acc_range_g=8).decode_many([bytes.fromhex(h) for h in hexes])
    b = make_decoder(acc_range_g=8).decode_many([bytearray.fromhex(h) for h in hexes])
    np.testing.assert_array_equal(a[0].acc_mps2, b[0].acc_mps2)
    (c,) = make_decoder(acc_range_g=8).decode(bytearray.fromhex(hexes[0]))
    np.testing.assert_array_equal(c.acc_mps2, a[0].acc_mps2[:3])


def test_every_vector_is_exercised() -> None:
    """Each vector of the JSON is either parametrised (samples) or named by a test here."""
    source = Path(__file__).read_text()
    named = {v["id"] for v in VECTORS if f'"{v["id"]}"' in source}
    assert {v["id"] for v in VECTORS} == {v["id"] for v in SAMPLE_VECTORS} | named
