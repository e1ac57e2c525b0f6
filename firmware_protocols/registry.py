"""Registry of sensor families: look a family up by id and make its decoder.

Each family is a sub-package ``firmware_protocols.<id>`` exporting ``FAMILY``, ``PROFILE``,
``make_decoder(**config)``, ``start_commands(**options)`` and ``stop_commands(...)``. Families
are imported lazily, on first use, so importing the registry stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from firmware_protocols._base import Decoder

__all__ = ["FAMILIES", "UnknownFamilyError", "get_family", "make_decoder"]

#: Ids of every sensor family, in the order documentation lists them.
FAMILIES: tuple[str, ...] = (
    "polar_pmd",
    "metawear",
    "movesense",
    "witmotion",
    "thingy52",
    "gaitkit_open",
)


class UnknownFamilyError(KeyError):
    """A family id that is not in :data:`FAMILIES`."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


def get_family(name: str) -> ModuleType:
    """Import and return the family module ``firmware_protocols.<name>``.

    Raises
    ------
    UnknownFamilyError
        ``name`` is not a known family id (the message lists the known ones).
    ModuleNotFoundError
        The family is known but its module is not installed in this checkout.
    """
    if name not in FAMILIES:
        raise UnknownFamilyError(
            f"unknown sensor family {name!r}: expected one of {', '.join(FAMILIES)}"
        )
    return importlib.import_module(f"firmware_protocols.{name}")


def make_decoder(name: str, **config: Any) -> Decoder:
    """Create the decoder of family ``name`` with its config keys (see each family's module)."""
    return get_family(name).make_decoder(**config)
