"""Decoding throughput of the movesense, witmotion, thingy52 and gaitkit_open decoders.

Run from the repository root: ``PYTHONPATH=. python benchmarks/bench_protocols_b.py``.

For each family it measures, on one core (best of 5 runs), samples decoded per second
(a) feeding notifications one by one through ``decode`` (what a live BLE callback does) and
(b) batching many notifications per call with ``decode_many`` where the protocol allows.
It prints whether the 1 million samples/s target is met, the equivalent "x real time" for one
sensor at 200 Hz, and the share of a core that 8 sensors at 200 Hz (1600 samples/s) need.
"""

from __future__ import annotations

import struct
import time

import numpy as np

from firmware_protocols import gaitkit_open, movesense, thingy52, witmotion

TARGET = 1_000_000
LIVE_SAMPLES_PER_S = 8 * 200
N_SAMPLES = 200_000
rng = np.random.default_rng(0)


def _best(fn, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _movesense_packets(n_samples: int, per_packet: int = 4, rate: int = 104) -> list[bytes]:
    out = []
    for k in range(n_samples // per_packet):
        ts = round(k * per_packet * 1000 / rate) % (1 << 32)
        arr = rng.normal(size=(2, per_packet, 3)).astype("<f4")
        out.append(struct.pack("<BBI", 2, 99, ts) + arr.tobytes())
    return out


def _witmotion_notifications(n_samples: int) -> list[bytes]:
    vals = rng.integers(-32768, 32768, (n_samples, 9)).astype("<i2")
    return [b"\x55\x61" + r.tobytes() for r in vals]


def _thingy_packets(n_samples: int) -> list[bytes]:
    vals = rng.integers(-32768, 32768, (n_samples, 9)).astype("<i2")
    return [r.tobytes() for r in vals]


def _open_packets(n_samples: int, spp: int) -> list[bytes]:
    s = rng.integers(-32768, 32768, (n_samples, 6)).astype(np.int16)
    return gaitkit_open.encode_packets(s[:, :3], s[:, 3:], rate_code=5, samples_per_packet=spp,
                                       first_counter=2**32 - 1000)


def _one_by_one(make, packets):
    def run():
        d = make()
        n = 0
        for p in packets:
            for b in d.decode(p):
                n += b.n_samples
        assert n > 0

    return run


def _batched(make, packets, chunk: int):
    def run():
        d = make()
        for i in range(0, len(packets), chunk):
            d.decode_many(packets[i : i + chunk])
        assert d.stats.samples > 0

    return run


CASES = [
    ("movesense IMU6, 4 samples/notification", lambda: movesense.make_decoder(
        path="/Meas/IMU6/104"), _movesense_packets(N_SAMPLES)),
    ("witmotion 0x61, 1 frame/notification", witmotion.make_decoder,
     _witmotion_notifications(N_SAMPLES)),
    ("thingy52 raw, 1 sample/notification", thingy52.make_decoder, _thingy_packets(N_SAMPLES)),
    ("gaitkit_open full, 19 samples/notification", gaitkit_open.make_decoder,
     _open_packets(N_SAMPLES, 19)),
    ("gaitkit_open compact, 1 sample/notification", gaitkit_open.make_decoder,
     _open_packets(N_SAMPLES, 0)),
]


def main() -> None:
    print(f"{N_SAMPLES} samples per case, one core, best of 5\n")
    header = (f"{'case':46s} {'mode':22s} {'samples/s':>12s} {'≥1M?':>5s} "
              f"{'x real time @200Hz':>19s} {'8×200 Hz, % core':>17s}")
    print(header)
    print("-" * len(header))
    for name, make, packets in CASES:
        n = sum(b.n_samples for b in make().decode_many(packets))
        for mode, fn in (
            ("decode (per notif.)", _one_by_one(make, packets)),
            ("decode_many (1000/call)", _batched(make, packets, 1000)),
        ):
            dt = _best(fn, repeats=3 if mode.startswith("decode (") else 5)
            rate = n / dt
            print(f"{name:46s} {mode:22s} {rate:12.3e} {'yes' if rate >= TARGET else 'no':>5s} "
                  f"{rate / 200:19.0f} {100 * LIVE_SAMPLES_PER_S / rate:16.3f}%")


if __name__ == "__main__":
    main()
