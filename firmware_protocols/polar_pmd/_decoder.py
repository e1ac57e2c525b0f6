"""Stateful Polar PMD stream decoder (ACC and GYRO): samples in SI units with device time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from firmware_protocols._base import G0, RAD_PER_DEG, DecoderStats, ProtocolError, SampleBatch
from firmware_protocols.polar_pmd._control import (
    OP_REQUEST_MEASUREMENT_START,
    OP_STOP_MEASUREMENT,
    RESPONSE_CODE,
    ControlPointResponse,
    parse_control_point_response,
    parse_start_command,
    parse_stopped_notification,
)
from firmware_protocols.polar_pmd._frames import (
    ACC,
    FAMILY,
    GYRO,
    MEASUREMENT_NAMES,
    MEASUREMENT_TYPES,
    parse_data_frame,
    sample_timestamps_ns,
)

_MG_TO_MPS2 = G0 / 1000.0


@dataclass
class PmdDecoderStats(DecoderStats):
    """:class:`DecoderStats` plus PMD timing counters.

    Attributes
    ----------
    stale_frames
        Frames whose timestamp was not after the previous frame of the same stream (duplicated or
        reordered notifications); returned flagged ``meta["stale"]``, never merged silently.
    clock_resets
        Backward timestamp jumps larger than ``clock_reset_threshold_s`` (device clock reset).
    """

    stale_frames: int = 0
    clock_resets: int = 0


def _per_measurement(value: Any, name: str) -> dict[int, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            key = str(k).upper()
            if key not in ("ACC", "GYRO"):
                raise ValueError(
                    f"{FAMILY}: option {name}: expected keys 'ACC'/'GYRO', found {k!r}"
                )
            out[MEASUREMENT_TYPES[key]] = v
        return out
    return {ACC: value, GYRO: value}


class PolarPmdDecoder:
    """Decode Polar PMD_DATA notifications (ACC, GYRO) into :class:`SampleBatch` objects.

    State per stream, keyed by (measurement type, frame-type byte) as in the SDK: the previous
    frame timestamp. Per measurement: the FACTOR (from the start response) and the nominal
    sample rate.

    Per-sample device time follows ``PmdTimeStampUtils.getTimeStamps`` (see
    :func:`~firmware_protocols.polar_pmd.sample_timestamps_ns`), with these additions:

    * **Losses**: with a known previous timestamp ``p`` and a sample interval ``Δ`` (measured on
      the previous gap-free frame of the stream, else ``1e9/f`` from the nominal rate), the frame
      spans ``(ts − p)/Δ`` intervals; an excess over ``n`` larger than ``max(0.5, 0.1·n)``
      samples is counted as ``lost = round(excess)`` in ``lost_samples`` (BLE drops whole
      notifications, so real losses are about a frame long; the 10 % margin keeps a device
      running a few % off nominal from producing false losses). Such a frame is timed backwards
      from ``ts`` at ``Δ`` instead of being stretched over the gap as the SDK does.
    * **Stale frames** (``ts ≤ p``, duplicated or reordered): counted in
      ``stats.stale_frames``, returned with ``meta["stale"] = True`` and timed backwards from
      ``ts`` with the last good sample interval; the stream state is not moved back.
    * **Clock resets** (``ts`` more than ``clock_reset_threshold_s`` before ``p``, e.g. an H10
      whose clock returns to 2019-01-01): counted, flagged ``meta["clock_reset"]``, state restarted.

    ``device_time_s`` is seconds since 2000-01-01T00:00:00Z on the sensor clock (float64,
    resolution ≈ 0.1 µs at current dates); exact integer ns are in ``meta["device_time_ns"]``.

    Parameters
    ----------
    sample_rate_hz
        Nominal rate (Hz, int), one for both measurements or ``{"ACC": 52, "GYRO": 52}``.
        Needed to time the first frame of a stream; also learnt from :meth:`observe_command`.
    factor
        FACTOR setting, one value or per measurement; normally learnt from the start response
        via :meth:`handle_control_point`. Default 1.0.
    sdk_integer_mg
        Reproduce the SDK's integer-mG truncation for ACC (see ``scale_values``).
    clock_reset_threshold_s
        Backward jump (s) above which a frame is treated as a clock reset rather than stale.
    """

    family = FAMILY

    def __init__(
        self,
        sample_rate_hz: int | Mapping[str, int] | None = None,
        factor: float | Mapping[str, float] | None = None,
        *,
        sdk_integer_mg: bool = False,
        clock_reset_threshold_s: float = 10.0,
    ) -> None:
        rates = _per_measurement(sample_rate_hz, "sample_rate_hz")
        for r in rates.values():
            if r is not None and (int(r) != r or r <= 0):
                raise ValueError(
                    f"{FAMILY}: option sample_rate_hz: expected a positive integer, found {r}"
                )
        factors = _per_measurement(factor, "factor")
        for f in factors.values():
            if not (np.isfinite(f) and f > 0):
                raise ValueError(
                    f"{FAMILY}: option factor: expected a finite positive number, found {f}"
                )
        self._init_rates = {k: int(v) for k, v in rates.items() if v is not None}
        self._init_factors = {k: float(v) for k, v in factors.items()}
        self.sdk_integer_mg = bool(sdk_integer_mg)
        self.clock_reset_threshold_ns = int(clock_reset_threshold_s * 1e9)
        self.stats = PmdDecoderStats()
        self._pending_response: list[bytes] = []
        self.reset()
        self._rates: dict[int, int] = dict(self._init_rates)
        self._factors: dict[int, float] = dict(self._init_factors)

    # --- state ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget previous frame timestamps (call after a reconnect or a stream restart)."""
        self._prev: dict[tuple[int, int], int] = {}
        self._interval: dict[tuple[int, int], float] = {}
        self._pending_response = []

    def reset_measurement(self, measurement_type: int) -> None:
        """Forget the timing state of one measurement's streams (stop/start)."""
        for key in [k for k in self._prev if k[0] == measurement_type]:
            del self._prev[key]
            self._interval.pop(key, None)

    def set_factor(self, measurement: str, factor: float) -> None:
        """Set the FACTOR of ``"ACC"`` or ``"GYRO"``."""
        self._factors[MEASUREMENT_TYPES[measurement.upper()]] = float(factor)

    def set_sample_rate(self, measurement: str, sample_rate_hz: int) -> None:
        """Set the nominal sample rate (Hz) of ``"ACC"`` or ``"GYRO"``."""
        self._rates[MEASUREMENT_TYPES[measurement.upper()]] = int(sample_rate_hz)

    def set_previous_timestamp_ns(self, measurement: str, frame_type_byte: int, ts_ns: int) -> None:
        """Seed the previous frame timestamp of a stream (e.g. resuming a saved session)."""
        self._prev[(MEASUREMENT_TYPES[measurement.upper()], frame_type_byte)] = int(ts_ns)

    def factor(self, measurement: str) -> float:
        """Return the current FACTOR of ``"ACC"`` or ``"GYRO"``."""
        return self._factors.get(MEASUREMENT_TYPES[measurement.upper()], 1.0)

    # --- control point ----------------------------------------------------------------------
    def observe_command(self, payload: bytes) -> None:
        """Learn from a command the host writes: a start command sets the nominal sample rate."""
        if payload[:1] == bytes((OP_REQUEST_MEASUREMENT_START,)) and len(payload) > 2:
            mtype, settings = parse_start_command(payload)
            if "SAMPLE_RATE" in settings and mtype in (ACC, GYRO):
                self._rates[mtype] = int(settings["SAMPLE_RATE"][0])

    def handle_control_point(self, payload: bytes) -> ControlPointResponse | tuple[int, ...] | None:
        """Process a control-point notification.

        * ``F0 02 <type> 00 …`` (start succeeded): FACTOR taken from the parameters when
          present; the stream's timing state restarts.
        * ``F0 03 <type> 00`` (stopped) and ``01 <types…>`` (device stopped streams): timing
          state of those measurements is dropped.

        Returns the parsed response (None while a multi-packet response is incomplete), or the
        tuple of stopped types for an ``01`` notification.
        """
        if payload[:1] != bytes((RESPONSE_CODE,)):
            stopped = parse_stopped_notification(payload)
            for t in stopped:
                self.reset_measurement(t & 0x3F)
            return stopped
        self._pending_response.append(bytes(payload))
        resp = parse_control_point_response(*self._pending_response)
        if resp.more:
            return None
        self._pending_response = []
        mtype = resp.measurement_type & 0x3F
        if resp.ok and resp.op_code == OP_REQUEST_MEASUREMENT_START and mtype in (ACC, GYRO):
            settings = resp.settings()
            if "FACTOR" in settings:
                f = float(settings["FACTOR"][0])
                if not (np.isfinite(f) and f > 0):
                    raise ProtocolError(FAMILY, 7, "a finite positive FACTOR", repr(f))
                self._factors[mtype] = f
            self.reset_measurement(mtype)
        elif resp.ok and resp.op_code == OP_STOP_MEASUREMENT:
            self.reset_measurement(mtype)
        return resp

    # --- data -------------------------------------------------------------------------------
    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one PMD_DATA notification.

        A control-point response (``F0 …``) is also accepted: it goes to
        :meth:`handle_control_point` and yields no batch.
        """
        try:
            if payload[:1] == b"\xf0":
                self.handle_control_point(payload)
                return []
            return [self._decode_frame(payload)]
        except ProtocolError:
            self.stats.rejected_packets += 1
            raise

    def _decode_frame(self, payload: bytes) -> SampleBatch:
        mtype = payload[0] & 0x3F if payload else -1
        frame = parse_data_frame(
            payload, factor=self._factors.get(mtype, 1.0), sdk_integer_mg=self.sdk_integer_mg
        )
        key = (mtype, frame.frame_type_byte)
        n = frame.n_samples
        ts = frame.timestamp_ns
        prev = self._prev.get(key, 0)
        rate = self._rates.get(mtype, 0)
        stale = clock_reset = loss_checked = False
        lost = 0
        rule = "previous_frame"
        if prev and ts <= prev:
            if prev - ts > self.clock_reset_threshold_ns:
                clock_reset = True
                self.stats.clock_resets += 1
                prev = 0
                self._interval.pop(key, None)
            else:
                stale = True
        if stale:
            interval = self._interval.get(key) or (1e9 / rate if rate else 0.0)
            if interval <= 0:
                raise ProtocolError(
                    FAMILY, 1, "a frame timestamp after the previous one", f"{ts} ns"
                )
            times = ts - np.round(interval * np.arange(n - 1, -1, -1)).astype(np.int64)
            rule = "stale_last_interval"
            self.stats.stale_frames += 1
        else:
            ref_interval = self._interval.get(key) or (1e9 / rate if rate else 0.0)
            loss_checked = bool(prev and ref_interval)
            if loss_checked:
                excess = (ts - prev) / ref_interval - n
                if excess > max(0.5, 0.1 * n):
                    lost = int(excess + 0.5)
            if prev and not lost:
                times = sample_timestamps_ns(prev, ts, n, 0)
                self._interval[key] = (ts - prev) / n
            elif lost:
                steps = np.round(ref_interval * np.arange(n - 1, -1, -1)).astype(np.int64)
                times = ts - steps
                rule = "last_interval"
            else:
                times = sample_timestamps_ns(0, ts, n, rate)
                rule = "sample_rate"
                self._interval[key] = 1e9 / rate
            self._prev[key] = ts
        values = frame.values
        meta = {
            "measurement": MEASUREMENT_NAMES[mtype],
            "frame_type": frame.frame_type_byte,
            "frame_timestamp_ns": ts,
            "device_time_ns": times,
            "device_time_epoch": "2000-01-01T00:00:00Z",
            "timestamp_rule": rule,
            "stale": stale,
            "clock_reset": clock_reset,
            "loss_checked": loss_checked,
        }
        if lost:
            self.stats.lost_samples += lost
        self.stats.packets += 1
        self.stats.samples += n
        dev_s = times / 1e9
        if mtype == ACC:
            return SampleBatch(
                FAMILY,
                acc_mps2=values * _MG_TO_MPS2,
                device_time_s=dev_s,
                lost_samples=lost,
                meta=meta,
            )
        return SampleBatch(
            FAMILY,
            gyr_radps=values * RAD_PER_DEG,
            device_time_s=dev_s,
            lost_samples=lost,
            meta=meta,
        )


def make_decoder(**config: Any) -> PolarPmdDecoder:
    """Create a :class:`PolarPmdDecoder`.

    Config keys: ``sample_rate_hz`` (int, or ``{"ACC": .., "GYRO": ..}``), ``factor`` (float or
    per measurement), ``measurement`` (``"ACC"``/``"GYRO"``: scalar ``sample_rate_hz`` and
    ``factor`` then apply to that measurement only), ``range`` (accepted for a uniform CLI and
    ignored: PMD samples arrive in mG or deg/s, so the range does not change decoding),
    ``sdk_integer_mg`` (bool), ``clock_reset_threshold_s`` (float).
    """
    cfg = dict(config)
    cfg.pop("range", None)
    measurement = cfg.pop("measurement", None)
    allowed = {"sample_rate_hz", "factor", "sdk_integer_mg", "clock_reset_threshold_s"}
    unknown = set(cfg) - allowed
    if unknown:
        raise ValueError(
            f"{FAMILY}: option {sorted(unknown)[0]}: expected one of "
            f"{sorted(allowed | {'measurement', 'range'})}"
        )
    if measurement is not None:
        name = str(measurement).upper()
        if name not in ("ACC", "GYRO"):
            raise ValueError(
                f"{FAMILY}: option measurement: expected 'ACC' or 'GYRO', found {measurement!r}"
            )
        for key in ("sample_rate_hz", "factor"):
            if key in cfg and cfg[key] is not None and not isinstance(cfg[key], Mapping):
                cfg[key] = {name: cfg[key]}
    return PolarPmdDecoder(**cfg)
