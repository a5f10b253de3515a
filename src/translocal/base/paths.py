"""Where everything lives. Notebooks and modules ask here instead of joining strings.

Standard library only: ``translocal.build.pipeline`` imports it with the system Python before
the project's environment exists.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    """The project root: the folder holding pyproject.toml, searched upwards from here.

    ``TRANSLOCAL_ROOT`` overrides it (the tests use it to build in a scratch copy).
    """
    env = os.environ.get("TRANSLOCAL_ROOT")
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data" / "manifest.toml").is_file():
            return parent
    raise RuntimeError(
        "Cannot find the project root (a folder with pyproject.toml and data/manifest.toml) "
        f"above {__file__}; set TRANSLOCAL_ROOT."
    )


ROOT = _find_root()
DATA = ROOT / "data"
MANIFEST = DATA / "manifest.toml"
PUBLIC_AGREEMENTS = DATA / "public_agreements.csv"
PARTNER_PLACES = DATA / "crosswalks" / "admin1_partners.csv"
#: Partner places outside the three countries with a staged boundary layer: points, sourced.
PARTNER_POINTS = DATA / "crosswalks" / "partner_points.csv"
#: Sea links between prefectures that share no land border (for prefecture contiguity).
SEA_LINKS = DATA / "crosswalks" / "prefecture_sea_links.csv"
REGISTER_SEARCH_LOG = DATA / "public_agreements_search.csv"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
PRIVATE = DATA / "private"
INTERIM_PRIVATE = DATA / "interim" / "private"
SYNTHETIC = DATA / "synthetic"
NOTEBOOKS = ROOT / "notebooks"
PIPELINE = NOTEBOOKS / "pipeline.toml"
BUILD = ROOT / "build"
EXECUTED = BUILD / "notebooks"
VALUES_PARTS = BUILD / "values"
PAPER = ROOT / "paper"
FIGURES = PAPER / "figures"
TABLES = PAPER / "tables"
VALUES = PAPER / "values.json"
MANUSCRIPT = PAPER / "manuscript.typ"
PDF = PAPER / "manuscript.pdf"

MUNICIPALITIES = PROCESSED / "municipalities.gpkg"
ANALYSIS = PROCESSED / "analysis.gpkg"
MODELS = PROCESSED / "models"


def raw(relative: str) -> Path:
    """Path of a public input file under data/raw/, as named in the manifest."""
    return RAW / relative


def private_files(folder: Path = PRIVATE) -> list[str]:
    """The author's files in data/private/ (everything but the README and hidden files)."""
    if not folder.is_dir():
        return []
    return sorted(
        f"data/private/{p.name}" for p in folder.iterdir() if p.name != "README.md" and not p.name.startswith(".")
    )


def data_mode(folder: Path = PRIVATE) -> str:
    """``real`` when the author's files are in data/private/, else ``synthetic``."""
    return "real" if private_files(folder) else "synthetic"
