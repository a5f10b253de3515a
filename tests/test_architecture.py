"""The layers of the code (README, "Description of the code"): the base imports neither the
science nor the build machinery, the science nothing of the machinery (import-linter contracts
in pyproject.toml), and a notebook imports the science, the base and, of the machinery, only
``translocal.build.values``, which records its numbers."""

import subprocess

import nbformat

from translocal.base import paths
from translocal.build import pipeline
from translocal.build.run import translocal_imports as imported_modules

#: What a notebook may import from ``translocal``: the science (its top-level modules), the base
#: layer, and the one module of the machinery that records values.
NOTEBOOK_ALLOWED_PREFIXES = ("translocal.base", "translocal.build.values")


def test_the_import_contracts_are_kept():
    result = subprocess.run(
        [str(paths.ROOT / ".venv" / "bin" / "lint-imports"), "--no-cache"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _science() -> set[str]:
    return {f"translocal.{p.stem}" for p in (paths.ROOT / "src" / "translocal").glob("*.py") if p.stem != "__init__"}


def _allowed(name: str, science: set[str]) -> bool:
    """A science module or one of its names, the base layer, or ``translocal.build.values``."""
    return any(name == s or name.startswith(f"{s}.") for s in science) or name.startswith(NOTEBOOK_ALLOWED_PREFIXES)


def test_notebooks_import_only_the_science_the_base_and_values():
    science = _science()
    for source in [paths.ROOT / nb.source for nb in pipeline.load()]:
        cells = nbformat.read(source, as_version=4).cells
        imported = set().union(*(imported_modules(c.source) for c in cells if c.cell_type == "code"))
        assert imported, source.name
        assert not [name for name in imported if not _allowed(name, science)], source.name


def test_the_notebook_import_check_refuses_the_machinery():
    science = _science()
    names = imported_modules(
        "from translocal import frame\nfrom translocal.build import run\nimport translocal.build.paper"
    )
    assert sorted(n for n in names if not _allowed(n, science)) == ["translocal.build.paper", "translocal.build.run"]
    assert _allowed("translocal.build.values.Values", science) and _allowed("translocal.base.paths", science)
