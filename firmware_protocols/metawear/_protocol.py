"""MbientLab MetaWear / MetaMotion constants, config tables and command builders.

Byte layout and sources: ``SPEC.md`` in this folder (MetaWear-SDK-Cpp ``accelerometer_bosch.cpp``,
``gyro_bosch.cpp``, ``*_register.h``, ``logging.cpp``, ``dataprocessor_register.h`` and the SDK's
Python tests).
"""

from __future__ import annotations

from firmware_protocols._base import Command, ProtocolError

FAMILY = "metawear"

SERVICE_UUID = "326a9000-85cb-9195-d9dd-464cfbbae75a"
COMMAND_UUID = "326a9001-85cb-9195-d9dd-464cfbbae75a"
NOTIFY_UUID = "326a9006-85cb-9195-d9dd-464cfbbae75a"

MODULE_ACC = 0x03
MODULE_DATA_PROCESSOR = 0x09
MODULE_LOGGING = 0x0B
MODULE_GYRO = 0x13

#: Read flag: bit 7 of the register id.
READ = 0x80

CHIPS = ("bmi160", "bmi270")
SENSORS = ("acc", "gyro")

#: Register ids per (sensor, chip) (accelerometer_bosch_register.h, gyro_bosch_register.h).
REGISTERS: dict[tuple[str, str], dict[str, int]] = {
    ("acc", "bmi160"): {"power": 1, "interrupt": 2, "config": 3, "data": 4, "packed": 0x1C},
    ("acc", "bmi270"): {"power": 1, "interrupt": 2, "config": 3, "data": 4, "packed": 0x05},
    ("gyro", "bmi160"): {"power": 1, "interrupt": 2, "config": 3, "data": 5, "packed": 0x07},
    ("gyro", "bmi270"): {"power": 1, "interrupt": 2, "config": 3, "data": 4, "packed": 0x05},
}
MODULES = {"acc": MODULE_ACC, "gyro": MODULE_GYRO}

#: Accelerometer output data rate (Hz) → 4-bit ODR code (Bosch BMI160/BMI270 ``acc_odr``).
ACC_ODR_CODES: dict[float, int] = {
    0.78125: 1,
    1.5625: 2,
    3.125: 3,
    6.25: 4,
    12.5: 5,
    25.0: 6,
    50.0: 7,
    100.0: 8,
    200.0: 9,
    400.0: 10,
    800.0: 11,
    1600.0: 12,
}
#: Accelerometer range (± g) → range byte written in ``03 03 <conf> <range>``.
ACC_RANGE_BYTES: dict[str, dict[int, int]] = {
    "bmi160": {2: 0x03, 4: 0x05, 8: 0x08, 16: 0x0C},
    "bmi270": {2: 0x00, 4: 0x01, 8: 0x02, 16: 0x03},
}
#: Accelerometer sensitivity (LSB per g) per range (± g), both chips (FSR_SCALE).
ACC_LSB_PER_G: dict[int, float] = {2: 16384.0, 4: 8192.0, 8: 4096.0, 16: 2048.0}
#: Defaults the SDK assumes before any config write: BMI160 100 Hz ±2 g; BMI270 100 Hz ±8 g.
ACC_DEFAULT_RANGE_G: dict[str, int] = {"bmi160": 2, "bmi270": 8}

#: Gyro output data rate (Hz) → ODR code (MblMwGyroBoschOdr), both chips.
GYRO_ODR_CODES: dict[float, int] = {
    25.0: 6,
    50.0: 7,
    100.0: 8,
    200.0: 9,
    400.0: 10,
    800.0: 11,
    1600.0: 12,
    3200.0: 13,
}
#: Gyro range (± deg/s) → range code (MblMwGyroBoschRange), both chips.
GYRO_RANGE_CODES: dict[int, int] = {2000: 0, 1000: 1, 500: 2, 250: 3, 125: 4}
#: Gyro sensitivity (LSB per deg/s) per range (FSR_SCALE in gyro_bosch.cpp).
GYRO_LSB_PER_DPS: dict[int, float] = {2000: 16.4, 1000: 32.8, 500: 65.6, 250: 131.2, 125: 262.4}
GYRO_DEFAULT_RANGE_DPS = 2000

