"""Conformance of every sensor family in firmware_protocols.registry.FAMILIES.

Each family module must export the shared convention: ``FAMILY``, ``PROFILE`` (SensorProfile),
``make_decoder(**config)``, ``start_commands(**options)``, ``stop_commands(...)``, and, for this
suite, ``EXAMPLE_CONFIG`` (dict) and ``EXAMPLE_NOTIFICATIONS`` (valid notifications that decode to
samples with that config). Every decoder must reject garbage, truncated and padded bytes only
with ProtocolError naming its family, reset() must work, and stats must count packets/samples.
A family whose module is absent from this checkout is skipped with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import re
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_protocols import Decoder, ProtocolError, SampleBatch, SensorProfile
from firmware_protocols.registry import FAMILIES, UnknownFamilyError, get_family, make_decoder

G0 = 9.80665
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _module(name: str):
    return get_family(name)


#: Examples for families that do not export EXAMPLE_CONFIG / EXAMPLE_NOTIFICATIONS, built from the
#: byte layouts in the gaitkit protocol notes (README sections 1-2), with known decoded values:
#: Polar H10 raw ACC frame type 0x01 (int16 mG, 3 samples) and a MetaWear BMI160 accelerometer
#: notification ``03 04`` (int16, ±2 g = 16384 LSB/g).
_FALLBACK_EXAMPLES = {
    "polar_pmd": (
        {"measurement": "ACC", "sample_rate_hz": 200},
        [bytes([0x02]) + struct.pack("<Q", 599616000000000000) + bytes([0x01])
         + struct.pack("<9h", 10, -20, 1000, 12, -18, 1002, 8, -22, 998)],
        [0.01 * G0, -0.02 * G0, 1.0 * G0],
    ),
    "metawear": (
        {"chip": "bmi160", "acc_range_g": 2, "sample_rate_hz": 100},
        [bytes([0x03, 0x04]) + struct.pack("<3h", 100, -200, 16384)],
        [100 / 16384 * G0, -200 / 16384 * G0, G0],
    ),
}


def _example(mod):
    missing = [a for a in ("EXAMPLE_CONFIG", "EXAMPLE_NOTIFICATIONS") if not hasattr(mod, a)]
    if missing and mod.FAMILY in _FALLBACK_EXAMPLES:
        config, payloads, _ = _FALLBACK_EXAMPLES[mod.FAMILY]
        return dict(config), list(payloads)
    assert not missing, (
        f"{mod.__name__} must export {' and '.join(missing)} for the conformance suite"
    )
    assert mod.EXAMPLE_NOTIFICATIONS, f"{mod.__name__}.EXAMPLE_NOTIFICATIONS is empty"
    return dict(mod.EXAMPLE_CONFIG), [bytes(p) for p in mod.EXAMPLE_NOTIFICATIONS]


def _feed(dec, payloads):
    out = []
    for p in payloads:
        res = dec.decode(p)
        assert isinstance(res, list) and all(isinstance(b, SampleBatch) for b in res)
        out += res
    return out


families = pytest.mark.parametrize("name", FAMILIES)


def test_registry_lists_six_families_and_rejects_unknown():
    assert len(FAMILIES) == 6 and len(set(FAMILIES)) == 6
    with pytest.raises(UnknownFamilyError) as info:
        get_family("fitbit")
    assert str(info.value) == (
        "unknown sensor family 'fitbit': expected one of " + ", ".join(FAMILIES)
    )


@families
def test_module_exports_the_convention(name):
    mod = _module(name)
    assert mod.FAMILY == name
    assert isinstance(mod.PROFILE, SensorProfile) and mod.PROFILE.family == name
    for uuid in (mod.PROFILE.service_uuid, *mod.PROFILE.notify_uuids):
        assert _UUID.match(uuid), f"{name}: UUID {uuid!r} is not a lower-case 128-bit UUID"
    assert set(mod.PROFILE.data_uuids) <= set(mod.PROFILE.notify_uuids)
    for fn in ("make_decoder", "start_commands", "stop_commands"):
        assert callable(getattr(mod, fn)), f"{name}.{fn} missing"
    assert (importlib.import_module(f"firmware_protocols.{name}").__file__ or "").endswith(
        "__init__.py"
    )
    assert (inspect.getdoc(mod.make_decoder) or "").strip(), f"{name}.make_decoder: config keys"


@families
def test_example_decodes_and_stats_count(name):
    mod = _module(name)
    config, payloads = _example(mod)
    dec = make_decoder(name, **config)
    assert isinstance(dec, Decoder) and dec.family == name
    batches = _feed(dec, payloads)
    n = sum(b.n_samples for b in batches)
    assert n > 0 and all(b.family == name for b in batches)
    assert dec.stats.packets == len(payloads)
    assert dec.stats.samples == n
    assert dec.stats.rejected_packets == 0
    for b in batches:
        for arr in (b.acc_mps2, b.gyr_radps, b.mag_ut):
            assert arr is None or (arr.shape == (b.n_samples, 3) and np.isfinite(arr).all())
        b.to_dict()  # JSON-friendly
    # reset(): a fresh stream decodes the same samples again
    dec.reset()
    again = _feed(dec, payloads)
    assert sum(b.n_samples for b in again) == n
    first = next(b for b in batches if b.n_samples)
    first2 = next(b for b in again if b.n_samples)
    for attr in ("acc_mps2", "gyr_radps", "mag_ut"):
        a, c = getattr(first, attr), getattr(first2, attr)
        assert (a is None) == (c is None)
        if a is not None:
            np.testing.assert_array_equal(a, c)


def _assert_protocol_error(name, fn):
    """Run ``fn``; any exception must be a ProtocolError naming the family."""
    try:
        fn()
    except ProtocolError as exc:
        assert exc.family == name and str(exc).startswith(f"{name}: ")
        assert exc.expected and exc.offset is not None and exc.offset >= 0


def _samples_or_error(name, dec, payload):
    """Samples decoded from ``payload``, or None when it raised ProtocolError naming ``name``."""
    try:
        return sum(b.n_samples for b in _feed(dec, [payload]))
    except ProtocolError as exc:
        assert exc.family == name and str(exc).startswith(f"{name}: ") and exc.expected
        assert exc.offset is not None and exc.offset >= 0
        return None


@families
def test_truncated_and_padded_examples(name):
    mod = _module(name)
    config, payloads = _example(mod)
    for p in payloads:
        full = _samples_or_error(name, make_decoder(name, **config), p)
        assert full
        for k in range(len(p)):
            # a truncated notification raises, or (byte streams, DATA waiting for its second
            # part) yields fewer samples than the whole one; never anything else
            got = _samples_or_error(name, make_decoder(name, **config), p[:k])
            assert got is None or got < full, f"{name}: {k}-byte prefix gave {got} samples"
        for pad in (b"\x00", b"\xff" * 7):
            got = _samples_or_error(name, make_decoder(name, **config), p + pad)
            assert got is None or got <= full, f"{name}: padded packet gave {got} samples"


@families
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_garbage_raises_only_protocol_errors(name, data):
    mod = _module(name)
    config, payloads = _example(mod)
    dec = make_decoder(name, **config)
    chunks = data.draw(st.lists(st.binary(max_size=260), min_size=1, max_size=5))
    if data.draw(st.booleans()):  # garbage among valid notifications
        chunks = [*payloads[:1], *chunks, *payloads[:1]]
    for c in chunks:
        _assert_protocol_error(name, lambda c=c: _feed(dec, [c]))
    assert dec.stats.packets >= 0 and dec.stats.samples >= 0


@families
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_examples_raise_only_protocol_errors(name, data):
    mod = _module(name)
    config, payloads = _example(mod)
    p = bytearray(data.draw(st.sampled_from(payloads)))
    for _ in range(data.draw(st.integers(1, 3))):
        p[data.draw(st.integers(0, len(p) - 1))] = data.draw(st.integers(0, 255))
    dec = make_decoder(name, **config)
    _assert_protocol_error(name, lambda: _feed(dec, [bytes(p)]))


def test_registry_imports_lazily_and_never_gaitkit_or_bleak():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, firmware_protocols.registry as r\n"
        "lazy = not any(f'firmware_protocols.{n}' in sys.modules for n in r.FAMILIES)\n"
        "for n in r.FAMILIES:\n"
        "    try:\n"
        "        r.get_family(n)\n"
        "    except ModuleNotFoundError:\n"
        "        pass\n"
        "print(lazy, 'gaitkit' in sys.modules, 'bleak' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(root)})
    assert res.stdout.split() == ["True", "False", "False"]


@pytest.mark.parametrize("name", sorted(_FALLBACK_EXAMPLES))
def test_fallback_examples_decode_to_known_values(name):
    mod = _module(name)
    config, payloads, first_acc = _FALLBACK_EXAMPLES[name]
    batches = _feed(make_decoder(name, **config), payloads)
    acc = next(b.acc_mps2 for b in batches if b.acc_mps2 is not None)
    np.testing.assert_allclose(acc[0], first_acc, rtol=1e-6)
    assert mod.FAMILY == name
