"""The data dictionary: a pandera schema for every dataset the notebooks write or read after
acquisition, keyed by its path relative to the repository root.

Each column carries a description and, in its metadata, a unit, a vintage (the date or period
it measures) and a source (the provider and file, or the notebook that computes it). The
schemas describe the files **as they are on disk**: a CSV file is read back from its text
(``frame_from_text``), a GeoPackage layer as pyogrio reads it, and both are brought to the
schema's types (``canonical``) before pandera checks them.

Its writers (``write_csv``, ``write_text``, ``write_bytes``, ``write_geopackage``: those of
``translocal.base.outputs`` with ``check_write`` as their check) validate every table written
to one of these paths before anything is written, and refuse a table written under
``data/processed/`` or ``data/synthetic/`` that has no schema here; the base writers refuse a
file there written without a check. The private tables and their synthetic stand-ins take their columns and checks
from ``translocal.private`` (their full contract, cell by cell, is ``private.validate_folder``),
and the public register its checks from ``translocal.register``.

``python -m translocal.dictionary`` writes ``docs/data-dictionary.md`` from the schemas;
``--check`` exits with 1 when that file is stale.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import private, register
from .base import outputs, paths
from .frame import COLUMNS as FRAME_COLUMNS
from .outcome import EXPOSURES

#: The values of ``spatial.LISA_LABELS``, restated so that writing a table does not import
#: PySAL (about 1.5 s per notebook); tests/test_dictionary.py checks that they agree.
LISA_LABELS = ("High-High", "Low-High", "Low-Low", "High-Low", "Not significant")

#: Folders whose every file must have a schema here.
GOVERNED = outputs.GOVERNED
MARKDOWN = Path("docs") / "data-dictionary.md"

TEXT, INTEGER, NUMBER, BOOLEAN = str, "Int64", "float64", "boolean"
#: How the Markdown names each type.
TYPE_NAMES = {"str": "text", "Int64": "integer", "float64": "number", "boolean": "true/false", "None": "any"}
#: How the Markdown names a column without a pandas type, by its check.
CHECKED_TYPES = {"polygons": "geometry (polygons)", "json_object": "JSON object"}


@dataclass(frozen=True)
class Dataset:
    """One data file: where it is, what it is, who makes it, what a row is and its key."""

    path: str
    title: str
    made_by: str
    row: str
    key: tuple[str, ...]
    schema: pa.DataFrameSchema
    layer: str | None = None  # the GeoPackage layer the schema describes

    @property
    def form(self) -> str:
        return Path(self.path).suffix.lstrip(".")


class DatasetError(ValueError):
    """A table does not match its schema, or has none; nothing was written."""


def column(
    dtype,
    description: str,
    *,
    unit: str,
    vintage: str,
    source: str,
    checks=None,
    nullable: bool = False,
    unique: bool = False,
) -> pa.Column:
    """A documented column: pandera's description plus unit, vintage and source in metadata."""
    return pa.Column(
        dtype,
        checks,
        nullable=nullable,
        unique=unique,
        description=description,
        metadata={"unit": unit, "vintage": vintage, "source": source},
    )


def table(columns: dict[str, pa.Column], description: str) -> pa.DataFrameSchema:
    """A strict schema: no column outside it. (Keys are checked by ``key_problems``: pandera's
    check of several columns together fails on pandas 3 when it finds duplicates.)"""
    return pa.DataFrameSchema(columns, strict=True, description=description)


def one_of(values) -> pa.Check:
    return pa.Check.isin(tuple(values))


