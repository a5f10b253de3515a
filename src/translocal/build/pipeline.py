"""The notebook pipeline as declared in notebooks/pipeline.toml, turned into make rules.

Standard library only, like ``translocal.base.paths``, the one module it imports: the Makefile
runs it with the system Python (``PYTHONPATH=src python -m translocal.build.pipeline``) before
the project's environment exists. It writes ``build/pipeline.mk`` and one parameters file per
notebook, each only when its content changes, so editing one notebook's parameters reruns that
notebook alone. The Makefile runs it each time it starts (about 30 ms), because the **data
mode** can change without any file the build knows about changing: any file other than the
README in ``data/private/`` means the author's real files are used (``real``), otherwise
synthetic stand-ins (``synthetic``; ``paths.data_mode``). Notebooks marked ``mode_dependent``
get ``data_mode`` as a parameter, read ``real_inputs`` only in real mode, ``synthetic_inputs``
(such as the truth of the data-generating process) and ``synthetic_outputs`` only in synthetic
mode.

A notebook's ``modules`` name the modules of ``src/translocal`` it imports, relative to the
package: ``frame`` (the science), ``base.paths`` (the base layer), ``build.values`` (the one
module of the machinery a notebook uses). Each is a prerequisite of the notebook's rule, with
the ``__init__.py`` of every package on its way.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..base import paths
from ..base.paths import data_mode, private_files

# TRANSLOCAL_ROOT names the tree being built (a test's fresh clone, built with this
# environment's installed package), else the tree holding this file (translocal.base.paths).
ROOT = paths.ROOT
PIPELINE = paths.PIPELINE
MANIFEST = paths.MANIFEST
BUILD = paths.BUILD
PRIVATE = paths.PRIVATE
PRIVATE_TABLES = ("survey_2019", "agreements", "interviews")
VALIDATED = [f"data/interim/private/{t}.csv" for t in PRIVATE_TABLES]
FINGERPRINT = "build/private.fingerprint"


def fingerprint(files: list[str]) -> str:
    """Name, size and sha256 of each private file: changes exactly when their content does."""
    lines = []
    for name in files:
        data = (ROOT / name).read_bytes()
        lines.append(f"{name} {len(data)} {hashlib.sha256(data).hexdigest()}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Notebook:
    """One notebook: its source, parameters, declared inputs and outputs."""

    name: str
    title: str
    inputs: list[str]
    outputs: list[str]
    parameters: dict = field(default_factory=dict)
    mode_dependent: bool = False
    real_inputs: list[str] = field(default_factory=list)
    synthetic_inputs: list[str] = field(default_factory=list)
    synthetic_outputs: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)

    def for_mode(self, mode: str) -> Notebook:
        """This notebook with inputs, outputs and parameters resolved for a data mode."""
        if not self.mode_dependent:
            return self
        return Notebook(
            name=self.name,
            title=self.title,
            inputs=self.inputs + (self.real_inputs if mode == "real" else self.synthetic_inputs),
            outputs=self.outputs + (self.synthetic_outputs if mode == "synthetic" else []),
            parameters={**self.parameters, "data_mode": mode},
            modules=self.modules,
        )

    @property
    def source(self) -> str:
        return f"notebooks/{self.name}.ipynb"

    @property
    def executed(self) -> str:
        return f"build/notebooks/{self.name}.ipynb"

    @property
    def params_file(self) -> str:
        return f"build/params/{self.name}.json"

    @property
    def values_file(self) -> str:
        return f"build/values/{self.name}.json"

    @property
    def prerequisites(self) -> list[str]:
        """What a run depends on: the source, its parameters, the declared inputs, the source
        files of its modules and the lock file (the prerequisites of its make rule)."""
        return [self.source, self.params_file, *self.inputs, *source_files(self.modules), "requirements.lock"]

    @property
    def targets(self) -> list[str]:
        """What a run makes: the executed copy, the values and the declared outputs."""
        return [self.executed, self.values_file, *self.outputs]


def module_file(module: str) -> str:
    """The source file of a module named relative to ``translocal`` (``frame``, ``base.paths``)."""
    return f"src/translocal/{module.replace('.', '/')}.py"


def source_files(modules: list[str]) -> list[str]:
    """The source files a notebook importing ``modules`` depends on: each module's file and the
    ``__init__.py`` of every package on its way (importing ``translocal.base.paths`` runs
    ``translocal/__init__.py`` and ``translocal/base/__init__.py``), sorted, each once."""
    files = {"src/translocal/__init__.py"}
    for module in modules:
        parts = module.split(".")
        files |= {module_file(".".join([*parts[:i], "__init__"])) for i in range(1, len(parts))}
        files.add(module_file(module))
    return sorted(files)


def load(path: Path = PIPELINE, mode: str | None = None) -> list[Notebook]:
    """The notebooks in run order, resolved for ``mode`` (default: the current data mode);
    names must be unique and sources must exist."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    mode = mode or data_mode()
    notebooks = [Notebook(**entry).for_mode(mode) for entry in raw["notebook"]]
    names = [nb.name for nb in notebooks]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: notebook names repeat: {names}")
    produced: dict[str, str] = {}
    for nb in notebooks:
        if not (path.parent / f"{nb.name}.ipynb").is_file():
            raise ValueError(f"{path}: {nb.source} does not exist")
        unknown = [m for m in nb.modules if not (ROOT / module_file(m)).is_file()]
        if unknown:
            raise ValueError(f"{path}: {nb.name} declares modules that src/translocal does not have: {unknown}")
        for out in nb.outputs:
            if out in produced:
                raise ValueError(f"{path}: {out} is an output of both {produced[out]} and {nb.name}")
            produced[out] = nb.name
    return notebooks


