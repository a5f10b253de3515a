"""The public register of agreements (``data/public_agreements.csv``): its codebook and validation.

The register is **real data**: one row per written agreement between a Japanese prefecture or
municipality and an entity of a country that sends technical interns or specified skilled
workers, each checked against the text of a stored public page (``data/public_agreements.md``
documents the protocol, ``data/public_agreements_search.csv`` logs every query). National
Japan–country memoranda are kept as context rows (``jp_level = national``).

``validate`` reads the file as text, checks every cell against the codebook with a pandera
schema plus the checks that span columns or files (codes against the municipal frame,
ISO 3166-2 places against the crosswalks, dates against their precision, duplicates), and
raises ``RegisterError`` listing **every** problem with file, line, column and value.
``python -m translocal.register`` runs it in ``make data``; a bad row stops the build there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .base import paths
from .private import ALPHA2, Problem, _domain_problems, read_text_table

COLUMNS = (
    "agreement_id",
    "jp_level",
    "jp_code",
    "jp_name",
    "partner_country",
    "partner_level",
    "partner_type",
    "partner_name",
    "partner_admin1",
    "signed_on",
    "date_precision",
    "status",
    "formal",
    "document",
    "programme",
    "labour_related",
    "evidence",
    "source",
    "source_2",
    "source_status",
    "note",
    "searched_on",
)
JP_LEVELS = ("national", "prefecture", "municipality")
PARTNER_LEVELS = ("national", "subnational", "institution")
#: Partner types and the level each belongs to (``other`` may be any level).
PARTNER_TYPES = {
    "ministry": "national",  # a national ministry or agency
    "government": "national",  # a national government as a whole
    "province": "subnational",  # first-level: province, state, region, centrally-run city
    "local": "subnational",  # below the first level: regency, district, city, town, village
    "school": "institution",  # university, college, vocational or language school
    "broker": "institution",  # sending organisation, recruitment company, their association
    "other": None,
}
PROGRAMMES = ("titp", "ssw", "care", "students", "hr_general", "friendship", "other")
#: Programmes that are about workers: a row coded with one of them cannot be ``labour_related = no``.
LABOUR_PROGRAMMES = ("titp", "ssw", "care", "hr_general")
LABOUR_RELATED = ("yes", "partly", "no")
#: The values of ``labour_related`` that make a formal, signed agreement a *labour agreement*.
LABOUR_VALUES = ("yes", "partly")
STATUSES = ("signed", "planned")
#: What the signed document is called: memorandum (MOU, MOC, 覚書), agreement (協定, sister-city
#: or friendship agreement), minutes (合意議事録), letter_of_intent (意向書), declaration (joint
#: statement, 確認書), other. Two documents signed by the same parties on one day differ here.
DOCUMENTS = ("memorandum", "agreement", "minutes", "letter_of_intent", "declaration", "other")
PRECISIONS = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}
SOURCE_STATUSES = ("confirmed", "unconfirmed")
#: The countries the search protocol covered (the register may hold any sending country of
#: the codebook, ``translocal.private.ALPHA2``).
SEARCHED_COUNTRIES = ("VNM", "IDN", "PHL", "MMR", "KHM", "NPL", "MNG", "LKA", "UZB", "IND", "BGD")
EVIDENCE_MAX_WORDS = 25
EARLIEST_YEAR = 1950

SCHEMA = pa.DataFrameSchema(
    {
        "agreement_id": pa.Column(
            str, pa.Check.str_matches(r"^PA\d{3}$"), unique=True, report_duplicates="exclude_first"
        ),
        "jp_level": pa.Column(str, pa.Check.isin(JP_LEVELS)),
        "partner_country": pa.Column(str, pa.Check.isin(tuple(ALPHA2))),
        "partner_level": pa.Column(str, pa.Check.isin(PARTNER_LEVELS)),
        "partner_type": pa.Column(str, pa.Check.isin(tuple(PARTNER_TYPES))),
        "partner_name": pa.Column(str, pa.Check.str_length(min_value=2)),
        "date_precision": pa.Column(str, pa.Check.isin(tuple(PRECISIONS))),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "formal": pa.Column(str, pa.Check.isin(("true", "false"))),
        "document": pa.Column(str, pa.Check.isin(DOCUMENTS)),
        "labour_related": pa.Column(str, pa.Check.isin(LABOUR_RELATED)),
        "evidence": pa.Column(str, pa.Check.str_length(min_value=10)),
        "source": pa.Column(str, pa.Check.str_matches(r"^https?://\S+$")),
        "source_status": pa.Column(str, pa.Check.isin(SOURCE_STATUSES)),
        "searched_on": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
    }
)


class RegisterError(ValueError):
    """The register cannot be used; lists every problem found (file, line, column, value)."""

    def __init__(self, problems: list[Problem]):
        self.problems = [dataclasses.replace(p, unit="line") for p in problems]
        lines = [f"{len(problems)} problem(s) in the public register:"] + [f"  - {p}" for p in self.problems]
        lines.append("The build stops here; fix data/public_agreements.csv and run `make data` again.")
        super().__init__("\n".join(lines))


def known_places(*crosswalks: Path) -> dict[str, str]:
    """ISO 3166-2 code -> country (alpha-3) of every place in the crosswalks."""
    places: dict[str, str] = {}
    for path in crosswalks:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        places |= dict(zip(table["iso_3166_2"], table["country"]))
    return places


def parse_partial_date(value: str, precision: str) -> dt.date:
    """The first day a partial ISO date can mean: "2019" -> 2019-01-01, "2019-08" -> 2019-08-01.

    Refuses a value whose form does not match ``precision`` or that is not a real date."""
    pattern = PRECISIONS.get(precision)
    if pattern is None:
        raise ValueError(f"unknown date precision {precision!r}")
    if not re.fullmatch(pattern, value):
        form = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "year": "YYYY"}[precision]
        raise ValueError(f"does not have the form {form} that date_precision {precision!r} asks for")
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError as err:
        raise ValueError(f"is not a date ({err})") from None


def _words(text: str) -> int:
    return len(text.split())


def _key(text: str) -> str:
    """A partner name compared loosely: case, accents, punctuation and spacing ignored."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def row_problems(
    table: pd.DataFrame, name: str, municipalities: dict[str, str], prefectures: dict[str, str], places: dict[str, str]
) -> list[Problem]:
    """The checks that span columns or files, one Problem per failing cell.

    ``municipalities`` and ``prefectures`` map codes to the frame's names, ``places`` ISO
    3166-2 codes to their country.
    """
    problems: list[Problem] = []
    add = lambda row, column, message: problems.append(Problem(name, row, column, table.at[row, column], message))
    for row in table.index:
        get = table.loc[row].__getitem__
        level, code, jp_name = get("jp_level"), get("jp_code"), get("jp_name")
        if not jp_name:
            add(row, "jp_name", "a value is required")
        if level == "national":
            if code:
                add(row, "jp_code", "must be blank for a national memorandum")
            if jp_name and jp_name != "Japan":
                add(row, "jp_name", "must be Japan for a national memorandum")
        elif level == "prefecture":
            if code not in prefectures:
                add(row, "jp_code", "not a prefecture code of the frame (two digits, 01-47)")
            elif jp_name and jp_name != prefectures[code]:
                add(row, "jp_name", f"prefecture {code} is {prefectures[code]} in the frame")
        elif level == "municipality":
            if code not in municipalities:
                add(row, "jp_code", "not a municipal code of the frame (five digits, no check digit)")
            elif jp_name and jp_name != municipalities[code]:
                add(row, "jp_name", f"municipality {code} is {municipalities[code]} in the frame")
        partner_type, partner_level = get("partner_type"), get("partner_level")
        expected = PARTNER_TYPES.get(partner_type)
        if expected and partner_level in PARTNER_LEVELS and partner_level != expected:
            add(row, "partner_level", f"a {partner_type} partner is {expected}")
        country, admin1 = get("partner_country"), get("partner_admin1")
        if admin1:
            if partner_level == "national":
                add(row, "partner_admin1", "must be blank for a national partner (placed at the capital)")
            elif admin1 not in places:
                add(row, "partner_admin1", "is not an ISO 3166-2 code of the crosswalks (data/crosswalks/)")
            elif places[admin1] != country:
                add(row, "partner_admin1", f"is a place in {places[admin1]}, not in {country}")
        elif partner_level == "subnational":
            add(row, "partner_admin1", "required for a subnational partner")
        signed, precision = get("signed_on"), get("date_precision")
        if precision in PRECISIONS:
            try:
                date = parse_partial_date(signed, precision)
                searched = (
                    dt.date.fromisoformat(get("searched_on"))
                    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", get("searched_on"))
                    else None
                )
                if date.year < EARLIEST_YEAR:
                    add(row, "signed_on", f"is before {EARLIEST_YEAR}")
                elif searched and get("status") == "signed" and date > searched:
                    add(row, "signed_on", "is after searched_on, but status is signed")
            except ValueError as err:
                add(row, "signed_on", str(err))
        programmes = get("programme").split(";") if get("programme") else []
        if not programmes:
            add(row, "programme", "a value is required")
        for item in programmes:
            if item not in PROGRAMMES:
                add(row, "programme", f"{item!r} is not one of: {', '.join(PROGRAMMES)} (several separated by ';')")
        if len(set(programmes)) != len(programmes):
            add(row, "programme", "names a programme twice")
        if get("labour_related") == "no" and set(programmes) & set(LABOUR_PROGRAMMES):
            add(row, "labour_related", "is 'no' but programme names a labour programme")
        if get("labour_related") in ("yes", "partly") and not set(programmes) & set(LABOUR_PROGRAMMES):
            add(
                row,
                "labour_related",
                f"is {get('labour_related')!r} but programme names no labour programme "
                f"({', '.join(LABOUR_PROGRAMMES)})",
            )
        if _words(get("evidence")) > EVIDENCE_MAX_WORDS:
            add(row, "evidence", f"has {_words(get('evidence'))} words; at most {EVIDENCE_MAX_WORDS}")
        second = get("source_2")
        if second and not re.fullmatch(r"https?://\S+", second):
            add(row, "source_2", "must be a URL or blank")
        elif second and second == get("source"):
            add(row, "source_2", "repeats source")
    keys = table.apply(
        lambda r: (
            r["jp_level"],
            r["jp_code"] or r["jp_name"],
            r["partner_country"],
            _key(r["partner_name"]),
            r["signed_on"],
            r["document"],
        ),
        axis=1,
    )
    first: dict = {}
    for row, key in keys.items():
        if key in first:
            problems.append(
                Problem(
                    name,
                    row,
                    "signed_on",
                    table.at[row, "signed_on"],
                    f"same parties, date and document as line {first[key]} (a duplicate)",
                )
            )
        else:
            first[key] = row
    return problems


