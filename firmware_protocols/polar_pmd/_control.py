"""Polar PMD control point: settings TLV, responses, feature read, and command builders.

Byte layout and sources: ``SPEC.md`` in this folder (online_measurement.pdf §5, SDK
``PmdSetting.kt``, ``PmdControlPointResponse.kt``, ``PmdControlPointCommand.kt``).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from firmware_protocols._base import Command, ProtocolError
from firmware_protocols.polar_pmd._frames import FAMILY, MEASUREMENT_NAMES, MEASUREMENT_TYPES

SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
CONTROL_POINT_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

#: Control-point op codes (client → device).
OP_GET_MEASUREMENT_SETTINGS = 0x01
OP_REQUEST_MEASUREMENT_START = 0x02
OP_STOP_MEASUREMENT = 0x03
OP_GET_SDK_MODE_MEASUREMENT_SETTINGS = 0x04
OP_GET_MEASUREMENT_STATUS = 0x05
OP_GET_SDK_MODE_STATUS = 0x06

#: First byte of a control-point response notification.
RESPONSE_CODE = 0xF0
#: First byte of an unsolicited "online measurement stopped" notification.
ONLINE_MEASUREMENT_STOPPED = 0x01
#: First byte of the feature bitmap returned by a read of the control point.
FEATURE_READ_CODE = 0x0F

#: Response status codes (PmdControlPointResponse.PmdControlPointResponseCode).
STATUS_NAMES: dict[int, str] = {
    0: "SUCCESS",
    1: "ERROR_INVALID_OP_CODE",
    2: "ERROR_INVALID_MEASUREMENT_TYPE",
    3: "ERROR_NOT_SUPPORTED",
    4: "ERROR_INVALID_LENGTH",
    5: "ERROR_INVALID_PARAMETER",
    6: "ERROR_ALREADY_IN_STATE",
    7: "ERROR_INVALID_RESOLUTION",
    8: "ERROR_INVALID_SAMPLE_RATE",
    9: "ERROR_INVALID_RANGE",
    10: "ERROR_INVALID_MTU",
    11: "ERROR_INVALID_NUMBER_OF_CHANNELS",
    12: "ERROR_INVALID_STATE",
    13: "ERROR_DEVICE_IN_CHARGER",
    14: "ERROR_DISK_FULL",
}

#: Settings TLV types: id → (name, size in bytes of one value).
SETTING_TYPES: dict[int, tuple[str, int]] = {
    0: ("SAMPLE_RATE", 2),
    1: ("RESOLUTION", 2),
    2: ("RANGE", 2),
    3: ("RANGE_MILLIUNIT", 4),
    4: ("CHANNELS", 1),
    5: ("FACTOR", 4),
    6: ("SECURITY", 16),
}
SETTING_IDS: dict[str, int] = {name: i for i, (name, _) in SETTING_TYPES.items()}

#: Feature bitmap: (byte index, bit) → measurement name (online_measurement.pdf §5.1).
FEATURE_BITS: dict[tuple[int, int], str] = {
    (1, 0): "ECG",
    (1, 1): "PPG",
    (1, 2): "ACC",
    (1, 3): "PPI",
    (1, 5): "GYRO",
    (1, 6): "MAG",
    (1, 7): "SKIN_TEMP",
    (2, 1): "SDK_MODE",
    (2, 2): "LOCATION",
    (2, 3): "PRESSURE",
    (2, 4): "TEMPERATURE",
    (2, 5): "OFFLINE_RECORDING",
    (2, 6): "OFFLINE_HR",
}


def _err(offset: int | None, expected: str, found: str = "") -> ProtocolError:
    return ProtocolError(FAMILY, offset, expected, found)


def parse_settings(tlv: bytes, *, offset: int = 0) -> dict[str, tuple[Any, ...]]:
    """Parse a settings TLV block: repeated ``type(1) count(1) value × count`` (little-endian).

    Values: SAMPLE_RATE, RESOLUTION, RANGE as u16 (Hz, bits, g or deg/s); RANGE_MILLIUNIT as u32;
    CHANNELS as u8; FACTOR as float32; SECURITY as 16 raw bytes.

    Parameters
    ----------
    tlv
        The TLV bytes.
    offset
        Offset of ``tlv`` in its packet, used only in error messages.

    Returns
    -------
    ``{name: (value, ...)}`` in packet order.
    """
    out: dict[str, tuple[Any, ...]] = {}
    i = 0
    n = len(tlv)
    while i < n:
        if i + 2 > n:
            raise _err(offset + i, "a 2-byte setting header (type, count)", "1 byte")
        t, count = tlv[i], tlv[i + 1]
        if t not in SETTING_TYPES:
            raise _err(offset + i, "setting type 0-6", f"0x{t:02x}")
        name, size = SETTING_TYPES[t]
        end = i + 2 + size * count
        if end > n:
            raise _err(offset + i + 2, f"{count} x {size}-byte {name} values", f"{n - i - 2} bytes")
        raw = tlv[i + 2 : end]
        if name == "FACTOR":
            vals: tuple[Any, ...] = struct.unpack(f"<{count}f", raw)
        elif name == "SECURITY":
            vals = tuple(bytes(raw[k : k + size]) for k in range(0, len(raw), size))
        else:
            fmt = {1: "B", 2: "H", 4: "I"}[size]
            vals = struct.unpack(f"<{count}{fmt}", raw)
        out[name] = out.get(name, ()) + vals
        i = end
    return out


def encode_settings(settings: Mapping[str, Any]) -> bytes:
    """Encode ``{name: value or values}`` as a settings TLV (inverse of ``parse_settings``)."""
    out = bytearray()
    for name, value in settings.items():
        if name not in SETTING_IDS:
            raise ValueError(
                f"{FAMILY}: option settings: expected one of {sorted(SETTING_IDS)}, found {name!r}"
            )
        sid = SETTING_IDS[name]
        size = SETTING_TYPES[sid][1]
        vals = list(value) if isinstance(value, (list, tuple)) else [value]
        out += bytes((sid, len(vals)))
        for v in vals:
            if name == "FACTOR":
                out += struct.pack("<f", v)
            elif name == "SECURITY":
                out += bytes(v)
            else:
                out += int(v).to_bytes(size, "little")
    return bytes(out)


@dataclass(frozen=True)
class ControlPointResponse:
    """A control-point response ``F0 <op> <type> <status> <more> <parameters…>``.

    Attributes
    ----------
    op_code, measurement_type, status
        Echoed op code, measurement type byte, status code (0 = success).
    more
        True when further response packets follow (their bytes from offset 5 are appended).
    parameters
        Parameter bytes (concatenated over continuation packets).
    """

    op_code: int
    measurement_type: int
    status: int
    more: bool
    parameters: bytes

    @property
    def status_name(self) -> str:
        """Name of the status code, e.g. ``"ERROR_INVALID_RESOLUTION"``."""
        return STATUS_NAMES.get(self.status, f"UNKNOWN_STATUS_{self.status}")

    @property
    def ok(self) -> bool:
        """Whether the status is SUCCESS."""
        return self.status == 0

    def settings(self) -> dict[str, tuple[Any, ...]]:
        """Parameters parsed as a settings TLV (GET_*_SETTINGS and start responses).

        A start response whose parameters are shorter than one TLV header (the H10's single
        reserved byte ``01``, online_measurement.pdf Fig. 3) yields ``{}``.
        """
        if self.op_code == OP_REQUEST_MEASUREMENT_START and len(self.parameters) < 2:
            return {}
        return parse_settings(self.parameters, offset=5)


def parse_control_point_response(*packets: bytes) -> ControlPointResponse:
    """Parse one control-point response, possibly split over several notifications.

    The first packet holds the 5-byte header; continuation packets contribute their bytes from
    offset 5 onward (SDK ``BlePMDClient``: ``more`` flag).
    """
    if not packets:
        raise _err(None, "at least one response packet", "none")
    first = packets[0]
    if len(first) < 5:
        raise _err(len(first), "a 5-byte control-point response header", f"{len(first)} bytes")
    if first[0] != RESPONSE_CODE:
        raise _err(0, "response code 0xf0", f"0x{first[0]:02x}")
    params = bytes(first[5:])
    for k, p in enumerate(packets[1:], start=1):
        if len(p) < 5:
            raise _err(len(p), f"a 5-byte header in continuation packet {k}", f"{len(p)} bytes")
        params += bytes(p[5:])
    more = bool(packets[-1][4])
    return ControlPointResponse(first[1], first[2], first[3], more, params)


def parse_stopped_notification(payload: bytes) -> tuple[int, ...]:
    """Parse an unsolicited ONLINE_MEASUREMENT_STOPPED ``01 <type…>`` → stopped types."""
    if len(payload) < 2 or payload[0] != ONLINE_MEASUREMENT_STOPPED:
        raise _err(0, "01 followed by ≥ 1 measurement type", payload[:2].hex() or "empty")
    return tuple(payload[1:])


def parse_features(payload: bytes) -> frozenset[str]:
    """Parse the feature bitmap read from the control point (``0F <byte1> <byte2> …``)."""
    if len(payload) < 3 or payload[0] != FEATURE_READ_CODE:
        raise _err(0, "0f followed by 2 bitmap bytes", payload[:3].hex() or "empty")
    return frozenset(name for (byte, bit), name in FEATURE_BITS.items() if payload[byte] >> bit & 1)


# --- command builders -------------------------------------------------------------------------

#: Documented settings per device and measurement (online_measurement.pdf Fig. 2, PolarH10.md,
#: PolarOH1.md, PolarVeritySense.md). "verity_sdk" is Verity Sense in SDK mode.
DEVICE_SETTINGS: dict[str, dict[str, dict[str, tuple[int, ...]]]] = {
    "h10": {
        "ACC": {"sample_rate_hz": (25, 50, 100, 200), "range": (2, 4, 8), "resolution_bits": (16,)}
    },
    "oh1": {"ACC": {"sample_rate_hz": (50,), "range": (8,), "resolution_bits": (16,)}},
    "verity": {
        "ACC": {"sample_rate_hz": (52,), "range": (8,), "resolution_bits": (16,), "channels": (3,)},
        "GYRO": {
            "sample_rate_hz": (52,),
            "range": (2000,),
            "resolution_bits": (16,),
            "channels": (3,),
        },
    },
    "verity_sdk": {
        "ACC": {
            "sample_rate_hz": (26, 52, 104, 208, 416),
            "range": (2, 4, 8, 16),
            "resolution_bits": (16,),
            "channels": (3,),
        },
        "GYRO": {
            "sample_rate_hz": (26, 52, 104, 208, 416),
            "range": (250, 500, 1000, 2000),
            "resolution_bits": (16,),
            "channels": (3,),
        },
    },
}


def _union(measurement: str, key: str) -> tuple[int, ...]:
    vals: set[int] = set()
    for dev in DEVICE_SETTINGS.values():
        vals.update(dev.get(measurement, {}).get(key, ()))
    return tuple(sorted(vals))


def _measurement_id(measurement: str | int) -> tuple[str, int]:
    if isinstance(measurement, int):
        if measurement not in (MEASUREMENT_TYPES["ACC"], MEASUREMENT_TYPES["GYRO"]):
            raise ValueError(
                f"{FAMILY}: option measurement: expected 2 (ACC) or 5 (GYRO), found {measurement}"
            )
        return MEASUREMENT_NAMES[measurement], measurement
    name = str(measurement).upper()
    if name not in ("ACC", "GYRO"):
        raise ValueError(
            f"{FAMILY}: option measurement: expected 'ACC' or 'GYRO', found {measurement!r}"
        )
    return name, MEASUREMENT_TYPES[name]


def _check(option: str, value: int | None, allowed: Sequence[int], what: str) -> None:
    if value is None:
        return
    if value not in allowed:
        raise ValueError(
            f"{FAMILY}: option {option}: expected one of {list(allowed)} for {what}, found {value}"
        )


def get_settings_command(measurement: str | int = "ACC", *, sdk_mode: bool = False) -> Command:
    """Build GET_MEASUREMENT_SETTINGS ``01 <type>`` (SDK mode: ``04 <type>``)."""
    _, mid = _measurement_id(measurement)
    op = OP_GET_SDK_MODE_MEASUREMENT_SETTINGS if sdk_mode else OP_GET_MEASUREMENT_SETTINGS
    return Command(CONTROL_POINT_UUID, bytes((op, mid)), f"get {MEASUREMENT_NAMES[mid]} settings")


def start_commands(
    measurement: str | int = "ACC",
    *,
    sample_rate_hz: int,
    range: int | None = None,
    resolution_bits: int = 16,
    channels: int | None = None,
    device: str | None = None,
    sdk_mode: bool = False,
    available: Mapping[str, Sequence[Any]] | None = None,
) -> list[Command]:
    """Commands that start an online ACC or GYRO stream.

    ``02 <type> <settings TLV>`` with SAMPLE_RATE, RESOLUTION, RANGE, CHANNELS in that order
    (each count 1), preceded by ``02 09`` (start SDK mode) when ``sdk_mode``.

    Parameters
    ----------
    measurement
        ``"ACC"`` or ``"GYRO"``.
    sample_rate_hz, range, resolution_bits, channels
        Settings; ``range`` in g (ACC) or deg/s (GYRO). ``range``/``channels`` are omitted from the
        command when None.
    device
        ``"h10"``, ``"oh1"``, ``"verity"`` (validated against that device's documented settings;
        ``"verity"`` with ``sdk_mode=True`` uses the SDK-mode table) or None (validated against
        the union of all documented values).
    available
        The device's own reply to GET_MEASUREMENT_SETTINGS (``ControlPointResponse.settings()``);
        when given, values are also checked against it.

    Raises
    ------
    ValueError
        Naming the option, the allowed values and the value found.
    """
    name, mid = _measurement_id(measurement)
    if device is not None:
        dkey = "verity_sdk" if (device == "verity" and sdk_mode) else device
        if dkey not in DEVICE_SETTINGS:
            raise ValueError(
                f"{FAMILY}: option device: expected 'h10', 'oh1', 'verity' or None, "
                f"found {device!r}"
            )
        table = DEVICE_SETTINGS[dkey].get(name)
        if table is None:
            raise ValueError(f"{FAMILY}: option measurement: {device} does not stream {name}")
        what = f"{device}{' (SDK mode)' if sdk_mode else ''} {name}"
    else:
        table = {
            k: _union(name, k) for k in ("sample_rate_hz", "range", "resolution_bits", "channels")
        }
        what = f"{name} on any documented Polar device"
    _check("sample_rate_hz", sample_rate_hz, table["sample_rate_hz"], what)
    _check("range", range, table["range"], what)
    _check("resolution_bits", resolution_bits, table["resolution_bits"], what)
    _check("channels", channels, table.get("channels", (3,)), what)
    if available is not None:
        for opt, key, val in (
            ("sample_rate_hz", "SAMPLE_RATE", sample_rate_hz),
            ("range", "RANGE", range),
            ("resolution_bits", "RESOLUTION", resolution_bits),
            ("channels", "CHANNELS", channels),
        ):
            if key in available:
                _check(opt, val, tuple(available[key]), "this device's reported settings")
    settings: dict[str, int] = {"SAMPLE_RATE": sample_rate_hz, "RESOLUTION": resolution_bits}
    if range is not None:
        settings["RANGE"] = range
    if channels is not None:
        settings["CHANNELS"] = channels
    out = []
    if sdk_mode:
        out.append(
            Command(CONTROL_POINT_UUID, bytes((OP_REQUEST_MEASUREMENT_START, 9)), "start SDK mode")
        )
    out.append(
        Command(
            CONTROL_POINT_UUID,
            bytes((OP_REQUEST_MEASUREMENT_START, mid)) + encode_settings(settings),
            f"start {name} {sample_rate_hz} Hz",
        )
    )
    return out


def stop_commands(measurement: str | int = "ACC", *, sdk_mode: bool = False) -> list[Command]:
    """Commands that stop a stream: ``03 <type>``, then ``03 09`` (stop SDK mode) when ``sdk_mode``.

    Stop H10 ACC streams explicitly: an H10 left streaming stays on (KnownIssues.md).
    """
    name, mid = _measurement_id(measurement)
    out = [Command(CONTROL_POINT_UUID, bytes((OP_STOP_MEASUREMENT, mid)), f"stop {name}")]
    if sdk_mode:
        out.append(Command(CONTROL_POINT_UUID, bytes((OP_STOP_MEASUREMENT, 9)), "stop SDK mode"))
    return out


def parse_start_command(payload: bytes) -> tuple[int, dict[str, tuple[Any, ...]]]:
    """Parse a start command ``02 <type> <TLV>`` → (measurement type, settings)."""
    if len(payload) < 2 or payload[0] != OP_REQUEST_MEASUREMENT_START:
        raise _err(0, "02 <measurement type> <settings>", payload[:2].hex() or "empty")
    return payload[1] & 0x3F, parse_settings(payload[2:], offset=2)
