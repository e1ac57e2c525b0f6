"""Package-level promises: light import, the core free of I/O libraries, version, CLI entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import gaitkit

REPO = Path(__file__).resolve().parents[1]

#: Core modules: numpy, pandas, scipy and gaitkit only (STYLE.md "a pure core").
CORE_MODULES = [
    "gaitkit.units",
    "gaitkit.frames",
    "gaitkit.errors",
    "gaitkit.model",
    "gaitkit.schema",
    "gaitkit.quality",
    "gaitkit.simulate",
    "gaitkit.events",
    "gaitkit.evaluation",
    "gaitkit.orientation",
    "gaitkit.kinematics",
    "gaitkit.metrics",
    "gaitkit.analysis",
]


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO
    ).stdout


def test_import_is_light():
    """``import gaitkit`` must not pull in scipy.signal, matplotlib, bleak or the readers."""
    out = _run(
        "import sys, json, gaitkit; "
        "print(json.dumps([m for m in ('scipy.signal', 'matplotlib', 'bleak', 'gaitkit.io', "
        "'scipy.interpolate', 'gaitkit.analysis') if m in sys.modules]))"
    )
    assert json.loads(out) == []


def test_core_never_imports_bleak_or_matplotlib():
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('bleak', 'matplotlib'):\n"
        "            raise ImportError('blocked in the core: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for m in {CORE_MODULES!r}:\n"
        "    importlib.import_module(m)\n"
        "print('ok')\n"
    )
    assert _run(blocker).strip() == "ok"


def test_firmware_protocols_is_standalone():
    out = _run(
        "import sys, firmware_protocols, firmware_protocols.registry as r\n"
        "for f in r.FAMILIES: r.get_family(f)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('gaitkit', 'bleak', 'pandas')))"
    )
    assert out.strip() == "[]"


def test_version_and_lazy_attributes():
    assert gaitkit.__version__
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        gaitkit.nope  # noqa: B018
    assert "analyze" in dir(gaitkit)


def test_cli_help_and_errors(capsys):
    from gaitkit.cli import main

    assert main([]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for cmd in ("demo", "analyze", "simulate", "info", "convert", "decode"):
        assert cmd in out


def test_python_dash_m_runs():
    out = subprocess.run(
        [sys.executable, "-m", "gaitkit", "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert out.returncode == 0 and out.stdout.startswith("gaitkit ")


def test_cli_output_into_a_closed_pipe_is_not_an_error():
    """`gaitkit ... | head -1` must not print a BrokenPipeError traceback."""
    import os

    r, w = os.pipe()
    os.close(r)  # the reader is gone before we write: the first write fails with EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gaitkit", "info", "datasets/demo/demo_walk.csv"],
            stdout=w, stderr=subprocess.PIPE, text=True, cwd=REPO,
        )
    finally:
        os.close(w)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode == 0


def test_ruff_clean():
    """The house style is enforced, not aspired to (ruff is in the test extra)."""
    from ruff.__main__ import find_ruff_bin  # ruff is part of the test extra

    proc = subprocess.run([find_ruff_bin(), "check", "."], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_usage_errors_are_one_line(capsys):
    from gaitkit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["info", "x.csv", "--rate", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gaitkit info: error: argument --rate: expected a sampling rate in Hz above 0, found 0 "
        "(see: gaitkit info --help)"
    ]
