"""Decoding throughput of the Polar PMD and MetaWear decoders (firmware_protocols, part A).

Throughput is measured in CPU time of this process (``time.process_time``), so it is a per-core
figure even on a shared machine. Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_protocols_a.py

For each family and frame type it feeds a stream of realistic notifications, one ``decode`` call
per notification as a BLE recorder would, on one core, and prints:

* samples/s per core (target ≥ 1 000 000), and whether the target is met;
* "x real time" for one sensor at its nominal rate;
* the cost of 8 sensors at 200 Hz as % of one core.

Polar frames are the vendor's own vectors (tests/vectors/polar_pmd.json) re-stamped with
advancing timestamps, plus synthetic frames of the same layout for frame types without a
full-size vector (built by the small encoder below). Best of 3 runs.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from firmware_protocols import metawear, polar_pmd

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1_000_000


def _pack(deltas: np.ndarray, width: int) -> bytes:
    u = deltas.astype(np.int64).ravel() & ((1 << width) - 1)
    bits = ((u[:, None] >> np.arange(width)) & 1).astype(np.uint8).ravel()
    return np.packbits(bits, bitorder="little").tobytes()


def _compressed(mtype: int, ftype: int, samples: np.ndarray, ref_bytes: int) -> bytes:
    """One-block delta frame body (timestamp filled in later)."""
    mask = (1 << (8 * ref_bytes)) - 1
    body = b"".join((int(v) & mask).to_bytes(ref_bytes, "little") for v in samples[0])
    d = np.diff(samples.astype(np.int64), axis=0)
    if ref_bytes == 4:
        d = (d + (1 << 31)) % (1 << 32) - (1 << 31)
    m = max(int(np.abs(d).max()), 1)
    w = min(m.bit_length() + 1, 32)
    body += bytes((w, len(d))) + _pack(d, w)
    return bytes([mtype]) + bytes(8) + bytes([ftype]) + body


def _stamp(template: bytes, n: int, rate: float, count: int) -> list[bytes]:
    t0 = 830_000_000_000_000_000
    step = n * 1e9 / rate
    return [
        template[:1] + int(t0 + step * (k + 1)).to_bytes(8, "little") + template[9:]
        for k in range(count)
    ]


def _run(decoder_factory, packets: list[bytes]) -> float:
    best = 0.0
    for _ in range(3):
        dec = decoder_factory()
        n = 0
        t = time.process_time()
        for p in packets:
            for b in dec.decode(p):
                n += b.n_samples
        dt = time.process_time() - t
        best = max(best, n / dt)
    return best


def _run_many(decoder_factory, buffers: list[list[bytes]]) -> float:
    best = 0.0
    for _ in range(3):
        dec = decoder_factory()
        n = 0
        t = time.process_time()
        for buf in buffers:
            for b in dec.decode_many(buf):
                n += b.n_samples
        dt = time.process_time() - t
        best = max(best, n / dt)
    return best


def main() -> None:
    vec = {
        v["id"]: v
        for v in json.loads((ROOT / "tests/vectors/polar_pmd.json").read_text())["vectors"]
    }
    mwv = {
        v["id"]: v
        for v in json.loads((ROOT / "tests/vectors/metawear.json").read_text())["vectors"]
    }
    rng = np.random.default_rng(0)
    walk = (
        np.cumsum(rng.integers(-40, 41, (36, 3)), axis=0) + 1000
    )  # raw frames: 36 like the vector
    walk57 = np.cumsum(rng.integers(-150, 151, (57, 3)), axis=0)  # compressed: 57 like the vector
    gyro_f = (np.cumsum(rng.normal(0, 2, (57, 3)), axis=0)).astype(np.float32)
    cases = []
    raw1 = bytes.fromhex(vec["polar_acc_raw_type1_52hz"]["packet_hex"])
    cases.append(("polar_pmd ACC raw 0x01 (36 smp/frame)", raw1, 36, 52, {}))
    raw0 = raw1[:9] + b"\x00" + np.clip(walk, -128, 127).astype(np.int8).tobytes()
    cases.append(("polar_pmd ACC raw 0x00 (36 smp/frame, synth)", raw0, 36, 52, {}))
    raw2 = (
        raw1[:9] + b"\x02" + b"".join(int(v & 0xFFFFFF).to_bytes(3, "little") for v in walk.ravel())
    )
    cases.append(("polar_pmd ACC raw 0x02 (36 smp/frame, synth)", raw2, 36, 52, {}))
    c80 = bytes.fromhex(vec["polar_acc_delta_type0_factor"]["packet_hex"])
    cases.append(("polar_pmd ACC delta 0x80 (57 smp/frame)", c80, 57, 52, {"factor": 0.000244}))
    cases.append(
        (
            "polar_pmd ACC delta 0x81 (57 smp/frame, synth)",
            _compressed(2, 0x81, walk57, 2),
            57,
            52,
            {},
        )
    )
    cases.append(
        (
            "polar_pmd GYRO delta 0x80 (57 smp/frame, synth)",
            _compressed(5, 0x80, walk57, 2),
            57,
            52,
            {},
        )
    )
    g81 = _compressed(5, 0x81, gyro_f.view(np.uint32).astype(np.int64), 4)
    cases.append(("polar_pmd GYRO delta 0x81 float (57 smp/frame, synth)", g81, 57, 52, {}))

    rows = []
    for name, template, n, rate, kw in cases:
        packets = _stamp(template, n, rate, 3000)
        sps = _run(
            lambda kw=kw, rate=rate: polar_pmd.make_decoder(sample_rate_hz=rate, **kw), packets
        )
        rows.append((name, sps, rate))

    mw_cases = [
        (
            "metawear acc single (1 smp/notif)",
            [bytes.fromhex(mwv["mw_bmi160_acc_single"]["packet_hex"])] * 20000,
            {},
        ),
        (
            "metawear acc packed (3 smp/notif)",
            [bytes.fromhex(mwv["mw_bmi160_acc_packed"]["packet_hex"])] * 20000,
            {},
        ),
        (
            "metawear gyro packed (3 smp/notif)",
            [bytes.fromhex(mwv["mw_bmi160_gyro_packed"]["packet_hex"])] * 20000,
            {},
        ),
        (
            "metawear acc accounter time (1 smp/notif)",
            [b"\x09\x03\x00" + (7 * k).to_bytes(4, "little") + bytes(6) for k in range(20000)],
            {"accounter": "time", "sample_rate_hz": 100},
        ),
    ]
    for name, packets, kw in mw_cases:
        sps = _run(lambda kw=kw: metawear.make_decoder(chip="bmi160", **kw), packets)
        rows.append((name, sps, 100))
    # decode_many: a recorder hands over the notifications buffered during 100 ms at 200 Hz
    for name, packets, kw in mw_cases:
        per = 20
        buffers = [packets[i : i + per] for i in range(0, len(packets), per)]
        sps = _run_many(lambda kw=kw: metawear.make_decoder(chip="bmi160", **kw), buffers)
        rows.append((name.replace("(", f"decode_many x{per} ("), sps, 100))

    head = ("family / frame type", "samples/s/core", "target", "x real time", "8x200Hz %core")
    print(f"{head[0]:58s} {head[1]:>15s} {head[2]:>7s} {head[3]:>12s} {head[4]:>14s}")
    for name, sps, rate in rows:
        met = "met" if sps >= TARGET else "MISSED"
        print(f"{name:58s} {sps:15,.0f} {met:>7s} {sps / rate:12,.0f} {100 * 8 * 200 / sps:13.3f}%")
    worst = min(r[1] for r in rows)
    print(
        f"\nslowest case: {worst:,.0f} samples/s per core -> target of {TARGET:,} "
        f"{'met' if worst >= TARGET else 'NOT met'} by every case"
    )
    print(
        "x real time = samples/s / nominal rate of one sensor (Polar 52 Hz, MetaWear 100 Hz); "
        "8x200Hz %core = 1600 samples/s / throughput."
    )


if __name__ == "__main__":
    main()
