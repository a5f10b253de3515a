"""The notebook-output policy: notebooks are committed as sources, without outputs.

The build writes executed copies to ``build/notebooks/`` (papermill); the committed
``notebooks/*.ipynb`` carry no outputs and no execution counts, so diffs show only what a
person changed, and no result (or confidential number) slips into git from an interactive run.
``python -m translocal.build.hygiene [FILES]`` checks the given notebooks (default: all under
``notebooks/``) and, with ``--fix``, strips them; the pre-commit hook and a test run it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from ..base import paths


def problems(path: Path) -> list[str]:
    """What in notebook ``path`` breaks the policy (empty when it is clean)."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path.name}: cell {i} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"{path.name}: cell {i} has an execution count")
    return found


def strip(path: Path) -> bool:
    """Remove outputs and execution counts in place; True when the file changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            cell.outputs, cell.execution_count, changed = [], None, True
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    fix = "--fix" in args
    files = [Path(a) for a in args if a != "--fix"] or sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    if fix:
        for f in files:
            if strip(f):
                print(f"hygiene: stripped outputs from {f}")
        return 0
    found = [p for f in files for p in problems(f)]
    for p in found:
        print(
            f"hygiene: {p} (commit notebooks without outputs: python -m translocal.build.hygiene --fix)",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
