"""Byte-identical rebuilds: a second, independent build of the same commit gives the same bytes
for every figure, table, the values, the manuscript PDF and its Word version.

The second build runs in a fresh clone of this repository (so it must be committed: the tests
already require a clean tree), with the public files taken from this build's verified copies
(as an offline mirror) and this environment's Python (`make SYSTEM_ENV=1`). About a minute."""

import filecmp

import pytest
from conftest import build_clone, committed_clone

from translocal import paths

COMPARED = ["paper/figures", "paper/tables", "paper/values.json", "paper/manuscript.pdf", "paper/manuscript.docx"]


def _files(root):
    found = []
    for item in COMPARED:
        path = root / item
        found += sorted(p.relative_to(root) for p in path.iterdir()) if path.is_dir() else [path.relative_to(root)]
    return found


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    return build_clone(committed_clone(tmp_path_factory, "rebuild"), "second build")


def test_a_second_build_gives_the_same_bytes(second_build):
    ours, theirs = _files(paths.ROOT), _files(second_build)
    assert ours == theirs, "the two builds made different sets of files"
    different = [str(f) for f in ours if not filecmp.cmp(paths.ROOT / f, second_build / f, shallow=False)]
    assert not different, f"not byte-identical between two builds: {different}"