CODE5 = pa.Check.str_matches(r"^\d{5}$")
PREFECTURE = pa.Check.str_matches(r"^(0[1-9]|[1-3]\d|4[0-7])$")
ISO_DATE = pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")
ISO_3166_2 = pa.Check.str_matches(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
SHARE = pa.Check.in_range(0, 1)
ZERO_ONE = one_of((0, 1))
COUNT = pa.Check.ge(0)
LONGITUDE, LATITUDE = pa.Check.in_range(-180, 180), pa.Check.in_range(-90, 90)


def _polygons(series: pd.Series) -> pd.Series:
    return series.geom_type.isin(["Polygon", "MultiPolygon"])


POLYGONS = pa.Check(_polygons, name="polygons", error="geometry is not a polygon")

# --------------------------------------------------------------------------- the frame (notebook 01)
N03 = "MLIT N03 via smartnews-smri/japan-topography (N03-21_210101_designated_city.json)"
MIC_FISCAL = "MIC 主要財政指標一覧 (japandata-sources/indices.tar.gz)"
BOUNDARIES = "2021-01-01 boundaries"
FISCAL_YEAR = "FY2018 (notebook 01's fiscal_year = H30)"


def _frame(name: str, dtype, *, unit: str, vintage: str, source: str, **kw) -> pa.Column:
    """A column of the municipal frame, described by ``frame.COLUMNS`` (the frame's codebook)."""
    return column(dtype, FRAME_COLUMNS[name], unit=unit, vintage=vintage, source=source, **kw)


def _register(file: str) -> str:
    return f"MIC 住民基本台帳 (japandata-sources/{file})"


def _isa(file: str) -> str:
    return f"ISA 在留外国人統計 (moj-zairyu/{file})"


def _computed(notebook: str, what: str) -> str:
    return f"computed in notebook {notebook} from {what}"


FRAME = {
    "code": _frame("code", TEXT, unit="code", vintage=BOUNDARIES, source=N03, checks=CODE5, unique=True),
    "prefecture_code": _frame("prefecture_code", TEXT, unit="code", vintage=BOUNDARIES, source=N03, checks=PREFECTURE),
    "prefecture": _frame("prefecture", TEXT, unit="—", vintage=BOUNDARIES, source=N03),
    "name_ja": _frame("name_ja", TEXT, unit="—", vintage=BOUNDARIES, source=N03),
    "kind": _frame(
        "kind",
        TEXT,
        unit="code",
        vintage=BOUNDARIES,
        source=_computed("01", "the code, the name and the ward-level N03 layer (codes.municipality_kind)"),
        checks=one_of(("special_ward", "designated_city", "city", "town", "village")),
    ),
    "fiscal_strength": _frame(
        "fiscal_strength", NUMBER, unit="index (ratio)", vintage=FISCAL_YEAR, source=MIC_FISCAL, checks=COUNT
    ),
    "current_balance_ratio": _frame("current_balance_ratio", NUMBER, unit="%", vintage=FISCAL_YEAR, source=MIC_FISCAL),
    "real_debt_service_ratio": _frame(
        "real_debt_service_ratio", NUMBER, unit="%", vintage=FISCAL_YEAR, source=MIC_FISCAL
    ),
    "future_burden_ratio": _frame("future_burden_ratio", NUMBER, unit="%", vintage=FISCAL_YEAR, source=MIC_FISCAL),
    "laspeyres_index": _frame(
        "laspeyres_index", NUMBER, unit="index (national civil servants = 100)", vintage=FISCAL_YEAR, source=MIC_FISCAL
    ),
    "future_burden_none": _frame("future_burden_none", BOOLEAN, unit="flag", vintage=FISCAL_YEAR, source=MIC_FISCAL),
    "population_2019": _frame(
        "population_2019",
        INTEGER,
        unit="persons",
        vintage="2019-01-01",
        source=_register("1903ssjin.xls"),
        checks=COUNT,
    ),
    "pop_change_2018_19": _frame(
        "pop_change_2018_19",
        NUMBER,
        unit="%",
        vintage="2018-01-01 to 2019-01-01",
        source=_computed("01", "japandata-sources/1803ssjin.xls and 1903ssjin.xls (MIC 住民基本台帳)"),
    ),
    "foreign_residents_2019": _frame(
        "foreign_residents_2019",
        INTEGER,
        unit="persons",
        vintage="2019-01-01",
        source=_register("1911gsjin.xls"),
        checks=COUNT,
    ),
    "foreign_per_100_2019": _frame(
        "foreign_per_100_2019",
        NUMBER,
        unit="per 100 residents",
        vintage="2019-01-01",
        source=_computed("01", "japandata-sources/1911gsjin.xls and 1903ssjin.xls (MIC 住民基本台帳)"),
        checks=COUNT,
    ),
    "prefecture_titp_per_1000_2018": _frame(
        "prefecture_titp_per_1000_2018",
        NUMBER,
        unit="per 1,000 residents",
        vintage="end-2018 (trainees); 2019-01-01 (residents)",
        source=_computed("01", "moj-zairyu/18-12-05-0.xlsx (ISA) and japandata-sources/1903ssjin.xls (MIC)"),
        checks=COUNT,
    ),
    "population": _frame(
        "population", INTEGER, unit="persons", vintage="2022-01-01", source=_register("2203ssjin.xlsx"), checks=COUNT
    ),
    "foreign_residents": _frame(
        "foreign_residents",
        INTEGER,
        unit="persons",
        vintage="2022-01-01",
        source=_register("2211gsjin.xlsx"),
        checks=COUNT,
    ),
    "titp_trainees": _frame(
        "titp_trainees",
        INTEGER,
        unit="persons",
        vintage="end-2022",
        source=_isa("22-12-04.xlsx"),
        checks=COUNT,
        nullable=True,
    ),
    "pop_change_2021_22": _frame(
        "pop_change_2021_22",
        NUMBER,
        unit="%",
        vintage="2021-01-01 to 2022-01-01",
        source=_computed("01", "japandata-sources/2103ssjin.xlsx and 2203ssjin.xlsx (MIC 住民基本台帳)"),
    ),
    "titp_censored": _frame("titp_censored", BOOLEAN, unit="flag", vintage="end-2022", source=_isa("22-12-04.xlsx")),
    "titp_per_1000": _frame(
        "titp_per_1000",
        NUMBER,
        unit="per 1,000 residents",
        vintage="end-2022 (trainees); 2022-01-01 (residents)",
        source=_computed("01", "moj-zairyu/22-12-04.xlsx (ISA) and japandata-sources/2203ssjin.xlsx (MIC)"),
        checks=COUNT,
        nullable=True,
    ),
    "foreign_per_100": _frame(
        "foreign_per_100",
        NUMBER,
        unit="per 100 residents",
        vintage="2022-01-01",
        source=_computed("01", "japandata-sources/2211gsjin.xlsx and 2203ssjin.xlsx (MIC 住民基本台帳)"),
        checks=COUNT,
    ),
    "titp_trainees_2021": _frame(
        "titp_trainees_2021",
        INTEGER,
        unit="persons",
        vintage="end-2021",
        source=_isa("21-12-03-2.xlsx"),
        checks=COUNT,
        nullable=True,
    ),
    "titp_censored_2021": _frame(
        "titp_censored_2021", BOOLEAN, unit="flag", vintage="end-2021", source=_isa("21-12-03-2.xlsx")
    ),
    "titp_per_1000_2021": _frame(
        "titp_per_1000_2021",
        NUMBER,
        unit="per 1,000 residents",
        vintage="end-2021 (trainees); 2022-01-01 (residents)",
        source=_computed("01", "moj-zairyu/21-12-03-2.xlsx (ISA) and japandata-sources/2203ssjin.xlsx (MIC)"),
        checks=COUNT,
        nullable=True,
    ),
    "area_km2": _frame(
        "area_km2", NUMBER, unit="km²", vintage=BOUNDARIES, source=_computed("01", "the N03 polygon"), checks=COUNT
    ),
    "geometry": _frame("geometry", None, unit="degrees (EPSG:4326)", vintage=BOUNDARIES, source=N03, checks=POLYGONS),
}

# --------------------------------------------------------------------------- the outcome (notebooks 03, 04)
WINDOW = "2020–2023"
SURVEY = "2019 survey (fielded June–September 2019)"
PRIVATE_SOURCE = "the private tables (author's files, or synthetic stand-ins)"


def _outcome(dtype, description: str, vintage: str, *, unit: str = "0/1", notebook: str = "03", **kw) -> pa.Column:
    what = f"{PRIVATE_SOURCE} and the public register (outcome.assemblage_strength)"
    return column(dtype, description, unit=unit, vintage=vintage, source=_computed(notebook, what), **kw)


ASSEMBLAGE = {
    "code": FRAME["code"],
    "prefecture_code": FRAME["prefecture_code"],
    "formal_agreement": _outcome(
        INTEGER, "1 if the municipality signed a formal agreement of its own 2020–2023", WINDOW, checks=ZERO_ONE
    ),
    "informal_recorded": _outcome(
        INTEGER,
        "1 if the agreement list records an informal tie of the municipality 2020–2023",
        WINDOW,
        checks=ZERO_ONE,
    ),
    "responded": _outcome(INTEGER, "1 if the municipality answered the 2019 survey", SURVEY, checks=ZERO_ONE),
    "informal_survey": _outcome(
        INTEGER,
        "Informal ties reported in the survey (0/1); blank for non-respondents",
        SURVEY,
        checks=ZERO_ONE,
        nullable=True,
    ),
    "n_policies": _outcome(
        INTEGER,
        "Number of the eight policy items the municipality reported; blank for non-respondents",
        SURVEY,
        unit="count (0–8)",
        checks=pa.Check.in_range(0, 8),
        nullable=True,
    ),
    "strength": _outcome(
        INTEGER,
        "Assemblage strength: 2 formal agreement, 1 informal ties only, 0 neither; blank where unknown "
        "(a non-respondent without a formal agreement or recorded tie; docs/codebook.md)",
        f"{SURVEY}; agreements {WINDOW}",
        unit="ordinal 0/1/2",
        checks=one_of((0, 1, 2)),
        nullable=True,
    ),
    "partner_countries": _outcome(
        TEXT,
        "Partner countries (ISO 3166-1 alpha-3, comma-separated) of the municipality's own agreements and ties",
        WINDOW,
        unit="code list",
        nullable=True,
    ),
    "prefecture_exposure": _outcome(
        INTEGER,
        f"1 if the prefecture's government had signed a {EXPOSURES['prefecture_exposure'][2]} (main definition)",
        "by 2019-12-31",
        checks=ZERO_ONE,
    ),
}


def _policy(item: str) -> pa.Column:
    label = item.removeprefix("policy_").replace("_", " ")
    return column(
        INTEGER,
        f"Survey item (0/1): the municipality reports the policy '{label}' (docs/codebook.md); blank for non-respondents",
        unit="0/1",
        vintage=SURVEY,
        source=_computed("04", "the survey table (private)"),
        checks=ZERO_ONE,
        nullable=True,
    )


def _agreement_count(description: str) -> pa.Column:
    return column(
        INTEGER,
        description,
        unit="count",
        vintage=WINDOW,
        source=_computed("04", "the agreement list (private)"),
        checks=COUNT,
    )


ANALYSIS = {
    **{c: FRAME[c] for c in FRAME if c != "geometry"},
    **{c: ASSEMBLAGE[c] for c in ASSEMBLAGE if c not in ("code", "prefecture_code")},
    "strength_pushdown": _outcome(
        INTEGER,
        "Strength when the prefecture's formal agreements of 2020–2023 count as the municipality's own "
        "(robustness check)",
        WINDOW,
        unit="ordinal 0/1/2",
        notebook="04",
        checks=one_of((0, 1, 2)),
        nullable=True,
    ),
    "formal_pushdown": _outcome(
        INTEGER,
        "formal_agreement with the prefecture's formal agreements of 2020–2023 pushed down",
        WINDOW,
        notebook="04",
        checks=ZERO_ONE,
    ),
    **{
        name: _outcome(
            INTEGER,
            f"1 if the prefecture's government had signed a {meaning} (robustness definition)",
            f"by {by}",
            notebook="04",
            checks=ZERO_ONE,
        )
        for name, (by, _, meaning) in EXPOSURES.items()
        if name != "prefecture_exposure"
    },
    "n_agreements": _agreement_count("Agreements and ties of the municipality's own signed 2020–2023"),
    "n_formal_agreements": _agreement_count("Of those, formal agreements"),
    "n_partner_places": _agreement_count("Distinct partner places (ISO 3166-2) among them"),
    **{item: _policy(item) for item in private.POLICY_ITEMS},
    "staff_multicultural": column(
        INTEGER,
        "Staff assigned to multicultural affairs (survey); blank for non-respondents",
        unit="persons",
        vintage=SURVEY,
        source=_computed("04", "the survey table (private)"),
        checks=COUNT,
        nullable=True,
    ),
    "geometry": FRAME["geometry"],
}

# --------------------------------------------------------------------------- the public register (tracked)
REGISTER_SOURCE = "compiled for this study from stored public pages (data/public_agreements.md)"
SEARCHED = "sources read 2026-11-29"


def _public(
    name: str, description: str, *, unit: str = "—", vintage: str = SEARCHED, nullable: bool = False
) -> pa.Column:
    """A column of the public register, read as text, with the checks of ``register.SCHEMA``."""
    checks = register.SCHEMA.columns[name].checks if name in register.SCHEMA.columns else None
    unique = name in register.SCHEMA.columns and register.SCHEMA.columns[name].unique
    return column(
        TEXT,
        description,
        unit=unit,
        vintage=vintage,
        source=REGISTER_SOURCE,
        checks=checks,
        nullable=nullable,
        unique=unique,
    )


PUBLIC_AGREEMENTS = {
    "agreement_id": _public("agreement_id", "Stable identifier (PA001, PA002, …); never renumbered", unit="code"),
    "jp_level": _public("jp_level", "The Japanese party's level", unit="code"),
    "jp_code": _public(
        "jp_code",
        "2-digit prefecture or 5-digit municipal code (JIS X 0402 without check digit); blank for national rows",
        unit="code",
        vintage=BOUNDARIES,
        nullable=True,
    ),
    "jp_name": _public(
        "jp_name", "The frame's name of the Japanese party; `Japan` for national rows", vintage=BOUNDARIES
    ),
    "partner_country": _public("partner_country", "Partner country, ISO 3166-1 alpha-3", unit="code"),
    "partner_level": _public("partner_level", "Partner's level, following from partner_type", unit="code"),
    "partner_type": _public("partner_type", "Kind of partner (data/public_agreements.md)", unit="code"),
    "partner_name": _public("partner_name", "Partner's English name, as precise as the source"),
    "partner_admin1": _public(
        "partner_admin1",
        "ISO 3166-2 code of the first-level place where the partner sits (in data/crosswalks/)",
        unit="code",
        nullable=True,
    ),
    "signed_on": _public(
        "signed_on",
        "Signing date as precisely as the source gives it: YYYY-MM-DD, YYYY-MM or YYYY (date_precision)",
        unit="date",
        vintage="the signing date (1965–2026)",
    ),
    "date_precision": _public("date_precision", "Precision of signed_on: day, month or year", unit="code"),
    "status": _public("status", "signed, or planned (the source only announces the signing)", unit="code"),
    "formal": _public(
        "formal", "true/false: false for a letter of intent or declaration not called an agreement", unit="flag"
    ),
    "document": _public(
        "document", "What the signed document is called (memorandum, agreement, minutes, …)", unit="code"
    ),
    "programme": _public(
        "programme",
        "Programmes the agreement covers, ';'-separated: titp, ssw, care, students, hr_general, friendship, other",
        unit="code list",
    ),
    "labour_related": _public(
        "labour_related",
        "yes: about sending, receiving or training workers for work in Japan; partly: among other fields; no",
        unit="code",
    ),
    "evidence": _public("evidence", "Our paraphrase of what the source says (at most 25 words, English)"),
    "source": _public("source", "URL of the page the row rests on", unit="URL"),
    "source_2": _public(
        "source_2", "A second page, where it disagrees or adds what the first lacks", unit="URL", nullable=True
    ),
    "source_status": _public(
        "source_status",
        "confirmed: a stored page states the date to the given precision; unconfirmed: partly inferred",
        unit="code",
    ),
    "note": _public(
        "note", "Inferences, disagreements, renewals, predecessors of merged municipalities", nullable=True
    ),
    "searched_on": _public("searched_on", "When the source was read", unit="date"),
}

SEARCH_SOURCE = "search log kept while compiling the register (data/public_agreements.md)"


def _search(dtype, description: str, *, unit: str = "—", checks=None, nullable: bool = False, unique: bool = False):
    return column(
        dtype,
        description,
        unit=unit,
        vintage=SEARCHED,
        source=SEARCH_SOURCE,
        checks=checks,
        nullable=nullable,
        unique=unique,
    )


SEARCH_LOG = {
    "query_id": _search(
        TEXT, "Query identifier, in the order run", unit="code", checks=pa.Check.str_matches(r"^Q\d{4}$"), unique=True
    ),
    "round": _search(TEXT, "Stage of the protocol: sweep, check, saturation 1–4", unit="code"),
    "collector": _search(TEXT, "The collector's slice of the search (prefectures, language, partner kind, round)"),
    "query": _search(TEXT, "The query as typed"),
    "language": _search(
        TEXT, "Language of the query (ISO 639-1)", unit="code", checks=pa.Check.str_matches(r"^[a-z]{2}$")
    ),
    "corpus": _search(TEXT, "Corpus searched", unit="code", checks=one_of(("pages",))),
    "searched_on": _search(TEXT, "Date of the search", unit="date", checks=ISO_DATE),
    "results_read": _search(INTEGER, "Results read", unit="count", checks=COUNT),
    "rows_added": _search(
        INTEGER,
        "Rows new to the collector's list (sweep) or to the merged register (saturation rounds)",
        unit="count",
        checks=COUNT,
    ),
    "note": _search(TEXT, "What the query found", nullable=True),
}

# --------------------------------------------------------------------------- crosswalks (tracked)
CROSSWALK_SOURCE = "ISO 3166-2 lists and the staged layers, checked November 2026 (data/crosswalks/README.md)"
POINTS_SOURCE = "iso3166-2 package 1.8.4 (PyPI, MIT), looked up November 2026 (data/crosswalks/README.md)"
SEA_SOURCE = "committed list of fixed links and Okinawa's nearest prefecture (data/crosswalks/README.md)"
CROSSWALK_VINTAGE = "ISO 3166-2 as of November 2026; pre-2025 Viet Nam provinces"


def _crosswalk(dtype, description: str, *, unit: str = "—", source: str = CROSSWALK_SOURCE, checks=None, unique=False):
    return column(dtype, description, unit=unit, vintage=CROSSWALK_VINTAGE, source=source, checks=checks, unique=unique)


COUNTRY3 = pa.Check.str_matches(r"^[A-Z]{3}$")
ADMIN1_PARTNERS = {
    "iso_3166_2": _crosswalk(TEXT, "ISO 3166-2 code of the subdivision", unit="code", checks=ISO_3166_2, unique=True),
    "country": _crosswalk(TEXT, "Country, ISO 3166-1 alpha-3", unit="code", checks=one_of(("VNM", "IDN", "PHL"))),
    "layer_key": _crosswalk(TEXT, "The key that finds the subdivision in its staged layer (data/crosswalks/README.md)"),
    "name": _crosswalk(TEXT, "Name as the staged layer spells it"),
    "capital": _crosswalk(
        BOOLEAN, "true for the region of the national capital (national bodies are placed there)", unit="flag"
    ),
    "sending_weight": _crosswalk(
        INTEGER,
        "Relative weight with which the synthetic generator draws the subdivision as a partner place "
        "(an assumption of the synthetic process only, not a measured share)",
        unit="weight",
        source="assumption of the synthetic data-generating process (docs/synthetic-dgp.md)",
        checks=COUNT,
    ),
}
PARTNER_POINTS = {
    "iso_3166_2": _crosswalk(
        TEXT, "ISO 3166-2 code of the subdivision", unit="code", source=POINTS_SOURCE, checks=ISO_3166_2, unique=True
    ),
    "country": _crosswalk(TEXT, "Country, ISO 3166-1 alpha-3", unit="code", source=POINTS_SOURCE, checks=COUNTRY3),
    "name": _crosswalk(TEXT, "Name of the subdivision", source=POINTS_SOURCE),
    "capital": _crosswalk(
        BOOLEAN, "true for the subdivision of the national capital (one per country)", unit="flag", source=POINTS_SOURCE
    ),
    "lon": _crosswalk(
        NUMBER, "Longitude of an approximate centre", unit="degrees (WGS84)", source=POINTS_SOURCE, checks=LONGITUDE
    ),
    "lat": _crosswalk(
        NUMBER, "Latitude of an approximate centre", unit="degrees (WGS84)", source=POINTS_SOURCE, checks=LATITUDE
    ),
}
SEA_LINKS = {
    "code_a": column(
        TEXT, "One prefecture's code", unit="code", vintage=BOUNDARIES, source=SEA_SOURCE, checks=PREFECTURE
    ),
    "name_a": column(TEXT, "Its name", unit="—", vintage=BOUNDARIES, source=SEA_SOURCE),
    "code_b": column(
        TEXT, "The other prefecture's code", unit="code", vintage=BOUNDARIES, source=SEA_SOURCE, checks=PREFECTURE
    ),
    "name_b": column(TEXT, "Its name", unit="—", vintage=BOUNDARIES, source=SEA_SOURCE),
    "crossing": column(
        TEXT, "The strait or bay and the bridge or tunnel across it", unit="—", vintage="2026", source=SEA_SOURCE
    ),
    "kind": column(
        TEXT,
        "fixed link (bridge or tunnel), or nearest across the sea (Okinawa)",
        unit="code",
        vintage="2026",
        source=SEA_SOURCE,
        checks=one_of(("fixed link", "nearest across the sea")),
    ),
}


# --------------------------------------------------------------------------- notebook 02
def _placed(notebook: str, what: str) -> str:
    return _computed(notebook, f"{what}, data/crosswalks/ and the staged admin-1 layers (admin1.place_partners)")


def _places(notebook: str, what: str) -> dict[str, pa.Column]:
    """The partner place of each agreement and the coordinates of the link drawn for it."""
    source = _placed(notebook, what)
    origin = _computed(notebook, "the N03 polygons (analysis.origin_points: a point inside the polygon)")
    return {
        "place_iso_3166_2": column(
            TEXT, "ISO 3166-2 code of the partner's place; blank where unplaced", unit="code", vintage=CROSSWALK_VINTAGE,
            source=source, checks=ISO_3166_2, nullable=True,
        ),
        "place_name": column(TEXT, "Name of the partner's place", unit="—", vintage=CROSSWALK_VINTAGE, source=source, nullable=True),
        "placed_by": column(
            TEXT, "own_code: by partner_admin1; capital: a national body, at its capital region", unit="code",
            vintage=CROSSWALK_VINTAGE, source=source, checks=one_of(("own_code", "capital")), nullable=True,
        ),
        "unplaced_reason": column(
            TEXT, "Why the partner has no place (admin1.UNPLACED_REASONS); blank when placed", unit="code",
            vintage=CROSSWALK_VINTAGE, source=source, checks=one_of(("no_layer", "unknown_code", "missing_code")),
            nullable=True,
        ),
        "origin_lon": column(NUMBER, "Longitude of the Japanese party's point", unit="degrees (WGS84)", vintage=BOUNDARIES,
                             source=origin, checks=LONGITUDE, nullable=True),
        "origin_lat": column(NUMBER, "Latitude of the Japanese party's point", unit="degrees (WGS84)", vintage=BOUNDARIES,
                             source=origin, checks=LATITUDE, nullable=True),
        "dest_lon": column(NUMBER, "Longitude of the partner place's point", unit="degrees (WGS84)", vintage=CROSSWALK_VINTAGE,
                           source=source, checks=LONGITUDE, nullable=True),
        "dest_lat": column(NUMBER, "Latitude of the partner place's point", unit="degrees (WGS84)", vintage=CROSSWALK_VINTAGE,
                           source=source, checks=LATITUDE, nullable=True),
    }  # fmt: skip


def _typed_register(name: str, dtype) -> pa.Column:
    """A public-register column as notebook 02 writes it (typed by ``register.typed``)."""
    base = PUBLIC_AGREEMENTS[name]
    # only the signed prefectural and municipal rows (record.local), formal as true/false
    checks = {"jp_level": one_of(("prefecture", "municipality")), "formal": None}.get(name, base.checks)
    return column(
        dtype,
        base.description,
        unit=base.metadata["unit"],
        vintage=base.metadata["vintage"],
        source=base.metadata["source"],
        checks=checks,
        nullable=base.nullable,
    )


REGISTER_PROCESSED = {
    "line": column(INTEGER, "Line of the row in data/public_agreements.csv (header = 1)", unit="line number",
                   vintage=SEARCHED, source="data/public_agreements.csv", checks=pa.Check.ge(2), unique=True),
    **{c: _typed_register(c, BOOLEAN if c == "formal" else TEXT) for c in register.COLUMNS},
    "signed_date": column(TEXT, "First day signed_on can mean (YYYY-MM-DD)", unit="date", vintage="the signing date",
                          source=_computed("02", "signed_on and date_precision (register.typed)"), checks=ISO_DATE),
    "signed_year": column(INTEGER, "Year of signing", unit="year", vintage="the signing date",
                          source=_computed("02", "signed_on (register.typed)"), checks=pa.Check.ge(register.EARLIEST_YEAR)),
    "prefecture_code": column(TEXT, "Prefecture of the Japanese party", unit="code", vintage=BOUNDARIES,
                              source=_computed("02", "jp_code"), checks=PREFECTURE),
    **_places("02", "partner_admin1"),
}  # fmt: skip
# the column order of the file: the places' block sits around prefecture_code
REGISTER_ORDER = (
    "line", *register.COLUMNS, "signed_date", "signed_year", "place_iso_3166_2", "placed_by", "unplaced_reason",
    "prefecture_code", "origin_lon", "origin_lat", "place_name", "dest_lon", "dest_lat",
)  # fmt: skip
REGISTER_PROCESSED = {c: REGISTER_PROCESSED[c] for c in REGISTER_ORDER}

DIFFUSION = "notebook 02 (diffusion.design)"
PREFECTURE_YEARS = {
    "prefecture_code": column(TEXT, "Prefecture at risk", unit="code", vintage=BOUNDARIES,
                              source=_computed("02", "the register (diffusion.person_period)"), checks=PREFECTURE),
    "year": column(INTEGER, "Year at risk", unit="year", vintage="2019–2025",
                   source=_computed("02", "the register (diffusion.person_period)"), checks=pa.Check.in_range(2019, 2025)),
    "event": column(INTEGER, "1 in the year of the prefecture's first labour agreement (formal, signed, labour_related yes or partly)",
                    unit="0/1", vintage="2019–2025", source=_computed("02", "the public register"), checks=ZERO_ONE),
    "trend": column(INTEGER, "Year − 2019", unit="years", vintage="2019–2025", source=_computed("02", "year"), checks=COUNT),
    "neighbour_share": column(NUMBER, "Share of the prefecture's neighbours (land borders and sea links) signed by the end of the previous year",
                              unit="share", vintage="end of the previous year",
                              source=_computed("02", "the register, prefectures.json and prefecture_sea_links.csv"), checks=SHARE),
    "prefecture": column(TEXT, "Prefecture name", unit="—", vintage=BOUNDARIES, source=N03),
    "population_2019": column(INTEGER, "Residents of the prefecture on 1 January 2019", unit="persons", vintage="2019-01-01",
                              source=_register("1903ssjin.xls"), checks=COUNT),
    "pop_change_2018_19": column(NUMBER, "Population change 1 Jan 2018 to 1 Jan 2019", unit="%", vintage="2018-01-01 to 2019-01-01",
                                 source=_computed("02", "japandata-sources/1803ssjin.xls and 1903ssjin.xls (MIC 住民基本台帳)")),
    "fiscal_strength": column(NUMBER, "The prefecture's fiscal strength index (財政力指数)", unit="index (ratio)",
                              vintage="FY2018 (diffusion.FISCAL_YEAR = H30)", source=MIC_FISCAL, checks=COUNT),
    "titp_trainees_2018": column(INTEGER, "Technical intern trainees in the prefecture", unit="persons", vintage="end-2018",
                                 source=_isa("18-12-05-0.xlsx"), checks=COUNT),
    "titp_per_1000": column(NUMBER, "Technical intern trainees per 1,000 residents", unit="per 1,000 residents",
                            vintage="end-2018 (trainees); 2019-01-01 (residents)",
                            source=_computed("02", "moj-zairyu/18-12-05-0.xlsx (ISA) and japandata-sources/1903ssjin.xls (MIC)"),
                            checks=COUNT),
}  # fmt: skip

# --------------------------------------------------------------------------- model outputs (notebooks 02, 06, 07)
MODEL_VINTAGE = f"{SURVEY}; agreements {WINDOW}; covariates 2018–2019"
MODEL_NAMES = (
    "ordered",
    "ordered_weighted",
    "any_ties",
    "formal_respondents",
    "formal_all",
    "ppo_weighted",
    "policies",
)


def _model(
    notebook: str, dtype, description: str, unit: str, what: str, *, vintage: str = MODEL_VINTAGE, **kw
) -> pa.Column:
    return column(dtype, description, unit=unit, vintage=vintage, source=_computed(notebook, what), **kw)


def _models(notebook: str, what: str, columns: dict[str, tuple], vintage: str = MODEL_VINTAGE) -> dict[str, pa.Column]:
    """Columns of one model output: name -> (dtype, description, unit, extra keywords)."""
    return {name: _model(notebook, dtype, text, unit, what, vintage=vintage, **(extra[0] if extra else {}))
            for name, (dtype, text, unit, *extra) in columns.items()}  # fmt: skip


MODEL = ("model", TEXT)
HAZARD = "the prefecture-years (diffusion.fit_hazard, diffusion.estimates)"
DIFFUSION_ESTIMATES = _models("02", HAZARD, {
    "term": (TEXT, "Term of the hazard model (covariates standardised over the 47 prefectures)", "code"),
    "label": (TEXT, "The term as the tables print it", "—"),
    "coef": (NUMBER, "Logit coefficient", "log-odds (per SD for covariates)"),
    "se": (NUMBER, "Prefecture-clustered standard error", "log-odds"),
    "p": (NUMBER, "Two-sided p-value, t with G − 1 degrees of freedom", "probability", {"checks": SHARE}),
    "ci_low": (NUMBER, "Lower end of the 95% interval", "log-odds"),
    "ci_high": (NUMBER, "Upper end of the 95% interval", "log-odds"),
    "odds_ratio": (NUMBER, "exp(coef)", "odds ratio", {"checks": COUNT}),
}, vintage="events 2019–2025; covariates FY2018, 2018–2019")  # fmt: skip

FITS = "the analysis table (analysis.fit_main, models.Fitted.tidy)"
ESTIMATES = _models("06", FITS, {
    "model": (TEXT, "Model (analysis.MAIN_MODELS; policies: binomial GLM of the number of policies)", "code",
              {"checks": one_of(MODEL_NAMES)}),
    "term": (TEXT, "Term (outcome.COVARIATES, constant or cut points)", "code"),
    "estimate": (NUMBER, "Coefficient", "log-odds per unit of the term"),
    "se": (NUMBER, "Prefecture-clustered standard error", "log-odds"),
    "z": (NUMBER, "estimate / se", "—"),
    "p": (NUMBER, "Two-sided p-value, t with G − 1 degrees of freedom", "probability", {"checks": SHARE}),
    "low": (NUMBER, "Lower end of the 95% interval", "log-odds"),
    "high": (NUMBER, "Upper end of the 95% interval", "log-odds"),
})  # fmt: skip
FIT_STATISTICS = _models("06", "the fitted models (models.Fitted.stats)", {
    "model": (TEXT, "Model", "code", {"checks": one_of(MODEL_NAMES), "unique": True}),
    "nobs": (INTEGER, "Observations", "municipalities", {"checks": COUNT}),
    "n_clusters": (INTEGER, "Prefectures (clusters)", "count", {"checks": COUNT}),
    "llf": (NUMBER, "Log-likelihood", "log-likelihood"),
    "pseudo_r2": (NUMBER, "McFadden pseudo-R²", "share"),
    "converged": (BOOLEAN, "Whether the optimiser converged (ordered models)", "flag", {"nullable": True}),
    "free": (TEXT, "Terms with their own slope at the formal step (partial proportional odds)", "code list",
             {"nullable": True}),
    "negative_probabilities": (INTEGER, "Rows with a negative fitted probability (partial proportional odds)", "count",
                               {"nullable": True, "checks": COUNT}),
    "dispersion": (NUMBER, "Pearson χ² / residual df (binomial GLM)", "ratio", {"nullable": True}),
    "dispersion_p": (NUMBER, "One-sided p-value of overdispersion", "probability", {"nullable": True, "checks": SHARE}),
    "dispersion_p_under": (NUMBER, "One-sided p-value of underdispersion", "probability",
                           {"nullable": True, "checks": SHARE}),
})  # fmt: skip
EFFECTS = "bootstrap of the partial proportional-odds model and the full-frame logit (analysis.effect_tables)"
OUTCOMES = ("P(strength = 0)", "P(strength = 1)", "P(strength = 2)", "P(formal agreement)")
AME = _models("06", EFFECTS, {
    "model": (TEXT, "ppo: partial proportional odds (respondents, weighted); formal_all: full-frame logit", "code",
              {"checks": one_of(("ppo", "formal_all"))}),
    "term": (TEXT, "Covariate (outcome.COVARIATES)", "code"),
    "outcome": (TEXT, "Probability the effect is on", "code", {"checks": one_of(OUTCOMES)}),
    "estimate": (NUMBER, "Average marginal effect", "percentage points per unit of the term"),
    "low": (NUMBER, "Lower end of the 95% prefecture-cluster bootstrap interval", "percentage points per unit"),
    "high": (NUMBER, "Upper end of that interval", "percentage points per unit"),
    "sd": (NUMBER, "Standard deviation of the term over the frame (1 for a 0/1 term)", "unit of the term",
           {"checks": COUNT}),
    "estimate_sd": (NUMBER, "estimate × sd", "percentage points per SD"),
    "low_sd": (NUMBER, "low × sd", "percentage points per SD"),
    "high_sd": (NUMBER, "high × sd", "percentage points per SD"),
})  # fmt: skip
CURVES = _models("06", EFFECTS, {
    "by": (TEXT, "Population change 2018–19 held at its 10th percentile, median or 90th percentile over the frame", "—"),
    "fiscal_strength": (NUMBER, "Fiscal strength, from its 5th to its 95th percentile over the frame", "index (ratio)"),
    "outcome": (TEXT, "Predicted probability", "code", {"checks": one_of(("P(strength = 2)", "P(strength ≥ 1)"))}),
    "estimate": (NUMBER, "Average predicted probability", "probability", {"checks": SHARE}),
    "low": (NUMBER, "Lower end of the 95% bootstrap interval", "probability", {"checks": SHARE}),
    "high": (NUMBER, "Upper end of the 95% bootstrap interval", "probability", {"checks": SHARE}),
})  # fmt: skip
SYNTHETIC_VINTAGE = "synthetic process on the real frame (covariates 2018–2019)"
RECOVERY = _models("06", "the fits and data/synthetic/truth.json (analysis.recovery)", {
    "model": (TEXT, "ordered_weighted (main model) or formal_all", "code",
              {"checks": one_of(("ordered_weighted", "formal_all"))}),
    "term": (TEXT, "Covariate", "code"),
    "estimate": (NUMBER, "Estimate on the synthetic data", "log-odds"),
    "low": (NUMBER, "Lower end of its 95% interval", "log-odds"),
    "high": (NUMBER, "Upper end of its 95% interval", "log-odds"),
    "truth": (NUMBER, "The population-averaged true value of the synthetic process", "log-odds"),
    "covered": (BOOLEAN, "Whether the interval covers the truth", "flag"),
}, vintage=SYNTHETIC_VINTAGE)  # fmt: skip
COVERAGE = _models("06", "Monte-Carlo data sets of the synthetic process (synthetic.coverage_table)", {
    "model": (TEXT, "formal_all or ordered_weighted", "code", {"checks": one_of(("ordered_weighted", "formal_all"))}),
    "term": (TEXT, "Term", "code"),
    "covered": (INTEGER, "Replications whose 95% interval covered the truth", "count", {"checks": COUNT}),
    "replications": (INTEGER, "Replications", "count", {"checks": COUNT}),
    "coverage": (NUMBER, "covered / replications", "share", {"checks": SHARE}),
    "low": (NUMBER, "Lower end of the Wilson 95% interval of the coverage", "share", {"checks": SHARE}),
    "high": (NUMBER, "Upper end of the Wilson 95% interval of the coverage", "share", {"checks": SHARE}),
}, vintage=SYNTHETIC_VINTAGE)  # fmt: skip
MORAN = _models("07", "the analysis table and weights.csv (spatial.moran)", {
    "residuals": (TEXT, "The variable tested: the outcome itself, Pearson residuals or a surrogate-residual draw", "—",
                  {"unique": True}),
    "I": (NUMBER, "Moran's I on row-standardised weights", "statistic"),
    "expected_I": (NUMBER, "Its expectation without autocorrelation, −1/(n − 1)", "statistic"),
    "p_sim": (NUMBER, "One-sided permutation p-value (esda's p_sim)", "probability", {"checks": SHARE}),
    "p_two_sided": (NUMBER, "min(1, 2 p_sim)", "probability", {"checks": SHARE}),
    "n": (INTEGER, "Municipalities", "count", {"checks": COUNT}),
})  # fmt: skip
LISA = {
    "code": FRAME["code"],
    **_models("07", "the formal-agreement outcome and weights.csv (spatial.lisa_clusters)", {
        "cluster": (TEXT, "Local Moran cluster at p < 0.05", "code", {"checks": one_of(LISA_LABELS)}),
        "cluster_fdr": (TEXT, "Local Moran cluster at a 5% false discovery rate", "code", {"checks": one_of(LISA_LABELS)}),
    }),
}  # fmt: skip

# --------------------------------------------------------------------------- notebook 04
LIST = "the agreement list (private, or its synthetic stand-in)"
PARTNER_LINKS = {
    "dataset": column(TEXT, "Which table the row comes from", unit="code", vintage=WINDOW,
                      source=_computed("04", LIST), checks=one_of(("agreement list",))),
    "source": column(TEXT, "The agreement list's document reference", unit="—", vintage=WINDOW, source=LIST),
    "agreement_id": column(TEXT, "The agreement list's identifier", unit="code", vintage=WINDOW, source=LIST, unique=True),
    "jp_level": column(TEXT, "The Japanese party's level", unit="code", vintage=WINDOW, source=LIST,
                       checks=one_of(private.JP_LEVELS)),
    "jp_code": column(TEXT, "2-digit prefecture or 5-digit municipal code of the Japanese party", unit="code",
                      vintage=BOUNDARIES, source=LIST, checks=pa.Check.str_matches(r"^(\d{2}|\d{5})$")),
    "prefecture_code": column(TEXT, "Prefecture of the Japanese party", unit="code", vintage=BOUNDARIES,
                              source=_computed("04", "jp_code"), checks=PREFECTURE),
    "partner_country": column(TEXT, "Partner country, ISO 3166-1 alpha-3", unit="code", vintage=WINDOW, source=LIST,
                              checks=one_of(private.ALPHA2)),
    "partner_type": column(TEXT, "Kind of partner", unit="code", vintage=WINDOW, source=LIST,
                           checks=one_of(private.PARTNER_TYPES)),
    "signed_on": column(TEXT, "Signing date (YYYY-MM-DD)", unit="date", vintage="the signing date", source=LIST,
                        checks=ISO_DATE),
    "formal": column(BOOLEAN, "Written cooperation agreement or MOU (true) or informal tie (false)", unit="flag",
                     vintage=WINDOW, source=LIST),
    "in_window": column(BOOLEAN, "Signed 2020–2023, the outcome window", unit="flag", vintage=WINDOW,
                        source=_computed("04", "signed_on (outcome.in_window)")),
    **_places("04", LIST),
}  # fmt: skip

WEIGHTS = {
    "code": column(TEXT, "Municipality", unit="code", vintage=BOUNDARIES, source=N03, checks=CODE5),
    "neighbour": column(TEXT, "One of its neighbours", unit="code", vintage=BOUNDARIES,
                        source=_computed("04", "the N03 polygons (spatial.contiguity_weights)"), checks=CODE5),
    "source": column(TEXT, "queen: the polygons touch; knn: an island linked to its nearest municipality", unit="code",
                     vintage=BOUNDARIES, source=_computed("04", "the N03 polygons (spatial.contiguity_weights)"),
                     checks=one_of(("queen", "knn"))),
}  # fmt: skip

ADMIN1_LAYERS = (
    "geoBoundaries VNM ADM1 (boundary year 2008), Indonesia 38 provinces, PSA PSGC regions 2023-12-31 "
    "(data/raw/admin1/), keyed by data/crosswalks/admin1_partners.csv"
)
ADMIN1_VINTAGE = "VNM 2008 boundaries (pre-2025 provinces); IDN 38 provinces (after 2022); PHL regions 2023-12-31"
ADMIN1 = {
    "iso_3166_2": column(TEXT, "ISO 3166-2 code of the subdivision", unit="code", vintage=CROSSWALK_VINTAGE,
                         source="data/crosswalks/admin1_partners.csv", checks=ISO_3166_2, unique=True),
    "country": column(TEXT, "Country, ISO 3166-1 alpha-3", unit="code", vintage=CROSSWALK_VINTAGE,
                      source="data/crosswalks/admin1_partners.csv", checks=one_of(("VNM", "IDN", "PHL"))),
    "name": column(TEXT, "Name as the staged layer spells it", unit="—", vintage=ADMIN1_VINTAGE, source=ADMIN1_LAYERS),
    "capital": column(BOOLEAN, "true for the region of the national capital", unit="flag", vintage=CROSSWALK_VINTAGE,
                      source="data/crosswalks/admin1_partners.csv"),
    "geometry": column(None, "Subdivision polygon (separate parts dissolved into their subdivision)",
                       unit="degrees (EPSG:4326)", vintage=ADMIN1_VINTAGE, source=ADMIN1_LAYERS, checks=POLYGONS),
}  # fmt: skip

# --------------------------------------------------------------------------- the private tables
#: What each private column holds (the contract, with its checks, is ``translocal.private``
#: and docs/codebook.md): description, unit, vintage.
PRIVATE_COLUMNS = {
    "survey_2019": {
        "code": ("Municipal code: 5 digits, or 6 with the JIS X 0402 check digit (normalised copies: 5)", "code", BOUNDARIES),
        "responded": ("0/1: the municipality answered the survey", "0/1", SURVEY),
        "response_date": ("Date of the answer (ISO or Japanese era); blank for non-respondents", "date", SURVEY),
        "policy_employer_subsidy": ("0/1: subsidies to employers of foreign workers", "0/1", SURVEY),
        "policy_language_classes": ("0/1: Japanese-language classes", "0/1", SURVEY),
        "policy_cultural_exchange": ("0/1: cultural exchange events", "0/1", SURVEY),
        "policy_sports_events": ("0/1: sports events or leagues", "0/1", SURVEY),
        "policy_consultation_desk": ("0/1: consultation desk for foreign residents", "0/1", SURVEY),
        "policy_multilingual_info": ("0/1: multilingual information", "0/1", SURVEY),
        "policy_titp_support": ("0/1: support specific to technical interns or their employers", "0/1", SURVEY),
        "policy_multicultural_plan": ("0/1: a multicultural coexistence plan", "0/1", SURVEY),
        "informal_ties": (("0/1: exchange visits, recruitment fairs or other non-binding ties with sending-country "
                          "entities"), "0/1", SURVEY),
        "staff_multicultural": ("Staff assigned to multicultural affairs", "persons", SURVEY),
    },
    "agreements": {
        "agreement_id": ("Identifier, unique", "code", "—"),
        "jp_level": ("prefecture / municipality", "code", "the signing date"),
        "jp_code": ("2-digit prefecture code or 5/6-digit municipal code of the Japanese party", "code", BOUNDARIES),
        "partner_country": ("Partner country, ISO 3166-1 alpha-3 (private.ALPHA2)", "code", "the signing date"),
        "partner_type": ("ministry / province / school / broker / other", "code", "the signing date"),
        "partner_name": ("Partner's name", "—", "the signing date"),
        "partner_admin1": ("ISO 3166-2 code of the partner's place; blank for ministry and other partners", "code",
                           "the signing date"),
        "signed_on": ("Signing date (ISO or Japanese era); rows outside 2020–2023 are kept, left out of the outcome",
                      "date", "the signing date"),
        "formal": ("true = written cooperation agreement or MOU; false = informal tie", "flag", "the signing date"),
        "source": ("Document reference", "—", "the signing date"),
    },
    "interviews": {
        "interview_id": ("Identifier, unique", "code", "—"),
        "year": ("Year of the interview", "year", "the interview's year"),
        "actor_type": ("municipal_official / prefectural_official / ngo / employer / other", "code", "the interview's year"),
        "region": ("Region of Japan (private.REGIONS)", "code", "the interview's year"),
        "mode": ("in_person / online / phone", "code", "the interview's year"),
    },
}  # fmt: skip
PRIVATE_SCHEMAS = {"agreements": private.AGREEMENT_SCHEMA, "interviews": private.INTERVIEW_SCHEMA}


def private_table(name: str, source: str) -> dict[str, pa.Column]:
    """A private table's columns (``private.TABLES``), read as text, with the checks of its
    schema in ``translocal.private``; ``source`` says whose file it is."""
    documented = PRIVATE_COLUMNS[name]
    if tuple(documented) != private.TABLES[name]:
        raise ValueError(f"PRIVATE_COLUMNS[{name!r}] does not list the columns of private.TABLES[{name!r}]")
    checked = PRIVATE_SCHEMAS.get(name, pa.DataFrameSchema()).columns
    out = {}
    for c, (description, unit, vintage) in documented.items():
        rule = checked.get(c)
        out[c] = column(
            TEXT,
            description,
            unit=unit,
            vintage=vintage,
            source=source,
            checks=rule.checks if rule is not None else None,
            unique=bool(rule is not None and rule.unique),
            nullable=rule is None or rule.nullable,
        )
    return out


# --------------------------------------------------------------------------- the synthetic truth
TRUTH_SOURCE = "computed in notebook 03 from the synthetic process on the real frame (synthetic.truth)"


def _is_mapping(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, dict))


