"""Checks on what `make` built: the frame, the values, the PDF, and the build's hygiene.

`make test` builds first; run alone, these tests skip with a message if the build is missing.
"""

import json
import os
import re
import shutil
import subprocess

import geopandas as gpd
import pytest
import typst

from translocal.base import paths
from translocal.build import paper

pytestmark = pytest.mark.skipif(
    not paths.PDF.exists(), reason="the build outputs are missing: run `make` (or `make test`) first"
)


@pytest.fixture(scope="module")
def frame():
    return gpd.read_file(paths.MUNICIPALITIES, layer="municipalities")


@pytest.fixture(scope="module")
def values():
    return json.loads(paths.VALUES.read_text(encoding="utf-8"))


#: Text below this height (points from the page bottom) is the footer: the page number.
FOOTER_PT = 60


@pytest.fixture(scope="module")
def pdf_text():
    """The PDF's text without the page numbers (which pypdf would otherwise put in the middle
    of a sentence that runs across a page break)."""
    from pypdf import PdfReader

    parts = []
    for page in PdfReader(paths.PDF).pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: parts.append(text) if cm[5] >= FOOTER_PT else None
        )
        parts.append("\n")
    return "".join(parts)


def test_frame_has_every_municipality_once(frame):
    assert len(frame) == 1741
    assert frame["code"].is_unique
    assert frame["code"].str.fullmatch(r"[0-9]{5}").all()
    assert frame["prefecture_code"].nunique() == 47


def test_frame_kinds_match_the_official_counts(frame):
    assert frame["kind"].value_counts().to_dict() == {
        "city": 772,
        "town": 743,
        "village": 183,
        "special_ward": 23,
        "designated_city": 20,
    }
    five_odd = {"14130", "14150", "22130", "27140", "40130"}
    assert five_odd <= set(frame.loc[frame["kind"] == "designated_city", "code"])


def test_frame_covariates_are_complete_and_plausible(frame):
    assert frame["population"].notna().all() and frame["fiscal_strength"].notna().all()
    assert 120e6 < frame["population"].sum() < 130e6
    assert frame["future_burden_ratio"].notna().all()
    assert (frame["foreign_residents"] <= frame["population"]).all()
    # TITP counts are missing exactly where flagged as censored (and are never negative)
    assert (frame["titp_trainees"].isna() == frame["titp_censored"]).all()
    listed = frame.loc[~frame["titp_censored"]]
    assert (listed["titp_trainees"] >= 0).all()
    assert not set(frame["code"]) & {"01695", "01696", "01697", "01698", "01699", "01700"}


def test_pre_survey_covariates_add_up_to_the_national_totals(frame):
    # The 1,741 municipalities hold every resident and foreign resident of 1 January 2019
    # (the national totals printed in 1903ssjin.xls and 1911gsjin.xls; SOURCES.md)
    assert frame["population_2019"].sum() == 127_443_563
    assert frame["foreign_residents_2019"].sum() == 2_667_199
    columns = ["pop_change_2018_19", "foreign_per_100_2019", "prefecture_titp_per_1000_2018"]
    assert frame[columns].notna().all().all()
    # 那珂川町 (40305 in the 2018 table) became 那珂川市 (40231): mapped, not lost
    nakagawa = frame.loc[frame["code"] == "40231"].iloc[0]
    assert nakagawa["name_ja"] == "那珂川市" and abs(nakagawa["pop_change_2018_19"]) < 5
    # one rate per prefecture, the national rate in between
    rates = frame.groupby("prefecture_code")["prefecture_titp_per_1000_2018"].nunique()
    assert (rates == 1).all() and len(rates) == 47
    assert (frame["titp_trainees_2021"].isna() == frame["titp_censored_2021"]).all()


def test_frame_geometry(frame):
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()


def test_known_municipalities(frame):
    by_code = frame.set_index("code")
    assert by_code.loc["13101", "name_ja"] == "千代田区" and by_code.loc["13101", "population"] == 67049
    assert by_code.loc["01100", "foreign_residents"] == 13349
    assert by_code.loc["47201", "population"] == 318339


