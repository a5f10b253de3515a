"""The replication package: the exhibit map, the runtime statement, the HTML supplement."""

import json
import re

import pytest

from translocal.base import paths
from translocal.build import exhibits, metadata, pipeline


@pytest.fixture(scope="module")
def exhibit_map():
    return json.loads(exhibits.EXHIBITS_JSON.read_text(encoding="utf-8"))


def _cell_source(notebook: str, cell: int) -> str:
    nb = json.loads((paths.EXECUTED / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    (match,) = [c for c in nb["cells"] if c["cell_type"] == "code" and c.get("execution_count") == cell]
    return "".join(match["source"])


def test_every_figure_and_table_of_the_manuscript_is_mapped_to_the_cell_that_wrote_it(exhibit_map):
    source = paths.MANUSCRIPT.read_text(encoding="utf-8")
    used = re.findall(r'(?:image|csv-table)\("((?:figures|tables)/[^"]+)"', source)
    declared = {out for nb in pipeline.load() for out in nb.outputs}
    expected = [f"paper/{u}" for u in used if f"paper/{u}" in declared]
    assert [e["file"] for e in exhibit_map["exhibits"]] == expected
    for e in exhibit_map["exhibits"]:
        assert e["cell"] is not None, e
        code = _cell_source(e["notebook"], e["cell"])
        stem = e["file"].rsplit("/", 1)[1].rsplit(".", 1)[0]
        assert stem in code, f"{e['file']}: In [{e['cell']}] of {e['notebook']} does not write it:\n{code}"


def test_every_value_the_manuscript_uses_is_mapped_to_its_cell(exhibit_map):
    source = paths.MANUSCRIPT.read_text(encoding="utf-8")
    used = list(dict.fromkeys(re.findall(r'#val\("([a-z0-9_]+)"\)', source)))
    assert [v["key"] for v in exhibit_map["values"]] == used
    for v in exhibit_map["values"]:
        code = _cell_source(v["notebook"], v["cell"])
        assert f'"{v["key"]}"' in code or "record(" in code or "record_all(" in code, v


def test_every_figure_and_table_the_notebooks_write_is_used_or_listed_as_supplementary(exhibit_map):
    used = {e["file"] for e in exhibit_map["exhibits"]}
    for nb in pipeline.load():
        for out in nb.outputs:
            if out.startswith(("paper/figures/", "paper/tables/")):
                pdf = re.sub(r"\.png$", ".pdf", out)  # PNGs are the notebooks' and README's copies
                assert pdf in used or out in exhibits.SUPPLEMENTARY, (
                    f"{out} is neither in the manuscript nor supplementary"
                )


def test_a_manuscript_using_an_undeclared_figure_fails_naming_it():
    source = '#figure(\n  image("figures/not_made.pdf"),\n  caption: [Nothing.],\n) <fig-x>\n'
    with pytest.raises(exhibits.ExhibitError, match="paper/figures/not_made.pdf"):
        exhibits.build(source, pipeline.load(), {})
    with pytest.raises(exhibits.ExhibitError, match="'nowhere'"):
        exhibits.build('#val("nowhere")', pipeline.load(), {})


def test_synthetic_only_parts_are_not_required_in_real_mode():
    source = (
        'A #val("shared").\n'
        '#if values.at("data_mode").value == "synthetic" [Only #val("n_recovered") [nested].]\n'
        '#if values.at("data_mode").value == "synthetic" {\n  block[#val("banner") {x}]\n}\nEnd #val("last").'
    )
    assert exhibits.in_mode(source, "synthetic") == source
    real = exhibits.in_mode(source, "real")
    assert real == 'A #val("shared").\n\n\nEnd #val("last").'
    values = {key: {"value": 1, "text": "1", "notebook": "01_frame"} for key in ("shared", "last")}
    values["data_mode"] = {"value": "real", "text": "real", "notebook": "03_private_layers"}
    keys = [v["key"] for v in exhibits.build(source, pipeline.load(), values)["values"]]
    assert keys == ["shared", "last"]
    # in synthetic mode the guarded values are required as before
    values["data_mode"] = {"value": "synthetic", "text": "synthetic", "notebook": "x"}
    with pytest.raises(exhibits.ExhibitError, match="'n_recovered'"):
        exhibits.build(source, pipeline.load(), values)
    with pytest.raises(exhibits.ExhibitError, match="unclosed"):
        exhibits.in_mode('#if values.at("data_mode").value == "synthetic" [never closed', "real")
    values["shared"]["notebook"] = "99_gone"
    with pytest.raises(exhibits.ExhibitError, match="'shared' \\(recorded by '99_gone', not in"):
        exhibits.build('#val("shared")', pipeline.load(), values)


def test_each_notebook_lists_the_files_it_reads_with_the_notebook_that_made_them(exhibit_map):
    inputs = {nb["notebook"]: {i["file"]: i["made_by"] for i in nb["inputs"]} for nb in exhibit_map["notebooks"]}
    assert inputs["01_frame"]["data/raw/moj-zairyu/22-12-04.xlsx"] is None
    assert inputs["06_regressions"]["data/processed/analysis.gpkg"] == "04_spatial_join"
    assert inputs["figures/map_titp_per_1000"] == {"data/processed/municipalities.gpkg": "01_frame"}
    assert all(inputs[nb.name].keys() == set(nb.inputs) for nb in pipeline.load())
    line = exhibits.grouped([{"file": "data/processed/analysis.gpkg", "made_by": "04_spatial_join"}])
    assert line == "`data/processed/` analysis.gpkg (04_spatial_join)"


def test_readme_lists_the_exhibits_of_the_current_build():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    listed = metadata.readme_section(readme, metadata.EXHIBITS_START, metadata.EXHIBITS_END)
    assert listed.strip() == exhibits.EXHIBITS_MD.read_text(encoding="utf-8").strip(), (
        "README's list of exhibits is stale: run `make release` and commit README.md"
    )


def test_readme_carries_a_runtime_statement_for_every_notebook():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    statement = metadata.readme_section(readme, metadata.RUNTIME_START, metadata.RUNTIME_END)
    for nb in pipeline.load():
        assert f"`{nb.name}`" in statement, f"README's runtime statement lacks {nb.name}: run `make release`"
    assert "cores" in statement and "Python" in statement


def test_the_build_writes_the_runtime_statement_and_the_html_supplement():
    statement = (paths.BUILD / "runtime.md").read_text(encoding="utf-8")
    for nb in pipeline.load():
        assert f"`{nb.name}`" in statement
        html = paths.BUILD / "html" / f"{nb.name}.html"
        assert html.is_file() and html.stat().st_size > 10_000
        assert nb.title.split(":")[0].split(" ")[0] in html.read_text(encoding="utf-8")


def test_the_word_version_carries_the_values_tables_and_references():
    import pypandoc

    from translocal.build import docx

    text = pypandoc.convert_file(str(docx.DOCX), "plain")
    values = json.loads(paths.VALUES.read_text(encoding="utf-8"))
    flat = re.sub(r"\s+", " ", text).replace("’", "'")  # pandoc makes apostrophes typographic
    for key in ("n_respondents", "findings_capacity", "po_verdict", "moran_outcome_verdict", "n_register_local"):
        assert values[key]["text"] in flat, key
    assert "#val" not in text and "@tab-" not in text and "@fig-" not in text
    # Tables and figures are numbered in the order the PDF numbers them.
    assert re.search(r"Table \d+: Models of assemblage strength", flat) and "Figure 3:" in flat
    assert re.search(r"Table \d+: Discrete-time hazard model", flat)
    assert "Surak, Kristin. 2018." in flat  # references by citeproc


def test_the_word_export_refuses_typst_it_cannot_translate():
    from translocal.build import docx

    values = {"data_mode": {"value": "synthetic", "text": "synthetic"}}
    source = (
        "#block(inset: (x: 1cm))[\n  #set text(size: 9pt)\n  #set par(justify: true)\nText\n]\n#v(0.8em)\n#grid(1)\n"
    )
    with pytest.raises(docx.DocxError, match="#grid"):
        docx.to_markdown(source, values, {"exhibits": []}, [], "T")


def test_a_file_read_outside_a_figure_must_be_declared_too():
    with pytest.raises(exhibits.ExhibitError, match="paper/figures/stale.pdf"):
        exhibits.build('#image("figures/stale.pdf")\n', pipeline.load(), {})


def test_every_exhibit_and_value_has_the_data_class_of_its_notebooks_inputs(exhibit_map):
    """Public: the frame and the register chapter (public files only). Confidential: whatever
    depends on the survey, the agreement list or the interviews (here their stand-ins)."""
    classes = {nb["notebook"]: nb["data_class"] for nb in exhibit_map["notebooks"]}
    assert classes["01_frame"] == classes["02_public_record"] == "public"
    assert {classes[n] for n in classes if n[:2] in {"03", "04", "05", "06", "07", "08"}} == {"confidential"}
    for row in exhibit_map["exhibits"] + exhibit_map["values"]:
        assert row["data_class"] == classes[row["notebook"]]
    assert exhibit_map["class_labels"]["confidential"] == "confidential (synthetic stand-ins in this build)"


def test_the_data_class_follows_the_declared_inputs_in_either_mode():
    for mode in ("synthetic", "real"):
        notebooks = pipeline.load(mode=mode)
        classes = {
            nb.name: exhibits.data_class(exhibits.upstream_files(nb.name, notebooks))
            for nb in notebooks
            if nb.outputs  # the recovery figure is drawn in synthetic mode only
        }
        # the chapters on public data, and the figures drawn from their results alone
        assert [n for n, c in classes.items() if c == "public"] == [
            "01_frame",
            "02_public_record",
            "figures/map_titp_per_1000",
            "figures/register_timeline",
            "figures/register_flows",
            "figures/diffusion_survival",
            "figures/register_municipalities",
        ], mode
    notebooks = [
        pipeline.Notebook(name="01_a", title="a", inputs=["data/raw/x.csv"], outputs=["data/processed/a.csv"]),
        pipeline.Notebook(name="02_b", title="b", inputs=["data/processed/a.csv"], outputs=["data/synthetic/s.csv"]),
        pipeline.Notebook(name="03_c", title="c", inputs=["data/synthetic/s.csv"], outputs=["paper/figures/c.pdf"]),
        pipeline.Notebook(name="04_d", title="d", inputs=["data/processed/a.csv"], outputs=["paper/figures/d.pdf"]),
    ]
    got = {nb.name: exhibits.data_class(exhibits.upstream_files(nb.name, notebooks)) for nb in notebooks}
    assert got == {"01_a": "public", "02_b": "confidential", "03_c": "confidential", "04_d": "public"}
    assert exhibits.class_label("confidential", "real") == "confidential"


def test_synthetic_only_blocks_resolve_inline_on_their_own_lines_and_nested():
    from translocal.build import docx

    source = (
        'A sentence. #if values.at("data_mode").value == "synthetic" [Synthetic \\[sic\\] note.] Next.\n'
        '#if values.at("data_mode").value == "synthetic" [\n  Block with #figure(image("x.pdf"), caption: [A '
        "[nested] caption]) <fig-x>\n]\nAfter.\n"
    )
    synthetic = docx.only_in_mode(source, synthetic=True)
    assert "#if" not in synthetic and "Synthetic \\[sic\\] note. Next." in synthetic
    assert "caption: [A [nested] caption]) <fig-x>\n\nAfter." in synthetic
    assert docx.only_in_mode(source, synthetic=False) == "A sentence.  Next.\n\nAfter.\n"
    with pytest.raises(docx.DocxError, match="never closed"):
        docx.only_in_mode('#if values.at("data_mode").value == "synthetic" [open', synthetic=False)


@pytest.mark.parametrize("mode", ["synthetic", "real"])
def test_the_word_version_keeps_every_section_and_figure_in_either_mode(mode):
    """The manuscript's synthetic-only passages (one inline in the abstract) once swallowed
    everything up to the recovery figure in real mode: each section and figure must survive."""
    from translocal.build import docx

    values = json.loads(paths.VALUES.read_text(encoding="utf-8"))
    values["data_mode"] = {**values["data_mode"], "value": mode}
    exhibit_map = json.loads(exhibits.EXHIBITS_JSON.read_text(encoding="utf-8"))
    source = paths.MANUSCRIPT.read_text(encoding="utf-8")
    markdown = docx.to_markdown(
        source,
        values | {k: {"text": "x", "value": 0} for k in exhibits.VALUE.findall(source) if k not in values},
        exhibit_map,
        [],
        "T",
    )
    assert "#if" not in markdown and "]\n" not in markdown.replace("[@", "")
    sections = re.findall(r"(?m)^= (.+)$", source)
    assert sections and all(f"# {s}" in markdown for s in sections), "a section is missing"
    figures = set(re.findall(r'image\("figures/([a-z0-9_]+)\.pdf"', source))
    shown = set(re.findall(r"\]\(figures/([a-z0-9_]+)\.png\)", markdown))
    assert shown == (figures if mode == "synthetic" else figures - {"recovery"})
