"""Real mode, built as the author would: the synthetic stand-ins copied unchanged into a fresh
copy of the sources' ``data/private/`` and ``make`` run there, to the PDF.

With the stand-ins as the "real" files every value the two modes share must be identical to
this (synthetic-mode) build's; only the data mode and the values that exist in synthetic mode
alone (the recovery of the known parameters) may differ. The PDF must not carry the synthetic
banner, no figure may be marked synthetic, no executed notebook or HTML page may show a row
of the private tables, and the replication package is refused. About a minute and a half (the
copy reuses this build's verified public files and environment, as the package test does)."""

import json
import shutil

import pytest
from conftest import build_clone, source_tree

from translocal.base import paths
from translocal.build import pipeline

pytestmark = pytest.mark.skipif(
    not paths.VALUES.exists(), reason="the synthetic build is missing: run `make` (or `make test`) first"
)

BANNER = "come from synthetic"


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    if pipeline.data_mode() == "real":
        pytest.skip("this build is itself in real mode")
    clone = source_tree(tmp_path_factory, "real")
    for table in ("survey_2019", "agreements", "interviews"):
        shutil.copy(paths.ROOT / "data" / "synthetic" / f"{table}.csv", clone / "data" / "private" / f"{table}.csv")
    return build_clone(clone, "real-mode build")


def _values(root):
    return json.loads((root / "paper" / "values.json").read_text(encoding="utf-8"))


def test_real_mode_reaches_the_pdf(real_build):
    assert (real_build / "paper" / "manuscript.pdf").stat().st_size > 100_000
    assert (real_build / "paper" / "manuscript.docx").exists()
    assert _values(real_build)["data_mode"]["value"] == "real"


def test_real_mode_word_file_keeps_every_section(real_build):
    import re

    import pypandoc

    text = pypandoc.convert_file(str(real_build / "paper" / "manuscript.docx"), "plain")
    sections = re.findall(r"(?m)^= (.+)$", paths.MANUSCRIPT.read_text(encoding="utf-8"))
    missing = [s for s in sections if s not in text]
    assert not missing, f"sections missing from the real-mode Word file: {missing}"
    assert "#if" not in text and BANNER not in text


def test_real_mode_values_equal_the_synthetic_builds(real_build):
    ours, theirs = _values(paths.ROOT), _values(real_build)
    assert ours["data_mode"]["value"] == "synthetic"
    only_synthetic = set(ours) - set(theirs)
    assert only_synthetic, "the synthetic build records no values of its own (the recovery)"
    assert not set(theirs) - set(ours), f"values only in real mode: {sorted(set(theirs) - set(ours))}"
    different = [k for k in set(ours) & set(theirs) if k != "data_mode" and ours[k]["value"] != theirs[k]["value"]]
    assert not different, f"values that differ between the modes: {sorted(different)}"


def test_real_mode_pdf_has_no_synthetic_banner(real_build):
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(real_build / "paper" / "manuscript.pdf").pages)
    assert BANNER not in text


def test_real_mode_figures_carry_no_synthetic_mark(real_build):
    from pypdf import PdfReader

    figures = sorted((real_build / "paper" / "figures").glob("*.pdf"))
    assert len(figures) >= 10
    marked = [f.name for f in figures if "SYNTHETIC" in "".join(p.extract_text() for p in PdfReader(f).pages)]
    assert not marked, f"figures marked synthetic in real mode: {marked}"


def _published_texts(root):
    """Every executed notebook's outputs and every HTML page of a build, by file."""
    import nbformat

    texts = {}
    for path in sorted((root / "build" / "notebooks").rglob("*.ipynb")):
        parts = []
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                parts.append(output.get("text", ""))
                parts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
        texts[str(path.relative_to(root))] = "\n".join(parts)
    for path in sorted((root / "build" / "html").rglob("*.html")):
        texts[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
    return texts


def test_real_mode_notebooks_and_pages_show_no_private_row(real_build):
    import pandas as pd

    from translocal import disclosure

    private = {
        name: pd.read_csv(real_build / "data" / "interim" / "private" / f"{name}.csv", dtype=str)
        for name in ("survey_2019", "agreements", "interviews")
    }
    texts = _published_texts(real_build)
    assert len(texts) == 2 * len(pipeline.load())
    shown = {name: rows for name, text in texts.items() if (rows := disclosure.shown_rows(text, private))}
    assert not shown, f"rows of the private tables in published output: {shown}"


def test_the_synthetic_build_shows_stand_in_rows_so_the_check_can_fail():
    """The same check on this (synthetic) build finds the stand-ins' rows that notebook 03
    shows on purpose, so the real-mode test above would catch a row if one were shown."""
    import pandas as pd

    from translocal import disclosure

    stand_ins = {
        name: pd.read_csv(paths.SYNTHETIC / f"{name}.csv", dtype=str) for name in ("survey_2019", "agreements")
    }
    shown = disclosure.shown_rows(_published_texts(paths.ROOT)["build/notebooks/03_private_layers.ipynb"], stand_ins)
    assert any(r.startswith("agreements") for r in shown) and any(r.startswith("survey_2019") for r in shown)


def test_real_mode_refuses_the_package(real_build):
    import subprocess
    import sys

    from translocal.build import bench

    result = subprocess.run(
        [sys.executable, "-m", "translocal.build.package", "--draft", "--check"],
        cwd=real_build,
        env=bench.clone_env(real_build),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "real mode: data/private/ holds agreements.csv" in result.stderr