def by_name(name: str, path: Path = PIPELINE) -> Notebook:
    for nb in load(path):
        if nb.name == name:
            return nb
    raise KeyError(f"{name} is not a notebook in {path}")


def raw_files(manifest: Path = MANIFEST) -> list[str]:
    with open(manifest, "rb") as fh:
        return [f"data/raw/{f['path']}" for f in tomllib.load(fh)["file"]]


def markdown_images(notebook: Path) -> list[str]:
    """The project files (relative to the root) that the markdown cells of ``notebook`` show as
    images, ``![…](../paper/figures/x.png)``; a missing notebook shows none."""
    if not notebook.is_file():
        return []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for link in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
                path = (notebook.parent / link).resolve()
                if path.is_relative_to(ROOT.resolve()):
                    found.append(path.relative_to(ROOT.resolve()).as_posix())
    return sorted(set(found))


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def makefile(notebooks: list[Notebook], raw: list[str], private: list[str] | None = None) -> str:
    """Make rules: each notebook's executed copy, outputs and values form one grouped target.

    In real mode (``private`` non-empty) a validation step turns the author's files into the
    normalised tables in data/interim/private/, which ``make data`` builds.
    """
    private = private or []
    lines = [
        "# Generated from notebooks/pipeline.toml and data/manifest.toml by translocal.build.pipeline; do not edit.",
        f"DATA_MODE := {'real' if private else 'synthetic'}",
        f"RAW_FILES := {' '.join(raw)}",
        f"VALIDATED_PRIVATE := {' '.join(VALIDATED) if private else ''}",
        f"NOTEBOOK_TARGETS := {' '.join(nb.executed for nb in notebooks)}",
        f"VALUE_PARTS := {' '.join(nb.values_file for nb in notebooks)}",
        "PAPER_INPUTS := " + " ".join(o for nb in notebooks for o in nb.outputs if o.startswith("paper/")),
        "",
    ]
    if private:
        boundaries = "data/raw/japan-topography/N03-21_210101_designated_city.json"
        lines += [
            # By content, not timestamps: files copied with their old dates must be checked too.
            f"$(VALIDATED_PRIVATE) &: {FINGERPRINT} {boundaries} src/translocal/private.py | $(ENV)",
            "\t$(PY) -m translocal.private",
            "\t@touch $(VALIDATED_PRIVATE)",
            "",
        ]
    for nb in notebooks:
        shown = markdown_images(ROOT / nb.source)
        if shown:  # the HTML page embeds them: a redrawn figure renews the page
            lines += [f"build/html/{nb.name}.html: {' '.join(shown)}", ""]
        lines += [
            f"{' '.join(nb.targets)} &: {' '.join(nb.prerequisites)} | $(ENV) build/data.verified build/register.validated",
            f"\t$(PY) -m translocal.build.run {nb.name}",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    notebooks = load()
    for nb in notebooks:
        _write_if_changed(ROOT / nb.params_file, json.dumps(nb.parameters, indent=1, sort_keys=True) + "\n")
    private = private_files()
    if private:
        _write_if_changed(ROOT / FINGERPRINT, fingerprint(private))
    else:
        # Back in synthetic mode: drop the normalised copies of the confidential files.
        shutil.rmtree(ROOT / "data" / "interim" / "private", ignore_errors=True)
        (ROOT / FINGERPRINT).unlink(missing_ok=True)
    _write_if_changed(BUILD / "pipeline.mk", makefile(notebooks, raw_files(), private))
    return 0


if __name__ == "__main__":
    sys.exit(main())
