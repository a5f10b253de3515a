"""Real mode, built as the author would: the synthetic stand-ins copied unchanged into a fresh
clone's ``data/private/`` and ``make`` run there, to the PDF.

With the stand-ins as the "real" files every value the two modes share must be identical to
this (synthetic-mode) build's; only the data mode and the values that exist in synthetic mode
alone (the recovery of the known parameters) may differ. The PDF must not carry the synthetic
banner, and no figure may be marked synthetic. About a minute (the clone reuses this build's
verified public files and environment, as the determinism test does)."""

import json
import shutil

import pytest
from conftest import build_clone, committed_clone

from translocal import paths, pipeline

pytestmark = pytest.mark.skipif(
    not paths.VALUES.exists(), reason="the synthetic build is missing: run `make` (or `make test`) first"
)

BANNER = "come from synthetic"


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    if pipeline.data_mode() == "real":
        pytest.skip("this build is itself in real mode")
    clone = committed_clone(tmp_path_factory, "real")
    for table in ("survey_2019", "agreements", "interviews"):
        shutil.copy(paths.ROOT / "data" / "synthetic" / f"{table}.csv", clone / "data" / "private" / f"{table}.csv")
    return build_clone(clone, "real-mode build")


def _values(root):
    return json.loads((root / "paper" / "values.json").read_text(encoding="utf-8"))


def test_real_mode_reaches_the_pdf(real_build):
    assert (real_build / "paper" / "manuscript.pdf").stat().st_size > 100_000
    assert (real_build / "paper" / "manuscript.docx").exists()
    assert _values(real_build)["data_mode"]["value"] == "real"


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
