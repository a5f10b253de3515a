"""The notebook pipeline as declared in notebooks/pipeline.toml, turned into make rules.

Standard library only: the Makefile runs this with the system Python before the project's
environment exists. ``python -m translocal.pipeline`` (or ``python src/translocal/pipeline.py``)
writes ``build/pipeline.mk`` and one parameters file per notebook, each only when its content
changes, so editing one notebook's parameters reruns that notebook alone.
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ROOT / "notebooks" / "pipeline.toml"
MANIFEST = ROOT / "data" / "manifest.toml"
BUILD = ROOT / "build"


@dataclass(frozen=True)
class Notebook:
    """One notebook: its source, parameters, declared inputs and outputs."""

    name: str
    title: str
    inputs: list[str]
    outputs: list[str]
    parameters: dict = field(default_factory=dict)

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


def load(path: Path = PIPELINE) -> list[Notebook]:
    """The notebooks in run order; names must be unique and sources must exist."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    notebooks = [Notebook(**entry) for entry in raw["notebook"]]
    names = [nb.name for nb in notebooks]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: notebook names repeat: {names}")
    produced: dict[str, str] = {}
    for nb in notebooks:
        if not (path.parent / f"{nb.name}.ipynb").is_file():
            raise ValueError(f"{path}: {nb.source} does not exist")
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


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def makefile(notebooks: list[Notebook], raw: list[str]) -> str:
    """Make rules: each notebook's executed copy, outputs and values form one grouped target."""
    lines = [
        "# Generated from notebooks/pipeline.toml and data/manifest.toml by translocal.pipeline; do not edit.",
        f"RAW_FILES := {' '.join(raw)}",
        f"NOTEBOOK_TARGETS := {' '.join(nb.executed for nb in notebooks)}",
        f"VALUE_PARTS := {' '.join(nb.values_file for nb in notebooks)}",
        "PAPER_INPUTS := " + " ".join(o for nb in notebooks for o in nb.outputs if o.startswith("paper/")),
        "",
    ]
    for nb in notebooks:
        targets = " ".join([nb.executed, nb.values_file, *nb.outputs])
        prereqs = " ".join([nb.source, nb.params_file, *nb.inputs, "$(SRC_FILES)", "requirements.lock"])
        lines += [
            f"{targets} &: {prereqs} | $(ENV) build/data.verified",
            f"\t$(PY) -m translocal.run {nb.name}",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    notebooks = load()
    for nb in notebooks:
        _write_if_changed(ROOT / nb.params_file, json.dumps(nb.parameters, indent=1, sort_keys=True) + "\n")
    rules = BUILD / "pipeline.mk"
    _write_if_changed(rules, makefile(notebooks, raw_files()))
    rules.touch()  # newer than its sources even when unchanged, so make does not redo it
    return 0


if __name__ == "__main__":
    sys.exit(main())