def validate(
    path: Path = paths.PUBLIC_AGREEMENTS,
    names: tuple[dict[str, str], dict[str, str]] | None = None,
    places: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read and check the register; return it typed, or raise ``RegisterError``.

    ``names`` is the frame's municipal and prefectural codes with their names (default:
    ``frame_names()``); ``places`` maps ISO 3166-2 codes to countries (default: the crosswalks).
    """
    name = path.name
    municipalities, prefectures = names if names is not None else frame_names()
    if places is None:
        places = known_places(paths.PARTNER_PLACES, paths.PARTNER_POINTS)
    raw, problems = read_text_table(path)
    if raw is None:
        raise RegisterError(problems)
    missing = [c for c in COLUMNS if c not in raw.columns]
    extra = [c for c in raw.columns if c not in COLUMNS]
    problems += [Problem(name, None, c, None, "missing column") for c in missing]
    problems += [Problem(name, None, c, None, "column not in the codebook (data/public_agreements.md)") for c in extra]
    if missing:
        raise RegisterError(problems)
    raw = raw[list(COLUMNS)]
    raw["jp_code"] = raw["jp_code"].map(lambda v: v.zfill(2) if v.isdigit() and len(v) < 2 else v)
    found = _domain_problems(raw, SCHEMA, name, skip=set())
    problems += found + row_problems(raw, name, municipalities, prefectures, places)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
        raise RegisterError(problems)
    return typed(raw)


def typed(raw: pd.DataFrame) -> pd.DataFrame:
    """The checked text table with types: ``formal`` bool, ``signed_year`` int, ``signed_date``
    (the first day the partial date can mean), ``line`` (the line in the CSV file)."""
    out = raw.copy()
    out.insert(0, "line", out.index.astype(int))
    out["formal"] = out["formal"] == "true"
    out["signed_date"] = pd.to_datetime(
        [parse_partial_date(s, p) for s, p in zip(out["signed_on"], out["date_precision"])]
    )
    out["signed_year"] = out["signed_date"].dt.year.astype(int)
    for column in ("jp_code", "partner_admin1", "source_2", "note"):
        out[column] = out[column].replace("", pd.NA)
    return out.reset_index(drop=True)


def has_programme(table: pd.DataFrame, programme: str) -> pd.Series:
    """True for rows whose ``programme`` list names ``programme``."""
    return table["programme"].str.split(";").map(lambda items: programme in items)


def labour_signed(table: pd.DataFrame, values: tuple[str, ...] = LABOUR_VALUES) -> pd.Series:
    """Formal, signed agreements about workers (``labour_related`` in ``values``, by default yes
    or partly): the ones that define prefecture exposure and the events of the diffusion model;
    ``("yes",)`` keeps only the agreements wholly about workers."""
    return table["formal"] & (table["status"] == "signed") & table["labour_related"].isin(values)


def names_of(frame) -> tuple[dict[str, str], dict[str, str]]:
    """The municipal codes and the two-digit prefecture codes of a frame table (columns
    ``code``, ``name_ja``, ``prefecture``: the boundary layer or the municipal frame) with
    their Japanese names, as ``validate`` checks them."""
    municipalities = dict(zip(frame["code"], frame["name_ja"]))
    prefectures = {code[:2]: name for code, name in zip(frame["code"], frame["prefecture"])}
    return municipalities, prefectures


def frame_names(boundaries_file: Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """``names_of`` the 1,741 municipalities of the raw boundary file, for the validation in
    ``make data``, before the frame exists (a notebook passes ``names_of`` its frame instead)."""
    from .base.manifest import verified
    from .sources import read_boundaries

    path = boundaries_file or verified("japan-topography/N03-21_210101_designated_city.json")
    kept, _ = read_boundaries(path)
    return names_of(kept)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    path = Path(args[0]) if args else paths.PUBLIC_AGREEMENTS
    try:
        table = validate(path)
    except RegisterError as err:
        print(err, file=sys.stderr)
        return 1
    local = table["jp_level"] != "national"
    print(
        f"public register: {len(table)} rows valid ({int(local.sum())} prefectural or municipal, "
        f"{int((~local).sum())} national context rows) in {path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
