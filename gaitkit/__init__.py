"""gaitkit: gait analysis from wearable shank and thigh IMUs.

The top-level namespace is lazy: ``import gaitkit`` loads only the data model; readers, the
simulator and the analysis load on first use, so the import stays fast (< 0.5 s).

>>> import gaitkit
>>> rec = gaitkit.simulate_gait(duration_s=20.0, seed=1).recording   # doctest: +SKIP
>>> result = gaitkit.analyze(rec)                                      # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gaitkit._version import __version__
from gaitkit.errors import DataQualityWarning, GaitkitError, InputFormatError
from gaitkit.model import Annotation, Recording, RecordingMeta, SensorStream

__all__ = [
    "AnalysisConfig",
    "Annotation",
    "DataQualityWarning",
    "GaitkitError",
    "InputFormatError",
    "Recording",
    "RecordingMeta",
    "SensorStream",
    "__version__",
    "analyze",
    "read_recording",
    "simulate_gait",
    "write_recording",
]

# name -> module that defines it, imported on first attribute access (PEP 562).
_LAZY = {
    "read_recording": "gaitkit.io",
    "write_recording": "gaitkit.io",
    "simulate_gait": "gaitkit.simulate",
    "analyze": "gaitkit.analysis",
    "AnalysisConfig": "gaitkit.analysis",
}

if TYPE_CHECKING:  # pragma: no cover
    from gaitkit.analysis import AnalysisConfig, analyze
    from gaitkit.io import read_recording, write_recording
    from gaitkit.simulate import simulate_gait


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gaitkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