TRUTH = {
    key: column(None, description, unit=unit, vintage=SYNTHETIC_VINTAGE, source=TRUTH_SOURCE,
                checks=pa.Check(_is_mapping, name="json_object", error="must be a JSON object"))
    for key, description, unit in (
        ("expected_shares", "Expected shares of the process: strong, informal only, response, partner countries", "share"),
        ("formal_logit", "Population-averaged coefficients of the formal-agreement logit (the target of formal_all)", "log-odds"),
        ("ordered_logit", "Population-averaged coefficients and cut points of the ordered logit (the main model's target)",
         "log-odds"),
        ("process", "The process's own constants: conditional β, prefecture SD, cuts, seed", "log-odds"),
        ("response_logit", "Coefficients of the survey-response logit", "log-odds"),
    )
}  # fmt: skip


# --------------------------------------------------------------------------- the registry
def _dataset(path: str, title: str, made_by: str, row: str, columns: dict, key=(), layer=None) -> Dataset:
    return Dataset(path, title, made_by, row, tuple(key), table(columns, title), layer)


NB = "notebook "
SYNTHETIC_BY = f"{NB}03_private_layers, synthetic mode (translocal.synthetic; seed in notebooks/pipeline.toml)"
INTERIM_BY = "`make data` (python -m translocal.private), real mode: the author's files in data/private/, normalised"
_DATASETS = [
    _dataset("data/processed/municipalities.gpkg", "The municipal frame: boundaries, fiscal and population covariates",
             f"{NB}01_frame", "municipality of the 2019 survey's population (1,741)", FRAME, ("code",), "municipalities"),
    _dataset("data/processed/register.csv", "The validated public register's signed local agreements with their places",
             f"{NB}02_public_record", "signed agreement of a prefecture or municipality", REGISTER_PROCESSED,
             ("agreement_id",)),
    _dataset("data/processed/prefecture_years.csv", "Prefecture-years at risk of a first labour agreement",
             f"{NB}02_public_record", "prefecture and year at risk", PREFECTURE_YEARS, ("prefecture_code", "year")),
    _dataset("data/processed/models/diffusion.csv", "Estimates of the diffusion (discrete-time hazard) model",
             f"{NB}02_public_record", "term", DIFFUSION_ESTIMATES, ("term",)),
    _dataset("data/processed/assemblage.csv", "Assemblage strength and its parts", f"{NB}03_private_layers",
             "municipality", ASSEMBLAGE, ("code",)),
    _dataset("data/processed/analysis.gpkg", "The analysis table: the frame with the outcome, its robustness variants, "
             "agreement counts and policy items", f"{NB}04_spatial_join", "municipality", ANALYSIS, ("code",),
             "municipalities"),
    _dataset("data/processed/admin1.gpkg", "First-level subdivisions of Viet Nam, Indonesia and the Philippines",
             f"{NB}04_spatial_join", "subdivision", ADMIN1, ("iso_3166_2",), "admin1"),
    _dataset("data/processed/weights.csv", "Spatial weights: neighbour pairs", f"{NB}04_spatial_join",
             "directed pair of neighbouring municipalities", WEIGHTS, ("code", "neighbour")),
    _dataset("data/processed/partner_links.csv", "Every row of the agreement list with its origin and partner place",
             f"{NB}04_spatial_join", "agreement or tie of the agreement list", PARTNER_LINKS, ("agreement_id",)),
    _dataset("data/processed/models/estimates.csv", "Tidy coefficients of the municipal models", f"{NB}06_regressions",
             "model and term", ESTIMATES, ("model", "term")),
    _dataset("data/processed/models/fit_statistics.csv", "Fit statistics of the municipal models",
             f"{NB}06_regressions", "model", FIT_STATISTICS, ("model",)),
    _dataset("data/processed/models/ame.csv", "Average marginal effects with bootstrap intervals",
             f"{NB}06_regressions", "model, term and outcome", AME, ("model", "term", "outcome")),
    _dataset("data/processed/models/curves.csv", "Predicted probabilities over fiscal strength",
             f"{NB}06_regressions", "group, fiscal-strength value and outcome", CURVES, ("by", "fiscal_strength", "outcome")),
    _dataset("data/processed/models/recovery.csv", "Estimates against the synthetic truth (one data set)",
             f"{NB}06_regressions, synthetic mode only", "model and term", RECOVERY, ("model", "term")),
    _dataset("data/processed/models/recovery_coverage.csv", "Monte-Carlo coverage of the 95% intervals",
             f"{NB}06_regressions, synthetic mode only", "model and term", COVERAGE, ("model", "term")),
    _dataset("data/processed/models/moran.csv", "Global Moran's I of the outcome and the residuals",
             f"{NB}07_spatial_robustness", "variable tested", MORAN, ("residuals",)),
    _dataset("data/processed/models/lisa.csv", "Local Moran (LISA) clusters of formal agreements",
             f"{NB}07_spatial_robustness", "municipality", LISA, ("code",)),
    *(
        _dataset(f"data/synthetic/{name}.csv", f"Synthetic stand-in for the private table {name}", SYNTHETIC_BY,
                 row, private_table(name, SYNTHETIC_BY), key)
        for name, row, key in (
            ("survey_2019", "municipality of the frame", ("code",)),
            ("agreements", "agreement or tie", ("agreement_id",)),
            ("interviews", "interview", ("interview_id",)),
        )
    ),
    _dataset("data/synthetic/truth.json", "The truth of the synthetic data-generating process (a JSON object)",
             SYNTHETIC_BY, "the one object; its keys are the columns", TRUTH),
    *(
        _dataset(f"data/interim/private/{name}.csv", f"The author's {name} table, validated and normalised",
                 INTERIM_BY, row, private_table(name, f"author's confidential file data/private/{name}.csv"), key)
        for name, row, key in (
            ("survey_2019", "municipality of the frame", ("code",)),
            ("agreements", "agreement or tie", ("agreement_id",)),
            ("interviews", "interview", ("interview_id",)),
        )
    ),
    _dataset("data/public_agreements.csv", "The public register of agreements (real data; data/public_agreements.md)",
             "tracked input, compiled for this study; validated by `make data` (translocal.register)",
             "agreement (Japanese party, partner, document)", PUBLIC_AGREEMENTS, ("agreement_id",)),
    _dataset("data/public_agreements_search.csv", "The register's search log", "tracked input, compiled for this study",
             "search query", SEARCH_LOG, ("query_id",)),
    _dataset("data/crosswalks/admin1_partners.csv", "Partner places with a staged boundary layer",
             "tracked input (data/crosswalks/README.md)", "first-level subdivision", ADMIN1_PARTNERS, ("iso_3166_2",)),
    _dataset("data/crosswalks/partner_points.csv", "Partner places without a staged layer, as points",
             "tracked input (data/crosswalks/README.md)", "first-level subdivision", PARTNER_POINTS, ("iso_3166_2",)),
    _dataset("data/crosswalks/prefecture_sea_links.csv", "Sea links between prefectures",
             "tracked input (data/crosswalks/README.md)", "pair of prefectures", SEA_LINKS, ("code_a", "code_b")),
]  # fmt: skip
#: Every dataset, by its path relative to the repository root.
DATASETS: dict[str, Dataset] = {d.path: d for d in _DATASETS}


