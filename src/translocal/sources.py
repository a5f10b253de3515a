"""Readers for the public tables, one per source, each returning a tidy frame keyed by ``code``.

The files are read as they are published: multi-row headers, 6-digit codes with check
digits, "-" markers and notes under the table. A value that cannot be read stops with an
error naming the file, the spreadsheet row and the column.
"""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .codes import CodeError, normalise_digits, parse_code

#: Northern Territories villages: in the boundary and register data, without residents or
#: administration, outside the survey frame.
NORTHERN_TERRITORIES = ("01695", "01696", "01697", "01698", "01699", "01700")

#: The dates the public tables describe (fixed by the pinned files).
VINTAGES = {
    "boundaries": "1 January 2021",
    "register": "1 January 2022",
    "register_previous": "1 January 2021",
    "residence_status": "the end of December 2022",
    "residence_status_2019": "the end of December 2019",
}

#: ISA does not list municipalities with this many foreign residents or fewer.
ISA_SUPPRESSION_MAX = 10

#: The six 技能実習 (technical intern) residence statuses of the ISA tables.
TITP_STATUSES = (
    "技能実習１号イ",
    "技能実習１号ロ",
    "技能実習２号イ",
    "技能実習２号ロ",
    "技能実習３号イ",
    "技能実習３号ロ",
)

#: MIC fiscal-indicator columns and their English names.
FISCAL_COLUMNS = {
    "財政力指数": "fiscal_strength",
    "経常収支比率": "current_balance_ratio",
    "実質公債費比率": "real_debt_service_ratio",
    "将来負担比率": "future_burden_ratio",
    "ラスパイレス指数": "laspeyres_index",
}


class SourceFormatError(ValueError):
    """A public file does not have the layout its reader expects."""


def _header_row(table: pd.DataFrame, label: str, file: str) -> int:
    """Index of the first row whose first cell is ``label`` (after NFKC and stripping)."""
    first = table.iloc[:, 0].map(lambda v: normalise_digits(v) if pd.notna(v) else "")
    hits = np.flatnonzero(first.to_numpy() == label)
    if len(hits) == 0:
        raise SourceFormatError(f"{file}: no header row starting with {label!r} in the first column")
    return int(hits[0])