def cited_with_context(source: str) -> list[tuple[str, str]]:
    """Each ``#val("key")`` of the manuscript, in order, with the plain text that follows it
    (up to the next markup or line end, at most 12 characters)."""
    cited = []
    for match in re.finditer(r'#val\("([a-z0-9_]+)"\)', source):
        rest = source[match.end() :].replace("\\;", ";")
        following = re.split(r"[#@_*\n\[\]]", rest, maxsplit=1)[0]
        cited.append((match.group(1), re.sub(r"\s+", "", following)[:12]))
    return cited


def _comparable(text: str) -> str:
    """Text as compared with the PDF's: no whitespace, no hyphens (typst hyphenates at line
    ends, and the extracted text cannot tell those from real ones), plain quotes (typst sets
    typographic ones)."""
    text = re.sub(r"\s+", "", text).replace("\u00ad", "").replace("-", "")
    return text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))


def test_every_value_appears_in_the_pdf_as_formatted_in_order_and_context(values, pdf_text):
    flat = _comparable(pdf_text)
    cited = cited_with_context(paths.MANUSCRIPT.read_text(encoding="utf-8"))
    assert len(cited) >= 20, "the manuscript cites fewer values than expected"
    position, missing = 0, []
    for key, following in cited:
        expected = _comparable(values[key]["text"] + following)
        found = flat.find(expected, position)
        if found < 0:
            missing.append(f"{key}: {expected!r}")
        else:
            position = found + len(expected)
    assert not missing, f"values not found in the PDF as written (in order, with the text after them): {missing}"


def test_context_extraction_catches_a_swallowed_separator():
    assert cited_with_context('as of #val("a")\\; #val("b") features') == [("a", ";"), ("b", "features")]


def test_pdf_embeds_the_japanese_font():
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(paths.PDF).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("IPAexGothic" in f for f in fonts), fonts


def test_a_value_no_notebook_produced_fails_the_paper_naming_it(tmp_path):
    copy = tmp_path / "paper"
    shutil.copytree(paths.PAPER, copy)
    source = copy / "manuscript.typ"
    source.write_text(source.read_text(encoding="utf-8") + '\nOne more: #val("no_such_value").\n', encoding="utf-8")
    with pytest.raises(typst.TypstError) as err:
        paper.compile_pdf(source, tmp_path / "out.pdf")
    assert "no_such_value" in str(err.value.message) + str(err.value.diagnostic)
    assert not (tmp_path / "out.pdf").exists()


def test_the_paper_compiles_to_the_same_bytes(tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    paper.compile_pdf(paths.MANUSCRIPT, first)
    paper.compile_pdf(paths.MANUSCRIPT, second)
    assert first.read_bytes() == second.read_bytes() == paths.PDF.read_bytes()


def _make(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    return subprocess.run(["make", *args], cwd=paths.ROOT, env=env, capture_output=True, text=True, check=False)


def test_nothing_is_left_to_do_after_the_build():
    result = _make("-q", "all")
    assert result.returncode == 0, f"`make` would still do something:\n{_make('-n', 'all').stdout}"


def test_the_build_leaves_the_working_tree_clean():
    """No source changed and nothing made outside the ignored build paths: as git sees it in
    a checkout, as the package manifest and .gitignore say in an unpacked package."""
    from translocal.build import package

    if (paths.ROOT / ".git").exists():
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=paths.ROOT, capture_output=True, text=True, check=True
        ).stdout
    else:
        status = "\n".join(package.stray_files(paths.ROOT))
    assert status == "", f"the build changed or created tracked/untracked files:\n{status}"


def test_synthetic_mode_is_announced_in_the_pdf(values, pdf_text):
    banner = "The survey, agreement and interview results in this draft come from synthetic"
    flat = re.sub(r"\s+", " ", pdf_text)
    if values["data_mode"]["value"] == "synthetic":
        assert banner in flat
    else:
        assert banner not in flat


def test_every_dataset_is_in_the_pdf_reference_list(pdf_text):
    from translocal.build import citations

    flat = _comparable(pdf_text)
    references = flat[flat.rindex("References") :]
    for c in citations.load():
        assert _comparable(f"{c.title}.") in references, f"{c.key} is not in the PDF's references"
        assert _comparable(c.retrieved) in references, f"{c.key}: the PDF does not name where its files came from"