def dataset(key: str) -> Dataset | None:
    """The dataset at ``key`` (a path relative to the repository root), if it has a schema."""
    return DATASETS.get(key)


def is_governed(key: str) -> bool:
    """Whether a file at ``key`` must have a schema: it has one, or it sits in a folder of
    datasets (``GOVERNED``)."""
    return key in DATASETS or key.startswith(GOVERNED)


# --------------------------------------------------------------------------- reading and types
def frame_from_text(text: str, form: str) -> pd.DataFrame:
    """The table a CSV text holds, every cell as text (blank: missing); a JSON object as one row
    whose columns are its keys."""
    if form == "json":
        document = json.loads(text)
        if not isinstance(document, dict):
            raise ValueError("the file is not a JSON object")
        return pd.DataFrame([document])
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])


def _as_integer(series: pd.Series) -> pd.Series | None:
    numbers = pd.to_numeric(series, errors="coerce")
    if (numbers.isna() & series.notna()).any() or (numbers.dropna() % 1 != 0).any():
        return None
    return numbers.astype("Int64")


def _as_number(series: pd.Series) -> pd.Series | None:
    numbers = pd.to_numeric(series, errors="coerce")
    if (numbers.isna() & series.notna()).any():
        return None
    return numbers.astype("float64")


def _as_boolean(series: pd.Series) -> pd.Series | None:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    words = {"true": True, "false": False}
    mapped = series.map(lambda v: words.get(v.lower()) if isinstance(v, str) else None)
    if (mapped.isna() & series.notna()).any():
        return None
    return mapped.astype("boolean")