#: Accounter tick: 48/32768 s (logging.cpp TICK_TIME_STEP = 48/32768·1000 ms).
TICK_S = 48.0 / 32768.0
#: Accounter processor config bytes per mode (``09 02 <src> ff a0 11 <mode> 03``).
ACCOUNTER_MODE_BYTES = {"time": 0x31, "count": 0x30}


def _check_choice(option: str, value: object, allowed: list | tuple) -> None:
    if value not in allowed:
        raise ValueError(
            f"{FAMILY}: option {option}: expected one of {list(allowed)}, found {value!r}"
        )


def _check_sensor_chip(sensor: str, chip: str) -> None:
    _check_choice("sensor", sensor, SENSORS)
    _check_choice("chip", chip, CHIPS)


def acc_config_bytes(chip: str, sample_rate_hz: float, range_g: int) -> bytes:
    """Accelerometer config ``03 03 <acc_conf> <acc_range>``.

    ``acc_conf`` = ODR code | bandwidth << 4 | undersampling/filter_perf << 7, as the SDK writes
    it: BMI160 ``0x20 | odr`` (normal filter) at ≥ 12.5 Hz and ``0x80 | odr`` (undersampling)
    below; BMI270 ``0xA0 | odr`` (filter_perf) at ≥ 12.5 Hz and ``0x20 | odr`` below.
    """
    _check_choice("chip", chip, CHIPS)
    _check_choice("sample_rate_hz", float(sample_rate_hz), list(ACC_ODR_CODES))
    _check_choice("range", range_g, list(ACC_RANGE_BYTES[chip]))
    odr = ACC_ODR_CODES[float(sample_rate_hz)]
    high = sample_rate_hz >= 12.5
    if chip == "bmi160":
        conf = (0x20 | odr) if high else (0x80 | odr)
    else:
        conf = (0xA0 | odr) if high else (0x20 | odr)
    return bytes((MODULE_ACC, 3, conf, ACC_RANGE_BYTES[chip][range_g]))


def gyro_config_bytes(chip: str, sample_rate_hz: float, range_dps: int) -> bytes:
    """Gyro config ``13 03 <odr | 2 << 4> <range code>`` (bandwidth 2 = normal, both chips)."""
    _check_choice("chip", chip, CHIPS)
    _check_choice("sample_rate_hz", float(sample_rate_hz), list(GYRO_ODR_CODES))
    _check_choice("range", range_dps, list(GYRO_RANGE_CODES))
    conf = GYRO_ODR_CODES[float(sample_rate_hz)] | (2 << 4)
    return bytes((MODULE_GYRO, 3, conf, GYRO_RANGE_CODES[range_dps]))


def configure_command(
    sensor: str,
    *,
    chip: str,
    sample_rate_hz: float,
    range: int,
) -> Command:
    """Config write for ``sensor`` (``"acc"``: range in g, ``"gyro"``: range in deg/s)."""
    _check_sensor_chip(sensor, chip)
    if sensor == "acc":
        payload = acc_config_bytes(chip, sample_rate_hz, range)
        unit = "g"
    else:
        payload = gyro_config_bytes(chip, sample_rate_hz, range)
        unit = "dps"
    return Command(COMMAND_UUID, payload, f"{chip} {sensor} {sample_rate_hz} Hz ±{range} {unit}")


def start_commands(
    sensor: str = "acc",
    *,
    chip: str = "bmi160",
    sample_rate_hz: float,
    range: int,
    packed: bool = False,
) -> list[Command]:
    """Configure and start streaming ``sensor`` (the SDK's order).

    1. config write (``03 03 …`` / ``13 03 …``)
    2. subscribe to the data register (``<mod> <data|packed> 01``)
    3. enable the data interrupt (``<mod> 02 01 00``)
    4. power on (``<mod> 01 01``)

    Packed notifications carry 3 samples each; use them above ~100 Hz.
    """
    cfg = configure_command(sensor, chip=chip, sample_rate_hz=sample_rate_hz, range=range)
    regs = REGISTERS[(sensor, chip)]
    mod = MODULES[sensor]
    data_reg = regs["packed"] if packed else regs["data"]
    return [
        cfg,
        Command(
            COMMAND_UUID, bytes((mod, data_reg, 1)), f"subscribe {sensor} data 0x{data_reg:02x}"
        ),
        Command(COMMAND_UUID, bytes((mod, regs["interrupt"], 1, 0)), f"enable {sensor} sampling"),
        Command(COMMAND_UUID, bytes((mod, regs["power"], 1)), f"start {sensor}"),
    ]


