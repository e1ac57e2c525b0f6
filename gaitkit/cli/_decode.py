"""``gaitkit decode``: decode BLE notification bytes of a sensor family and print them as JSON.

Example::

    gaitkit decode witmotion 5561000000000008000000000000000000000000
    gaitkit decode movesense 0263... --config path=/Meas/IMU6/52

Each HEX argument is one notification, in arrival order, fed to one decoder (so split frames
and DATA/DATA_PART2 pairs reassemble). The output is ``{"family", "config", "batches", "stats"}``
with every batch from :meth:`firmware_protocols.SampleBatch.to_dict`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from gaitkit.errors import ConfigError, InputFormatError

__all__ = ["parse_config_items", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``decode`` subcommand."""
    p = subparsers.add_parser(
        "decode",
        help="decode BLE notification bytes of a sensor family to JSON",
        description="Decode BLE notification payloads (hex, one argument per notification, in "
        "arrival order) with a firmware_protocols family decoder and print the sample batches "
        "as JSON.",
    )
    p.add_argument("family", metavar="FAMILY", help="sensor family id, e.g. movesense")
    p.add_argument("hex", metavar="HEX", nargs="+", help="notification payload in hex")
    p.add_argument(
        "--config",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="decoder setting (repeatable); values are read as JSON when they parse, else text, "
        "e.g. --config path=/Meas/IMU6/104 --config reference=99",
    )
    p.add_argument("--indent", type=int, default=None, help="indent the JSON output")
    p.set_defaults(func=run)


def parse_config_items(items: list[str]) -> dict[str, Any]:
    """Turn ``["key=value", ...]`` into a dict; values parse as JSON when they can."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--config: expected KEY=VALUE, found {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    """Decode the notifications and print the JSON document."""
    from firmware_protocols import ProtocolError
    from firmware_protocols.registry import UnknownFamilyError, get_family

    try:
        module = get_family(args.family)
    except UnknownFamilyError as exc:
        raise ConfigError(f"FAMILY: {exc}") from None
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"FAMILY: sensor family {args.family!r} is not installed in this build ({exc})"
        ) from None
    config = parse_config_items(args.config)
    try:
        decoder = module.make_decoder(**config)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"--config for {args.family}: {exc}") from None
    payloads = []
    for i, h in enumerate(args.hex, start=1):
        digits = h.removeprefix("0x").removeprefix("0X").replace(":", "").replace(" ", "")
        shown = digits if len(digits) <= 40 else digits[:40] + "..."
        where = f"payload {i} of {len(args.hex)}"
        bad = [c for c in digits if c not in "0123456789abcdefABCDEF"]
        if bad:
            raise InputFormatError(
                f"{where}: expected hex digits 0-9a-f, found {bad[0]!r} in {shown!r}"
            )
        if len(digits) % 2:
            raise InputFormatError(
                f"{where}: expected an even number of hex digits (whole bytes), "
                f"found {len(digits)} in {shown!r}"
            )
        payloads.append(bytes.fromhex(digits))
    batches = []
    for i, payload in enumerate(payloads, start=1):
        try:
            batches.extend(decoder.decode(payload))
        except ProtocolError as exc:
            raise InputFormatError(f"payload {i} of {len(payloads)}: {exc}") from None
    doc = {
        "family": args.family,
        "config": config,
        "batches": [b.to_dict() for b in batches],
        "stats": asdict(decoder.stats),
    }
    json.dump(doc, sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    if not any(b.n_samples for b in batches):
        # not an error (a partial frame may wait for its continuation), but never silent
        skipped = getattr(decoder, "skipped_bytes", None)
        extra = f"; {skipped} byte(s) skipped as not part of a frame" if skipped else ""
        print(
            f"gaitkit decode: warning: no samples decoded from {len(payloads)} payload(s)"
            f"{extra}; a frame may be incomplete, or these bytes are not {args.family} data",
            file=sys.stderr,
        )
    return 0