def _as_text(series: pd.Series) -> pd.Series | None:
    if not series.map(lambda v: isinstance(v, str) or pd.isna(v)).all():
        return None
    return series.astype("str")


CONVERTERS: dict[str, Callable[[pd.Series], pd.Series | None]] = {
    "Int64": _as_integer,
    "float64": _as_number,
    "boolean": _as_boolean,
    "str": _as_text,
}


def canonical(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``frame`` with each schema column in the schema's type, where its values allow it (an
    integer written as 1.0, text "True"); a column that cannot be converted is left as it is,
    for the schema to report. Columns outside the schema are left as they are."""
    out = frame.copy()
    for name, rule in schema.columns.items():
        convert = CONVERTERS.get(_type_name(rule))
        if name in out.columns and convert is not None:
            converted = convert(out[name])
            if converted is not None:
                out[name] = converted
    return out


def _type_name(rule: pa.Column) -> str:
    dtype = str(rule.dtype) if rule.dtype is not None else "None"
    return "str" if dtype.startswith("str") else dtype


# --------------------------------------------------------------------------- validation
def problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, key: tuple[str, ...] = ()) -> list[str]:
    """Every way ``frame`` departs from ``schema`` (and from the uniqueness of ``key``), one
    line per column and check, naming the column and a few offending values; empty when it
    conforms."""
    single = len(key) == 1 and key[0] in schema.columns and schema.columns[key[0]].unique
    found = [] if single else key_problems(frame, key)
    try:
        schema.validate(canonical(frame, schema), lazy=True)
    except pa.errors.SchemaErrors as err:
        found = _describe(err.failure_cases, schema) + found
    return found


def key_problems(frame: pd.DataFrame, key: tuple[str, ...]) -> list[str]:
    """The key's values that occur more than once (nothing to say if a key column is missing:
    the schema reports it)."""
    if not key or any(k not in frame.columns for k in key):
        return []
    repeated = frame.loc[frame.duplicated(list(key)), list(key)]
    if repeated.empty:
        return []
    shown = ", ".join(str(tuple(row)) if len(key) > 1 else repr(row[0]) for row in repeated.head(5).to_numpy())
    return [f"key ({', '.join(key)}) repeated in {len(repeated)} row(s): {shown}"]


def _readable(check: str) -> str:
    """pandera's name of a failed check, in words."""
    name, _, argument = check.partition("(")
    argument = argument.removesuffix(")")
    words = {
        "isin": f"must be one of {argument}",
        "in_range": f"must lie in the range {argument}",
        "greater_than_or_equal_to": f"must be ≥ {argument}",
        "str_matches": f"must match {argument}",
        "str_length": f"is too short ({argument})",
        "field_uniqueness": "appears more than once",
        "not_nullable": "must not be blank",
    }
    return words.get(name, f"fails {check}")


