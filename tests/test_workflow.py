"""The GitHub Actions workflow, checked here against GitHub's published workflow schema (the
copy bundled with check-jsonschema, so no network is needed), so that a broken workflow fails
in `make test` and not on the first push."""

import shutil
import subprocess
import sys
from pathlib import Path

from translocal.base import paths

WORKFLOW = paths.ROOT / ".github" / "workflows" / "ci.yml"


def _check(path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run(
        [exe, "--builtin-schema", "vendor.github-workflows", str(path)], capture_output=True, text=True, check=False
    )


def test_the_workflow_follows_githubs_schema():
    result = _check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_is_caught(tmp_path):
    broken = tmp_path / "ci.yml"
    # a job without runs-on, and a step that is neither `uses` nor `run`
    broken.write_text("on: push\njobs:\n  test:\n    steps:\n      - name: nothing\n", encoding="utf-8")
    assert _check(broken).returncode != 0


def test_the_workflow_runs_the_readmes_test_command():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "make test" in text and 'python-version: "3.11"' in text
    assert "hashFiles('requirements.lock')" in text  # the uv cache follows the lock
    assert "make package DRAFT=1" in text and "build/package/*.zip" in text  # the package as an artifact
