"""MbientLab MetaWear / MetaMotion (BMI160 and BMI270) accelerometer and gyro streams.

Byte layout, config tables, accounter time and sources: ``SPEC.md`` in this folder. Public API:

* :data:`FAMILY`, :data:`PROFILE` (GATT layout for a recorder)
* :func:`make_decoder` → :class:`MetaWearDecoder` (``decode``, ``observe_command``, ``reset``)
* commands: :func:`start_commands`, :func:`stop_commands`, :func:`configure_command`,
  :func:`read_config_command`, :func:`accounter_create_command`
* helpers: :func:`acc_config_bytes`, :func:`gyro_config_bytes`, :func:`accounter_epoch_ms`,
  :func:`parse_logging_time_reference`
"""

from firmware_protocols._base import SensorProfile
from firmware_protocols.metawear._decoder import MetaWearDecoder, MetaWearDecoderStats, make_decoder
from firmware_protocols.metawear._protocol import (
    ACC_DEFAULT_RANGE_G,
    ACC_LSB_PER_G,
    ACC_ODR_CODES,
    ACC_RANGE_BYTES,
    CHIPS,
    COMMAND_UUID,
    FAMILY,
    GYRO_LSB_PER_DPS,
    GYRO_ODR_CODES,
    GYRO_RANGE_CODES,
    NOTIFY_UUID,
    REGISTERS,
    SERVICE_UUID,
    TICK_S,
    acc_config_bytes,
    accounter_create_command,
    accounter_epoch_ms,
    configure_command,
    gyro_config_bytes,
    parse_logging_time_reference,
    read_config_command,
    start_commands,
    stop_commands,
)

#: GATT layout: every notification (data and replies) arrives on 326A9006.
PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(NOTIFY_UUID,),
    data_uuids=(NOTIFY_UUID,),
)

__all__ = [
    "ACC_DEFAULT_RANGE_G",
    "ACC_LSB_PER_G",
    "ACC_ODR_CODES",
    "ACC_RANGE_BYTES",
    "CHIPS",
    "COMMAND_UUID",
    "FAMILY",
    "GYRO_LSB_PER_DPS",
    "GYRO_ODR_CODES",
    "GYRO_RANGE_CODES",
    "NOTIFY_UUID",
    "PROFILE",
    "REGISTERS",
    "SERVICE_UUID",
    "TICK_S",
    "MetaWearDecoder",
    "MetaWearDecoderStats",
    "acc_config_bytes",
    "accounter_create_command",
    "accounter_epoch_ms",
    "configure_command",
    "gyro_config_bytes",
    "make_decoder",
    "parse_logging_time_reference",
    "read_config_command",
    "start_commands",
    "stop_commands",
]
