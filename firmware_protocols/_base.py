"""Common types of every sensor family: the sample batch, the error, the decoder contract.

Every family's decoder turns notification payloads (``bytes`` as bleak delivers them) into
:class:`SampleBatch` objects in SI units and the sensor's own frame, and keeps whatever state the
family needs (previous timestamp, scale factor, partial packet) in the decoder object itself.
Losses are counted, never hidden. Nothing here imports gaitkit or bleak.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "G0",
    "RAD_PER_DEG",
    "Command",
    "Decoder",
    "DecoderStats",
    "ProtocolError",
    "SampleBatch",
    "SensorProfile",
]

#: Standard gravity (m/s²), CGPM 1901.
G0 = 9.80665
#: Radians per degree.
RAD_PER_DEG = np.pi / 180.0


class ProtocolError(ValueError):
    """Bytes that do not follow a family's protocol.

    The message names the family, the byte offset and what was expected, e.g.
    ``polar_pmd: offset 9: expected frame type 0x00-0x02 or 0x80-0x81, found 0x7f``.
    """

    def __init__(self, family: str, offset: int | None, expected: str, found: str = "") -> None:
        self.family = family
        self.offset = offset
        self.expected = expected
        self.found = found
        where = f"offset {offset}: " if offset is not None else ""
        tail = f", found {found}" if found else ""
        super().__init__(f"{family}: {where}expected {expected}{tail}")


def _readonly(a: np.ndarray | None, dtype: Any, ndim: int, name: str) -> np.ndarray | None:
    if a is None:
        return None
    # Take the array over without copying (decoders hand in fresh arrays; a copy per
    # notification halves throughput); freezing it keeps the batch immutable.
    arr = np.asarray(a, dtype=dtype)
    if arr.ndim != ndim or (ndim == 2 and arr.shape[1] != 3):
        raise ValueError(f"SampleBatch.{name} has shape {arr.shape}")
    if arr.flags.writeable:
        arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class SampleBatch:
    """Samples decoded from one or more notifications of one sensor.

    The arrays handed in are taken over, not copied, and made read-only: pass fresh arrays.

    Attributes
    ----------
    family
        Sensor family id, e.g. ``"polar_pmd"``.
    acc_mps2, gyr_radps, mag_ut
        ``(n, 3)`` arrays in the sensor frame (m/s², rad/s, µT), or ``None`` when the packet
        does not carry that quantity (Polar and MetaWear stream ACC and GYRO separately).
    device_time_s
        ``(n,)`` per-sample device time in seconds on the device's own clock (epoch stated by
        the family's SPEC.md), or ``None`` when the protocol carries no time.
    sample_index
        ``(n,)`` unwrapped per-sample counter (int64) when the protocol has one, else ``None``.
    lost_samples
        Samples the decoder knows were lost *just before* this batch (sequence/counter jump).
    meta
        Family-specific extras (frame type, sequence number, measurement type ...).
    """

    family: str
    acc_mps2: np.ndarray | None = None
    gyr_radps: np.ndarray | None = None
    mag_ut: np.ndarray | None = None
    device_time_s: np.ndarray | None = None
    sample_index: np.ndarray | None = None
    lost_samples: int = 0
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("acc_mps2", "gyr_radps", "mag_ut"):
            object.__setattr__(self, name, _readonly(getattr(self, name), np.float64, 2, name))
        object.__setattr__(
            self, "device_time_s", _readonly(self.device_time_s, np.float64, 1, "device_time_s")
        )
        object.__setattr__(
            self, "sample_index", _readonly(self.sample_index, np.int64, 1, "sample_index")
        )
        lengths = {
            len(a)
            for a in (
                self.acc_mps2,
                self.gyr_radps,
                self.mag_ut,
                self.device_time_s,
                self.sample_index,
            )
            if a is not None
        }
        if len(lengths) > 1:
            raise ValueError(f"SampleBatch arrays differ in length: {sorted(lengths)}")
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    @property
    def n_samples(self) -> int:
        """Number of samples in the batch."""
        for a in (
            self.acc_mps2,
            self.gyr_radps,
            self.mag_ut,
            self.device_time_s,
            self.sample_index,
        ):
            if a is not None:
                return len(a)
        return 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (lists of floats), used by ``gaitkit decode``."""
        out: dict[str, Any] = {"family": self.family, "n_samples": self.n_samples}
        for name in ("acc_mps2", "gyr_radps", "mag_ut", "device_time_s", "sample_index"):
            a = getattr(self, name)
            if a is not None:
                out[name] = a.tolist()
        out["lost_samples"] = self.lost_samples
        out["meta"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.meta.items()
        }
        return out


@dataclass
class DecoderStats:
    """Running counters a decoder keeps: packets, samples, losses, rejected and stale packets."""

    packets: int = 0
    samples: int = 0
    lost_samples: int = 0
    rejected_packets: int = 0
    #: Packets older than one already decoded (reordered or duplicated), reported, not merged.
    stale_packets: int = 0


@dataclass(frozen=True)
class Command:
    """One GATT write that configures, starts or stops a stream.

    Attributes
    ----------
    characteristic_uuid
        Characteristic to write to (lower-case 128-bit UUID string).
    payload
        Bytes to write.
    description
        What the write does, for logs.
    response
        Whether to write with response.
    """

    characteristic_uuid: str
    payload: bytes
    description: str = ""
    response: bool = True


@dataclass(frozen=True)
class SensorProfile:
    """What a BLE recorder needs to know about a family's GATT layout.

    Attributes
    ----------
    family
        Family id.
    service_uuid
        Primary service that identifies the sensor in a scan (lower-case).
    notify_uuids
        Characteristics to subscribe to, in order; data and control responses.
    data_uuids
        Of those, the ones whose notifications go to the decoder.
    """

    family: str
    service_uuid: str
    notify_uuids: tuple[str, ...]
    data_uuids: tuple[str, ...]


@runtime_checkable
class Decoder(Protocol):
    """The contract every family's decoder object fulfils.

    A decoder is created with the stream configuration it needs (rate, range, factor), then fed
    every notification payload in arrival order. It may return no batch (a partial frame waiting
    for its continuation), one, or several (a byte stream holding several frames).
    """

    family: str
    stats: DecoderStats

    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one notification payload; raise :class:`ProtocolError` on malformed bytes."""
        ...

    def reset(self) -> None:
        """Forget stream state (previous timestamps, partial frames): call after a reconnect."""
        ...
