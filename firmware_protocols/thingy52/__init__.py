"""Nordic Thingy:52 motion service, raw accelerometer/gyroscope/compass stream (see SPEC.md).

Config keys of :func:`make_decoder`: ``motion_freq_hz`` (configured rate, recorded in ``meta``
only; the packets carry no time).
"""

from firmware_protocols.thingy52._protocol import (
    CONFIG_UUID,
    EULER_UUID,
    FAMILY,
    PROFILE,
    QUATERNION_UUID,
    RAW_SIZE,
    RAW_UUID,
    SERVICE_UUID,
    MotionConfig,
    Thingy52Decoder,
    config_command,
    make_decoder,
    parse_config,
    start_commands,
    stop_commands,
)

#: Decoder config and notifications used by the cross-family conformance suite (derived
#: vector ``thingy_raw_fixed_point_mix``, see tests/vectors).
EXAMPLE_CONFIG: dict = {"motion_freq_hz": 100}
EXAMPLE_NOTIFICATIONS: tuple[bytes, ...] = (bytes.fromhex("00fe0000ff07200080f3ff7f1000e0fca00f"),)

__all__ = [
    "CONFIG_UUID",
    "EULER_UUID",
    "EXAMPLE_CONFIG",
    "EXAMPLE_NOTIFICATIONS",
    "FAMILY",
    "PROFILE",
    "QUATERNION_UUID",
    "RAW_SIZE",
    "RAW_UUID",
    "SERVICE_UUID",
    "MotionConfig",
    "Thingy52Decoder",
    "config_command",
    "make_decoder",
    "parse_config",
    "start_commands",
    "stop_commands",
]
