"""The project's declared structure: pipeline, metadata, environment files, privacy."""

import re
import subprocess
import tomllib

import pytest

from translocal.base import manifest, paths
from translocal.build import metadata, package, pipeline


def test_pipeline_declares_existing_notebooks_with_distinct_outputs():
    notebooks = pipeline.load()
    assert notebooks[0].name == "01_frame"
    rules = pipeline.makefile(notebooks, pipeline.raw_files())
    assert "build/notebooks/01_frame.ipynb build/values/01_frame.json data/processed/municipalities.gpkg" in rules
    assert "$(PY) -m translocal.build.run 01_frame" in rules


def test_pipeline_refuses_two_notebooks_writing_one_output(tmp_path):
    for name in ("01_a", "02_b"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    (tmp_path / "pipeline.toml").write_text(
        '[[notebook]]\nname = "01_a"\ntitle = "a"\ninputs = []\noutputs = ["paper/figures/x.png"]\n'
        '[[notebook]]\nname = "02_b"\ntitle = "b"\ninputs = []\noutputs = ["paper/figures/x.png"]\n'
    )
    with pytest.raises(ValueError, match="paper/figures/x.png is an output of both 01_a and 02_b"):
        pipeline.load(tmp_path / "pipeline.toml")


@pytest.mark.parametrize("mode", ["synthetic", "real"])
def test_pipeline_inputs_are_provided_by_something(mode):
    """Each declared input is a public raw file, a tracked file, a validated private table
    (real mode) or an output of an earlier notebook."""
    raw = set(pipeline.raw_files())
    tracked = set(package.source_files(paths.ROOT))
    validated = set(pipeline.VALIDATED) if mode == "real" else set()
    produced = set()
    for nb in pipeline.load(mode=mode):
        for path in nb.inputs:
            assert path in raw | tracked | validated | produced, f"{nb.name} reads {path}, which nothing provides"
        produced.update(nb.outputs)


def test_mode_dependent_notebooks_get_the_mode_and_their_mode_files():
    synthetic = {nb.name: nb for nb in pipeline.load(mode="synthetic")}["03_private_layers"]
    real = {nb.name: nb for nb in pipeline.load(mode="real")}["03_private_layers"]
    assert synthetic.parameters["data_mode"] == "synthetic" and real.parameters["data_mode"] == "real"
    assert "data/synthetic/truth.json" in synthetic.outputs and "data/synthetic/truth.json" not in real.outputs
    assert "data/interim/private/survey_2019.csv" in real.inputs
    assert "data_mode" not in {nb.name: nb for nb in pipeline.load(mode="real")}["01_frame"].parameters
    rules = pipeline.makefile(pipeline.load(mode="real"), pipeline.raw_files(), ["data/private/survey_2019.csv"])
    assert "DATA_MODE := real" in rules and "$(PY) -m translocal.private" in rules


def test_citation_file_is_generated_from_pyproject():
    meta = metadata.load()
    assert (paths.ROOT / "CITATION.cff").read_text(encoding="utf-8") == metadata.citation_cff(meta), (
        "CITATION.cff is stale: run `make metadata`"
    )


def test_readme_generated_sections_are_up_to_date():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert metadata.readme_generated(readme, metadata.load()) == readme, (
        "README's Binder link or data-sources table is stale: run `make metadata`"
    )
    for attribution in (s.attribution for s in manifest.load()[1].values()):
        assert attribution in readme


def test_binder_url():
    assert metadata.binder_url("https://github.com/someone/translocal-titp") == (
        "https://mybinder.org/v2/gh/someone/translocal-titp/HEAD?urlpath=lab"
    )
    assert metadata.binder_url("") is None


def test_citation_with_authors():
    meta = {
        "title": "T",
        "version": "1",
        "repository": "https://github.com/a/b",
        "authors": [{"given-names": "Hanako", "family-names": "Yamada", "orcid": "0000-0002-1825-0097"}],
    }
    cff = metadata.citation_cff(meta)
    assert (
        '  - family-names: "Yamada"\n    given-names: "Hanako"\n    orcid: "https://orcid.org/0000-0002-1825-0097"'
        in cff
    )
    assert 'repository-code: "https://github.com/a/b"' in cff


def test_environment_yml_pins_exactly_the_lock():
    env = (paths.ROOT / "environment.yml").read_text(encoding="utf-8")
    assert env == metadata.environment_yml(metadata.locked_versions()), (
        "environment.yml drifted from requirements.lock: run `make metadata`"
    )
    assert "  - python=3.11\n" in env
    # every locked package but the server stack, at the lock's version
    locked = [p for p in metadata.locked_versions() if p.split("==")[0].lower() not in metadata.SERVER_STACK]
    assert all(f"      - {pin}\n" in env for pin in locked)


def test_lock_pins_every_direct_dependency():
    with open(paths.ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    pinned = {pin.split("==")[0].lower() for pin in metadata.locked_versions()}
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    missing = [d for d in wanted if d.lower() not in pinned]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"


def test_private_data_cannot_be_committed_by_accident():
    """.gitignore keeps the author's files out of git (and so out of the package's sources)
    but not the folder's README (read as git reads it: tests/test_package.py compares)."""
    patterns = (paths.ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for name in ("survey_2019.csv", "agreements.csv", "interviews.csv", "any_other_file.xlsx"):
        assert package.ignored(f"data/private/{name}", patterns), f"data/private/{name} is not git-ignored"
        assert package.ignored(f"data/interim/private/{name}", patterns)
    assert not package.ignored("data/private/README.md", patterns)


def test_run_checks_that_a_notebook_wrote_exactly_what_it_declares():
    from translocal.build.run import check_writes

    nb = pipeline.Notebook(name="01_x", title="x", inputs=[], outputs=["paper/figures/a.pdf"])
    root = paths.ROOT.resolve()
    both = [str(root / "build/values/01_x.json"), str(root / "paper/figures/a.pdf")]
    assert check_writes(nb, both) == []
    (problem,) = check_writes(nb, both[:1])
    assert "did not write these declared outputs" in problem and "paper/figures/a.pdf" in problem
    (problem,) = check_writes(nb, [*both, str(root / "paper/figures/b.png")])
    assert "does not declare: paper/figures/b.png" in problem


def test_makefile_installs_the_uv_the_lock_pins():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    version = re.search(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE).group(1)
    assert f"uv=={version}" in metadata.locked_versions()


def test_binder_builds_with_the_image_environment_not_a_venv():
    post_build = paths.ROOT / "postBuild"
    assert post_build.is_file() and post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "SYSTEM_ENV=1" in post_build.read_text(encoding="utf-8")
    dry = subprocess.run(
        ["make", "-n", "-B", "SYSTEM_ENV=1", "paper/values.json"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    assert (
        "python -m translocal.build.values" in dry.stdout and ".venv" not in dry.stdout and "uv pip" not in dry.stdout
    )


def test_binder_leaves_the_server_stack_to_repo2docker_and_installs_the_package_in_postbuild():
    env = (paths.ROOT / "environment.yml").read_text(encoding="utf-8")
    pinned = {line.strip()[2:].split("==")[0].lower() for line in env.splitlines() if "==" in line}
    # these are repo2docker's (its base environment runs Binder's own server): never pinned here
    must_stay_unpinned = {"jupyterlab", "jupyter-server", "notebook", "jupyterhub", "tornado"}
    assert must_stay_unpinned <= set(metadata.SERVER_STACK)
    assert not pinned & set(metadata.SERVER_STACK), sorted(pinned & set(metadata.SERVER_STACK))
    # the kernel side stays pinned: the notebooks run with the locked kernel
    assert {"ipykernel", "jupyter-client", "papermill", "pandas"} <= pinned
    # nothing from the repository in the environment file (it would defeat repo2docker's cache)
    assert "-e ." not in env and "file:" not in env
    post_build = (paths.ROOT / "postBuild").read_text(encoding="utf-8")
    assert "pip install --quiet --no-deps -e ." in post_build
    assert post_build.index("pip install") < post_build.index("make SYSTEM_ENV=1 all")
    assert "trap" in post_build and "FAILED while" in post_build
