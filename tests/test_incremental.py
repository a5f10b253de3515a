"""What a change reruns: each notebook depends on the src/ modules it declares (checked against
what it imports at run time), on its declared inputs and on its parameters; nothing else. The
modules are named relative to ``translocal`` in all three layers (``frame``, ``base.paths``,
``build.values``), and a change in any of them reruns exactly the notebooks that declare it
(what ``make -n`` lists: the notebooks a change reruns itself, before the outputs they write
are touched)."""

import re
import subprocess

import pytest

from translocal.base import outputs, paths
from translocal.build import pipeline
from translocal.build.run import check_modules


def _dry_run(changed: str) -> str:
    """What `make` would do if ``changed`` were newer than everything (make -n -W)."""
    result = subprocess.run(
        ["make", "-n", "-W", changed, "all"], cwd=paths.ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _would_run(changed: str) -> list[str]:
    """The notebooks `make` would run if ``changed`` were newer than everything."""
    return re.findall(r"translocal\.build\.run (\S+)", _dry_run(changed))


@pytest.fixture(scope="module", autouse=True)
def built():
    if subprocess.run(["make", "-q", "all"], cwd=paths.ROOT, check=False).returncode != 0:
        pytest.skip("the build is not up to date (run `make` first)")


PLOTS_USERS = [
    "05_descriptives",
    "figures/register_timeline",
    "figures/register_flows",
    "figures/diffusion_survival",
    "figures/agreements_over_time",
    "figures/policies_by_kind",
    "figures/coefficients",
    "figures/predicted_probabilities",
    "figures/surrogate_pvalues",
    "figures/recovery",
]


def test_a_module_change_reruns_only_the_notebooks_that_import_it_and_their_dependants():
    # plots.py is imported by notebook 05 and by the figure notebooks that draw charts (not maps)
    assert _would_run("src/translocal/plots.py") == PLOTS_USERS


MODULE_FILES = sorted(p.relative_to(paths.ROOT).as_posix() for p in (paths.ROOT / "src" / "translocal").rglob("*.py"))


@pytest.mark.parametrize("source", MODULE_FILES)
def test_a_change_in_any_module_of_any_layer_reruns_exactly_the_notebooks_declaring_it(source):
    declaring = [nb.name for nb in pipeline.load() if source in pipeline.source_files(nb.modules)]
    assert _would_run(source) == declaring


def test_the_three_layers_rerun_what_they_should():
    # a science module used by three notebooks; a base module every notebook imports (through
    # the science if not directly); the machinery's value recorder, which every notebook
    # imports; machinery no notebook imports reruns none
    everything = [nb.name for nb in pipeline.load()]
    assert _would_run("src/translocal/plots.py") == PLOTS_USERS
    assert _would_run("src/translocal/base/outputs.py") == everything
    assert _would_run("src/translocal/build/values.py") == everything
    for machinery in (
        "src/translocal/build/paper.py",
        "src/translocal/build/run.py",
        "src/translocal/build/pipeline.py",
    ):
        assert _would_run(machinery) == [], machinery


def test_a_raw_input_reruns_from_the_first_notebook_that_reads_it():
    ran = _would_run("data/raw/admin1/indonesia-38-provinces.geojson")
    # read by the public record (02) and the spatial join (04), and what reads 04's outputs
    assert (
        ran[:2] == ["02_public_record", "04_spatial_join"] and "01_frame" not in ran and "03_private_layers" not in ran
    )


def test_a_register_change_is_validated_before_the_notebooks_that_read_it_rerun():
    dry = _dry_run("data/public_agreements.csv")
    ran = re.findall(r"translocal\.build\.run (\S+)", dry)
    assert "-m translocal.register" in dry and dry.index("-m translocal.register") < dry.index("translocal.build.run")
    assert ran[:3] == ["02_public_record", "03_private_layers", "04_spatial_join"] and "01_frame" not in ran
    # every notebook waits for the validation, whatever make runs first
    rules = (paths.BUILD / "pipeline.mk").read_text(encoding="utf-8")
    assert rules.count("build/register.validated") == rules.count("-m translocal.build.run")


def test_manuscript_text_recompiles_only_the_paper():
    result = subprocess.run(
        ["make", "-n", "-W", "paper/manuscript.typ", "all"], cwd=paths.ROOT, capture_output=True, text=True, check=False
    )
    assert "translocal.build.run" not in result.stdout
    assert "translocal.build.paper" in result.stdout and "translocal.build.docx" in result.stdout


def test_declared_modules_cover_what_each_notebook_imported_in_the_last_build():
    for nb in pipeline.load():
        log = (paths.BUILD / "logs" / f"{nb.name}.writes").read_text(encoding="utf-8").splitlines()
        assert check_modules(nb, [line for line in log if line.startswith(outputs.MODULES_PREFIX)]) == [], nb.name


def test_an_undeclared_module_is_refused_by_name():
    nb = pipeline.Notebook(name="x", title="x", inputs=[], outputs=[], modules=["base.paths", "build.values"])
    (problem,) = check_modules(nb, [f"{outputs.MODULES_PREFIX}base.paths build.values plots"])
    assert "plots" in problem and "pipeline.toml" in problem
    (problem,) = check_modules(nb, [])
    assert "values.save()" in problem


def test_a_module_that_does_not_exist_cannot_be_declared(tmp_path):
    source = (paths.PIPELINE).read_text(encoding="utf-8")
    broken = source.replace('modules = ["', 'modules = ["nonesuch", "', 1)
    assert broken != source
    bad = tmp_path / "pipeline.toml"
    bad.write_text(broken, encoding="utf-8")
    for nb in pipeline.load(paths.PIPELINE):
        (tmp_path / f"{nb.name}.ipynb").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f"{nb.name}.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="nonesuch"):
        pipeline.load(bad)


def test_an_import_after_the_values_are_saved_must_be_declared_too(tmp_path):
    import nbformat

    from translocal.build.run import check_imports, imported_modules

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("from translocal import frame, plots\nfrom translocal.base import paths"),
        nbformat.v4.new_code_cell("from translocal.outcome import KIND_ORDER\nfrom translocal import (\n    words,\n)"),
        nbformat.v4.new_markdown_cell("from translocal import spatial"),
    ]
    source = tmp_path / "n.ipynb"
    nbformat.write(notebook, source)
    assert imported_modules(source) == {"frame", "plots", "base.paths", "outcome", "words"}
    nb = pipeline.Notebook(
        name="n", title="n", inputs=[], outputs=[], modules=["frame", "plots", "base.paths", "outcome"]
    )
    (problem,) = check_imports(nb, source)
    assert problem.endswith("does not declare: words")
