"""WitMotion BWT901BLECL / WT901BLECL "BLE 5.0" protocol: byte-stream frames and commands.

Layout and sources in ``SPEC.md``. The notify characteristic carries a byte stream of 20-byte
frames ``55 61`` (acc, gyro, angle: 9 × int16 LE) and ``55 71`` (register-read reply: start
register u16 + 8 × int16). Frames may be split across or concatenated in notifications; there
is no checksum, no counter and no device time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
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

FAMILY = "witmotion"

SERVICE_UUID = "0000ffe5-0000-1000-8000-00805f9a34fb"
NOTIFY_UUID = "0000ffe4-0000-1000-8000-00805f9a34fb"
WRITE_UUID = "0000ffe9-0000-1000-8000-00805f9a34fb"

PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(NOTIFY_UUID,),
    data_uuids=(NOTIFY_UUID,),
)

FRAME_SIZE = 20
HEADER = 0x55
FLAG_DATA = 0x61
FLAG_REGISTER = 0x71
#: Full scales fixed by the BLE 5.0 firmware's formulas (datasheet §6.1.1).
ACC_RANGE_G = 16.0
GYRO_RANGE_DPS = 2000.0
ANGLE_RANGE_DEG = 180.0

REG_SAVE = 0x00
REG_RATE = 0x03
REG_BANDWIDTH = 0x1F
REG_READ = 0x27
REG_MAG = 0x3A
REG_QUATERNION = 0x51
REG_UNLOCK = 0x69
UNLOCK_VALUE = 0xB588

#: Output rate register 0x03 codes (vendor SDK SetRRate).
RATE_CODES: dict[float, int] = {1: 0x03, 5: 0x05, 10: 0x06, 50: 0x08, 100: 0x09, 200: 0x0B}
#: Bandwidth register 0x1F codes (vendor SDK SetBandwidth).
BANDWIDTH_CODES: dict[int, int] = {5: 0x07, 10: 0x06, 20: 0x05, 42: 0x04, 98: 0x03, 188: 0x02}


def write_register(register: int, value: int, description: str = "") -> Command:
    """``FF AA <reg> <value lo> <value hi>`` to the write characteristic."""
    if not 0 <= register <= 0xFF or not 0 <= value <= 0xFFFF:
        raise ValueError(f"register must be a byte and value a u16, got {register}, {value}")
    payload = bytes([0xFF, 0xAA, register]) + value.to_bytes(2, "little")
    return Command(WRITE_UUID, payload, description or f"write register 0x{register:02x}")


def unlock_command() -> Command:
    """``FF AA 69 88 B5``: unlock register writes for about 10 s."""
    return write_register(REG_UNLOCK, UNLOCK_VALUE, "unlock register writes")


def save_command() -> Command:
    """``FF AA 00 00 00``: save the configuration."""
    return write_register(REG_SAVE, 0, "save configuration")


def rate_command(sampling_rate_hz: float) -> Command:
    """``FF AA 03 <code> 00``: output rate (1, 5, 10, 50, 100 or 200 Hz)."""
    if sampling_rate_hz not in RATE_CODES:
        raise ValueError(f"sampling_rate_hz must be one of {sorted(RATE_CODES)}, got "
                         f"{sampling_rate_hz}")
    return write_register(REG_RATE, RATE_CODES[sampling_rate_hz],
                          f"output rate {sampling_rate_hz:g} Hz")


def bandwidth_command(bandwidth_hz: int) -> Command:
    """``FF AA 1F <code> 00``: low-pass bandwidth (5, 10, 20, 42, 98 or 188 Hz)."""
    if bandwidth_hz not in BANDWIDTH_CODES:
        raise ValueError(f"bandwidth_hz must be one of {sorted(BANDWIDTH_CODES)}, got "
                         f"{bandwidth_hz}")
    return write_register(REG_BANDWIDTH, BANDWIDTH_CODES[bandwidth_hz],
                          f"bandwidth {bandwidth_hz} Hz")


def read_register_command(register: int) -> Command:
    """``FF AA 27 <reg> 00``: ask for a ``55 71`` reply with 8 registers from ``register``."""
    return write_register(REG_READ, register, f"read registers from 0x{register:02x}")


def start_commands(
    *, sampling_rate_hz: float | None = None, bandwidth_hz: int | None = None, save: bool = False
) -> list[Command]:
    """Build the writes that configure the stream.

    The sensor streams ``55 61`` frames as soon as notifications are enabled, so with no
    option this is empty.

    Each setting is ``unlock``, then the register write; ``save=True`` appends the save command
    (persists across power cycles; the vendor SDK always saves).
    """
    cmds: list[Command] = []
    if sampling_rate_hz is not None:
        cmds += [unlock_command(), rate_command(sampling_rate_hz)]
    if bandwidth_hz is not None:
        cmds += [unlock_command(), bandwidth_command(bandwidth_hz)]
    if save and cmds:
        cmds.append(save_command())
    return cmds


def stop_commands() -> list[Command]:
    """Return no writes: the stream stops when notifications are disabled."""
    return []


def _register_meta(reg: int, values: np.ndarray) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "frame": "register_read",
        "start_register": reg,
        "registers": [int(v) for v in values],
    }
    if reg == REG_MAG:
        # vendor SDK scaling (/120); unit not stated by the vendor
        meta["mag_sdk_scaled"] = [float(v) / 120.0 for v in values[:3]]
    elif reg == REG_QUATERNION:
        meta["quaternion_wxyz"] = [float(v) / 32768.0 for v in values[:4]]
    return meta


class WitMotionDecoder:
    """Stateful decoder of the WitMotion BLE byte stream.

    State: a byte buffer holding an incomplete frame. Each call appends the notification, then
    takes every complete frame: where the buffer starts with ``55 61``/``55 71`` it takes aligned
    20-byte frames at once (vectorised); elsewhere it skips to the next header and counts the
    skipped bytes in :attr:`skipped_bytes` and in the next batch's ``meta["skipped_bytes"]`` —
    garbage is reported, never silently dropped. As the frame has no checksum, a ``55 61`` inside
    garbage can be taken for a frame; this is a limit of the protocol.

    Samples carry no time and no counter: losses cannot be detected (``lost_samples`` is 0 and
    ``meta["losses_detectable"]`` False). Time them from the host receive time and the configured
    rate. Scales: acc ×16/32768 g, gyro ×2000/32768 deg/s (both converted to SI), Euler angles
    ×180/32768 deg in ``meta["angle_deg"]`` (the device's own fusion, Z-Y-X, roll/pitch/yaw).

    Parameters
    ----------
    sampling_rate_hz
        Configured output rate, only recorded in ``meta`` (None when unknown).

    References
    ----------
    WitMotion, WitBluetooth_BWT901BLE5_0 SDK (``Python/BWT901BLE5.0_python_sdk/device_model.py``:
    scales and resync; ``DeviceModel.java``: rate and bandwidth codes); WT901BLECL datasheet
    v20-0707 §6. Details in SPEC.md.
    """

    family = FAMILY

    def __init__(self, *, sampling_rate_hz: float | None = None) -> None:
        self.sampling_rate_hz = sampling_rate_hz
        self.stats = DecoderStats()
        self.skipped_bytes = 0
        self.reset()

    def reset(self) -> None:
        """Drop the buffered partial frame."""
        self._buf = b""
        self._skipped_pending = 0

    @property
    def buffered_bytes(self) -> int:
        """Bytes waiting for the rest of their frame."""
        return len(self._buf)

    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Append one notification to the stream and decode every complete frame."""
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise ProtocolError(FAMILY, None, "notification bytes", type(payload).__name__)
        self.stats.packets += 1
        b = bytes(payload)
        if not self._buf and len(b) == FRAME_SIZE and b[0] == HEADER and b[1] == FLAG_DATA:
            # the common case: one whole data frame per notification
            return self._frames_to_batches(np.frombuffer(b, dtype=np.uint8).reshape(1, FRAME_SIZE))
        return self._consume(self._buf + b)

    def decode_many(self, payloads: Iterable[bytes]) -> list[SampleBatch]:
        """Decode many notifications at once (they are one byte stream)."""
        chunks = [bytes(p) for p in payloads]
        self.stats.packets += len(chunks)
        return self._consume(self._buf + b"".join(chunks))

    def _consume(self, buf: bytes) -> list[SampleBatch]:
        arr = np.frombuffer(buf, dtype=np.uint8)
        size = len(arr)
        pos = 0
        runs: list[np.ndarray] = []  # blocks of aligned frames, in order
        skips: list[int] = []  # bytes skipped before each block
        skipped = 0
        while size - pos >= 2:
            if not (arr[pos] == HEADER and arr[pos + 1] in (FLAG_DATA, FLAG_REGISTER)):
                rest = arr[pos:]
                cand = np.flatnonzero(
                    (rest[:-1] == HEADER) & ((rest[1:] == FLAG_DATA) | (rest[1:] == FLAG_REGISTER))
                )
                if len(cand) == 0:
                    keep = 1 if arr[-1] == HEADER else 0  # a header may be split
                    skipped += size - pos - keep
                    pos = size - keep
                    break
                skipped += int(cand[0])
                pos += int(cand[0])
            nfull = (size - pos) // FRAME_SIZE
            if nfull == 0:
                break
            block = arr[pos : pos + nfull * FRAME_SIZE].reshape(nfull, FRAME_SIZE)
            ok = (block[:, 0] == HEADER) & (
                (block[:, 1] == FLAG_DATA) | (block[:, 1] == FLAG_REGISTER)
            )
            k = nfull if ok.all() else int(np.argmin(ok))
            runs.append(block[:k])
            skips.append(skipped)
            skipped = 0
            pos += k * FRAME_SIZE
        self._buf = buf[pos:]
        self.skipped_bytes += skipped + sum(skips)
        out: list[SampleBatch] = []
        for run, skip in zip(runs, skips, strict=True):
            self._skipped_pending += skip
            out.extend(self._frames_to_batches(run))
        self._skipped_pending += skipped  # garbage at the end: reported with the next batch
        return out

    def _frames_to_batches(self, frames: np.ndarray) -> list[SampleBatch]:
        vals = frames[:, 2:].copy().view("<i2")  # (m, 9)
        is_data = frames[:, 1] == FLAG_DATA
        if is_data.all():
            bounds = np.array([0, len(frames)])
        else:
            change = np.flatnonzero(np.diff(is_data.astype(np.int8)) != 0) + 1
            bounds = np.concatenate([[0], change, [len(frames)]])
        out: list[SampleBatch] = []
        for a, b in itertools.pairwise(bounds):
            skipped, self._skipped_pending = self._skipped_pending, 0
            if is_data[a]:
                v = vals[a:b].astype(np.float64)
                batch = SampleBatch(
                    family=FAMILY,
                    acc_mps2=v[:, 0:3] * (ACC_RANGE_G * G0 / 32768.0),
                    gyr_radps=v[:, 3:6] * (GYRO_RANGE_DPS * RAD_PER_DEG / 32768.0),
                    meta={
                        "frame": "data",
                        "angle_deg": v[:, 6:9] * (ANGLE_RANGE_DEG / 32768.0),
                        "skipped_bytes": skipped,
                        "losses_detectable": False,
                        "sampling_rate_hz": self.sampling_rate_hz,
                    },
                )
                self.stats.samples += batch.n_samples
                out.append(batch)
            else:
                for j in range(a, b):  # register replies are rare: one batch each
                    reg = int(frames[j, 2]) | (int(frames[j, 3]) << 8)
                    meta = _register_meta(reg, vals[j, 1:])
                    meta["skipped_bytes"] = skipped
                    skipped = 0
                    out.append(SampleBatch(family=FAMILY, meta=meta))
        return out


def make_decoder(**config: Any) -> WitMotionDecoder:
    """Create a decoder. Config keys: ``sampling_rate_hz`` (float or None, recorded in meta)."""
    return WitMotionDecoder(**config)
