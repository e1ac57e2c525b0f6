"""Stateful MetaWear notification decoder: acc/gyro, single and packed, accounter time/count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from firmware_protocols._base import G0, RAD_PER_DEG, DecoderStats, ProtocolError, SampleBatch
from firmware_protocols.metawear._protocol import (
    ACC_DEFAULT_RANGE_G,
    ACC_LSB_PER_G,
    ACC_RANGE_BYTES,
    CHIPS,
    FAMILY,
    GYRO_DEFAULT_RANGE_DPS,
    GYRO_LSB_PER_DPS,
    GYRO_RANGE_CODES,
    MODULE_ACC,
    MODULE_DATA_PROCESSOR,
    MODULE_GYRO,
    READ,
    REGISTERS,
    SENSORS,
    TICK_S,
)

_U32 = 1 << 32
_HALF_U32 = 1 << 31
_DP_NOTIFY = 3


@dataclass
class MetaWearDecoderStats(DecoderStats):
    """:class:`DecoderStats` plus accounter counters.

    Attributes
    ----------
    stale_packets
        Accounter notifications whose tick/count did not advance (duplicates, reordering).
    wraps
        u32 tick/count wraparounds reconstructed.
    """

    stale_packets: int = 0
    wraps: int = 0


def _err(offset: int | None, expected: str, found: str = "") -> ProtocolError:
    return ProtocolError(FAMILY, offset, expected, found)


class MetaWearDecoder:
    """Decode MetaWear notifications (characteristic ``326A9006``) into :class:`SampleBatch`.

    Accepted notifications (``[module][register][payload]``):

    * ``03 04 x y z`` acc (int16 LE each); ``03 1C`` (BMI160) / ``03 05`` (BMI270) packed acc,
      3 samples in 18 bytes; value (g) = raw / LSB-per-g of the current range.
    * ``13 05`` / ``13 07`` (BMI160) or ``13 04`` / ``13 05`` (BMI270) gyro single / packed;
      deg/s = raw / LSB-per-(deg/s).
    * ``09 03 <id> <u32> x y z`` an accounter processor on the acc or gyro single-sample signal:
      ``mode="time"``: u32 = tick of 48/32768 s since the device clock reference, unwrapped
      across its 72.8-day wrap, giving ``device_time_s = tick × 48/32768`` and a loss estimate
      from the tick gap when ``sample_rate_hz`` is known; ``mode="count"``: u32 = sample counter,
      unwrapped into ``sample_index``, gaps counted in ``lost_samples``.
    * ``03 83 <conf> <range>`` / ``13 83 …`` config read replies: update the range (no batch).

    Without an accounter the stream carries no device time: ``device_time_s`` is None and the
    recorder stamps host receive time (the 3 samples of a packed notification share it).
    The scale depends on the range the host last wrote: pass it here, or feed the writes to
    :meth:`observe_command`, or read the config back (``read_config_command``) after a reconnect.

    Parameters
    ----------
    chip
        ``"bmi160"`` (MetaMotion R/RL/C, MetaWear C) or ``"bmi270"`` (MetaMotion S).
    acc_range_g, gyro_range_dps
        Current ranges; default to the SDK's power-on defaults (BMI160 ±2 g, BMI270 ±8 g, gyro
        ±2000 deg/s).
    sample_rate_hz
        Nominal ODR (one value or ``{"acc": .., "gyro": ..}``), used for accounter loss estimates.
    accounter
        None, ``"time"`` or ``"count"``: mode of the accounter processor feeding ``09 03``.
    accounter_source
        ``"acc"`` or ``"gyro"``: the signal the accounter was created on.
    accounter_id
        Processor id from the device's ``09 02 <id>`` reply; None accepts any id.
    """

    family = FAMILY

    def __init__(
        self,
        chip: str = "bmi160",
        *,
        acc_range_g: int | None = None,
        gyro_range_dps: int | None = None,
        sample_rate_hz: float | Mapping[str, float] | None = None,
        accounter: str | None = None,
        accounter_source: str = "acc",
        accounter_id: int | None = None,
    ) -> None:
        if chip not in CHIPS:
            raise ValueError(
                f"{FAMILY}: option chip: expected one of {list(CHIPS)}, found {chip!r}"
            )
        self.chip = chip
        acc_range_g = ACC_DEFAULT_RANGE_G[chip] if acc_range_g is None else acc_range_g
        gyro_range_dps = GYRO_DEFAULT_RANGE_DPS if gyro_range_dps is None else gyro_range_dps
        if acc_range_g not in ACC_LSB_PER_G:
            raise ValueError(
                f"{FAMILY}: option acc_range_g: expected one of {list(ACC_LSB_PER_G)}, "
                f"found {acc_range_g!r}"
            )
        if gyro_range_dps not in GYRO_LSB_PER_DPS:
            raise ValueError(
                f"{FAMILY}: option gyro_range_dps: expected one of {list(GYRO_LSB_PER_DPS)}, "
                f"found {gyro_range_dps!r}"
            )
        if accounter not in (None, "time", "count"):
            raise ValueError(
                f"{FAMILY}: option accounter: expected None, 'time' or 'count', found {accounter!r}"
            )
        if accounter_source not in SENSORS:
            raise ValueError(
                f"{FAMILY}: option accounter_source: expected 'acc' or 'gyro', "
                f"found {accounter_source!r}"
            )
        if isinstance(sample_rate_hz, Mapping):
            rates = {str(k).lower(): float(v) for k, v in sample_rate_hz.items()}
        elif sample_rate_hz is None:
            rates = {}
        else:
            rates = {"acc": float(sample_rate_hz), "gyro": float(sample_rate_hz)}
        for v in rates.values():
            if not (np.isfinite(v) and v > 0):
                raise ValueError(
                    f"{FAMILY}: option sample_rate_hz: expected a positive rate, found {v}"
                )
        self.acc_range_g = int(acc_range_g)
        self.gyro_range_dps = int(gyro_range_dps)
        self.sample_rate_hz = rates
        self.accounter = accounter
        self.accounter_source = accounter_source
        self.accounter_id = accounter_id
        self._acc_regs = REGISTERS[("acc", chip)]
        self._gyro_regs = REGISTERS[("gyro", chip)]
        self.stats = MetaWearDecoderStats()
        self.reset()

    def reset(self) -> None:
        """Forget the accounter history (after a reconnect or a board reset)."""
        self._last_raw: int | None = None
        self._last_unwrapped = 0

    # --- configuration tracking ------------------------------------------------------------
    def _apply_config(self, module: int, range_byte: int, offset: int) -> None:
        if module == MODULE_ACC:
            table = {v: k for k, v in ACC_RANGE_BYTES[self.chip].items()}
            if range_byte not in table:
                raise _err(
                    offset, f"{self.chip} acc range byte {sorted(table)}", f"0x{range_byte:02x}"
                )
            self.acc_range_g = table[range_byte]
        else:
            table = {v: k for k, v in GYRO_RANGE_CODES.items()}
            if range_byte not in table:
                raise _err(offset, f"gyro range code {sorted(table)}", f"0x{range_byte:02x}")
            self.gyro_range_dps = table[range_byte]

    def observe_command(self, payload: bytes) -> None:
        """Track a host write: a config write (``03 03`` / ``13 03``) sets the range."""
        if len(payload) >= 4 and payload[0] in (MODULE_ACC, MODULE_GYRO) and payload[1] == 3:
            self._apply_config(payload[0], payload[3], 3)

    # --- decoding ---------------------------------------------------------------------------
    def decode(self, payload: bytes) -> list[SampleBatch]:
        """Decode one notification; config read replies update the range and yield no batch."""
        try:
            return self._decode(payload)
        except ProtocolError:
            self.stats.rejected_packets += 1
            raise

    def _xyz(self, payload: bytes, start: int, n: int) -> np.ndarray:
        return np.frombuffer(payload, dtype="<i2", count=3 * n, offset=start).reshape(n, 3)

    def _batch(self, sensor: str, raw: np.ndarray, **kw: Any) -> SampleBatch:
        if sensor == "acc":
            scale = G0 / ACC_LSB_PER_G[self.acc_range_g]
            meta = {"sensor": "acc", "range_g": self.acc_range_g, "chip": self.chip}
            meta.update(kw.pop("meta", {}))
            return SampleBatch(FAMILY, acc_mps2=raw * scale, meta=meta, **kw)
        scale = RAD_PER_DEG / GYRO_LSB_PER_DPS[self.gyro_range_dps]
        meta = {"sensor": "gyro", "range_dps": self.gyro_range_dps, "chip": self.chip}
        meta.update(kw.pop("meta", {}))
        return SampleBatch(FAMILY, gyr_radps=raw * scale, meta=meta, **kw)

    def _decode(self, payload: bytes) -> list[SampleBatch]:
        n = len(payload)
        if n < 2:
            raise _err(n, "a 2-byte [module][register] header", f"{n} bytes")
        mod, reg = payload[0], payload[1]
        if mod in (MODULE_ACC, MODULE_GYRO):
            sensor = "acc" if mod == MODULE_ACC else "gyro"
            regs = self._acc_regs if mod == MODULE_ACC else self._gyro_regs
            if reg == regs["data"]:
                samples = 1
            elif reg == regs["packed"]:
                samples = 3
            elif reg == (READ | regs["config"]):
                if n != 4:
                    raise _err(n, f"a 4-byte {sensor} config reply", f"{n} bytes")
                self._apply_config(mod, payload[3], 3)
                return []
            else:
                raise _err(
                    1,
                    f"{self.chip} {sensor} register 0x{regs['data']:02x} (data), "
                    f"0x{regs['packed']:02x} (packed) or 0x{READ | regs['config']:02x} (config)",
                    f"0x{reg:02x}",
                )
            if n != 2 + 6 * samples:
                raise _err(n, f"{2 + 6 * samples} bytes ({samples} x int16 x,y,z)", f"{n} bytes")
            self.stats.packets += 1
            self.stats.samples += samples
            return [
                self._batch(sensor, self._xyz(payload, 2, samples), meta={"packed": samples == 3})
            ]
        if mod == MODULE_DATA_PROCESSOR and reg == _DP_NOTIFY:
            return [self._decode_accounter(payload)]
        raise _err(
            0,
            "module 0x03 (acc), 0x13 (gyro) or 09 03 (data processor notify)",
            f"{mod:02x} {reg:02x}",
        )

    def _decode_accounter(self, payload: bytes) -> SampleBatch:
        n = len(payload)
        if self.accounter is None:
            raise _err(
                0,
                "an accounter set in make_decoder(accounter=...) before 09 03 notifications",
                "09 03",
            )
        if n != 13:
            raise _err(n, "13 bytes: 09 03 <id> <u32> + 3 x int16", f"{n} bytes")
        if self.accounter_id is not None and payload[2] != self.accounter_id:
            raise _err(2, f"accounter processor id {self.accounter_id}", str(payload[2]))
        value = int.from_bytes(payload[3:7], "little")
        lost = 0
        stale = False
        if self._last_raw is None:
            unwrapped = value
        else:
            step = (value - self._last_raw) % _U32
            rate = self.sample_rate_hz.get(self.accounter_source)
            # Two samples can share a tick only when the period is under one tick (> 683 Hz);
            # with margin for timing jitter a repeated tick counts as a duplicate below 341 Hz,
            # and a repeated count always does.
            repeat_is_dup = self.accounter == "count" or rate is None or rate * TICK_S < 0.5
            if (step == 0 and repeat_is_dup) or step >= _HALF_U32:
                stale = True
                back = (self._last_raw - value) % _U32
                unwrapped = self._last_unwrapped - back
            else:
                unwrapped = self._last_unwrapped + step
                if value < self._last_raw:
                    self.stats.wraps += 1
                if self.accounter == "count":
                    lost = step - 1
                elif rate:
                    lost = max(int(step * TICK_S * rate + 0.5) - 1, 0)  # step > 0
        if stale:
            self.stats.stale_packets += 1
        else:
            self._last_raw = value
            self._last_unwrapped = unwrapped
        self.stats.packets += 1
        self.stats.samples += 1
        self.stats.lost_samples += lost
        meta = {"accounter": self.accounter, "accounter_raw": value, "stale": stale}
        if self.accounter == "time":
            kw: dict[str, Any] = {"device_time_s": np.array([unwrapped * TICK_S])}
            meta["tick"] = unwrapped
        else:
            kw = {"sample_index": np.array([unwrapped], dtype=np.int64)}
        return self._batch(
            self.accounter_source, self._xyz(payload, 7, 1), lost_samples=lost, meta=meta, **kw
        )

    # --- batch decoding ---------------------------------------------------------------------
    def decode_many(self, payloads: Sequence[bytes]) -> list[SampleBatch]:
        """Decode a buffer of notifications at once (vectorised; same results as ``decode``).

        Notifications of one kind (same header and length) are decoded in one numpy operation
        and returned as one batch per kind, in order of first appearance; the order of samples
        within a kind is kept. Config replies are applied first-to-last before the data (only
        correct when the range does not change inside the buffer: otherwise use ``decode``).
        Accounter runs are unwrapped vectorised when every step advances; a run with a stale
        value falls back to per-notification decoding. For merged accounter batches,
        ``lost_samples`` is the total and ``meta["lost_before_sample"]`` the per-sample counts.

        Raises
        ------
        ProtocolError
            On the first malformed notification (nothing from the buffer is returned).
        """
        groups: dict[tuple[int, int, int], list[bytes]] = {}
        for p in payloads:
            if len(p) < 2:
                self.stats.rejected_packets += 1
                raise _err(len(p), "a 2-byte [module][register] header", f"{len(p)} bytes")
            groups.setdefault((p[0], p[1], len(p)), []).append(p)
        out: list[SampleBatch] = []
        for (mod, reg, n), group in groups.items():
            if len(group) == 1 or (mod in (MODULE_ACC, MODULE_GYRO) and reg & READ):
                for p in group:
                    out += self.decode(p)
                continue
            if mod == MODULE_DATA_PROCESSOR and reg == _DP_NOTIFY and n == 13 and self.accounter:
                out += self._accounter_run(group)
                continue
            # validate with the first packet (same header and length for the whole group)
            self.decode(group[0])
            self.stats.packets -= 1
            arr = np.frombuffer(b"".join(group), dtype=np.uint8).reshape(len(group), n)
            raw = np.ascontiguousarray(arr[:, 2:]).view("<i2").reshape(-1, 3)
            self.stats.packets += len(group)
            self.stats.samples += len(raw) - (n - 2) // 6
            sensor = "acc" if mod == MODULE_ACC else "gyro"
            meta = {"packed": n == 20, "notifications": len(group)}
            out.append(self._batch(sensor, raw, meta=meta))
        return out

    def _accounter_run(self, group: list[bytes]) -> list[SampleBatch]:
        arr = np.frombuffer(b"".join(group), dtype=np.uint8).reshape(len(group), 13)
        if self.accounter_id is not None and np.any(arr[:, 2] != self.accounter_id):
            return [b for p in group for b in self.decode(p)]
        vals = np.ascontiguousarray(arr[:, 3:7]).view("<u4").ravel().astype(np.int64)
        prev = np.concatenate(([self._last_raw if self._last_raw is not None else vals[0]], vals))
        steps = np.diff(prev) % _U32
        if self._last_raw is None:
            steps[0] = 0
        rate = self.sample_rate_hz.get(self.accounter_source)
        repeat_is_dup = self.accounter == "count" or rate is None or rate * TICK_S < 0.5
        bad = steps >= _HALF_U32
        if repeat_is_dup:
            bad[1 if self._last_raw is None else 0 :] |= (
                steps[1 if self._last_raw is None else 0 :] == 0
            )
        if bad.any():
            return [b for p in group for b in self.decode(p)]
        start = vals[0] if self._last_raw is None else self._last_unwrapped
        unwrapped = start + np.cumsum(steps)
        self.stats.wraps += int(np.sum(np.diff(prev) < 0))
        if self.accounter == "count":
            lost = np.maximum(steps - 1, 0)
        elif rate:
            lost = np.maximum(np.floor(steps * TICK_S * rate + 0.5).astype(np.int64) - 1, 0)
        else:
            lost = np.zeros(len(group), dtype=np.int64)
        if self._last_raw is None:
            lost[0] = 0
        self._last_raw = int(vals[-1])
        self._last_unwrapped = int(unwrapped[-1])
        total_lost = int(lost.sum())
        self.stats.packets += len(group)
        self.stats.samples += len(group)
        self.stats.lost_samples += total_lost
        raw = np.ascontiguousarray(arr[:, 7:]).view("<i2").reshape(-1, 3)
        meta = {
            "accounter": self.accounter,
            "stale": False,
            "notifications": len(group),
            "lost_before_sample": lost,
        }
        if self.accounter == "time":
            kw: dict[str, Any] = {"device_time_s": unwrapped * TICK_S}
            meta["tick"] = unwrapped
        else:
            kw = {"sample_index": unwrapped}
        return [self._batch(self.accounter_source, raw, lost_samples=total_lost, meta=meta, **kw)]


def make_decoder(**config: Any) -> MetaWearDecoder:
    """Create a :class:`MetaWearDecoder`.

    Config keys: ``chip`` (``"bmi160"``/``"bmi270"``), ``acc_range_g``, ``gyro_range_dps``,
    ``sample_rate_hz`` (float or ``{"acc": .., "gyro": ..}``), ``accounter`` (None/``"time"``/
    ``"count"``), ``accounter_source`` (``"acc"``/``"gyro"``), ``accounter_id`` (int or None).
    ``range`` is accepted as an alias of ``acc_range_g`` when ``measurement="acc"`` (default) or
    of ``gyro_range_dps`` when ``measurement="gyro"``.
    """
    cfg = dict(config)
    measurement = str(cfg.pop("measurement", "acc")).lower()
    if measurement not in SENSORS:
        raise ValueError(
            f"{FAMILY}: option measurement: expected 'acc' or 'gyro', found {measurement!r}"
        )
    if "range" in cfg:
        cfg["acc_range_g" if measurement == "acc" else "gyro_range_dps"] = cfg.pop("range")
    allowed = {
        "chip",
        "acc_range_g",
        "gyro_range_dps",
        "sample_rate_hz",
        "accounter",
        "accounter_source",
        "accounter_id",
    }
    unknown = set(cfg) - allowed
    if unknown:
        raise ValueError(
            f"{FAMILY}: option {sorted(unknown)[0]}: expected one of {sorted(allowed)}"
        )
    if cfg.get("accounter") and "accounter_source" not in cfg:
        cfg["accounter_source"] = measurement
    return MetaWearDecoder(**cfg)
