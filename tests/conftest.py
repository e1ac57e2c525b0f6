"""Shared fixtures.

Public sample data (HuGaDB) is never shipped with gaitkit. Tests that need it read the folder
named by ``GAITKIT_TEST_DATA`` (default: ``../shared/datasets`` beside the repository) and skip,
with the reason, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_data_root() -> Path:
    """Folder of public test datasets (``GAITKIT_TEST_DATA`` or ``../shared/datasets``)."""
    env = os.environ.get("GAITKIT_TEST_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def hugadb_dir() -> Path:
    """Folder holding the HuGaDB sample files; skips the test when it is absent."""
    d = test_data_root() / "hugadb"
    if not d.is_dir() or not any(d.glob("HuGaDB_v1_*.txt")):
        pytest.skip(
            f"HuGaDB sample not found at {d}: set GAITKIT_TEST_DATA to the folder holding hugadb/"
        )
    return d
