"""The private tables: their codebook (data contract), reading, normalising and validation.

The author's survey, agreement list and interview log are never published. This module is
the contract both the real files and the synthetic stand-ins meet (see docs/codebook.md):
``validate_folder`` reads the three CSV files, accepts the forms the author's files come in
(5- or 6-digit codes, full-width digits, spaces, cp932 or UTF-8 with or without BOM, era
dates, true/false or 1/0) and returns normalised tables, or raises ``DropInError`` listing
**every** problem at once with file, row, column and value.

``python -m translocal.private [FOLDER]`` validates a drop-in (default ``data/private``) and
writes the normalised tables to ``data/interim/private/``; it writes nothing if any problem
is found, so nothing downstream is overwritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .base import paths
from .base.paths import data_mode
from .codes import CodeError, parse_code
from .eras import DateError, parse_date

POLICY_ITEMS = (
    "policy_employer_subsidy",
    "policy_language_classes",
    "policy_cultural_exchange",
    "policy_sports_events",
    "policy_consultation_desk",
    "policy_multilingual_info",
    "policy_titp_support",
    "policy_multicultural_plan",
)
SURVEY_COLUMNS = ("code", "responded", "response_date", *POLICY_ITEMS, "informal_ties", "staff_multicultural")
AGREEMENT_COLUMNS = (
    "agreement_id",
    "jp_level",
    "jp_code",
    "partner_country",
    "partner_type",
    "partner_name",
    "partner_admin1",
    "signed_on",
    "formal",
    "source",
)
INTERVIEW_COLUMNS = ("interview_id", "year", "actor_type", "region", "mode")

JP_LEVELS = ("prefecture", "municipality")
PARTNER_TYPES = ("ministry", "province", "school", "broker", "other")
ACTOR_TYPES = ("municipal_official", "prefectural_official", "ngo", "employer", "other")
REGIONS = ("hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku", "kyushu_okinawa")
MODES = ("in_person", "online", "phone")
#: Countries that send technical interns to Japan (ISO 3166-1 alpha-3 -> alpha-2, the prefix
#: of their ISO 3166-2 codes). A partner country outside this list is refused as a likely
#: typo; a real new one is added here.
ALPHA2 = {
    "VNM": "VN", "IDN": "ID", "PHL": "PH", "MMR": "MM", "KHM": "KH", "NPL": "NP", "CHN": "CN",
    "THA": "TH", "MNG": "MN", "LKA": "LK", "LAO": "LA", "BGD": "BD", "IND": "IN", "PAK": "PK",
    "UZB": "UZ", "KGZ": "KG", "PER": "PE", "BTN": "BT", "TLS": "TL", "MYS": "MY",
}  # fmt: skip

#: The three tables, in the order they are checked, with their columns.
TABLES = {"survey_2019": SURVEY_COLUMNS, "agreements": AGREEMENT_COLUMNS, "interviews": INTERVIEW_COLUMNS}
#: The outcome window: agreements signed in these years count towards assemblage strength.
WINDOW = (dt.date(2020, 1, 1), dt.date(2023, 12, 31))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a drop-in file. ``row`` is the line in the CSV file (header = 1)."""

    file: str
    row: int | None
    column: str | None
    value: object
    message: str
    unit: str = "row"  # how the message names ``row`` ("line" for the public register)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.unit} {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        shown = repr(self.value)
        value = "" if self.value is None or shown in self.message else f" (value {shown})"
        return f"{where}: {self.message}{value}"


class DropInError(ValueError):
    """A private drop-in that cannot be used; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the private data:"] + [f"  - {p}" for p in problems]
        lines.append("Nothing was written; fix the files in data/private/ and run `make` again.")
        super().__init__("\n".join(lines))


# --- reading -------------------------------------------------------------------------------


def read_text_table(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV file as strings (UTF-8 with or without BOM, or cp932), blank cells as ''."""
    return parse_text_table(path.name, path.read_bytes())


