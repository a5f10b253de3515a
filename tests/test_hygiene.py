"""Hygiene the pre-commit hooks enforce, checked in CI too (pre-commit itself is optional)."""

import shutil
import subprocess

import nbformat

from translocal.base import paths
from translocal.build import hygiene


def test_committed_notebooks_carry_no_outputs():
    found = [p for nb in sorted(paths.NOTEBOOKS.glob("*.ipynb")) for p in hygiene.problems(nb)]
    assert not found, found


def test_a_notebook_with_outputs_is_refused_and_can_be_stripped(tmp_path):
    source = min(paths.NOTEBOOKS.glob("*.ipynb"))
    executed = paths.EXECUTED / source.name
    copy = tmp_path / source.name
    shutil.copy(executed if executed.is_file() else source, copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="42\n")]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, copy)
    assert hygiene.problems(copy) and hygiene.main([str(copy)]) == 1
    assert hygiene.strip(copy) and hygiene.problems(copy) == []


def test_the_code_is_linted_and_formatted():
    ruff = str(paths.ROOT / ".venv" / "bin" / "ruff")
    lint = subprocess.run([ruff, "check", "src", "tests"], cwd=paths.ROOT, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    form = subprocess.run(
        [ruff, "format", "--check", "src", "tests"], cwd=paths.ROOT, capture_output=True, text=True, check=False
    )
    assert form.returncode == 0, form.stdout


def test_pre_commit_hooks_are_local():
    config = (paths.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "repo: local" in config and "https://" not in config
    assert "translocal.build.hygiene" in config and "ruff check" in config and "lint-imports" in config
