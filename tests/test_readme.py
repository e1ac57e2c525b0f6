"""README promises: CI runs README's commands; README's Python and CLI examples run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.DOTALL)


def test_ci_runs_the_readme_test_commands():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    ci_cmds = [ln.strip() for ln in ci if ln.strip().startswith("python -m p")]
    assert ci_cmds, "no install/test command found in .ci/run"
    readme_lines = {ln.strip() for block in _blocks("bash") for ln in block.splitlines()}
    install_and_test = [c for c in ci_cmds if "pip install --quiet --upgrade pip" not in c]
    for cmd in install_and_test:
        assert cmd in readme_lines, f".ci/run runs {cmd!r}, which README does not show"
    assert "python -m pytest" in install_and_test


def test_readme_python_example_runs(tmp_path, monkeypatch):
    (code,) = [b for b in _blocks("python") if "import gaitkit" in b][:1]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    result = namespace["result"]
    assert len(result.strides) > 20
    assert {"left", "right"} <= set(result.summary["legs"])


@pytest.mark.parametrize("placeholder", ["gaitkit demo"])
def test_readme_names_the_demo(placeholder):
    assert f"python -m pip install . && {placeholder}" in README


def test_code_fences_are_balanced():
    """An unclosed fence turns the rest of README (also the PyPI page) into code."""
    fences = [ln for ln in README.splitlines() if ln.startswith("```")]
    assert len(fences) % 2 == 0
    assert all(f != "```" for f in fences[0::2]), "every block opens with a language"
