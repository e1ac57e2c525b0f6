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


def test_readme_column_map_reads_a_csv_in_that_layout(tmp_path):
    """The map printed in README works on a file laid out as it describes."""
    import json

    import numpy as np
    import pandas as pd

    from gaitkit.io import read_recording
    from gaitkit.simulate import simulate_gait
    from gaitkit.units import G0, RAD_PER_DEG

    (block,) = re.findall(r"```json\n(.*?)```", README, flags=re.DOTALL)
    (tmp_path / "map.json").write_text(block)
    assert json.loads(block)["time"]["unit"] == "ms"
    rec = simulate_gait(duration_s=20.0, seed=1, placements=("shank_left",)).recording
    s = rec.streams["shank_left"]
    pd.DataFrame(
        {
            "timestamp": np.round(rec.time_s * 1000.0, 3),
            **{f"a{a}": s.acc_mps2[:, i] / G0 for i, a in enumerate("xyz")},
            **{f"g{a}": s.gyr_radps[:, i] / RAD_PER_DEG for i, a in enumerate("xyz")},
        }
    ).to_csv(tmp_path / "my.csv", index=False, float_format="%.10g")
    got = read_recording(
        tmp_path / "my.csv", column_map=tmp_path / "map.json", sampling_rate_hz=100.0
    )
    np.testing.assert_allclose(got.streams["shank_left"].gyr_radps, s.gyr_radps, atol=1e-6)
    np.testing.assert_allclose(got.streams["shank_left"].acc_mps2, s.acc_mps2, atol=1e-6)