def parse_text_table(name: str, data: bytes) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The bytes of the CSV file ``name`` as strings, as ``read_text_table`` reads a file."""
    if not data.strip():
        return None, [Problem(name, None, None, None, "the file is empty")]
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None, [Problem(name, None, None, None, "not UTF-8 and not cp932 (Shift_JIS) text")]
    clean = lambda v: unicodedata.normalize("NFKC", v).strip()
    lines = list(csv.reader(io.StringIO(text)))
    header = [clean(c) for c in lines[0]]
    problems, rows, numbers = [], [], []
    for number, cells in enumerate(lines[1:], start=2):  # line numbers as an editor shows them
        if not any(c.strip() for c in cells):
            continue  # blank lines are skipped but still counted
        if len(cells) != len(header):
            problems.append(Problem(name, number, None, None, f"has {len(cells)} fields, the header has {len(header)}"))
            continue
        rows.append([clean(c) for c in cells])
        numbers.append(number)
    if not rows and not problems:
        return None, [Problem(name, None, None, None, "the file has a header but no rows")]
    return pd.DataFrame(rows, columns=header, index=numbers, dtype=object), problems


def _check_columns(table: pd.DataFrame, expected: tuple[str, ...], name: str) -> list[Problem]:
    problems = [Problem(name, None, c, None, "missing column") for c in expected if c not in table.columns]
    # No extra columns: in particular no names or free text can slip into the interview log.
    problems += [Problem(name, None, c, None, "column not in the codebook") for c in table.columns if c not in expected]
    return problems


class _Cells:
    """Converts one column cell by cell, collecting a Problem for each cell it cannot read."""

    def __init__(self, table: pd.DataFrame, name: str, problems: list[Problem]):
        self.table, self.name, self.problems = table, name, problems

    def convert(self, column: str, parse, blank=None, rows=None) -> pd.Series:
        out = pd.Series(blank, index=self.table.index, dtype=object)
        for row, value in self.table[column].items():
            if rows is not None and not rows[row]:
                continue
            if value == "":
                continue
            try:
                out[row] = parse(value)
            except ValueError as err:
                self.problems.append(Problem(self.name, row, column, value, str(err)))
        return out

    def require(self, column: str, rows=None, why: str = "a value is required") -> None:
        for row, value in self.table[column].items():
            if (rows is None or rows[row]) and value == "":
                self.problems.append(Problem(self.name, row, column, value, why))


def _zero_one(value: str) -> int:
    if value in ("0", "1"):
        return int(value)
    raise ValueError("must be 0 or 1")


def parse_bool(value: str) -> bool:
    """true/false or 1/0, any case."""
    low = value.lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise ValueError("must be true/false or 1/0")


def _count(value: str) -> int:
    if re.fullmatch(r"[0-9]+", value):
        return int(value)
    raise ValueError("must be a whole number ≥ 0")


def _date(value: str) -> dt.date:
    try:
        return parse_date(value)
    except DateError as err:
        raise ValueError(str(err)) from None


def _municipal_code(valid: set[str]):
    def parse(value: str) -> str:
        try:
            code = parse_code(value)
        except CodeError as err:
            raise ValueError(str(err)) from None
        if code not in valid:
            raise ValueError(f"unknown municipality code {code}")
        return code

    return parse


# --- the three tables ------------------------------------------------------------------------


def _readable(check: str) -> str:
    """pandera's check names in words."""
    if check.startswith("isin("):
        return "must be one of: " + ", ".join(re.findall(r"'([^']*)'", check))
    if check.startswith("str_matches("):
        return "does not have the expected form " + check[len("str_matches(") : -1]
    if check == "field_uniqueness":
        return "appears more than once"
    return f"fails check {check}"