def stop_commands(
    sensor: str = "acc", *, chip: str = "bmi160", packed: bool = False
) -> list[Command]:
    """Stop streaming: power off ``<mod> 01 00``, disable ``<mod> 02 00 01``, unsubscribe."""
    _check_sensor_chip(sensor, chip)
    regs = REGISTERS[(sensor, chip)]
    mod = MODULES[sensor]
    data_reg = regs["packed"] if packed else regs["data"]
    return [
        Command(COMMAND_UUID, bytes((mod, regs["power"], 0)), f"stop {sensor}"),
        Command(COMMAND_UUID, bytes((mod, regs["interrupt"], 0, 1)), f"disable {sensor} sampling"),
        Command(COMMAND_UUID, bytes((mod, data_reg, 0)), f"unsubscribe {sensor} data"),
    ]


def read_config_command(sensor: str = "acc") -> Command:
    """Read back the sensor config (``03 83`` / ``13 83``); the reply updates a decoder's range."""
    _check_choice("sensor", sensor, SENSORS)
    return Command(COMMAND_UUID, bytes((MODULES[sensor], READ | 3)), f"read {sensor} config")


def accounter_create_command(
    sensor: str = "acc", *, chip: str = "bmi160", mode: str = "time"
) -> Command:
    """Create an accounter data processor on the (single-sample) ``sensor`` data signal.

    ``09 02 <module> <data register> ff a0 11 <31 time | 30 count> 03``: source module/register,
    source data id 0xff, 0xa0 = 6-byte source at offset 0, then the accounter config. The device
    replies ``09 02 <processor id>``; pass that id to :func:`make_decoder` (``accounter_id``).
    """
    _check_sensor_chip(sensor, chip)
    _check_choice("mode", mode, list(ACCOUNTER_MODE_BYTES))
    reg = REGISTERS[(sensor, chip)]["data"]
    payload = bytes(
        (
            MODULE_DATA_PROCESSOR,
            2,
            MODULES[sensor],
            reg,
            0xFF,
            0xA0,
            0x11,
            ACCOUNTER_MODE_BYTES[mode],
            3,
        )
    )
    return Command(COMMAND_UUID, payload, f"create accounter ({mode}) on {sensor}")


def accounter_epoch_ms(tick: int, reference_epoch_ms: int = 0) -> int:
    """Epoch (ms) the SDK gives an accounter/logging tick: ``ref + round(tick·48/32768·1000)``.

    ``round`` is C ``round`` (half away from zero; ties occur when ``tick × 375 mod 256 = 128``).
    ``reference_epoch_ms`` is the host time the SDK associated with tick 0 from the logging time
    reference (``0B 84`` reply). Source: ``logging.cpp`` ``calculate_epoch_inner``.
    """
    num = int(tick) * 375  # tick · 1.46484375 ms = tick · 375 / 256 ms
    q, r = divmod(num, 256)
    return int(reference_epoch_ms) + q + (1 if 2 * r >= 256 else 0)


def parse_logging_time_reference(payload: bytes) -> tuple[int, int]:
    """Parse the logging time reference ``0B 84 <u32 tick> <reset uid>`` → (tick, reset uid)."""
    if len(payload) < 7 or payload[0] != MODULE_LOGGING or payload[1] != (READ | 4):
        raise ProtocolError(
            FAMILY, 0, "0b 84 <u32 tick> <reset uid> (7 bytes)", payload[:7].hex() or "empty"
        )
    return int.from_bytes(payload[2:6], "little"), payload[6]
