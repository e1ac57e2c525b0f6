"""Reading and writing recordings: the only part of gaitkit that touches files.

- :func:`read_recording` reads gaitkit CSV (+ JSON sidecar), HuGaDB text files and any CSV
  through a declared :class:`ColumnMap`, validates it once and returns a
  :class:`~gaitkit.model.Recording` in SI units with data-quality annotations.
- :func:`write_recording` writes gaitkit CSV + sidecar (exact float round trip).
"""

from gaitkit.io._api import FORMATS, detect_format, labelled_bouts, read_recording, write_recording
from gaitkit.io._gaitkit_csv import read_gaitkit_csv, sidecar_path, write_gaitkit_csv
from gaitkit.io._hugadb import (
    HUGADB_ACTIVITIES,
    HUGADB_DEFAULT_RATE_HZ,
    HUGADB_PLACEMENTS,
    read_hugadb,
)
from gaitkit.io._mapped_csv import ChannelSpec, ColumnMap, read_mapped_csv

__all__ = [
    "FORMATS",
    "HUGADB_ACTIVITIES",
    "HUGADB_DEFAULT_RATE_HZ",
    "HUGADB_PLACEMENTS",
    "ChannelSpec",
    "ColumnMap",
    "detect_format",
    "labelled_bouts",
    "read_gaitkit_csv",
    "read_hugadb",
    "read_mapped_csv",
    "read_recording",
    "sidecar_path",
    "write_gaitkit_csv",
    "write_recording",
]