def _domain_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, name: str, skip: set) -> list[Problem]:
    """Run a pandera schema lazily; every failing cell becomes a Problem (unless already reported)."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems = []
        for case in err.failure_cases.itertuples():
            row = None if pd.isna(case.index) else int(case.index)
            if (row, case.column) in skip:
                continue
            problems.append(Problem(name, row, case.column, case.failure_case, _readable(str(case.check))))
        return problems
    return []


def normalise_survey(table: pd.DataFrame, name: str, valid_codes: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    cells = _Cells(table, name, problems)
    out = pd.DataFrame(index=table.index)
    cells.require("code")
    out["code"] = cells.convert("code", _municipal_code(valid_codes))
    cells.require("responded")
    out["responded"] = cells.convert("responded", _zero_one)
    responded = (out["responded"] == 1).to_dict()
    silent = (out["responded"] == 0).to_dict()
    cells.require("response_date", rows=responded, why="required for respondents")
    out["response_date"] = cells.convert("response_date", _date)
    for column in (*POLICY_ITEMS, "informal_ties"):
        cells.require(column, rows=responded, why="required for respondents (0 or 1)")
        out[column] = cells.convert(column, _zero_one)
    cells.require("staff_multicultural", rows=responded, why="required for respondents")
    out["staff_multicultural"] = cells.convert("staff_multicultural", _count)
    for column in ("response_date", *POLICY_ITEMS, "informal_ties", "staff_multicultural"):
        for row, value in table[column].items():
            if silent.get(row) and value != "":
                problems.append(Problem(name, row, column, value, "must be blank for non-respondents"))
    dupes = out["code"].dropna()
    for row, code in dupes[dupes.duplicated(keep="first")].items():
        problems.append(
            Problem(name, row, "code", table.at[row, "code"], f"municipality {code} appears more than once")
        )
    missing = sorted(valid_codes - set(out["code"].dropna()))
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        problems.append(
            Problem(name, None, "code", None, f"{len(missing)} municipalities of the frame have no row: {shown}")
        )
    for column in ("responded", *POLICY_ITEMS, "informal_ties", "staff_multicultural"):
        out[column] = out[column].astype("Int64")
    out["response_date"] = pd.to_datetime(out["response_date"])
    return out.reset_index(drop=True), problems


def normalise_agreements(table: pd.DataFrame, name: str, valid_codes: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    cells = _Cells(table, name, problems)
    out = pd.DataFrame(index=table.index)
    for column in AGREEMENT_COLUMNS:
        if column != "partner_admin1":  # blank for ministries and national bodies
            cells.require(column)
    out["agreement_id"] = table["agreement_id"].replace("", None)
    out["jp_level"] = table["jp_level"].str.lower().replace("", None)
    prefectures = {f"{i:02d}" for i in range(1, 48)}

    def jp_code(row: int):
        def parse(value: str) -> str:
            level = out.at[row, "jp_level"]
            if level == "prefecture":
                code = unicodedata.normalize("NFKC", value).strip().zfill(2)
                if code not in prefectures:
                    raise ValueError("not a prefecture code (01-47)")
                return code
            return _municipal_code(valid_codes)(value)

        return parse

    codes = pd.Series(None, index=table.index, dtype=object)
    for row, value in table["jp_code"].items():
        if value == "":
            continue
        try:
            codes[row] = jp_code(row)(value)
        except ValueError as err:
            problems.append(Problem(name, row, "jp_code", value, str(err)))
    out["jp_code"] = codes
    out["partner_country"] = table["partner_country"].str.upper().replace("", None)
    out["partner_type"] = table["partner_type"].str.lower().replace("", None)
    out["partner_name"] = table["partner_name"].replace("", None)
    out["partner_admin1"] = table["partner_admin1"].str.upper().replace("", None)
    out["signed_on"] = cells.convert("signed_on", _date)
    out["formal"] = cells.convert("formal", parse_bool)
    out["source"] = table["source"].replace("", None)
    for row in out.index:
        country, admin1 = out.at[row, "partner_country"], out.at[row, "partner_admin1"]
        kind = out.at[row, "partner_type"]
        if pd.notna(country) and re.fullmatch(r"[A-Z]{3}", country) and country not in ALPHA2:
            problems.append(Problem(name, row, "partner_country", country, "is not a sending country of the codebook"))
        if pd.notna(admin1) and country in ALPHA2 and not str(admin1).startswith(ALPHA2[country] + "-"):
            problems.append(Problem(name, row, "partner_admin1", admin1, f"is not a subdivision of {country}"))
        if pd.notna(admin1) and kind in ("ministry", "other"):
            problems.append(Problem(name, row, "partner_admin1", admin1, f"must be blank for a {kind} partner"))
    dupes = out["agreement_id"].dropna()
    for row, value in dupes[dupes.duplicated(keep="first")].items():
        problems.append(Problem(name, row, "agreement_id", value, "agreement_id appears more than once"))
    out["signed_on"] = pd.to_datetime(out["signed_on"])
    out["formal"] = out["formal"].astype("boolean")
    return out, problems


AGREEMENT_SCHEMA = pa.DataFrameSchema(
    {
        "jp_level": pa.Column(None, pa.Check.isin(JP_LEVELS), nullable=True),
        "partner_country": pa.Column(None, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
        "partner_type": pa.Column(None, pa.Check.isin(PARTNER_TYPES), nullable=True),
        "partner_admin1": pa.Column(None, pa.Check.str_matches(r"^[A-Z]{2}-[A-Z0-9]{1,3}$"), nullable=True),
    }
)

INTERVIEW_SCHEMA = pa.DataFrameSchema(
    {
        "interview_id": pa.Column(
            None, pa.Check.str_length(min_value=1), unique=True, report_duplicates="exclude_first"
        ),
        "year": pa.Column(None, pa.Check.str_matches(r"^(19|20)[0-9]{2}$")),
        "actor_type": pa.Column(None, pa.Check.isin(ACTOR_TYPES)),
        "region": pa.Column(None, pa.Check.isin(REGIONS)),
        "mode": pa.Column(None, pa.Check.isin(MODES)),
    }
)


def normalise_interviews(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    lowered = table.copy()
    for column in ("actor_type", "region", "mode"):
        lowered[column] = lowered[column].str.lower()
    problems = _domain_problems(lowered, INTERVIEW_SCHEMA, name, skip=set())
    out = lowered.reset_index(drop=True)
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    return out, problems


def validate_folder(folder: Path, valid_codes: set[str], ignore: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """Read, normalise and validate the three tables in ``folder``; all problems at once.

    Files named in ``ignore`` may sit beside the tables (the synthetic truth.json)."""
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    files = {p.name: p.read_bytes() if p.is_file() else b"" for p in entries}
    return validate_files(files, valid_codes, ignore)


def validate_files(
    files: dict[str, bytes], valid_codes: set[str], ignore: tuple[str, ...] = ()
) -> dict[str, pd.DataFrame]:
    """``validate_folder`` for the files' bytes by file name, before any is written (the
    synthetic stand-ins meet the same contract as the author's files)."""
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    present = set(files)
    expected = {f"{t}.csv" for t in TABLES} | set(ignore) | {"README.md"}
    unknown = sorted(n for n in present - expected if not n.startswith("."))
    for name in unknown:
        problems.append(
            Problem(name, None, None, None, f"not one of the expected files ({', '.join(f'{t}.csv' for t in TABLES)})")
        )
    for table_name, columns in TABLES.items():
        file = f"{table_name}.csv"
        if file not in present:
            problems.append(Problem(file, None, None, None, "missing: real mode needs all three files"))
            continue
        raw, found = parse_text_table(file, files[file])
        problems += found
        if raw is None:
            continue
        column_problems = _check_columns(raw, columns, file)
        problems += column_problems
        missing = {p.column for p in column_problems if p.message == "missing column"}
        # Check the columns that are there; a missing one is reported once, not per row.
        raw = raw.assign(**{c: "" for c in missing})[list(columns)]
        if table_name == "survey_2019":
            table, found = normalise_survey(raw, file, valid_codes)
        elif table_name == "agreements":
            table, found = normalise_agreements(raw, file, valid_codes)
            skip = {(p.row, p.column) for p in found}
            found += _domain_problems(table, AGREEMENT_SCHEMA, file, skip)
            table = table.reset_index(drop=True)
        else:
            table, found = normalise_interviews(raw, file)
        problems += [p for p in found if p.column not in missing]
        tables[table_name] = table
    if problems:
        raise DropInError(problems)
    return tables


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write normalised tables as UTF-8 CSV (dates ISO, codes 5-digit), each only if changed."""
    from . import dictionary  # which imports this module for the private tables' columns

    written = []
    for name, table in tables.items():
        text = table.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
        target = folder / f"{name}.csv"
        dictionary.write_text(target, text)
        written.append(target)
    return written


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Normalised tables written by ``write_tables``, with their types restored."""
    survey = pd.read_csv(folder / "survey_2019.csv", dtype={"code": str}, parse_dates=["response_date"])
    for column in ("responded", *POLICY_ITEMS, "informal_ties", "staff_multicultural"):
        survey[column] = survey[column].astype("Int64")
    agreements = pd.read_csv(folder / "agreements.csv", dtype={"jp_code": str}, parse_dates=["signed_on"])
    agreements["formal"] = agreements["formal"].astype("boolean")
    interviews = pd.read_csv(folder / "interviews.csv", dtype={"interview_id": str})
    return {"survey_2019": survey, "agreements": agreements, "interviews": interviews}


def frame_codes(boundaries_file: Path | None = None) -> set[str]:
    """The 1,741 municipal codes, from the raw boundary file (no notebook needed)."""
    from .base.manifest import verified
    from .sources import read_boundaries

    path = boundaries_file or verified("japan-topography/N03-21_210101_designated_city.json")
    kept, _ = read_boundaries(path)
    return set(kept["code"])


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    folder = Path(args[0]) if args else paths.PRIVATE
    if data_mode(folder) == "synthetic":
        print(f"private data: none in {folder}; the build uses synthetic stand-ins (data_mode = synthetic)")
        return 0
    try:
        tables = validate_folder(folder, frame_codes())
    except DropInError as err:
        print(err, file=sys.stderr)
        return 1
    write_tables(tables, paths.INTERIM_PRIVATE)
    counts = ", ".join(f"{name} {len(t)} rows" for name, t in tables.items())
    print(f"private data: validated ({counts}); normalised copies in {paths.INTERIM_PRIVATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
