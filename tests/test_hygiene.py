"""Hygiene the pre-commit hooks enforce, checked in CI too (pre-commit itself is optional)."""

import shutil
import subprocess

import nbformat

from translocal.base import paths
from translocal.build import pipeline

BIN = paths.ROOT / ".venv" / "bin"


def _nbstripout(*args: str) -> subprocess.CompletedProcess:
    """nbstripout as the pre-commit hook runs it (``--keep-id``: the exhibit map names cells by id)."""
    command = [str(BIN / "nbstripout"), "--keep-id", *args]
    return subprocess.run(command, cwd=paths.ROOT, capture_output=True, text=True, check=False)


def test_committed_notebooks_carry_no_outputs():
    sources = [paths.ROOT / nb.source for nb in pipeline.load()]
    verify = _nbstripout("--verify", *map(str, sources))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # nbstripout keeps the outputs of a cell marked keep_output; the policy allows none
    for source in sources:
        for cell in nbformat.read(source, as_version=4).cells:
            assert not cell.get("outputs") and cell.get("execution_count") is None, source.name


def test_a_notebook_with_outputs_is_refused_and_can_be_stripped(tmp_path):
    source = min(paths.NOTEBOOKS.glob("*.ipynb"))
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="42\n")]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, copy)
    assert _nbstripout("--verify", str(copy)).returncode == 1
    assert _nbstripout(str(copy)).returncode == 0
    # stripped back to the committed bytes, cell ids and all
    assert copy.read_bytes() == source.read_bytes()


def test_the_code_is_linted_and_formatted():
    ruff = str(BIN / "ruff")
    lint = subprocess.run([ruff, "check", "src", "tests"], cwd=paths.ROOT, capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout
    form = subprocess.run(
        [ruff, "format", "--check", "src", "tests"], cwd=paths.ROOT, capture_output=True, text=True, check=False
    )
    assert form.returncode == 0, form.stdout


def test_pre_commit_hooks_are_local():
    config = (paths.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "repo: local" in config and "https://" not in config
    assert "nbstripout --verify --keep-id" in config and "ruff check" in config and "lint-imports" in config
