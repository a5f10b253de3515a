"""The "Try it" exercises that close every notebook (issue 13): a heading, two or three
exercises, each stated in a markdown cell and answered in one collapsed code cell (tag
``answer``) that the build runs, so that no answer goes stale; an answer displays its result
and never writes a file or a value."""

from __future__ import annotations

import re

import nbformat
import pytest

from translocal.base import paths
from translocal.build import pipeline
from translocal.build.run import module_of, translocal_imports

HEADING = "## Try it"
#: A statement of an exercise opens with its number: "**1. …" or "### Exercise 1 …".
STATEMENT = re.compile(r"(\*\*\d\. |### Exercise \d)")
#: Calls that write a file or a value; an answer only displays.
WRITING_CALLS = (
    "figures.save",
    "write_csv",
    "write_text",
    "write_bytes",
    "write_geopackage",
    ".record(",
    "to_csv",
    "savefig",
)
NOTEBOOKS = [nb.name for nb in pipeline.load()]


def _source(name: str):
    return nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4).cells


def exercises(cells) -> tuple[int, list]:
    """The position of the "Try it" heading (-1 when there is none) and the answer cells."""
    heads = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith(HEADING)]
    answers = [c for c in cells if "answer" in c.metadata.get("tags", [])]
    return (heads[0] if len(heads) == 1 else -1), answers


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_closes_with_exercises_that_follow_the_rules(name):
    cells = _source(name)
    head, answers = exercises(cells)
    assert head >= 0, f"{name} has not exactly one '{HEADING}' heading"
    after = cells[head + 1 :]
    assert all("answer" in c.metadata.get("tags", []) for c in after if c.cell_type == "code"), (
        f"{name}: only answer cells may follow '{HEADING}' (it comes after everything else)"
    )
    assert not [c for c in after if c.cell_type == "markdown" and re.match(r"#{1,2} ", c.source)], (
        f"{name}: a section of the chapter follows '{HEADING}'"
    )
    assert all(c in after for c in answers), f"{name}: an answer cell stands before '{HEADING}'"
    assert 2 <= len(answers) <= 3, f"{name} has {len(answers)} answer cells, not 2 or 3"
    for cell in answers:
        assert cell.cell_type == "code"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{name}: answer {cell.id} is shown"
        found = [call for call in WRITING_CALLS if call in cell.source]
        assert not found, f"{name}: answer {cell.id} writes ({', '.join(found)})"
        before = cells[cells.index(cell) - 1]
        assert before.cell_type == "markdown" and STATEMENT.match(before.source), (
            f"{name}: answer {cell.id} does not follow the statement of its exercise"
        )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_answers_import_only_declared_modules(name):
    """The build checks a notebook's imports when it records its values, before the answers;
    so the answers' imports are checked here."""
    declared = set(pipeline.by_name(name).modules)
    for cell in exercises(_source(name))[1]:
        imported = {module_of(name) for name in translocal_imports(cell.source)}
        assert imported <= declared, f"{name}: answer {cell.id} imports undeclared modules {imported - declared}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_build_ran_every_answer_and_it_showed_something(name):
    executed = paths.EXECUTED / f"{name}.ipynb"
    if not executed.exists():
        pytest.skip(f"{executed} not built (run make)")
    ran = {c.id: c for c in nbformat.read(executed, as_version=4).cells}
    for source in exercises(_source(name))[1]:
        cell = ran.get(source.id)
        assert cell is not None and cell.source == source.source, f"{name}: answer {source.id} is stale (rebuild)"
        assert cell.get("execution_count") is not None, f"{name}: answer {source.id} did not run"
        assert cell.metadata.get("papermill", {}).get("status") == "completed"
        assert not [o for o in cell.outputs if o.output_type == "error"], f"{name}: answer {source.id} raised"
        shown = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data", "stream")]
        assert shown, f"{name}: answer {source.id} displays nothing"
