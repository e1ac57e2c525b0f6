"""gaitkit open protocol v1: constants, encoder and decoder (layout in ``SPEC.md``).

A small, self-describing BLE protocol for do-it-yourself nRF52/ESP32 IMU boards: every data
notification carries its format version, the sample counter and device time of its first sample,
the configured rate and range codes, N samples of int16 acc+gyro, and a CRC-16/CCITT-FALSE.

The reference firmware ``firmware/gaitkit_open_nrf52840/`` implements the same constants; a test
compiles its C header and compares its packets byte for byte with :func:`encode_packets`.
"""

from __future__ import annotations

import binascii
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from firmware_protocols._base import (
    G0,
    RAD_PER_DEG,
    Command,
    DecoderStats,
    ProtocolError,
    SampleBatch,
    SensorProfile,
)

FAMILY = "gaitkit_open"

# --- GATT -------------------------------------------------------------------------------------
#: 128-bit base UUID of the protocol (random v4 UUID, 16-bit slot in bytes 2-3).
UUID_BASE = "a68a{:04x}-4732-4cd6-b051-a9ee298b68e7"
SERVICE_UUID = UUID_BASE.format(0x0001)
DATA_UUID = UUID_BASE.format(0x0002)  # notify: data packets
CONTROL_UUID = UUID_BASE.format(0x0003)  # write (with response) + notify: commands and replies
INFO_UUID = UUID_BASE.format(0x0004)  # read: device info

# --- packet layout ----------------------------------------------------------------------------
#: Magic/version byte of a full packet (high nibble 0xA = full, low nibble = version 1).
MAGIC_FULL = 0xA1
#: Magic/version byte of a compact packet (high nibble 0xC = compact, low nibble = version 1).
MAGIC_COMPACT = 0xC1
PROTOCOL_VERSION = 1
#: Bytes before the samples in a full packet.
FULL_HEADER_SIZE = 14
#: Total size of a compact packet (1 sample), = default ATT payload (MTU 23 - 3).
COMPACT_SIZE = 20
#: Bytes per sample: ax, ay, az, gx, gy, gz as int16 LE.
SAMPLE_SIZE = 12
CRC_SIZE = 2
#: Most samples per full packet: fills the 244-byte payload of ATT MTU 247 exactly.
MAX_SAMPLES_PER_PACKET = 19
#: Size of the info characteristic value.
INFO_SIZE = 10
#: CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, not reflected, no final xor; check 0x29B1.
CRC_POLY = 0x1021
CRC_INIT = 0xFFFF

#: Rate codes (4 bits) -> nominal sampling rate in Hz. 1-8 are the BMI270-style binary rates,
#: 9-14 the LSM9DS1 gyro/accel ODRs (ST datasheet, Table 46).
RATE_CODES_HZ: dict[int, float] = {
    1: 12.5,
    2: 25.0,
    3: 50.0,
    4: 100.0,
    5: 200.0,
    6: 400.0,
    7: 800.0,
    8: 1600.0,
    9: 14.9,
    10: 59.5,
    11: 119.0,
    12: 238.0,
    13: 476.0,
    14: 952.0,
}
#: Accelerometer range codes (2 bits) -> full scale in g; 1 LSB = range/32768 g.
ACC_RANGE_CODES_G: dict[int, float] = {0: 2.0, 1: 4.0, 2: 8.0, 3: 16.0}
#: Gyroscope range codes (2 bits) -> full scale in deg/s; 1 LSB = range/32768 deg/s.
GYRO_RANGE_CODES_DPS: dict[int, float] = {0: 250.0, 1: 500.0, 2: 1000.0, 3: 2000.0}

# --- control ----------------------------------------------------------------------------------
OP_START = 0x01
OP_STOP = 0x02
OP_SET_RATE = 0x03
OP_SET_RANGE = 0x04
OP_IDENTIFY = 0x05
OP_SET_BATCH = 0x06
#: Reply opcode flag: the device notifies ``[op | 0x80, status]`` on the control characteristic.
REPLY_FLAG = 0x80
STATUS_OK = 0
STATUS_UNKNOWN_OP = 1
STATUS_BAD_LENGTH = 2
STATUS_UNSUPPORTED = 3
STATUS_NAMES = {
    STATUS_OK: "ok",
    STATUS_UNKNOWN_OP: "unknown opcode",
    STATUS_BAD_LENGTH: "bad length",
    STATUS_UNSUPPORTED: "unsupported value",
}

PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(DATA_UUID, CONTROL_UUID),
    data_uuids=(DATA_UUID,),
)

_U32 = 1 << 32
_U16 = 1 << 16
_FULL_SIZES = tuple(
    FULL_HEADER_SIZE + SAMPLE_SIZE * n + CRC_SIZE for n in range(1, MAX_SAMPLES_PER_PACKET + 1)
)


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (poly 0x1021, init 0xFFFF, MSB first, no final xor).

    Uses :func:`binascii.crc_hqx` (the same polynomial, non-reflected) seeded with 0xFFFF, so
    ``crc16_ccitt_false(b"123456789") == 0x29B1`` (the catalogue check value).
    """
    return binascii.crc_hqx(data, CRC_INIT)


def _signed_mod(d: Any, modulus: int) -> Any:
    """Map a difference modulo ``modulus`` into ``[-modulus/2, modulus/2)``."""
    half = modulus // 2
    return (np.asarray(d, dtype=np.int64) + half) % modulus - half


def codes_byte(rate_code: int, acc_range_code: int, gyro_range_code: int) -> int:
    """Pack rate (bits 0-3), acc range (bits 4-5) and gyro range (bits 6-7) codes in one byte."""
    if rate_code not in RATE_CODES_HZ:
        raise ValueError(f"rate_code must be one of {sorted(RATE_CODES_HZ)}, got {rate_code}")
    if acc_range_code not in ACC_RANGE_CODES_G:
        raise ValueError(f"acc_range_code must be 0-3, got {acc_range_code}")
    if gyro_range_code not in GYRO_RANGE_CODES_DPS:
        raise ValueError(f"gyro_range_code must be 0-3, got {gyro_range_code}")
    return rate_code | (acc_range_code << 4) | (gyro_range_code << 6)


def rate_code_for(sampling_rate_hz: float) -> int:
    """Return the rate code whose nominal rate is ``sampling_rate_hz`` (else ValueError)."""
    for code, hz in RATE_CODES_HZ.items():
        if abs(hz - sampling_rate_hz) < 1e-9:
            return code
    raise ValueError(
        f"sampling_rate_hz must be one of {sorted(RATE_CODES_HZ.values())}, got {sampling_rate_hz}"
    )


def quantise_imu(
    acc_mps2: np.ndarray, gyr_radps: np.ndarray, acc_range_code: int, gyro_range_code: int
) -> tuple[np.ndarray, np.ndarray]:
    """Convert SI samples to the protocol's int16 counts (round to nearest, clip to int16).

    ``counts = round(value / (range / 32768))`` with the range in g or deg/s; values beyond the
    range clip at -32768/32767, as the sensor would saturate.
    """
    acc_lsb = ACC_RANGE_CODES_G[acc_range_code] * G0 / 32768.0
    gyr_lsb = GYRO_RANGE_CODES_DPS[gyro_range_code] * RAD_PER_DEG / 32768.0
    acc = np.clip(np.rint(np.asarray(acc_mps2, dtype=np.float64) / acc_lsb), -32768, 32767)
    gyr = np.clip(np.rint(np.asarray(gyr_radps, dtype=np.float64) / gyr_lsb), -32768, 32767)
    return acc.astype(np.int16), gyr.astype(np.int16)


def encode_packets(
    acc_counts: np.ndarray,
    gyr_counts: np.ndarray,
    *,
    rate_code: int,
    acc_range_code: int = 3,
    gyro_range_code: int = 3,
    samples_per_packet: int = MAX_SAMPLES_PER_PACKET,
    first_counter: int = 0,
    first_time_us: int = 0,
    device_id: int = 0,
) -> list[bytes]:
    """Encode int16 samples into data notifications, as the firmware does.

    Parameters
    ----------
    acc_counts, gyr_counts
        ``(n, 3)`` int16 counts (see :func:`quantise_imu`).
    rate_code, acc_range_code, gyro_range_code
        Codes written into every packet (``RATE_CODES_HZ`` etc.).
    samples_per_packet
        1-19 for full packets; 0 for compact packets (one sample each, 20 bytes).
    first_counter
        Sample counter of the first sample (any int; sent modulo 2^32, or 2^16 when compact).
    first_time_us
        Device time of the first sample in µs since boot. Sample k is stamped
        ``first_time_us + floor(k * 1e6 / rate)`` (µs; the firmware stamps the first sample of each
        packet with its own clock, so real packets carry jitter). Sent modulo 2^32 µs in full
        packets, as ``floor(t / 1000) mod 2^16`` ms in compact ones.
    device_id
        u16 device id (full packets only).

    Returns
    -------
    list of bytes
        One payload per notification; the last full packet may hold fewer samples.
    """
    acc = np.asarray(acc_counts, dtype=np.int16).reshape(-1, 3)
    gyr = np.asarray(gyr_counts, dtype=np.int16).reshape(-1, 3)
    if len(acc) != len(gyr):
        raise ValueError(f"acc and gyro counts differ in length: {len(acc)} vs {len(gyr)}")
    if not 0 <= samples_per_packet <= MAX_SAMPLES_PER_PACKET:
        raise ValueError(f"samples_per_packet must be 0-19, got {samples_per_packet}")
    if not 0 <= device_id < _U16:
        raise ValueError(f"device_id must be a u16, got {device_id}")
    codes = codes_byte(rate_code, acc_range_code, gyro_range_code)
    rate = RATE_CODES_HZ[rate_code]
    samples = np.concatenate([acc, gyr], axis=1).astype("<i2")
    n = len(samples)
    step = 1 if samples_per_packet == 0 else samples_per_packet
    out: list[bytes] = []
    for start in range(0, n, step):
        chunk = samples[start : start + step]
        counter = first_counter + start
        t_us = first_time_us + int(np.floor(start * 1e6 / rate))
        if samples_per_packet == 0:
            body = (
                bytes([MAGIC_COMPACT, codes])
                + (counter % _U16).to_bytes(2, "little")
                + ((t_us // 1000) % _U16).to_bytes(2, "little")
                + chunk.tobytes()
            )
        else:
            body = (
                bytes([MAGIC_FULL, len(chunk)])
                + device_id.to_bytes(2, "little")
                + bytes([codes, 0])
                + (counter % _U32).to_bytes(4, "little")
                + (t_us % _U32).to_bytes(4, "little")
                + chunk.tobytes()
            )
        out.append(body + crc16_ccitt_false(body).to_bytes(2, "little"))
    return out


@dataclass(frozen=True)
class DeviceInfo:
    """Value of the info characteristic (read): see SPEC.md, "Info characteristic"."""

    version: int
    device_id: int
    imu_chip: int
    rate_code: int
    acc_range_code: int
    gyro_range_code: int
    samples_per_packet: int
    firmware_version: int
    sampling_rate_hz: float


#: IMU chip codes of the info characteristic.
IMU_CHIPS = {0: "unknown", 1: "LSM9DS1", 2: "BMI270", 3: "LSM6DS3", 4: "ICM-42688-P"}


def encode_info(
    *,
    device_id: int,
    imu_chip: int,
    rate_code: int,
    acc_range_code: int,
    gyro_range_code: int,
    samples_per_packet: int,
    firmware_version: int = 1,
) -> bytes:
    """Build the 10-byte info characteristic value (what the firmware serves)."""
    body = (
        bytes([MAGIC_FULL])
        + device_id.to_bytes(2, "little")
        + bytes(
            [
                imu_chip,
                codes_byte(rate_code, acc_range_code, gyro_range_code),
                samples_per_packet,
                firmware_version,
                0,
            ]
        )
    )
    return body + crc16_ccitt_false(body).to_bytes(2, "little")


def parse_info(payload: bytes) -> DeviceInfo:
    """Parse the info characteristic value; :class:`ProtocolError` when malformed."""
    b = bytes(payload)
    if len(b) != INFO_SIZE:
        raise ProtocolError(FAMILY, 0, f"{INFO_SIZE}-byte info value", f"{len(b)} bytes")
    _check_magic(b[0], 0, allow_compact=False)
    crc = crc16_ccitt_false(b[:-2])
    found = int.from_bytes(b[-2:], "little")
    if crc != found:
        raise ProtocolError(FAMILY, INFO_SIZE - 2, f"CRC 0x{crc:04x}", f"0x{found:04x}")
    codes = b[4]
    rate_code = codes & 0x0F
    if rate_code not in RATE_CODES_HZ:
        raise ProtocolError(FAMILY, 4, "rate code 1-14", str(rate_code))
    return DeviceInfo(
        version=b[0] & 0x0F,
        device_id=int.from_bytes(b[1:3], "little"),
        imu_chip=b[3],
        rate_code=rate_code,
        acc_range_code=(codes >> 4) & 3,
        gyro_range_code=codes >> 6,
        samples_per_packet=b[5],
        firmware_version=b[6],
        sampling_rate_hz=RATE_CODES_HZ[rate_code],
    )


def _check_magic(byte: int, offset: int, *, allow_compact: bool = True) -> None:
    kinds = (0xA, 0xC) if allow_compact else (0xA,)
    if byte in (MAGIC_FULL, MAGIC_COMPACT) and (byte >> 4) in kinds:
        return
    if (byte >> 4) in kinds:
        raise ProtocolError(
            FAMILY, offset, f"protocol version {PROTOCOL_VERSION}", f"version {byte & 0x0F}"
        )
    wanted = "0xa1 (full) or 0xc1 (compact)" if allow_compact else "0xa1"
    raise ProtocolError(FAMILY, offset, f"magic/version byte {wanted}", f"0x{byte:02x}")


# --- commands ---------------------------------------------------------------------------------


def command(op: int, *args: int, description: str = "") -> Command:
    """Build a control write ``[op, args...]`` to the control characteristic."""
    return Command(CONTROL_UUID, bytes([op, *args]), description, response=True)


def start_commands(
    *,
    sampling_rate_hz: float | None = None,
    acc_range_code: int | None = None,
    gyro_range_code: int | None = None,
    samples_per_packet: int | None = None,
) -> list[Command]:
    """Build the writes that configure (optionally) and start the stream.

    START restarts the device's sample counter at 0: call the decoder's ``reset()`` after it.

    Parameters
    ----------
    sampling_rate_hz
        Nominal rate, one of ``RATE_CODES_HZ`` values (the firmware answers "unsupported" for
        rates its IMU cannot do); None keeps the device's current rate.
    acc_range_code, gyro_range_code
        0-3 (see ``ACC_RANGE_CODES_G``, ``GYRO_RANGE_CODES_DPS``); None keeps the current ones.
        Both must be given together.
    samples_per_packet
        0 (compact, fits ATT MTU 23) or 1-19; choose ``(mtu - 3 - 16) // 12`` for a negotiated
        MTU (see :func:`samples_per_packet_for_mtu`). None keeps the device's current setting.
    """
    cmds: list[Command] = []
    if sampling_rate_hz is not None:
        code = rate_code_for(sampling_rate_hz)
        cmds.append(command(OP_SET_RATE, code, description=f"set rate {sampling_rate_hz} Hz"))
    if (acc_range_code is None) != (gyro_range_code is None):
        raise ValueError("give acc_range_code and gyro_range_code together")
    if acc_range_code is not None and gyro_range_code is not None:
        codes_byte(1, acc_range_code, gyro_range_code)  # validates
        cmds.append(
            command(
                OP_SET_RANGE,
                acc_range_code,
                gyro_range_code,
                description=f"set range ±{ACC_RANGE_CODES_G[acc_range_code]:g} g, "
                f"±{GYRO_RANGE_CODES_DPS[gyro_range_code]:g} deg/s",
            )
        )
    if samples_per_packet is not None:
        if not 0 <= samples_per_packet <= MAX_SAMPLES_PER_PACKET:
            raise ValueError(f"samples_per_packet must be 0-19, got {samples_per_packet}")
        cmds.append(
            command(OP_SET_BATCH, samples_per_packet, description="set samples per packet")
        )
    cmds.append(command(OP_START, description="start streaming"))
    return cmds


def stop_commands() -> list[Command]:
    """Build the write that stops the stream."""
    return [command(OP_STOP, description="stop streaming")]


def identify_command(seconds: int = 5) -> Command:
    """Blink the board's LED for ``seconds`` (1-255) to find it among several."""
    if not 1 <= seconds <= 255:
        raise ValueError(f"seconds must be 1-255, got {seconds}")
    return command(OP_IDENTIFY, seconds, description=f"identify for {seconds} s")


