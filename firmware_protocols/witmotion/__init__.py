"""WitMotion BWT901BLECL / WT901BLECL BLE 5.0 byte stream and commands (see SPEC.md).

Config keys of :func:`make_decoder`: ``sampling_rate_hz`` (configured output rate, recorded in
``meta`` only; the frames carry no time).
"""

from firmware_protocols.witmotion._protocol import (
    ACC_RANGE_G,
    ANGLE_RANGE_DEG,
    BANDWIDTH_CODES,
    FAMILY,
    FRAME_SIZE,
    GYRO_RANGE_DPS,
    NOTIFY_UUID,
    PROFILE,
    RATE_CODES,
    SERVICE_UUID,
    WRITE_UUID,
    WitMotionDecoder,
    bandwidth_command,
    make_decoder,
    rate_command,
    read_register_command,
    save_command,
    start_commands,
    stop_commands,
    unlock_command,
    write_register,
)

#: Decoder config and notifications used by the cross-family conformance suite (derived
#: vectors ``wit_data_0x61_flat`` and ``wit_data_0x61_mixed``, see tests/vectors).
EXAMPLE_CONFIG: dict = {"sampling_rate_hz": 100.0}
EXAMPLE_NOTIFICATIONS: tuple[bytes, ...] = (
    bytes.fromhex("5561000000000008000000000000000000000000"),
    bytes.fromhex("556100fc001000f8660600c0ff7f004000e00080"),
)

__all__ = [
    "ACC_RANGE_G",
    "ANGLE_RANGE_DEG",
    "BANDWIDTH_CODES",
    "EXAMPLE_CONFIG",
    "EXAMPLE_NOTIFICATIONS",
    "FAMILY",
    "FRAME_SIZE",
    "GYRO_RANGE_DPS",
    "NOTIFY_UUID",
    "PROFILE",
    "RATE_CODES",
    "SERVICE_UUID",
    "WRITE_UUID",
    "WitMotionDecoder",
    "bandwidth_command",
    "make_decoder",
    "rate_command",
    "read_register_command",
    "save_command",
    "start_commands",
    "stop_commands",
    "unlock_command",
    "write_register",
]
