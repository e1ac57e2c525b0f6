"""Polar Measurement Data (PMD) protocol: Polar H10, OH1 and Verity Sense ACC and GYRO streams.

Byte layout, timestamp rules and sources: ``SPEC.md`` in this folder. Public API:

* :data:`FAMILY`, :data:`PROFILE` (GATT layout for a recorder)
* :func:`make_decoder` → :class:`PolarPmdDecoder` (``decode``, ``handle_control_point``,
  ``observe_command``, ``reset``)
* stateless parsing: :func:`parse_data_frame`, :func:`parse_delta_content`,
  :func:`parse_reference_sample`, :func:`sample_timestamps_ns`, :func:`scale_values`
* control point: :func:`parse_control_point_response`, :func:`parse_settings`,
  :func:`encode_settings`, :func:`parse_features`, :func:`parse_stopped_notification`
* commands: :func:`get_settings_command`, :func:`start_commands`, :func:`stop_commands`
"""

from firmware_protocols._base import SensorProfile
from firmware_protocols.polar_pmd._control import (
    CONTROL_POINT_UUID,
    DATA_UUID,
    DEVICE_SETTINGS,
    SERVICE_UUID,
    SETTING_TYPES,
    STATUS_NAMES,
    ControlPointResponse,
    encode_settings,
    get_settings_command,
    parse_control_point_response,
    parse_features,
    parse_settings,
    parse_start_command,
    parse_stopped_notification,
    start_commands,
    stop_commands,
)
from firmware_protocols.polar_pmd._decoder import PmdDecoderStats, PolarPmdDecoder, make_decoder
from firmware_protocols.polar_pmd._frames import (
    FAMILY,
    FRAME_LAYOUTS,
    HEADER_SIZE,
    MEASUREMENT_TYPES,
    PMD_EPOCH_UNIX_NS,
    PmdFrame,
    parse_data_frame,
    parse_delta_content,
    parse_header,
    parse_raw_content,
    parse_reference_sample,
    sample_timestamps_ns,
    scale_values,
)

#: GATT layout: subscribe to the control point (responses) and data characteristics.
PROFILE = SensorProfile(
    family=FAMILY,
    service_uuid=SERVICE_UUID,
    notify_uuids=(CONTROL_POINT_UUID, DATA_UUID),
    data_uuids=(DATA_UUID,),
)

__all__ = [
    "CONTROL_POINT_UUID",
    "DATA_UUID",
    "DEVICE_SETTINGS",
    "FAMILY",
    "FRAME_LAYOUTS",
    "HEADER_SIZE",
    "MEASUREMENT_TYPES",
    "PMD_EPOCH_UNIX_NS",
    "PROFILE",
    "SERVICE_UUID",
    "SETTING_TYPES",
    "STATUS_NAMES",
    "ControlPointResponse",
    "PmdDecoderStats",
    "PmdFrame",
    "PolarPmdDecoder",
    "encode_settings",
    "get_settings_command",
    "make_decoder",
    "parse_control_point_response",
    "parse_data_frame",
    "parse_delta_content",
    "parse_features",
    "parse_header",
    "parse_raw_content",
    "parse_reference_sample",
    "parse_settings",
    "parse_start_command",
    "parse_stopped_notification",
    "sample_timestamps_ns",
    "scale_values",
    "start_commands",
    "stop_commands",
]
