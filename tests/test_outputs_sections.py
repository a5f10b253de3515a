"""Bookkeeping out of the story (issue 13): every notebook records its values and writes its
files in one section, its last before "What we found" and "Try it", headed "Outputs"; no other
cell writes or records. The Outputs section stays short because the values are computed by
tested functions of the science modules and recorded with one ``values.record_all`` call."""

from __future__ import annotations

import re

import nbformat
import pytest

from translocal.base import paths
from translocal.build import pipeline

NOTEBOOKS = [nb.name for nb in pipeline.load()]
#: Calls that write a file or record a value.
WRITES = re.compile(
    r"\b(figures\.save|write_csv|write_text|write_bytes|write_geopackage|synthetic\.write|savefig|to_csv\(\s*paths|"
    r"values\.(record|record_all|save))\("
)


def sections(cells) -> list[tuple[str, list]]:
    """The notebook's cells by "## " section: (heading, code cells), the part before the first
    heading under ""."""
    out: list[tuple[str, list]] = [("", [])]
    for cell in cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            out.append((cell.source.splitlines()[0], []))
        elif cell.cell_type == "code":
            out[-1][1].append(cell)
    return out


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_only_the_outputs_section_writes_or_records(name):
    cells = nbformat.read(paths.ROOT / pipeline.by_name(name).source, as_version=4).cells
    parts = sections(cells)
    headings = [h for h, _ in parts]
    outputs = [i for i, h in enumerate(headings) if re.match(r"## (\d+\. )?Outputs$", h)]
    assert len(outputs) == 1, f"{name}: one '## Outputs' section expected, found {len(outputs)}"
    later = [h for h in headings[outputs[0] + 1 :]]
    assert all(h in ("## What we found", "## Try it") for h in later), (
        f"{name}: Outputs is not the last section: {later}"
    )
    for i, (heading, code) in enumerate(parts):
        if i == outputs[0]:
            continue
        for cell in code:
            found = WRITES.findall(cell.source)
            assert not found, f"{name}: cell {cell.id} in {heading or 'the opening'} writes or records ({found[0][0]})"
    writing = [c for c in parts[outputs[0]][1] if WRITES.search(c.source)]
    assert writing, f"{name}: its Outputs section writes nothing"
    lines = sum(len([line for line in c.source.splitlines() if line.strip()]) for c in parts[outputs[0]][1])
    assert lines <= 20, (
        f"{name}: the Outputs section has {lines} lines of code; compute values in src/ and record them with values.record_all"
    )


def test_the_rule_sees_a_write_outside_the_outputs_section():
    assert WRITES.search('saved = figures.save(fig, "x")') and WRITES.search("values.record_all(a, b)")
    assert WRITES.search('write_csv(paths.TABLES / "t.csv", t)') and not WRITES.search("values.table()")
