"""Pure decoders and command builders for commodity BLE IMUs (numpy only).

One sub-package per sensor family, each with ``SPEC.md`` (byte layout with sources), a decoder
class fulfilling :class:`Decoder`, command builders, and test vectors. Never imports gaitkit or
bleak, so firmware authors and other tools can use it alone.
"""

from firmware_protocols._base import (
    Command,
    Decoder,
    DecoderStats,
    ProtocolError,
    SampleBatch,
    SensorProfile,
)

__all__ = [
    "Command",
    "Decoder",
    "DecoderStats",
    "ProtocolError",
    "SampleBatch",
    "SensorProfile",
]