def _describe(cases: pd.DataFrame, schema: pa.DataFrameSchema) -> list[str]:
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        values = group["failure_case"].tolist()
        if check == "column_in_schema":
            lines += [f"column {v!r} is not in the schema" for v in values]
        elif check == "column_in_dataframe":
            lines += [f"column {v!r} is missing" for v in values]
        elif str(check).startswith("dtype("):
            expected = TYPE_NAMES.get(_type_name(schema.columns[column]), str(check))
            lines.append(f"column {column!r} is not {expected} (found {values[0]})")
        else:
            shown = ", ".join(repr(v) for v in list(dict.fromkeys(map(str, values)))[:5])
            lines.append(f"column {column!r}: {_readable(str(check))} ({len(values)} value(s): {shown})")
    return lines


def check(key: str, frame: pd.DataFrame, layer: str | None = None) -> None:
    """Raise ``DatasetError`` unless ``frame`` conforms to the schema of the dataset at ``key``
    (a path relative to the repository root), naming the file and each offending column. A
    dataset in a ``GOVERNED`` folder without a schema is refused too."""
    entry = DATASETS.get(key)
    if entry is None:
        if is_governed(key):
            raise DatasetError(
                f"{key} has no schema: add it to translocal.dictionary (DATASETS) with a description, unit, "
                "vintage and source for each column, then run `make dictionary`."
            )
        return
    found = problems(frame, entry.schema, entry.key)
    if entry.layer is not None and layer != entry.layer:
        found.insert(0, f"layer {layer!r} has no schema (the dictionary describes layer {entry.layer!r})")
    if found:
        lines = "\n".join(f"  - {p}" for p in found)
        raise DatasetError(
            f"{key} does not match its schema in translocal.dictionary; nothing was written:\n{lines}\n"
            "Fix the table, or change the schema (and run `make dictionary`) if the change is meant."
        )


