"""`make bench`: the pieces that can be checked without running it (it takes minutes)."""

import json

import pytest

from translocal.base import paths
from translocal.build import bench


@pytest.mark.skipif(not (paths.PAPER / "exhibits.json").exists(), reason="the build is missing")
def test_every_figure_of_the_manuscript_has_one_drawing_cell_to_edit():
    exhibit_map = json.loads((paths.PAPER / "exhibits.json").read_text(encoding="utf-8"))
    figures = [e for e in exhibit_map["exhibits"] if e["kind"] == "Figure"]
    assert len(figures) >= 10
    for e in figures:
        stem = e["file"].rsplit("/", 1)[1].removesuffix(".pdf")
        assert bench.drawing_cell(paths.NOTEBOOKS / f"{e['notebook']}.ipynb", stem) > 0


def test_the_report_gives_each_figure_its_time_beside_the_goal():
    row = {"notebook": "01_frame", "papermill": 5.0, "plain": 4.5, "mb": 300.0}
    m = {
        "rows": [row],
        "pipeline": 6.0,
        "tree_mb": 500.0,
        "noop": 0.3,
        "edit": 12.5,
        "figure_edits": {"map_strength": 7.5, "register_flows": 12.5},
        "paper": 0.5,
        "install": 20.0,
    }
    text = bench.report(m)
    assert "| `map_strength` | 7.5 | ≤ 10 s | met |" in text
    assert "| `register_flows` | 12.5 | ≤ 10 s | **missed** |" in text
    assert "(slowest figure) | 12.5 s | ≤ 10 s | **missed** |" in text
