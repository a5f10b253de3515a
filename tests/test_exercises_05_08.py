"""The "Try it" exercises at the end of notebooks 05-08: each a markdown statement and one
collapsed answer cell that the build executes, so that no answer goes stale; answers display
and never write (the build's declared outputs and values stay those of the chapter)."""

import re

import nbformat
import pytest

from translocal import paths, pipeline

WITH_EXERCISES_05_08 = ("05_descriptives", "06_regressions", "07_spatial_robustness", "08_model_figures")
#: Calls that write a file or a value: none may appear in an answer.
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


def _exercises(nb) -> list:
    """The cells from the "## Try it" heading on."""
    starts = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Try it")]
    assert len(starts) == 1, "one '## Try it' heading"
    return nb.cells[starts[0] :]


def _answers(cells) -> list:
    return [c for c in cells if c.cell_type == "code"]


@pytest.fixture(params=WITH_EXERCISES_05_08)
def notebook(request):
    return request.param, nbformat.read(paths.NOTEBOOKS / f"{request.param}.ipynb", as_version=4)


def test_try_it_closes_the_notebook(notebook):
    _, nb = notebook
    cells = _exercises(nb)
    # nothing of the chapter after it: only exercises, their answers and their readings
    assert not [c for c in cells[1:] if c.cell_type == "markdown" and re.match(r"#{1,2} ", c.source)]
    statements = [c for c in cells if c.cell_type == "markdown" and c.source.startswith("### Exercise")]
    assert 2 <= len(statements) <= 3
    assert len(_answers(cells)) == len(statements)
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            assert cells[i - 1].source.startswith("### Exercise"), "each answer follows its exercise"


def test_answers_are_collapsed_and_tagged(notebook):
    _, nb = notebook
    for cell in _answers(_exercises(nb)):
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.id
        assert "answer" in cell.metadata.get("tags", []), cell.id
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))


def test_answers_write_nothing(notebook):
    _, nb = notebook
    for cell in _answers(_exercises(nb)):
        found = [call for call in WRITING_CALLS if call in cell.source]
        assert not found, f"answer {cell.id} writes: {found}"


def test_answers_import_only_declared_modules(notebook):
    # The build logs a notebook's modules at values.save(), before the answers: check here.
    name, nb = notebook
    declared = set(pipeline.by_name(name).modules)
    for cell in _answers(_exercises(nb)):
        imported = set(re.findall(r"from translocal import ([\w, ]+)", cell.source))
        imported = {m.strip() for group in imported for m in group.split(",")}
        imported |= set(re.findall(r"translocal\.(\w+)", cell.source))
        assert imported <= declared, f"answer {cell.id} imports undeclared modules: {imported - declared}"


def test_the_build_ran_every_answer(notebook):
    name, nb = notebook
    executed_path = paths.BUILD / "notebooks" / f"{name}.ipynb"
    if not executed_path.exists():
        pytest.skip("not built yet: run make")
    executed = nbformat.read(executed_path, as_version=4)
    ran = {c.id: c for c in executed.cells if c.cell_type == "code"}
    for cell in _answers(_exercises(nb)):
        out = ran.get(cell.id)
        assert out is not None and out.source == cell.source, f"{name}: the executed copy is stale (answer {cell.id})"
        assert out.execution_count is not None, f"{name}: answer {cell.id} did not run"
        assert out.metadata.get("papermill", {}).get("exception") is False
        assert not [o for o in out.outputs if o.output_type == "error"], f"{name}: answer {cell.id} failed"
        shown = [o for o in out.outputs if o.output_type in ("execute_result", "display_data", "stream")]
        assert shown, f"{name}: answer {cell.id} displays nothing"