def samples_per_packet_for_mtu(mtu: int) -> int:
    """Largest full-packet batch that fits ATT MTU ``mtu`` (0 = use compact packets)."""
    n = (mtu - 3 - FULL_HEADER_SIZE - CRC_SIZE) // SAMPLE_SIZE
    return int(max(0, min(MAX_SAMPLES_PER_PACKET, n)))


def parse_control_reply(payload: bytes) -> tuple[int, int]:
    """Parse a control reply ``[op | 0x80, status]`` -> ``(op, status)``."""
    b = bytes(payload)
    if len(b) != 2:
        raise ProtocolError(FAMILY, 0, "2-byte control reply", f"{len(b)} bytes")
    if not b[0] & REPLY_FLAG:
        raise ProtocolError(FAMILY, 0, "reply opcode with bit 7 set", f"0x{b[0]:02x}")
    if b[1] not in STATUS_NAMES:
        raise ProtocolError(FAMILY, 1, "status 0-3", str(b[1]))
    return b[0] & 0x7F, b[1]


# --- decoder ----------------------------------------------------------------------------------


class GaitkitOpenDecoder:
    """Stateful decoder of gaitkit open protocol data notifications.

    State: the next expected (unwrapped) sample index and the unwrapped device time of the last
    packet. The counter is unwrapped against the expected next index (modulo 2^32, or 2^16 for
    compact packets), so counter wraparound, gaps (lost notifications) and packets that arrive
    late (re-ordered) all get their true index. Device time is unwrapped the same way (2^32 µs,
    or 2^16 ms compact) and each sample is timed ``t_first + i / rate``.

    Losses: a packet whose first index exceeds the expected one reports the difference as
    ``lost_samples``. A late packet (index below the expected one) is returned with
    ``meta["late"] = True`` and its samples are removed from ``stats.lost_samples`` (which is
    therefore the number of samples still missing).

    Parameters
    ----------
    verify_crc
        Check the CRC (default True). Turn off only to inspect corrupted captures.

    References
    ----------
    The protocol is gaitkit's own (SPEC.md). CRC-16/CCITT-FALSE error-detection properties:
    P. Koopman and T. Chakravarty (2004), "Cyclic redundancy code (CRC) polynomial selection
    for embedded networks", Proc. IEEE/IFIP Int. Conf. Dependable Systems and Networks,
    pp. 145-154.
    """

    family = FAMILY

    def __init__(self, *, verify_crc: bool = True) -> None:
        self.verify_crc = bool(verify_crc)
        self.stats = DecoderStats()
        self.late_samples = 0
        self.reset()

    def reset(self) -> None:
        """Forget the counter and time references (call after a reconnect)."""
        self._layouts: dict[tuple[int, int], Any] = {}
        self._next_index: int | None = None
        self._t_ref_us: int | None = None

    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one notification; raise :class:`ProtocolError` when malformed."""
        b = bytes(payload)
        try:
            key, _ = self._parse(0, b)
        except ProtocolError:
            self.stats.rejected_packets += 1
            raise
        return [self._decode_one(b, key)]

    def decode_many(self, payloads: Iterable[bytes]) -> list[SampleBatch]:
        """Decode many notifications in arrival order at once (vectorised).

        Returns one batch per run of contiguous packets: a new batch starts where samples were
        lost, where a packet is late, or where the packet format or codes change. A malformed
        packet raises :class:`ProtocolError` and nothing of the call is decoded, so feed
        notifications one by one when partial results matter.
        """
        bufs = [bytes(p) for p in payloads]
        if not bufs:
            return []
        try:
            keys = self._check_many(bufs)
        except ProtocolError:
            self.stats.rejected_packets += 1
            raise
        out: list[SampleBatch] = []
        # contiguous runs of packets with the same (kind, n, codes, device id)
        for a, b, key in keys:
            out.extend(self._decode_run(bufs[a:b], key))
        return out

    def _check_many(self, bufs: list[bytes]) -> list[tuple[int, int, tuple[str, int, int, int]]]:
        """Validate every packet; return runs ``(start, stop, key)`` of equal header keys."""
        size = len(bufs[0])
        if size in (COMPACT_SIZE, *_FULL_SIZES) and all(len(b) == size for b in bufs):
            raw = np.frombuffer(b"".join(bufs), dtype=np.uint8).reshape(len(bufs), size)
            compact = size == COMPACT_SIZE and raw[0, 0] == MAGIC_COMPACT
            if compact:
                ok = raw[:, 0] == MAGIC_COMPACT
                codes = raw[:, 1]
                key_cols = codes.astype(np.int64)
            else:
                n = (size - FULL_HEADER_SIZE - CRC_SIZE) // SAMPLE_SIZE
                ok = (raw[:, 0] == MAGIC_FULL) & (raw[:, 1] == n) & (raw[:, 5] == 0)
                codes = raw[:, 4]
                key_cols = codes.astype(np.int64) | (raw[:, 2].astype(np.int64) << 8) | (
                    raw[:, 3].astype(np.int64) << 16
                )
            rc = codes & 0x0F
            ok &= (rc >= 1) & (rc <= 14)
            if self.verify_crc:
                found = raw[:, -2].astype(np.int64) | (raw[:, -1].astype(np.int64) << 8)
                crc = np.fromiter(
                    (binascii.crc_hqx(memoryview(b)[:-2], CRC_INIT) for b in bufs),
                    dtype=np.int64,
                    count=len(bufs),
                )
                ok &= crc == found
            if ok.all():
                change = np.flatnonzero(np.diff(key_cols) != 0) + 1
                bounds = [0, *change.tolist(), len(bufs)]
                runs = []
                for a, b in itertools.pairwise(bounds):
                    runs.append((a, b, self._parse(a, bufs[a])[0]))
                return runs
            bad = int(np.argmin(ok))
            self._parse_at(bad, bufs)  # raises with the precise message
        keys = [self._parse_at(i, bufs)[0] for i in range(len(bufs))]
        runs = []
        start = 0
        for i in range(1, len(keys) + 1):
            if i == len(keys) or keys[i] != keys[start]:
                runs.append((start, i, keys[start]))
                start = i
        return runs

    def _layout(self, codes: int, n: int) -> tuple[float, float, float, np.ndarray]:
        """Scales and per-sample time offsets for a codes byte (cached)."""
        cached = self._layouts.get((codes, n))
        if cached is None:
            rate = RATE_CODES_HZ[codes & 0x0F]
            acc_g = ACC_RANGE_CODES_G[(codes >> 4) & 3]
            gyr_dps = GYRO_RANGE_CODES_DPS[codes >> 6]
            cached = (rate, acc_g, gyr_dps, np.arange(n, dtype=np.float64) / rate)
            self._layouts[(codes, n)] = cached
        return cached

    def _decode_one(self, b: bytes, key: tuple[str, int, int, int]) -> SampleBatch:
        """Scalar fast path of :meth:`_decode_run` for one packet (same rules)."""
        kind, n, codes, dev = key
        if kind == "full":
            c = int.from_bytes(b[6:10], "little")
            t = int.from_bytes(b[10:14], "little")
            c_mod = t_mod = _U32
            unit, off = 1, FULL_HEADER_SIZE
        else:
            c = int.from_bytes(b[2:4], "little")
            t = int.from_bytes(b[4:6], "little")
            c_mod = t_mod = _U16
            unit, off = 1000, 6
        if self._next_index is None:
            expected = idx = c
        else:
            expected = self._next_index
            idx = expected + (c - expected + c_mod // 2) % c_mod - c_mod // 2
        if self._t_ref_us is None:
            t_us = t * unit
        else:
            ref = self._t_ref_us // unit
            t_us = (ref + (t - ref + t_mod // 2) % t_mod - t_mod // 2) * unit
        gap = idx - expected
        self._next_index = max(expected, idx + n)
        self._t_ref_us = t_us
        rate, acc_g, gyr_dps, offs = self._layout(codes, n)
        counts = np.frombuffer(b, dtype="<i2", count=6 * n, offset=off).reshape(n, 6)
        batch = SampleBatch(
            family=FAMILY,
            acc_mps2=counts[:, :3] * (acc_g * G0 / 32768.0),
            gyr_radps=counts[:, 3:] * (gyr_dps * RAD_PER_DEG / 32768.0),
            device_time_s=t_us / 1e6 + offs,
            sample_index=np.arange(idx, idx + n, dtype=np.int64),
            lost_samples=max(gap, 0),
            meta={
                "packet_format": kind,
                "packets": 1,
                "device_id": None if dev < 0 else dev,
                "sampling_rate_hz": rate,
                "acc_range_g": acc_g,
                "gyro_range_dps": gyr_dps,
                "late": gap < 0,
            },
        )
        self.stats.packets += 1
        self.stats.samples += n
        self.stats.lost_samples += max(gap, 0)
        if gap < 0:
            self.stats.lost_samples -= min(n, self.stats.lost_samples)
            self.late_samples += n
        return batch

    def _parse_at(self, i: int, bufs: list[bytes]) -> tuple[tuple[str, int, int, int], None]:
        """:meth:`_parse` of ``bufs[i]``, naming the notification in errors of a many-call."""
        try:
            return self._parse(i, bufs[i])
        except ProtocolError as exc:
            if len(bufs) == 1:
                raise
            found = f"{exc.found} in notification {i}" if exc.found else f"notification {i}"
            raise ProtocolError(FAMILY, exc.offset, exc.expected, found) from None

    # header check of one packet -> ((kind, n, codes, device_id), )
    def _parse(self, i: int, b: bytes) -> tuple[tuple[str, int, int, int], None]:
        if len(b) < 1:
            raise ProtocolError(FAMILY, 0, "a magic/version byte", "empty payload")
        _check_magic(b[0], 0)
        if b[0] == MAGIC_COMPACT:
            if len(b) != COMPACT_SIZE:
                raise ProtocolError(
                    FAMILY, len(b), f"{COMPACT_SIZE}-byte compact packet", f"{len(b)} bytes"
                )
            kind, n, codes, dev = "compact", 1, b[1], -1
            codes_at = 1
        else:
            if len(b) < FULL_HEADER_SIZE + SAMPLE_SIZE + CRC_SIZE:
                raise ProtocolError(
                    FAMILY,
                    len(b),
                    f"full packet of at least {FULL_HEADER_SIZE + SAMPLE_SIZE + CRC_SIZE} "
                    "bytes",
                    f"{len(b)} bytes",
                )
            n = b[1]
            if not 1 <= n <= MAX_SAMPLES_PER_PACKET:
                raise ProtocolError(FAMILY, 1, "sample count 1-19", str(n))
            size = FULL_HEADER_SIZE + SAMPLE_SIZE * n + CRC_SIZE
            if len(b) != size:
                raise ProtocolError(
                    FAMILY, min(len(b), size), f"{size} bytes for {n} samples",
                    f"{len(b)} bytes",
                )
            if b[5] != 0:
                raise ProtocolError(FAMILY, 5, "reserved byte 0x00", f"0x{b[5]:02x}")
            kind, codes, dev = "full", b[4], int.from_bytes(b[2:4], "little")
            codes_at = 4
        if self.verify_crc:
            crc = crc16_ccitt_false(b[:-2])
            found = int.from_bytes(b[-2:], "little")
            if crc != found:
                raise ProtocolError(
                    FAMILY, len(b) - 2, f"CRC-16/CCITT-FALSE 0x{crc:04x}", f"0x{found:04x}"
                )
        if (codes & 0x0F) not in RATE_CODES_HZ:
            raise ProtocolError(FAMILY, codes_at, "rate code 1-14", str(codes & 0x0F))
        return (kind, n, codes, dev), None

    def _decode_run(
        self, bufs: Sequence[bytes], key: tuple[str, int, int, int]
    ) -> list[SampleBatch]:
        kind, n, codes, dev = key
        m = len(bufs)
        raw = np.frombuffer(b"".join(bufs), dtype=np.uint8).reshape(m, -1)
        if kind == "full":
            counter = raw[:, 6:10].copy().view("<u4").ravel().astype(np.int64)
            t_raw = raw[:, 10:14].copy().view("<u4").ravel().astype(np.int64)
            samples = raw[:, FULL_HEADER_SIZE : FULL_HEADER_SIZE + SAMPLE_SIZE * n].copy()
            c_mod, t_mod, t_unit_us = _U32, _U32, 1
        else:
            counter = raw[:, 2:4].copy().view("<u2").ravel().astype(np.int64)
            t_raw = raw[:, 4:6].copy().view("<u2").ravel().astype(np.int64)
            samples = raw[:, 6:18].copy()
            c_mod, t_mod, t_unit_us = _U16, _U16, 1000
        counts = samples.view("<i2").reshape(m * n, 6).astype(np.float64)
        rate = RATE_CODES_HZ[codes & 0x0F]
        acc_g = ACC_RANGE_CODES_G[(codes >> 4) & 3]
        gyr_dps = GYRO_RANGE_CODES_DPS[codes >> 6]

        # counter -> unwrapped index: first against the expected index, then packet to packet
        d = _signed_mod(np.diff(counter), c_mod)
        if self._next_index is None:
            first = int(counter[0])
        else:
            first = self._next_index + int(_signed_mod(counter[0] - self._next_index, c_mod))
        idx = first + np.concatenate([[0], np.cumsum(d)])
        # device time -> unwrapped µs
        dt = _signed_mod(np.diff(t_raw), t_mod)
        if self._t_ref_us is None:
            t0 = int(t_raw[0])
        else:
            ref = self._t_ref_us // t_unit_us
            t0 = ref + int(_signed_mod(t_raw[0] - ref, t_mod))
        t_first_us = (t0 + np.concatenate([[0], np.cumsum(dt)])) * t_unit_us

        # expected next index before each packet = running max of (idx + n) of earlier packets
        ends = idx + n
        prev_max = np.maximum.accumulate(ends)
        expected = np.concatenate(
            [[first if self._next_index is None else self._next_index], prev_max[:-1]]
        )
        if self._next_index is not None:
            expected = np.maximum(expected, self._next_index)
        gap = idx - expected
        lost = np.where(gap > 0, gap, 0)
        late = gap < 0
        self._next_index = int(max(prev_max[-1], expected[0]))
        self._t_ref_us = int(t_first_us[-1])

        # split where a gap or a late packet starts a new contiguous run
        breaks = np.flatnonzero((gap != 0) | np.concatenate([[False], late[:-1]]))
        bounds = np.concatenate([[0], breaks[breaks > 0], [m]])
        scale_acc = acc_g * G0 / 32768.0
        scale_gyr = gyr_dps * RAD_PER_DEG / 32768.0
        offs = np.arange(n, dtype=np.float64) / rate
        self.stats.packets += m
        self.stats.lost_samples += int(lost.sum())
        out: list[SampleBatch] = []
        for a, b in itertools.pairwise(bounds):
            sl = slice(a * n, b * n)
            sample_index = (idx[a:b, None] + np.arange(n)).ravel()
            times = (t_first_us[a:b, None] / 1e6 + offs).ravel()
            is_late = bool(late[a])
            batch = SampleBatch(
                family=FAMILY,
                acc_mps2=counts[sl, :3] * scale_acc,
                gyr_radps=counts[sl, 3:] * scale_gyr,
                device_time_s=times,
                sample_index=sample_index,
                lost_samples=int(lost[a]),
                meta={
                    "packet_format": kind,
                    "packets": int(b - a),
                    "device_id": None if dev < 0 else dev,
                    "sampling_rate_hz": rate,
                    "acc_range_g": acc_g,
                    "gyro_range_dps": gyr_dps,
                    "late": is_late,
                },
            )
            out.append(batch)
            self.stats.samples += batch.n_samples
            if is_late:
                k = min(batch.n_samples, self.stats.lost_samples)
                self.stats.lost_samples -= k
                self.late_samples += batch.n_samples
        return out


def make_decoder(**config: Any) -> GaitkitOpenDecoder:
    """Create a decoder. Config keys: ``verify_crc`` (bool, default True)."""
    return GaitkitOpenDecoder(**config)