def excel_column(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _where(table: pd.DataFrame, column) -> str:
    """How a person finds a column in the sheet: its header and its letter."""
    position = list(table.columns).index(column)
    name = f"{column} " if not isinstance(column, int) else ""
    return f"column {name}({excel_column(position)})"


def _numbers(table: pd.DataFrame, column, file: str, allowed=(), label: str | None = None) -> pd.Series:
    """A column as floats; cells in ``allowed`` become NaN; anything else unreadable raises.

    ``table`` keeps the sheet's own row index, so messages give the row a person sees in
    Excel (1-based).
    """
    cleaned = table[column].map(lambda v: normalise_digits(v) if pd.notna(v) else "")
    marker = cleaned.isin(allowed)
    values = pd.to_numeric(cleaned.where(~marker & (cleaned != "")), errors="coerce")
    bad = values.isna() & ~marker
    if bad.any():
        rows = [f"row {row + 1}: {table.at[row, column]!r}" for row in table.index[bad.to_numpy()][:10]]
        where = label or _where(table, column)
        raise SourceFormatError(f"{file}, {where}: not a number in " + "; ".join(rows))
    return values


def _codes(table: pd.DataFrame, column, file: str) -> pd.Series:
    """Parse a code column (5 or 6 digits, check digit verified), naming the row on failure."""
    out = []
    for row, value in table[column].items():
        try:
            out.append(parse_code(value))
        except CodeError as err:
            raise SourceFormatError(f"{file}, row {row + 1}, {_where(table, column)}: {err}") from None
    return pd.Series(out, index=table.index, dtype="string")


def _is_code_like(value: object) -> bool:
    text = normalise_digits(value) if pd.notna(value) else ""
    return text.isdigit() and len(text) in (5, 6)


def polygonal(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Only the polygon parts of each geometry: repairing a polygon can leave a stray line
    or point beside it in a GeometryCollection (広島市 does), which spatial tools refuse."""
    import shapely

    def keep(geom):
        if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
            return geom
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None

    return geometries.map(keep).set_crs(geometries.crs, allow_override=True)


def read_boundaries(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """MLIT N03 municipal polygons (TopoJSON, WGS84) keyed by 5-digit code.

    Returns the municipalities and, separately, the features left out: the 所属未定地 areas
    (no code) and the Northern Territories villages. Invalid geometries are repaired.
    """
    raw = gpd.read_file(path).set_crs("EPSG:4326", allow_override=True)
    name = raw["N03_004"].fillna(raw["N03_003"])
    out = gpd.GeoDataFrame(
        {
            "code": raw["N03_007"].astype("string"),
            "prefecture": raw["N03_001"].astype("string"),
            "name_ja": name.astype("string"),
        },
        geometry=polygonal(raw.geometry.make_valid()),
        crs=raw.crs,
    )
    no_code = out["code"].isna()
    territories = out["code"].isin(NORTHERN_TERRITORIES)
    excluded = pd.DataFrame(out.loc[no_code | territories].drop(columns="geometry"))
    excluded["reason"] = np.where(
        excluded["code"].isna(), "所属未定地 (no municipality)", "Northern Territories village"
    )
    kept = out.loc[~no_code & ~territories].reset_index(drop=True)
    if kept["code"].duplicated().any():
        dupes = sorted(kept.loc[kept["code"].duplicated(), "code"])
        raise SourceFormatError(f"{path}: municipal codes appear in more than one feature: {dupes[:10]}")
    return kept, excluded.reset_index(drop=True)


def read_ward_codes(path: Path) -> set[str]:
    """Codes in the ward-level N03 layer (designated cities split into their wards)."""
    raw = gpd.read_file(path, columns=["N03_007"], ignore_geometry=True)
    return set(raw["N03_007"].dropna())


def fiscal_year_western(year: str) -> int:
    """The western fiscal year of a MIC file label: H30 (平成30年度) -> 2018, R2 -> 2020."""
    match = re.fullmatch(r"([HR])(\d{1,2})", year)
    if not match:
        raise ValueError(f"{year!r} is not a fiscal-year label such as H30 or R2")
    return (1988 if match.group(1) == "H" else 2018) + int(match.group(2))


def _sheet_in_archive(archive: Path, member: str) -> tuple[str, pd.DataFrame]:
    """The first sheet of a spreadsheet inside a tar archive, as published, with the label
    (``archive:member``) that error messages give; a missing member is refused by name."""
    with tarfile.open(archive) as tar:
        try:
            blob = tar.extractfile(member).read()
        except KeyError:
            raise SourceFormatError(f"{archive}: no member {member}") from None
    table = pd.read_excel(io.BytesIO(blob), header=None, dtype=object, keep_default_na=False, na_values=[""])
    return f"{archive.name}:{member}", table


def read_fiscal_indicators(archive: Path, year: str = "H30") -> pd.DataFrame:
    """MIC 主要財政指標一覧 for all municipalities, one fiscal year (default FY2018, 平成30年度).

    将来負担比率 is "-" where a municipality has no future burden: it becomes 0 with
    ``future_burden_none`` set, never a missing value.
    """
    member = f"indices/city/{year}.xlsx" if year.startswith(("H28", "H29", "H30", "R")) else f"indices/city/{year}.xls"
    label, table = _sheet_in_archive(archive, member)
    head = _header_row(table, "団体コード", label)
    table.columns = [normalise_digits(c) if pd.notna(c) else f"col{i}" for i, c in enumerate(table.iloc[head])]
    body = table.iloc[head + 1 :]
    missing = [c for c in ["団体コード", "団体名", *FISCAL_COLUMNS] if c not in body.columns]
    if missing:
        raise SourceFormatError(f"{label}: missing columns {missing}")
    body = _coded_rows(body, "団体コード")
    out = pd.DataFrame({"code": _codes(body, "団体コード", label), "name_fiscal": body["団体名"].astype("string")})
    for ja, en in FISCAL_COLUMNS.items():
        allowed = ("-", "－") if ja == "将来負担比率" else ()
        out[en] = _numbers(body, ja, label, allowed=allowed)
    none = body["将来負担比率"].map(lambda v: normalise_digits(v) in ("-", "－"))
    out["future_burden_none"] = none.to_numpy()
    out.loc[out["future_burden_none"], "future_burden_ratio"] = 0.0
    out = out.reset_index(drop=True)
    _no_duplicates(out, label)
    out.attrs["rows_left_out"] = body.attrs["rows_left_out"]
    out.attrs["fiscal_year"] = fiscal_year_western(year)
    return out


def read_excel_sheet(path: Path) -> pd.DataFrame:
    """The first sheet as published, every cell as an object, blank cells as NaN.

    Legacy ``.xls`` files (the 2018 and 2019 register tables) are read with calamine, which
    reads both formats; pandas 3 deprecates its ``xlrd`` engine."""
    engine = "calamine" if path.suffix.lower() == ".xls" else None
    return pd.read_excel(path, header=None, dtype=object, keep_default_na=False, na_values=[""], engine=engine)


def read_resident_register(path: Path) -> pd.DataFrame:
    """MIC 住民基本台帳 population table: ``code``, ``name_register``, ``population``.

    Keeps every coded row (prefectures, designated cities and their wards included); the
    national total row (code "-" or blank) and the notes are left out. Reads both layouts:
    the 2021/2022 files (header 団体コード in row 6, 人口 / 計 above it) and the 2018/2019
    ``.xls`` files (header in row 2, 人口 / 計 in the two rows below it).
    """
    table = read_excel_sheet(path)
    head = _header_row(table, "団体コード", path.name)
    total_col = _population_total_column(table, head, path.name)
    table = table.rename(columns={0: "団体コード", 2: "市区町村名", total_col: "人口 計"})
    body = _coded_rows(table.iloc[head + 1 :], "団体コード")
    out = pd.DataFrame(
        {"code": _codes(body, "団体コード", path.name), "name_register": body["市区町村名"].astype("string")}
    )
    out["population"] = _numbers(body, "人口 計", path.name).astype("int64")
    out = out.reset_index(drop=True)
    _no_duplicates(out, path.name)
    out.attrs["rows_left_out"] = body.attrs["rows_left_out"]
    return out


def _population_total_column(table: pd.DataFrame, head: int, file: str) -> int:
    """The column headed 人口 / 計 in the register's multi-row header (the rows above the
    header row in the later files, the three rows from it in the 2018/2019 files). The
    first such column is the population; later ones (e.g. in the movements) are not."""
    for rows in (slice(0, head), slice(head, head + 3)):
        for col in table.columns:
            cells = [normalise_digits(v) for v in table.iloc[rows, col] if pd.notna(v)]
            if "計" in cells and ("人口" in cells or "人口" in _left_header(table, rows, col)):
                return col
    raise SourceFormatError(f"{file}: no column headed 人口 / 計 near the header row {head + 1}")


def _left_header(table: pd.DataFrame, rows: slice, col: int) -> list[str]:
    """Header cells of a merged group: 人口 sits above 男, and 計 two columns to its right."""
    return [normalise_digits(v) for c in range(max(0, col - 2), col) for v in table.iloc[rows, c] if pd.notna(v)]


def read_residence_status(path: Path) -> pd.DataFrame:
    """ISA 在留外国人統計, municipality by residence status: ``code``, ``name_isa``,
    ``foreign_residents_isa`` and ``titp_trainees`` (the six 技能実習 statuses summed).

    The national total of trainees is kept in ``attrs["national_titp_trainees"]``.
    Rows without a code (the national total, 未定・不詳, その他 = municipalities with ten or
    fewer foreign residents, pooled) are left out; the pooled rows are why some municipalities
    are absent, which the frame flags as censored.
    """
    table = pd.read_excel(path, header=None, dtype=object, keep_default_na=False, na_values=[""])
    head = _header_row(table, "市区町村コード", path.name)
    table.columns = [normalise_digits(c) if pd.notna(c) else f"col{i}" for i, c in enumerate(table.iloc[head])]
    body = table.iloc[head + 1 :]
    titp = [normalise_digits(s) for s in TITP_STATUSES]
    missing = [c for c in ["市区町村コード", "都道府県市区町村", "総数", *titp] if c not in body.columns]
    if missing:
        raise SourceFormatError(f"{path.name}: missing columns {missing}")
    national = body.loc[body["都道府県市区町村"].map(lambda v: pd.notna(v) and normalise_digits(v) == "総数")]
    if len(national) != 1:
        raise SourceFormatError(f"{path.name}: expected one national 総数 row, found {len(national)}")
    national_titp = int(sum(_numbers(national, c, path.name).iloc[0] for c in titp))
    body = _coded_rows(body, "市区町村コード")
    out = pd.DataFrame(
        {"code": _codes(body, "市区町村コード", path.name), "name_isa": body["都道府県市区町村"].astype("string")}
    )
    out["foreign_residents_isa"] = _numbers(body, "総数", path.name).astype("int64")
    out["titp_trainees"] = sum(_numbers(body, c, path.name) for c in titp).astype("int64")
    out = out.reset_index(drop=True)
    _no_duplicates(out, path.name)
    out.attrs["rows_left_out"] = body.attrs["rows_left_out"]
    out.attrs["national_titp_trainees"] = national_titp
    return out


def read_residence_status_by_prefecture(path: Path) -> pd.DataFrame:
    """ISA 在留外国人統計, 第5表 prefecture by residence status (end-2018, 2019 and 2020 files):
    ``prefecture`` (as printed, e.g. 青森) and ``titp_trainees``; the national total of
    trainees in ``attrs["national_titp_trainees"]``. Headers may break lines inside a cell
    (技能実習\\n１号イ); whitespace is ignored when matching them. The header is the row with
    総数 and the six 技能実習 columns; the names stand in the columns left of 総数 (column A in
    the 2019/2020 files; column B in the end-2018 file, whose column A holds only the labels
    都道府県 and 総数).
    """
    table = read_excel_sheet(path)
    squash = lambda v: re.sub(r"\s+", "", normalise_digits(v)) if pd.notna(v) else ""
    titp = [squash(s) for s in TITP_STATUSES]
    head = None
    for i in range(len(table)):
        cells = [squash(v) for v in table.iloc[i]]
        if "総数" in cells and all(t in cells for t in titp):
            head, total_col = i, cells.index("総数")
            break
    if head is None:
        raise SourceFormatError(f"{path.name}: no header row with 総数 and the six 技能実習 columns")
    if total_col == 0:
        raise SourceFormatError(f"{path.name}: the header's 総数 is in column A, leaving no column for names")
    header = [squash(c) or f"col{i}" for i, c in enumerate(table.iloc[head])]
    table.columns = header
    body = table.iloc[head + 1 :]
    names = body.iloc[:, :total_col].apply(lambda row: next((squash(v) for v in row if squash(v)), ""), axis=1)
    body = body.loc[names != ""]
    names = names.loc[body.index]
    trainees = sum(_numbers(body, c, path.name) for c in titp).astype("int64")
    if (names == "総数").sum() != 1:
        raise SourceFormatError(f"{path.name}: expected one national 総数 row")
    out = pd.DataFrame({"prefecture": names, "titp_trainees": trainees})
    national = int(out.loc[out["prefecture"] == "総数", "titp_trainees"].iloc[0])
    out = out.loc[out["prefecture"] != "総数"].reset_index(drop=True)
    out.attrs["national_titp_trainees"] = national
    return out


def read_prefecture_fiscal(archive: Path, year: str = "H30") -> pd.DataFrame:
    """MIC 主要財政指標一覧, prefecture sheet of one fiscal year: ``prefecture`` (full name, e.g.
    青森県) and ``fiscal_strength`` (財政力指数). The sheet has no code column; the 都道府県平均
    row is left out."""
    label, table = _sheet_in_archive(archive, f"indices/prefecture/{year}.xlsx")
    head = _header_row(table, "都道府県名", label)
    table.columns = [normalise_digits(c) if pd.notna(c) else f"col{i}" for i, c in enumerate(table.iloc[head])]
    body = table.iloc[head + 1 :]
    body = body.loc[body["都道府県名"].map(lambda v: pd.notna(v) and str(v).endswith(("都", "道", "府", "県")))]
    out = pd.DataFrame({"prefecture": body["都道府県名"].map(normalise_digits)})
    out["fiscal_strength"] = _numbers(body, "財政力指数", label)
    if len(out) != 47:
        raise SourceFormatError(f"{label}: {len(out)} prefecture rows, expected 47")
    out = out.reset_index(drop=True)
    out.attrs["fiscal_year"] = fiscal_year_western(year)
    return out


def _coded_rows(body: pd.DataFrame, column) -> pd.DataFrame:
    """Rows whose code cell holds 5 or 6 digits. The others (national totals, averages,
    notes) are kept in ``attrs["rows_left_out"]`` so a notebook can show what was skipped."""
    coded = body[column].map(_is_code_like)
    labels = [
        " ".join(str(v) for v in row if pd.notna(v))[:60]
        for row in body.loc[~coded].iloc[:, :3].itertuples(index=False)
    ]
    kept = body.loc[coded]
    kept.attrs["rows_left_out"] = [label for label in labels if label]
    return kept


def _no_duplicates(table: pd.DataFrame, file: str) -> None:
    dupes = table.loc[table["code"].duplicated(keep=False), "code"]
    if len(dupes):
        raise SourceFormatError(f"{file}: codes appear more than once: {sorted(set(dupes))[:10]}")
