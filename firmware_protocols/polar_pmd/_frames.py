"""Stateless parsing of Polar PMD data frames: header, raw and delta-compressed content, timestamps.

Everything here is a pure function of its arguments; the stateful stream decoder lives in
``_decoder.py``. Byte layout and sources: ``SPEC.md`` in this folder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_protocols._base import ProtocolError

FAMILY = "polar_pmd"

#: Bytes before the frame content: type (1), timestamp (8), frame type (1).
HEADER_SIZE = 10
#: Nanoseconds between the Unix epoch and the PMD epoch 2000-01-01T00:00:00Z.
PMD_EPOCH_UNIX_NS = 946_684_800_000_000_000

#: Measurement type ids (PmdMeasurementType, online_measurement.pdf Table 4).
MEASUREMENT_TYPES: dict[str, int] = {
    "ECG": 0,
    "PPG": 1,
    "ACC": 2,
    "PPI": 3,
    "GYRO": 5,
    "MAG": 6,
    "SKIN_TEMP": 7,
    "SDK_MODE": 9,
    "LOCATION": 10,
    "PRESSURE": 11,
    "TEMPERATURE": 12,
    "OFFLINE_RECORDING": 13,
    "OFFLINE_HR": 14,
}
MEASUREMENT_NAMES: dict[int, str] = {v: k for k, v in MEASUREMENT_TYPES.items()}

ACC = MEASUREMENT_TYPES["ACC"]
GYRO = MEASUREMENT_TYPES["GYRO"]

#: Supported (measurement type, frame-type byte) pairs → (channels, resolution bits, encoding).
#: Encoding "int" = two's complement, "float" = IEEE754 float32 bit patterns.
FRAME_LAYOUTS: dict[tuple[int, int], tuple[int, int, str]] = {
    (ACC, 0x00): (3, 8, "int"),
    (ACC, 0x01): (3, 16, "int"),
    (ACC, 0x02): (3, 24, "int"),
    (ACC, 0x80): (3, 16, "int"),
    (ACC, 0x81): (3, 16, "int"),
    (GYRO, 0x80): (3, 16, "int"),
    (GYRO, 0x81): (3, 32, "float"),
}

_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class PmdFrame:
    """One decoded PMD data frame.

    Attributes
    ----------
    measurement_type
        ``byte0 & 0x3F`` (2 = ACC, 5 = GYRO).
    timestamp_ns
        Frame timestamp: time of the *last* sample, ns since 2000-01-01T00:00:00Z.
    frame_type
        Frame type number (bits 0-6 of byte 9).
    compressed
        Bit 7 of byte 9 (delta-compressed content).
    raw
        ``(n, 3)`` int64 raw counts (for float gyro frames: the uint32 bit patterns).
    values
        ``(n, 3)`` float64 values in the source unit: mG for ACC, deg/s for GYRO, factor applied
        as the SDK does (see :func:`scale_values`).
    """

    measurement_type: int
    timestamp_ns: int
    frame_type: int
    compressed: bool
    raw: np.ndarray
    values: np.ndarray

    @property
    def frame_type_byte(self) -> int:
        """The frame-type byte as sent (``0x80 | type`` when compressed)."""
        return self.frame_type | (0x80 if self.compressed else 0)

    @property
    def n_samples(self) -> int:
        """Samples in the frame."""
        return int(self.raw.shape[0])


def _err(offset: int | None, expected: str, found: str = "") -> ProtocolError:
    return ProtocolError(FAMILY, offset, expected, found)


def parse_header(payload: bytes) -> tuple[int, int, int]:
    """Split a PMD_DATA notification header.

    Returns
    -------
    (measurement_type, timestamp_ns, frame_type_byte)

    Raises
    ------
    ProtocolError
        Shorter than the 10-byte header, or a timestamp ≥ 2^63 ns (> year 2292, never sent by a
        real device; rejected so that timestamps fit int64).
    """
    if len(payload) < HEADER_SIZE:
        raise _err(len(payload), f"a {HEADER_SIZE}-byte PMD data header", f"{len(payload)} bytes")
    mtype = payload[0] & 0x3F
    ts = int.from_bytes(payload[1:9], "little")
    if ts > _INT64_MAX:
        raise _err(1, "u64 timestamp < 2^63 ns", f"0x{ts:016x}")
    return mtype, ts, payload[9]


def parse_reference_sample(
    content: bytes | memoryview, channels: int, resolution_bits: int, encoding: str = "int"
) -> np.ndarray:
    """Read the reference sample that opens a delta-compressed frame.

    ``channels`` little-endian values of ``ceil(resolution_bits / 8)`` bytes each; for
    ``encoding="int"`` sign-extended from ``resolution_bits`` (SDK ``parseDeltaFrameRefSamples``
    with ``SIGNED_INT``), for ``"float"`` kept as unsigned bit patterns.

    Returns
    -------
    ``(channels,)`` int64.
    """
    nbytes = (resolution_bits + 7) // 8
    need = channels * nbytes
    if len(content) < need:
        raise _err(
            HEADER_SIZE + len(content),
            f"a {need}-byte reference sample ({channels} x {resolution_bits} bit)",
            f"{len(content)} bytes of content",
        )
    fast = _REF_DTYPES.get((nbytes, resolution_bits, encoding))
    if fast is not None:
        return np.frombuffer(content, dtype=fast, count=channels).astype(np.int64)
    b = np.frombuffer(content, dtype=np.uint8, count=need).reshape(channels, nbytes)
    vals = (b.astype(np.int64) << (8 * np.arange(nbytes, dtype=np.int64))).sum(axis=1)
    if encoding == "int":
        vals &= (1 << resolution_bits) - 1
        sign = 1 << (resolution_bits - 1)
        vals = (vals ^ sign) - sign
    return vals


#: Reference-sample layouts numpy reads directly: (bytes, bits, encoding) → dtype.
_REF_DTYPES = {
    (1, 8, "int"): np.dtype("i1"),
    (2, 16, "int"): np.dtype("<i2"),
    (4, 32, "int"): np.dtype("<i4"),
    (4, 32, "float"): np.dtype("<u4"),
}
#: Bit weights 2^k, k = 0..32, for turning LSB-first bit rows into integers.
_BIT_WEIGHTS = np.left_shift(np.int64(1), np.arange(33, dtype=np.int64))


def parse_delta_content(
    content: bytes | memoryview,
    channels: int,
    resolution_bits: int,
    encoding: str = "int",
    *,
    content_offset: int = HEADER_SIZE,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Decode delta-compressed PMD frame content into absolute samples.

    Layout (``BlePMDClient.parseDeltaFramesAll``): a reference sample (see
    :func:`parse_reference_sample`) then blocks ``[delta_bits u8][count u8][packed deltas]``
    with ``ceil(delta_bits * count * channels / 8)`` packed bytes. Deltas are packed LSB-first
    over the block (bit *i* of the block is bit ``i % 8`` of byte ``i // 8``), sample by sample,
    channel by channel, each sign-extended from ``delta_bits`` and added to the previous sample.
    For ``encoding="float"`` the additions are done modulo 2^32 on the bit patterns (the SDK adds
    Kotlin ``Int`` values), so the result is reinterpreted as float32 afterwards.

    The bit unpacking is vectorised over all blocks (a Python loop runs once per *block* header).

    Parameters
    ----------
    content
        Bytes after the 10-byte header.
    channels, resolution_bits, encoding
        Frame layout, see ``FRAME_LAYOUTS``.
    content_offset
        Offset of ``content`` in the notification, used only in error messages.

    Returns
    -------
    samples
        ``(1 + Σ counts, channels)`` int64 (float: uint32 bit patterns in int64).
    blocks
        ``[(delta_bits, count), ...]`` in order.
    """
    ref = parse_reference_sample(content, channels, resolution_bits, encoding)
    n = len(content)
    ref_len = channels * ((resolution_bits + 7) // 8)
    off = ref_len
    blocks: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []  # (first bit after the reference, number of bits)
    while off < n:
        if off + 2 > n:
            raise _err(content_offset + off, "a 2-byte delta block header (bits, count)", "1 byte")
        w = content[off]
        c = content[off + 1]
        if w > 32:
            raise _err(content_offset + off, "delta width 0-32 bits", str(w))
        if c == 0:
            raise _err(content_offset + off + 1, "delta block sample count ≥ 1", "0")
        nbits = w * c * channels
        nbytes = (nbits + 7) // 8
        if off + 2 + nbytes > n:
            raise _err(
                content_offset + off + 2,
                f"{nbytes} bytes of packed deltas ({c} samples x {channels} ch x {w} bit)",
                f"{n - off - 2} bytes",
            )
        blocks.append((w, c))
        spans.append(((off + 2 - ref_len) * 8, nbits))
        off += 2 + nbytes
    if not blocks:
        return ref.reshape(1, channels), blocks
    bits = np.unpackbits(np.frombuffer(content, dtype=np.uint8, offset=ref_len), bitorder="little")
    out = np.empty((1 + sum(c for _, c in blocks), channels), dtype=np.int64)
    out[0] = ref
    row = 1
    for (w, c), (b0, nbits) in zip(blocks, spans, strict=True):
        dst = out[row : row + c]
        row += c
        if w == 0:
            dst[:] = 0
            continue
        d = bits[b0 : b0 + nbits].reshape(c * channels, w) @ _BIT_WEIGHTS[:w]
        sign = 1 << (w - 1)
        d ^= sign
        d -= sign
        dst[:] = d.reshape(c, channels)
    np.cumsum(out, axis=0, out=out)
    if encoding == "float":
        out &= 0xFFFFFFFF
    return out, blocks


def parse_raw_content(
    content: bytes | memoryview, channels: int, resolution_bits: int
) -> np.ndarray:
    """Decode uncompressed content: consecutive ``channels`` signed little-endian integers.

    Returns ``(n, channels)`` int64; raises :class:`ProtocolError` when the content is empty or
    not a whole number of samples.
    """
    if resolution_bits not in (8, 16, 24):
        raise ValueError(
            f"{FAMILY}: raw frames hold 8, 16 or 24-bit samples, not {resolution_bits}"
        )
    nbytes = resolution_bits // 8
    step = nbytes * channels
    if len(content) == 0 or len(content) % step:
        raise _err(
            HEADER_SIZE + len(content) - len(content) % step,
            f"a whole number (≥ 1) of {step}-byte samples ({channels} x int{resolution_bits})",
            f"{len(content)} bytes of content",
        )
    if nbytes == 1:
        return np.frombuffer(content, dtype=np.int8).reshape(-1, channels).astype(np.int64)
    if nbytes == 2:
        return np.frombuffer(content, dtype="<i2").reshape(-1, channels).astype(np.int64)
    # int24: place the 3 bytes in the top of an int32 (low byte zero), arithmetic shift back
    b = np.frombuffer(content, dtype=np.uint8).reshape(-1, nbytes)
    wide = np.zeros((b.shape[0], 4), dtype=np.uint8)
    wide[:, 1:] = b
    return (wide.view("<i4").ravel() >> 8).astype(np.int64).reshape(-1, channels)


def scale_values(
    measurement_type: int,
    frame_type_byte: int,
    raw: np.ndarray,
    factor: float = 1.0,
    *,
    sdk_integer_mg: bool = False,
) -> np.ndarray:
    """Convert raw counts to the source unit (ACC: mG, GYRO: deg/s).

    Rules (``AccData.kt``, ``GyrData.kt``):

    * ACC raw 0x00/0x01/0x02: counts are mG; the factor is not applied (the SDK ignores it).
    * ACC compressed 0x80 ("type 0", counts in g × factor): ``mG = raw × factor × 1000``.
    * ACC compressed 0x81: counts are mG, multiplied by ``factor`` when it is not 1.
    * GYRO 0x80: ``deg/s = raw × factor``; GYRO 0x81: ``deg/s = float32(bits) × factor``.

    With ``sdk_integer_mg=True`` ACC values are reproduced bit-exactly as the SDK returns them:
    float32 arithmetic then truncation toward zero to integer mG
    (``(raw * (factor*1000f)).toInt()``).
    The default keeps the full resolution (float64, no truncation), which differs from the SDK by
    less than 1 mG.

    ``factor`` is the float32 FACTOR setting from the start response (1.0 when absent).
    """
    f32 = np.float32(factor)
    if measurement_type == ACC:
        if frame_type_byte in (0x00, 0x01, 0x02):
            return raw.astype(np.float64)
        if frame_type_byte == 0x80:
            if sdk_integer_mg:
                v = raw.astype(np.float32) * np.float32(f32 * np.float32(1000.0))
                return np.trunc(v).astype(np.float64)
            return raw * (float(f32) * 1000.0)
        if f32 == np.float32(1.0):
            return raw.astype(np.float64)
        if sdk_integer_mg:
            return np.trunc(raw.astype(np.float32) * f32).astype(np.float64)
        return raw * float(f32)
    if frame_type_byte == 0x81:
        bits = raw.astype(np.uint32)
        if np.any((bits & 0x7F800000) == 0x7F800000):  # exponent all ones: NaN or infinity
            raise _err(HEADER_SIZE, "finite float32 gyro values", "NaN or infinity")
        vals = bits.view(np.float32).astype(np.float64)
    else:
        vals = raw.astype(np.float64)
    return vals if f32 == np.float32(1.0) else vals * float(f32)


def parse_data_frame(
    payload: bytes,
    *,
    factor: float = 1.0,
    sdk_integer_mg: bool = False,
) -> PmdFrame:
    """Decode one PMD_DATA notification (ACC or GYRO) without timestamps per sample.

    Parameters
    ----------
    payload
        The whole notification (10-byte header + content).
    factor
        FACTOR setting of this measurement (float32, from the start response), 1.0 if none.
    sdk_integer_mg
        See :func:`scale_values`.

    Raises
    ------
    ProtocolError
        Unsupported measurement or frame type, truncated or inconsistent content, non-finite
        float gyro values.
    """
    mtype, ts, ftype = parse_header(payload)
    layout = FRAME_LAYOUTS.get((mtype, ftype))
    if layout is None:
        if mtype not in (ACC, GYRO):
            raise _err(0, "measurement type 2 (ACC) or 5 (GYRO)", f"0x{payload[0]:02x}")
        allowed = "0x00-0x02, 0x80-0x81" if mtype == ACC else "0x80-0x81 (compressed only)"
        raise _err(9, f"{MEASUREMENT_NAMES[mtype]} frame type {allowed}", f"0x{ftype:02x}")
    channels, bits, enc = layout
    content = memoryview(payload)[HEADER_SIZE:]
    if ftype & 0x80:
        raw, _ = parse_delta_content(content, channels, bits, enc)
    else:
        raw = parse_raw_content(content, channels, bits)
    values = scale_values(mtype, ftype, raw, factor, sdk_integer_mg=sdk_integer_mg)
    if enc == "float" and not np.isfinite(values).all():
        raise _err(HEADER_SIZE, "finite float32 gyro values", "NaN or infinity")
    return PmdFrame(mtype, ts, ftype & 0x7F, bool(ftype & 0x80), raw, values)


def _round_half_even_frac(base: np.ndarray, num: np.ndarray, den: int) -> np.ndarray:
    """Round ``base + num/den`` to the nearest integer, ties to even (0 ≤ num < den)."""
    twice = 2 * num
    up = (twice > den) | ((twice == den) & (base % 2 == 1))
    return base + up.astype(np.int64)


def sample_timestamps_ns(
    previous_timestamp_ns: int,
    frame_timestamp_ns: int,
    n_samples: int,
    sample_rate_hz: int = 0,
) -> np.ndarray:
    """Per-sample timestamps of a frame (``PmdTimeStampUtils.getTimeStamps``), exact integers.

    The frame timestamp is the time of the last sample. With a known previous frame timestamp
    ``p`` (> 0) the SDK spreads the frame evenly since it: ``Δ = (ts − p)/n`` and sample *i* is
    ``round(p + Δ(i+1))``. Without one (``p == 0``), ``Δ = 1e9/sample_rate_hz`` and sample *i* is
    ``round(ts − Δ(n−1−i))``. The last sample is ``ts`` exactly; ``round`` is half-to-even as in
    Kotlin ``round`` / Swift ``.toNearestOrEven``.

    This implementation evaluates those expressions in exact rational arithmetic (int64), whereas
    the SDK uses float64; the two agree wherever float64 is exact (all SDK test vectors) and this
    one stays exact at real timestamps (~7e17 ns, where a float64 step is 128 ns).

    Raises
    ------
    ProtocolError
        ``n_samples < 1``; no previous timestamp and no rate (SDK
        ``TimeStampAndFrequencyZeroError``); a frame timestamp not after the previous one, or
        earlier than ``n × Δ`` (SDK ``NegativeTimeStampError``).
    """
    n = int(n_samples)
    ts = int(frame_timestamp_ns)
    prev = int(previous_timestamp_ns)
    if n < 1:
        raise _err(None, "at least one sample to time", str(n))
    if prev == 0:
        rate = int(sample_rate_hz)
        if rate <= 0:
            raise _err(
                None,
                "a sample rate to time a frame with no previous frame timestamp",
                f"sample_rate_hz={sample_rate_hz}",
            )
        if ts * rate < n * 1_000_000_000:
            raise _err(1, f"frame timestamp ≥ {n} samples x 1e9/{rate} ns", f"{ts} ns")
        k = np.arange(n - 1, -1, -1, dtype=np.int64)  # samples before the last
        q, r = np.divmod(k * 1_000_000_000, rate)
        base = ts - q - (r > 0)
        return _round_half_even_frac(base, np.where(r > 0, rate - r, 0), rate)
    gap = ts - prev
    if gap <= 0:
        raise _err(1, f"frame timestamp after the previous one ({prev} ns)", f"{ts} ns")
    q, r = divmod(gap, n)  # gap·(i+1)/n = q·(i+1) + r·(i+1)/n, no int64 overflow
    i1 = np.arange(1, n + 1, dtype=np.int64)
    out = q * i1
    out += prev
    if r == 0:
        return out
    d, m = np.divmod(r * i1, n)
    out += d
    twice = 2 * m
    out += twice > n
    if n % 2 == 0:  # exact halves only occur for even n
        tie = twice == n
        out[tie] += out[tie] & 1
    return out
