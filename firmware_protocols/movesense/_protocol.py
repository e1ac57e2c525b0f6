"""Movesense GATT SensorData Protocol (GSP): commands, DATA/DATA_PART2 reassembly, IMU decoding.

Layout and sources in ``SPEC.md``. Notifications are ``[type][reference][payload]``: type 1 a
command result, 2 DATA, 3 DATA_PART2 (continuation of the preceding DATA). An IMU DATA payload is
a u32 LE timestamp (ms on the sensor's local clock, time of the *first* sample) followed by ``k``
arrays of ``n`` float32 LE xyz vectors (IMU6: acc, gyro; IMU9: acc, gyro, magn).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from firmware_protocols._base import (
    RAD_PER_DEG,
    Command,
    DecoderStats,
    ProtocolError,
    SampleBatch,
    SensorProfile,
)

FAMILY = "movesense"

SERVICE_UUID = "34802252-7185-4d5d-b431-630e7050e8f0"
WRITE_UUID = "34800001-7185-4d5d-b431-630e7050e8f0"
NOTIFY_UUID = "34800002-7185-4d5d-b431-630e7050e8f0"

PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(NOTIFY_UUID,),
    data_uuids=(NOTIFY_UUID,),
)

CMD_HELLO = 0
CMD_SUBSCRIBE = 1
CMD_UNSUBSCRIBE = 2
PACKET_COMMAND_RESULT = 1
PACKET_DATA = 2
PACKET_DATA_PART2 = 3

#: Sample rates the Movesense IMU paths accept (Hz); 833 and 1666 only on some sensor versions.
SAMPLE_RATES_HZ = (13, 26, 52, 104, 208, 416, 833, 1666)
#: Arrays per measurement, in payload order.
MEASUREMENTS: dict[str, tuple[str, ...]] = {
    "IMU6": ("acc", "gyr"),
    "IMU9": ("acc", "gyr", "mag"),
    "Acc": ("acc",),
    "Gyro": ("gyr",),
    "Magn": ("mag",),
}
_PATH_RE = re.compile(r"^/Meas/(IMU6|IMU9|Acc|Gyro|Magn)/(\d+)$")
_HEADER = 6  # type, reference, u32 timestamp
_U32 = 1 << 32


def parse_path(path: str) -> tuple[str, int]:
    """Split ``/Meas/IMU6/104`` into ``("IMU6", 104)``; ValueError when not an IMU path."""
    m = _PATH_RE.match(path)
    if not m:
        raise ValueError(
            f"path must look like /Meas/{{IMU6|IMU9|Acc|Gyro|Magn}}/{{rate}}, got {path!r}"
        )
    rate = int(m.group(2))
    if rate not in SAMPLE_RATES_HZ:
        raise ValueError(f"sample rate in {path!r} must be one of {SAMPLE_RATES_HZ}")
    return m.group(1), rate


def _check_ref(reference: int) -> int:
    if not 1 <= reference <= 255:
        raise ValueError(f"client reference must be 1-255, got {reference}")
    return reference


def hello_command(reference: int = 123) -> Command:
    """HELLO ``[0, ref]``; the sensor answers ``[1, ref, "Hello"]``."""
    return Command(WRITE_UUID, bytes([CMD_HELLO, _check_ref(reference)]), "GSP hello")


def subscribe_command(path: str, reference: int = 99) -> Command:
    """SUBSCRIBE ``[1, ref, path in ASCII]`` (no terminator), e.g. ``/Meas/IMU6/104``."""
    return Command(
        WRITE_UUID,
        bytes([CMD_SUBSCRIBE, _check_ref(reference)]) + path.encode("ascii"),
        f"GSP subscribe {path}",
    )


def unsubscribe_command(reference: int = 99) -> Command:
    """UNSUBSCRIBE ``[2, ref]``."""
    return Command(WRITE_UUID, bytes([CMD_UNSUBSCRIBE, _check_ref(reference)]), "GSP unsubscribe")


def start_commands(
    *, measurement: str = "IMU6", sampling_rate_hz: int, reference: int = 99
) -> list[Command]:
    """Build the writes that start an IMU stream: one SUBSCRIBE to ``/Meas/<meas>/<rate>``.

    Parameters
    ----------
    measurement
        ``IMU6`` (acc+gyro), ``IMU9`` (acc+gyro+magn), ``Acc``, ``Gyro`` or ``Magn``.
    sampling_rate_hz
        One of :data:`SAMPLE_RATES_HZ` (explicit; no default).
    reference
        Client reference 1-255; DATA notifications of this stream carry it.
    """
    path = f"/Meas/{measurement}/{sampling_rate_hz}"
    parse_path(path)
    return [subscribe_command(path, reference)]


def stop_commands(*, reference: int = 99) -> list[Command]:
    """Build the writes that stop the stream subscribed with ``reference``."""
    return [unsubscribe_command(reference)]


def parse_command(payload: bytes) -> dict[str, Any]:
    """Parse a GSP command written by a client (for logs and tests)."""
    b = bytes(payload)
    if len(b) < 2:
        raise ProtocolError(FAMILY, len(b), "command [cmd][reference]", f"{len(b)} bytes")
    if b[0] not in (CMD_HELLO, CMD_SUBSCRIBE, CMD_UNSUBSCRIBE):
        raise ProtocolError(FAMILY, 0, "command 0 (hello), 1 (subscribe), 2 (unsubscribe)",
                            f"0x{b[0]:02x}")
    out: dict[str, Any] = {"command": b[0], "reference": b[1]}
    if b[0] == CMD_SUBSCRIBE:
        try:
            out["path"] = b[2:].decode("ascii")
        except UnicodeDecodeError as exc:
            raise ProtocolError(FAMILY, 2 + exc.start, "ASCII resource path",
                                f"0x{b[2 + exc.start]:02x}") from None
    return out


def _status(data: bytes) -> tuple[int | None, str]:
    """Read the status of a command result.

    u16, little-endian per the web client; big-endian if only that reading is an HTTP-like
    code 100-599 (the sample firmware writes 507 as ``01 FB``).
    """
    if len(data) != 2:
        return None, ""
    le = int.from_bytes(data, "little")
    be = int.from_bytes(data, "big")
    if 100 <= le <= 599:
        return le, "little"
    if 100 <= be <= 599:
        return be, "big"
    return le, "little"



def _finite_floats(f4: np.ndarray, offset: int, row_bytes: int = 0) -> np.ndarray:
    """Widen float32 samples to float64; a NaN or infinity is not a sample: ProtocolError.

    ``offset`` is the byte offset of the first float in its notification; with several
    notifications stacked as rows (``row_bytes`` long), the error names the bytes of the
    first bad value within its own notification.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        vals = f4.astype(np.float64)
    bad = ~np.isfinite(vals)
    if bad.any():
        flat = int(np.flatnonzero(bad.ravel())[0])
        per_row = f4.shape[-1] if f4.ndim > 1 else f4.size
        raise ProtocolError(
            FAMILY,
            offset + 4 * (flat % per_row),
            "a finite float32 sample",
            f"{vals.ravel()[flat]!r}"
            + (f" in notification {flat // per_row}" if row_bytes else ""),
        )
    return vals

