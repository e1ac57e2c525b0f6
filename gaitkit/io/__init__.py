"""Reading and writing files: the only part of gaitkit that touches them.

- :func:`read_recording` reads gaitkit CSV (+ JSON sidecar), HuGaDB text files and any CSV
  through a declared :class:`ColumnMap`, validates it once and returns a
  :class:`~gaitkit.model.Recording` in SI units with data-quality annotations.
- :func:`write_recording` writes gaitkit CSV + sidecar (exact float round trip).
- Simulated ground truth (:func:`write_simulation`, :func:`read_ground_truth`), analysis
  results (:func:`write_analysis`) and the bundled demo (:func:`load_demo`).
"""

from gaitkit.io._api import FORMATS, detect_format, labelled_bouts, read_recording, write_recording
from gaitkit.io._bundled import demo_path, load_demo
from gaitkit.io._gaitkit_csv import read_gaitkit_csv, sidecar_path, write_gaitkit_csv
from gaitkit.io._hugadb import (
    HUGADB_ACTIVITIES,
    HUGADB_DEFAULT_RATE_HZ,
    HUGADB_PLACEMENTS,
    read_hugadb,
)
from gaitkit.io._mapped_csv import ChannelSpec, ColumnMap, read_mapped_csv
from gaitkit.io._results import json_safe, write_analysis
from gaitkit.io._simulation import (
    read_ground_truth,
    truth_paths,
    write_ground_truth,
    write_simulation,
)

__all__ = [
    "FORMATS",
    "HUGADB_ACTIVITIES",
    "HUGADB_DEFAULT_RATE_HZ",
    "HUGADB_PLACEMENTS",
    "ChannelSpec",
    "ColumnMap",
    "demo_path",
    "detect_format",
    "json_safe",
    "labelled_bouts",
    "load_demo",
    "read_gaitkit_csv",
    "read_ground_truth",
    "read_hugadb",
    "read_mapped_csv",
    "read_recording",
    "sidecar_path",
    "truth_paths",
    "write_analysis",
    "write_gaitkit_csv",
    "write_ground_truth",
    "write_recording",
    "write_simulation",
]