def check_bytes(key: str, data: bytes) -> None:
    """``check`` for a file's bytes (UTF-8 CSV or JSON), as a reader will find them on disk."""
    entry = DATASETS.get(key)
    if entry is None:
        check(key, pd.DataFrame())
        return
    if entry.form not in ("csv", "json"):
        raise DatasetError(f"{key} is a {entry.form} dataset: write it with its own writer, not as text.")
    try:
        frame = frame_from_text(data.decode("utf-8"), entry.form)
    except (ValueError, pd.errors.ParserError) as err:
        raise DatasetError(f"{key} cannot be read back as {entry.form}: {err}") from None
    check(key, frame)


def check_write(path: Path, data: bytes | None = None, frame: pd.DataFrame | None = None, layer: str | None = None):
    """The check the writers below give ``translocal.base.outputs``: a file under ``data/``
    that is governed (``is_governed``) is validated against its schema before it is written
    (``DatasetError`` names the file and the columns); figures and tables of the paper cost
    nothing."""
    key = outputs.dataset_key(path)
    if key is None or not is_governed(key):
        return
    if frame is not None:
        check(key, frame, layer)
    else:
        check_bytes(key, data)


def write_bytes(path, data: bytes) -> bool:
    """``outputs.write_bytes``, validated against the data dictionary (``check_write``)."""
    return outputs.write_bytes(path, data, check=check_write)