class MovesenseDecoder:
    """Stateful GSP decoder for one IMU subscription.

    State: a pending DATA packet waiting for its DATA_PART2, and the unwrapped timestamp of the
    previous packet. Per-sample device time is ``t_first + i / rate`` (s since sensor boot,
    u32 ms unwrapped modulo 2^32 ms ≈ 49.7 days). Lost samples are inferred from timestamp
    jumps: ``lost = round((t_first - t_expected) * rate)`` when ≥ 1, with ``t_expected`` the
    previous packet's first time plus its samples / rate. This assumes the sensor's real rate
    equals the nominal one within half a sample per packet.

    Parameters
    ----------
    path
        The subscribed resource, e.g. ``/Meas/IMU6/104``: gives the arrays and the rate.
    reference
        Client reference of the subscription; DATA of other references is skipped and counted
        in ``stats.rejected_packets`` (None: accept any).
    samples_per_packet
        If known, a DATA packet is complete only with exactly this many samples; otherwise a
        DATA packet whose length is not a whole number of samples waits for DATA_PART2.

    References
    ----------
    Movesense GATT SensorData Protocol, https://movesense.com/docs/esw/gatt_sensordata_protocol;
    movesense-device-lib 2.1.0 ``samples/gatt_sensordata_app`` (firmware, Python and web clients)
    and ``movesense-api/meas/imu.yaml`` (payload schema, units). Details in SPEC.md.
    """

    family = FAMILY

    def __init__(
        self, *, path: str, reference: int | None = None, samples_per_packet: int | None = None
    ) -> None:
        self.measurement, self.sampling_rate_hz = parse_path(path)
        self.path = path
        self.arrays = MEASUREMENTS[self.measurement]
        self.reference = None if reference is None else _check_ref(reference)
        self.samples_per_packet = samples_per_packet
        self.stats = DecoderStats()
        self.command_results: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        """Forget the pending DATA part and the timestamp reference."""
        self._pending: bytes | None = None
        self._offsets: dict[int, np.ndarray] = {}
        self._t_prev_ms: int | None = None  # unwrapped ms of the previous packet's first sample
        self._n_prev = 0

    # -- public ---------------------------------------------------------------------------
    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one notification (command result, DATA or DATA_PART2)."""
        b = bytes(payload)
        try:
            return self._decode(b)
        except ProtocolError:
            self.stats.rejected_packets += 1
            raise

    def decode_many(self, payloads: Iterable[bytes]) -> list[SampleBatch]:
        """Decode many notifications; complete DATA packets of equal length are vectorised.

        Returns one batch per run of packets without a timestamp gap, like :meth:`decode` would
        if its batches were concatenated.
        """
        out: list[SampleBatch] = []
        run: list[bytes] = []
        for p in payloads:
            b = bytes(p)
            if (
                self._pending is None
                and len(b) >= _HEADER
                and b[0] == PACKET_DATA
                and (self.reference is None or b[1] == self.reference)
                and self._complete(len(b))
                and (not run or len(b) == len(run[0]))
            ):
                run.append(b)
                continue
            if run:
                out.extend(self._emit_many(run))
                run = []
            out.extend(self.decode(b))
        if run:
            out.extend(self._emit_many(run))
        return out

    # -- internals ------------------------------------------------------------------------
    def _complete(self, length: int) -> bool:
        row = 12 * len(self.arrays)
        body = length - _HEADER
        if body <= 0 or body % row:
            return False
        return self.samples_per_packet is None or body // row == self.samples_per_packet

    def _decode(self, b: bytes) -> list[SampleBatch]:
        if len(b) < 2:
            raise ProtocolError(FAMILY, len(b), "packet [type][reference]", f"{len(b)} bytes")
        kind, ref = b[0], b[1]
        if kind == PACKET_COMMAND_RESULT:
            return [self._command_result(b)]
        if kind not in (PACKET_DATA, PACKET_DATA_PART2):
            raise ProtocolError(
                FAMILY, 0, "packet type 1 (result), 2 (DATA) or 3 (DATA_PART2)", f"0x{kind:02x}"
            )
        if self.reference is not None and ref != self.reference:
            self.stats.rejected_packets += 1  # another subscription's data: not ours
            return []
        if kind == PACKET_DATA:
            out: list[SampleBatch] = []
            if self._pending is not None:
                # a DATA whose DATA_PART2 never came: its samples are lost (count unknown)
                self._pending = None
                self.stats.rejected_packets += 1
            if len(b) < _HEADER:
                raise ProtocolError(FAMILY, len(b), "DATA of at least 6 bytes (u32 timestamp)",
                                    f"{len(b)} bytes")
            if self._complete(len(b)):
                out.extend(self._emit_many([b]))
            else:
                self._check_partial(b)
                self._pending = b
                self.stats.packets += 1
            return out
        # DATA_PART2
        if self._pending is None:
            raise ProtocolError(FAMILY, 0, "DATA_PART2 right after a DATA packet",
                                "DATA_PART2 with no pending DATA")
        whole = self._pending + b[2:]
        self._pending = None
        if not self._complete(len(whole)):
            row = 12 * len(self.arrays)
            raise ProtocolError(
                FAMILY, len(b),
                f"DATA + DATA_PART2 = 6 + {row}·n bytes for {self.measurement}",
                f"{len(whole)} bytes",
            )
        return self._emit_many([whole])

    def _check_partial(self, b: bytes) -> None:
        row = 12 * len(self.arrays)
        body = len(b) - _HEADER
        if self.samples_per_packet is not None and body > row * self.samples_per_packet:
            raise ProtocolError(
                FAMILY, len(b), f"at most {_HEADER + row * self.samples_per_packet} bytes",
                f"{len(b)} bytes",
            )

    def _command_result(self, b: bytes) -> SampleBatch:
        data = b[2:]
        status, order = _status(data)
        meta: dict[str, Any] = {"packet_type": "command_result", "reference": b[1]}
        if status is not None:
            meta["status"] = status
            meta["status_byte_order"] = order
        else:
            meta["text"] = data.decode("ascii", errors="replace")
        self.command_results.append(dict(meta))
        self.stats.packets += 1
        return SampleBatch(family=FAMILY, meta=meta)

    def _emit_one(self, b: bytes) -> SampleBatch:
        """Scalar fast path of :meth:`_emit_many` for one packet (same rules)."""
        k = len(self.arrays)
        n = (len(b) - _HEADER) // (12 * k)
        rate = float(self.sampling_rate_hz)
        ts = int.from_bytes(b[2:6], "little")
        prev = self._t_prev_ms
        if prev is None:
            t_ms, gap = ts, 0.0
        else:
            t_ms = prev + (ts - prev + _U32 // 2) % _U32 - _U32 // 2
            gap = (t_ms - prev) * rate / 1000.0 - self._n_prev
        lost = round(gap) if gap >= 0.5 else 0
        self._t_prev_ms = t_ms
        self._n_prev = n
        offs = self._offsets.get(n)
        if offs is None:
            offs = self._offsets[n] = np.arange(n) / rate
        vals = _finite_floats(np.frombuffer(b, dtype="<f4", offset=_HEADER), _HEADER)
        vals = vals.reshape(k, n, 3)
        arrays = dict(zip(self.arrays, vals, strict=True))
        batch = SampleBatch(
            family=FAMILY,
            acc_mps2=arrays.get("acc"),
            gyr_radps=None if "gyr" not in arrays else arrays["gyr"] * RAD_PER_DEG,
            mag_ut=arrays.get("mag"),
            device_time_s=t_ms / 1000.0 + offs,
            lost_samples=lost,
            meta={
                "packet_type": "data",
                "reference": b[1],
                "measurement": self.measurement,
                "sampling_rate_hz": rate,
                "packets": 1,
                "timestamp_ms": [ts],
                "time_went_back": gap <= -0.5,
            },
        )
        self.stats.packets += 1
        self.stats.samples += n
        self.stats.lost_samples += lost
        return batch

    def _emit_many(self, packets: list[bytes]) -> list[SampleBatch]:
        if len(packets) == 1:
            return [self._emit_one(packets[0])]
        m = len(packets)
        length = len(packets[0])
        k = len(self.arrays)
        n = (length - _HEADER) // (12 * k)
        raw = np.frombuffer(b"".join(packets), dtype=np.uint8).reshape(m, length)
        refs = raw[:, 1]
        ts = raw[:, 2:6].copy().view("<u4").ravel().astype(np.int64)
        f4 = raw[:, _HEADER:].copy().view("<f4")
        vals = _finite_floats(f4, _HEADER, row_bytes=length).reshape(m, k, n, 3)
        rate = float(self.sampling_rate_hz)
        # unwrap u32 ms: relative to the previous packet, then packet to packet
        d = (np.diff(ts) + _U32 // 2) % _U32 - _U32 // 2
        if self._t_prev_ms is None:
            t0 = int(ts[0])
        else:
            t0 = self._t_prev_ms + int((ts[0] - self._t_prev_ms + _U32 // 2) % _U32 - _U32 // 2)
        t_ms = t0 + np.concatenate([[0], np.cumsum(d)])
        # expected first time of each packet from the previous packet and the nominal rate
        prev_t = np.concatenate([[self._t_prev_ms if self._t_prev_ms is not None else t0],
                                 t_ms[:-1]])
        prev_n = np.concatenate([[self._n_prev if self._t_prev_ms is not None else 0],
                                 np.full(m - 1, n)])
        gap = (t_ms - prev_t) * rate / 1000.0 - prev_n
        lost = np.where(gap >= 0.5, np.rint(gap), 0).astype(np.int64)
        backwards = gap <= -0.5
        self._t_prev_ms = int(t_ms[-1])
        self._n_prev = n
        new_ref = np.concatenate([[False], refs[1:] != refs[:-1]])
        breaks = np.flatnonzero((lost > 0) | backwards | new_ref)
        bounds = np.concatenate([[0], breaks[breaks > 0], [m]])
        offs = np.arange(n) / rate
        out: list[SampleBatch] = []
        for a, e in itertools.pairwise(bounds):
            arrays: dict[str, np.ndarray] = {}
            for j, name in enumerate(self.arrays):
                arrays[name] = vals[a:e, j].reshape(-1, 3)
            batch = SampleBatch(
                family=FAMILY,
                acc_mps2=arrays.get("acc"),
                gyr_radps=None if "gyr" not in arrays else arrays["gyr"] * RAD_PER_DEG,
                mag_ut=arrays.get("mag"),
                device_time_s=(t_ms[a:e, None] / 1000.0 + offs).ravel(),
                lost_samples=int(lost[a]),
                meta={
                    "packet_type": "data",
                    "reference": int(refs[a]),
                    "measurement": self.measurement,
                    "sampling_rate_hz": rate,
                    "packets": int(e - a),
                    "timestamp_ms": ts[a:e].tolist(),
                    "time_went_back": bool(backwards[a]),
                },
            )
            out.append(batch)
            self.stats.samples += batch.n_samples
        self.stats.packets += m
        self.stats.lost_samples += int(lost.sum())
        return out


def make_decoder(**config: Any) -> MovesenseDecoder:
    """Create a decoder.

    Config keys: ``path`` (required, e.g. ``/Meas/IMU6/104``), ``reference`` (int 1-255 or
    None), ``samples_per_packet`` (int or None).
    """
    if "path" not in config:
        raise TypeError("movesense decoder needs path=, e.g. path='/Meas/IMU6/104'")
    return MovesenseDecoder(**config)
