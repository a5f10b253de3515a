"""Data citations: every public dataset is a bibliography entry, generated from the manifest,
cited by the manuscript and listed in the README with its provider's attribution."""

import dataclasses
import re

import pytest

from translocal.base import manifest, paths
from translocal.build import citations, docx, metadata


@pytest.fixture(scope="module")
def cited():
    return citations.load()


def test_every_source_of_the_manifest_has_one_citation_with_a_distinct_key(cited):
    _, sources = manifest.load()
    assert [c.source for c in cited] == list(sources)
    assert len({c.key for c in cited}) == len(cited)
    for c in cited:
        assert re.fullmatch(r"[a-z]+(?:[0-9]{4})?", c.key), c.key
        assert (c.year is None) == (not c.key[-1].isdigit()) and (c.year is None or c.key.endswith(str(c.year)))
        assert c.url.startswith("https://"), c.key


def test_the_bibliography_holds_the_generated_entries():
    bib = citations.BIB.read_text(encoding="utf-8")
    assert citations.bib_generated(bib, citations.load()) == bib, (
        "the dataset entries of paper/references.bib are stale: run `make metadata`"
    )


def test_each_entry_names_the_pinned_commit_of_the_files_the_notebooks_read(cited):
    by_source = {c.source: c for c in cited}
    assert "smartnews-smri/japan-topography at commit b403e71" in by_source["mlit_n03"].retrieved
    # The 2024/2025 workbooks (nfurutani/imin) are staged but no notebook reads them.
    assert by_source["isa_residents"].retrieved == "files from blacktreeM/welfareJapan at commit 46c006d"
    entry = citations.bib_entry(by_source["mlit_n03"])
    assert (
        entry.startswith("@misc{mlit2021,") and "{{Ministry of Land, Infrastructure, Transport and Tourism}}" in entry
    )
    assert re.search(r"\n  url +\= \{https://nlftp\.mlit\.go\.jp/ksj/\},\n", entry)


def test_natural_earth_is_cited_as_the_pinned_pyogrio_ships_it(cited):
    natural_earth = {c.source: c for c in cited}["natural_earth"]
    version = next(p for p in metadata.locked_versions() if p.startswith("pyogrio==")).split("==")[1]
    assert f"pyogrio {version}" in natural_earth.retrieved


def test_a_source_without_a_citation_is_refused(tmp_path):
    text = paths.MANIFEST.read_text(encoding="utf-8")
    broken = tmp_path / "manifest.toml"
    broken.write_text(re.sub(r"\[citation\.psgc_regions\].*?\n\n", "", text, flags=re.DOTALL), encoding="utf-8")
    with pytest.raises(ValueError, match="sources without one: \\['psgc_regions'\\]"):
        citations.load(broken)


def test_bib_text_escapes_what_biblatex_reads_as_markup(cited):
    assert citations._bib_text("GeoJSON & TopoJSON, 100% a_b") == r"GeoJSON \& TopoJSON, 100\% a\_b"
    assert r"{{Indonesia GeoJSON \& TopoJSON Maps (38 Provinces)}}" in citations.bib_entry(cited[5])
    # pandoc prints `type` verbatim, so a description that would need an escape is refused
    with pytest.raises(ValueError, match="may not contain"):
        citations.bib_entry(dataclasses.replace(cited[0], description="naturalearth_lowres"))


def test_the_manuscript_cites_every_dataset(cited):
    source = paths.MANUSCRIPT.read_text(encoding="utf-8")
    missing = [c.key for c in cited if not re.search(rf"@{c.key}(?![\w-])", source)]
    assert not missing, f"paper/manuscript.typ does not cite {missing}"
    # The Word export turns every key into a pandoc citation, including keys without a year.
    markdown_citations = re.findall(r"\[@([a-z0-9]+)\]", _word_markdown(source))
    assert {c.key for c in cited} <= set(markdown_citations)


def _word_markdown(source: str) -> str:
    import json

    values = json.loads(paths.VALUES.read_text(encoding="utf-8")) if paths.VALUES.exists() else None
    if values is None:
        pytest.skip("paper/values.json is missing: run `make` first")
    exhibit_map = json.loads((paths.PAPER / "exhibits.json").read_text(encoding="utf-8"))
    return docx.to_markdown(source, values, exhibit_map, [], "T")


def test_the_readme_lists_each_citation_with_its_attribution(cited):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    listed = metadata.readme_section(readme, citations.README_START, citations.README_END)
    _, sources = manifest.load()
    for c in cited:
        line = next((line for line in listed.splitlines() if f"Cited as `{c.key}`" in line), None)
        assert line and c.title in line and c.url in line, c.key
        assert sources[c.source].attribution in listed


@pytest.mark.skipif(not docx.DOCX.exists(), reason="paper/manuscript.docx is missing: run `make` first")
def test_the_word_references_list_every_dataset(cited):
    import pypandoc

    text = re.sub(r"\s+", " ", pypandoc.convert_file(str(docx.DOCX), "plain"))
    for c in cited:
        assert f"{c.title}." in text, c.key
        assert c.retrieved in text, c.key


def test_every_dataset_has_an_access_date_printed_in_its_reference(cited):
    import datetime as dt

    for c in cited:
        assert dt.date.fromisoformat(c.accessed) <= dt.date.today(), c.key
        entry = citations.bib_entry(c)
        assert f"urldate = {{{c.accessed}}}" in re.sub(r" +", " ", entry) and f"accessed {c.accessed}" in entry


def test_a_citation_without_an_access_date_is_refused(tmp_path):
    text = (paths.ROOT / "data" / "manifest.toml").read_text(encoding="utf-8")
    broken = tmp_path / "manifest.toml"
    broken.write_text(text.replace("accessed = 2026-11-26\n", "", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[citation\.mlit_n03\] has no `accessed` date"):
        citations.load(broken)
