"""The "Try it" exercises at the end of the notebooks (issue 13): a heading, two or three
exercises, each with a worked answer in a collapsed cell that the build runs and that writes
nothing. Only the notebooks in ``WITH_EXERCISES`` are checked; a notebook joins the list when
its exercises are written."""

from __future__ import annotations

import re

import nbformat
import pytest

from translocal import paths, pipeline

#: Notebooks that end with exercises (05-08 follow on a parallel branch, which extends this list).
WITH_EXERCISES = ["01_frame", "02_public_record", "03_private_layers", "04_spatial_join"]
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
HEADING = "## Try it"
NOTEBOOKS = [nb.name for nb in pipeline.load()]


def exercises(cells) -> tuple[int, list]:
    """The position of the "Try it" heading (-1 when there is none) and the answer cells."""
    heads = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith(HEADING)]
    answers = [c for c in cells if "answer" in c.metadata.get("tags", [])]
    return (heads[0] if heads else -1), answers


def test_the_list_names_pipeline_notebooks():
    assert set(WITH_EXERCISES) <= set(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_exercises_follow_the_rules(name):
    if name not in WITH_EXERCISES:
        pytest.skip("no exercises yet (add the notebook to WITH_EXERCISES when it has them)")
    cells = nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4).cells
    head, answers = exercises(cells)
    assert head >= 0, f"{name} has no '{HEADING}' heading"
    after = cells[head + 1 :]
    code_after = [c for c in after if c.cell_type == "code"]
    assert all("answer" in c.metadata.get("tags", []) for c in code_after), (
        f"{name}: only answer cells may follow '{HEADING}' (it must come after everything else)"
    )
    assert all(c in after for c in answers), f"{name}: an answer cell stands before '{HEADING}'"
    assert 2 <= len(answers) <= 3, f"{name} has {len(answers)} answer cells, not 2 or 3"
    for cell in answers:
        assert cell.cell_type == "code"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{name}: answer {cell.id} is not collapsed"
        )
        found = [call for call in WRITING_CALLS if call in cell.source]
        assert not found, f"{name}: answer {cell.id} writes ({', '.join(found)})"
    # each answer follows the markdown cell that states its exercise
    for cell in answers:
        before = cells[cells.index(cell) - 1]
        assert before.cell_type == "markdown" and re.match(r"\*\*\d\. ", before.source), (
            f"{name}: answer {cell.id} does not follow the statement of its exercise"
        )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_build_ran_every_answer(name):
    if name not in WITH_EXERCISES:
        pytest.skip("no exercises yet")
    executed = paths.EXECUTED / f"{name}.ipynb"
    if not executed.exists():
        pytest.skip(f"{executed} not built (run make)")
    source_ids = [c.id for c in exercises(nbformat.read(paths.NOTEBOOKS / f"{name}.ipynb", as_version=4).cells)[1]]
    ran = {c.id: c for c in nbformat.read(executed, as_version=4).cells}
    for cell_id in source_ids:
        assert cell_id in ran, f"{name}: answer {cell_id} is not in the executed copy (rebuild)"
        cell = ran[cell_id]
        assert cell.get("execution_count") is not None, f"{name}: answer {cell_id} did not run"
        assert cell.metadata.get("papermill", {}).get("status") == "completed"
        assert not [o for o in cell.outputs if o.output_type == "error"], f"{name}: answer {cell_id} raised"
        assert cell.outputs, f"{name}: answer {cell_id} displays nothing"
