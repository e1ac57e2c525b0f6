"""Nordic Thingy:52 motion service: raw-data notifications and the config characteristic.

Layout and sources in ``SPEC.md``. The raw-data characteristic (EF680406) notifies 18 bytes:
9 × int16 LE, acc xyz in 6Q10 (g), gyro xyz in 11Q5 (deg/s), compass xyz in 12Q4 (µT).
There is no counter and no device time.
"""

from __future__ import annotations

from collections.abc import Iterable
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

FAMILY = "thingy52"

_BASE = "ef68{:04x}-9b35-4933-9b10-52ffa9740042"
SERVICE_UUID = _BASE.format(0x0400)
CONFIG_UUID = _BASE.format(0x0401)
QUATERNION_UUID = _BASE.format(0x0404)
RAW_UUID = _BASE.format(0x0406)
EULER_UUID = _BASE.format(0x0407)

PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(RAW_UUID,),
    data_uuids=(RAW_UUID,),
)

RAW_SIZE = 18
CONFIG_SIZE = 9
#: Fixed-point divisors: 6Q10, 11Q5, 12Q4 (firmware_architecture.html, raw data 0406).
ACC_DIVISOR = 1024.0
GYRO_DIVISOR = 32.0
COMPASS_DIVISOR = 16.0


@dataclass(frozen=True)
class MotionConfig:
    """Motion config characteristic (EF680401), 9 bytes packed LE (``ble_tms_config_t``).

    Attributes
    ----------
    pedo_interval_ms, temp_interval_ms
        Pedometer and temperature-compensation intervals, 100-5000 ms.
    compass_interval_ms
        Compass interval, 100-1000 ms.
    motion_freq_hz
        Motion processing frequency, 5-200 Hz: the rate of the raw-data notifications.
    wake_on_motion
        Wake the Thingy on motion.
    """

    pedo_interval_ms: int = 1000
    temp_interval_ms: int = 500
    compass_interval_ms: int = 500
    motion_freq_hz: int = 10
    wake_on_motion: bool = True

    def __post_init__(self) -> None:
        for name, lo, hi in (
            ("pedo_interval_ms", 100, 5000),
            ("temp_interval_ms", 100, 5000),
            ("compass_interval_ms", 100, 1000),
            ("motion_freq_hz", 5, 200),
        ):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(f"{name} must be an integer {lo}-{hi}, got {v!r}")

    def to_bytes(self) -> bytes:
        """Encode as the 9-byte characteristic value."""
        return (
            self.pedo_interval_ms.to_bytes(2, "little")
            + self.temp_interval_ms.to_bytes(2, "little")
            + self.compass_interval_ms.to_bytes(2, "little")
            + self.motion_freq_hz.to_bytes(2, "little")
            + bytes([1 if self.wake_on_motion else 0])
        )


def parse_config(payload: bytes) -> MotionConfig:
    """Parse the 9-byte config value read from EF680401."""
    b = bytes(payload)
    if len(b) != CONFIG_SIZE:
        raise ProtocolError(FAMILY, 0, f"{CONFIG_SIZE}-byte motion config", f"{len(b)} bytes")
    vals = [int.from_bytes(b[i : i + 2], "little") for i in (0, 2, 4, 6)]
    if b[8] not in (0, 1):
        raise ProtocolError(FAMILY, 8, "wake_on_motion 0 or 1", str(b[8]))
    try:
        return MotionConfig(*vals, wake_on_motion=bool(b[8]))
    except ValueError as exc:
        raise ProtocolError(FAMILY, None, "config values in range", str(exc)) from None


def config_command(config: MotionConfig) -> Command:
    """Write ``config`` to the motion config characteristic."""
    return Command(CONFIG_UUID, config.to_bytes(),
                   f"motion config, processing at {config.motion_freq_hz} Hz")


def start_commands(*, motion_freq_hz: int, **other: Any) -> list[Command]:
    """Build the writes before enabling raw notifications: the config at ``motion_freq_hz``.

    ``other`` sets the other :class:`MotionConfig` fields; fields not given take the firmware
    defaults (``MOTION_DEFAULT_CONFIG``), so read the config first to keep a user's settings.
    """
    return [config_command(MotionConfig(motion_freq_hz=motion_freq_hz, **other))]


def stop_commands() -> list[Command]:
    """Return no writes: the stream stops when notifications are disabled."""
    return []


class Thingy52Decoder:
    """Decoder of Thingy:52 raw motion notifications (one 18-byte sample each).

    Scales: acc / 1024 g (6Q10), gyro / 32 deg/s (11Q5), compass / 16 µT (12Q4); converted to
    m/s² (× 9.80665) and rad/s. The official Thingy.js divides by 64/2048/4096 instead, which
    reads 16 g at rest (Thingyjs issue #20); this decoder follows the firmware documentation.
    The firmware clamps each value to the int16 range, so ±32 g, ±1024 deg/s and ±2048 µT are
    saturation, and it has already swapped and inverted the compass x/y axes to match the
    accelerometer frame.

    No counter and no device time: losses are undetectable (``meta["losses_detectable"]``
    False); time samples from the host receive time and ``motion_freq_hz``. The only state is the
    statistics.

    Parameters
    ----------
    motion_freq_hz
        Configured motion processing rate, recorded in ``meta`` (None when unknown).

    References
    ----------
    Nordic Semiconductor, Nordic-Thingy52-FW (``documentation/firmware_architecture.html``,
    motion service raw data 0406; ``source/modules/m_motion.c``); Thingy.js issue #20 and
    Android-Nordic-Thingy PR #8 for the scaling bug. Details in SPEC.md.
    """

    family = FAMILY

    def __init__(self, *, motion_freq_hz: float | None = None) -> None:
        self.motion_freq_hz = motion_freq_hz
        self.stats = DecoderStats()

    def reset(self) -> None:
        """Nothing to forget (no stream state); kept for the Decoder contract."""

    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one 18-byte raw notification."""
        return self.decode_many((payload,))

    def decode_many(self, payloads: Iterable[bytes]) -> list[SampleBatch]:
        """Decode many raw notifications into one batch (vectorised)."""
        bufs = [bytes(p) for p in payloads]
        if not bufs:
            return []
        for i, b in enumerate(bufs):
            if len(b) != RAW_SIZE:
                self.stats.rejected_packets += 1
                where = f" in notification {i}" if len(bufs) > 1 else ""
                raise ProtocolError(FAMILY, min(len(b), RAW_SIZE),
                                    f"{RAW_SIZE}-byte raw motion packet", f"{len(b)} bytes{where}")
        v = np.frombuffer(b"".join(bufs), dtype="<i2").reshape(-1, 9).astype(np.float64)
        batch = SampleBatch(
            family=FAMILY,
            acc_mps2=v[:, 0:3] * (G0 / ACC_DIVISOR),
            gyr_radps=v[:, 3:6] * (RAD_PER_DEG / GYRO_DIVISOR),
            mag_ut=v[:, 6:9] / COMPASS_DIVISOR,
            meta={"losses_detectable": False, "motion_freq_hz": self.motion_freq_hz},
        )
        self.stats.packets += len(bufs)
        self.stats.samples += batch.n_samples
        return [batch]


def make_decoder(**config: Any) -> Thingy52Decoder:
    """Create a decoder. Config keys: ``motion_freq_hz`` (recorded in meta)."""
    return Thingy52Decoder(**config)
