"""Movesense GATT SensorData Protocol (GSP) for IMU6/IMU9/Acc/Gyro/Magn streams (see SPEC.md).

Config keys of :func:`make_decoder`: ``path`` (required, e.g. ``"/Meas/IMU6/104"``: arrays and
rate), ``reference`` (client reference 1-255 to accept, default any), ``samples_per_packet``
(expected samples per complete DATA, default inferred from the length).
"""

from firmware_protocols.movesense._protocol import (
    CMD_HELLO,
    CMD_SUBSCRIBE,
    CMD_UNSUBSCRIBE,
    FAMILY,
    MEASUREMENTS,
    NOTIFY_UUID,
    PACKET_COMMAND_RESULT,
    PACKET_DATA,
    PACKET_DATA_PART2,
    PROFILE,
    SAMPLE_RATES_HZ,
    SERVICE_UUID,
    WRITE_UUID,
    MovesenseDecoder,
    hello_command,
    make_decoder,
    parse_command,
    parse_path,
    start_commands,
    stop_commands,
    subscribe_command,
    unsubscribe_command,
)

#: Decoder config and notifications used by the cross-family conformance suite: one derived
#: IMU6 DATA packet at 52 Hz (vector ``ms_data_imu6_52hz_4samples``, see tests/vectors).
EXAMPLE_CONFIG: dict = {"path": "/Meas/IMU6/52"}
EXAMPLE_NOTIFICATIONS: tuple[bytes, ...] = (
    bytes.fromhex(
        "026340e201000000803e000000bf0ae81c410000003f000040bf000018410000803f00000000000020410000"
        "c0bf0000104000000c410000803f000000c000006040000020410000a0410000f0c10000003e00000000000080"
        "be0000c8c2000036420000e040"
    ),
)

__all__ = [
    "CMD_HELLO",
    "CMD_SUBSCRIBE",
    "CMD_UNSUBSCRIBE",
    "EXAMPLE_CONFIG",
    "EXAMPLE_NOTIFICATIONS",
    "FAMILY",
    "MEASUREMENTS",
    "NOTIFY_UUID",
    "PACKET_COMMAND_RESULT",
    "PACKET_DATA",
    "PACKET_DATA_PART2",
    "PROFILE",
    "SAMPLE_RATES_HZ",
    "SERVICE_UUID",
    "WRITE_UUID",
    "MovesenseDecoder",
    "hello_command",
    "make_decoder",
    "parse_command",
    "parse_path",
    "start_commands",
    "stop_commands",
    "subscribe_command",
    "unsubscribe_command",
]