def write_text(path, text: str) -> bool:
    """``outputs.write_text``, validated against the data dictionary (``check_write``)."""
    return outputs.write_text(path, text, check=check_write)


def write_csv(path, frame: pd.DataFrame, float_format: str = "%.10g", **to_csv) -> bool:
    """``outputs.write_csv``, validated against the data dictionary (``check_write``)."""
    return outputs.write_csv(path, frame, float_format=float_format, check=check_write, **to_csv)


def write_geopackage(gdf, path, layer: str) -> bool:
    """``outputs.write_geopackage``, validated against the data dictionary (``check_write``)."""
    return outputs.write_geopackage(gdf, path, layer, check=check_write)


def read(key: str, root: Path | None = None) -> pd.DataFrame:
    """The dataset at ``key`` as it is on disk (under ``root``, by default the repository)."""
    entry = DATASETS[key]
    path = (root or paths.ROOT) / key
    if entry.form == "gpkg":
        import geopandas as gpd

        return gpd.read_file(path, layer=entry.layer)
    return frame_from_text(path.read_text(encoding="utf-8"), entry.form)


# --------------------------------------------------------------------------- the Markdown
def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _domain(rule: pa.Column) -> str:
    """The column's type and its checks, in a few words."""
    parts = [TYPE_NAMES.get(_type_name(rule), _type_name(rule))]
    for c in rule.checks:
        stats = c.statistics or {}
        if c.name == "isin":
            parts.append("one of " + ", ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif c.name == "in_range":
            parts.append(f"{stats['min_value']} to {stats['max_value']}")
        elif c.name == "greater_than_or_equal_to":
            parts.append(f"≥ {stats['min_value']}")
        elif c.name == "str_matches":
            parts.append(f"matches `{stats['pattern']}`")
        elif c.name == "str_length":
            parts.append(f"at least {stats['min_value']} characters")
        elif c.name in CHECKED_TYPES:
            parts[0] = CHECKED_TYPES[c.name]
    if rule.unique:
        parts.append("unique")
    if rule.nullable:
        parts.append("may be blank")
    return "; ".join(parts)


def markdown() -> str:
    """docs/data-dictionary.md: one section per dataset, with a table of its columns."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from src/translocal/dictionary.py by `make dictionary`; do not edit by hand. -->",
        "",
        (
            "Every dataset the notebooks write or read after acquisition, with each column's type, unit, vintage "
            "(the date or period it measures), source and meaning. The schemas live in `src/translocal/dictionary.py` "
            "(pandera); every table written under `data/` is validated against its schema before the file is "
            "written, and a table in `data/processed/` or `data/synthetic/` without a schema is refused. "
            "The contract of the private tables, cell by cell, is `docs/codebook.md` (`translocal.private`); "
            "the public register's codebook is `data/public_agreements.md`."
        ),
        "",
        "| dataset | what it is |",
        "|---|---|",
        *(f"| [`{d.path}`](#{_anchor(d.path)}) | {_cell(d.title)} |" for d in DATASETS.values()),
    ]
    for d in DATASETS.values():
        lines += [
            "",
            f"## `{d.path}`",
            "",
            f"{d.title}.",
            "",
            f"- Made by: {d.made_by}",
            f"- One row per: {d.row}",
            f"- Key: {', '.join(f'`{k}`' for k in d.key) or '—'}",
        ]
        if d.layer is not None:
            lines.append(f"- Layer: `{d.layer}`")
        lines += ["", "| column | type | unit | vintage | source | description |", "|---|---|---|---|---|---|"]
        for name, rule in d.schema.columns.items():
            meta = rule.metadata
            cells = (f"`{name}`", _domain(rule), meta["unit"], meta["vintage"], meta["source"], rule.description)
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _anchor(path: str) -> str:
    """GitHub's anchor of a heading that is the path in backticks."""
    return re.sub(r"[^\w\- ]", "", path.lower()).replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = paths.ROOT / MARKDOWN
    text = markdown()
    if args == ["--check"]:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{MARKDOWN} is stale: run `make dictionary` (python -m translocal.dictionary).", file=sys.stderr)
            return 1
        print(f"{MARKDOWN} is up to date ({len(DATASETS)} datasets).")
        return 0
    if args:
        print("usage: python -m translocal.dictionary [--check]", file=sys.stderr)
        return 2
    outputs.write_text(target, text)
    print(f"{MARKDOWN}: {len(DATASETS)} datasets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
