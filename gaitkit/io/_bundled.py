"""The bundled sample recording used by ``gaitkit demo`` (see ``datasets/demo/README.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaitkit.errors import GaitkitError

if TYPE_CHECKING:
    from gaitkit.model import Recording

__all__ = ["demo_path", "load_demo"]

DEMO_FILE = "demo_walk.csv"


def demo_path() -> Path:
    """Path of the bundled demo recording (gaitkit CSV with its JSON sidecar).

    In an installed wheel it lives in ``gaitkit/_bundled/demo``; in a source checkout (editable
    install) in ``datasets/demo`` at the repository root.
    """
    here = Path(__file__).resolve().parents[1]
    for folder in (here / "_bundled" / "demo", here.parent / "datasets" / "demo"):
        if (folder / DEMO_FILE).is_file():
            return folder / DEMO_FILE
    raise GaitkitError(
        f"the bundled demo recording {DEMO_FILE} is missing from this installation "
        f"(looked in {here / '_bundled' / 'demo'} and {here.parent / 'datasets' / 'demo'}); "
        "reinstall gaitkit-imu"
    )


def load_demo() -> Recording:
    """Load the bundled demo recording (simulated, deterministic; see its dataset card)."""
    from gaitkit.io import read_recording

    return read_recording(demo_path())
