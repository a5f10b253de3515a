"""The municipal frame: one row per municipality in the 2019 survey's population (1,741).

Built from the boundary layer (which fixes the 1,741 codes) by left joins on the 5-digit
code. Each join is accounted for with ``account_join``: rows in on each side, matched,
and what the unmatched rows are, so a notebook can show that nothing went missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from .codes import (
    CODE_CHANGES,
    is_prefecture_total,
    is_ward_of_designated_city,
    municipality_kind,
    prefecture_code_of,
    recode,
)
from .sources import ISA_SUPPRESSION_MAX, NORTHERN_TERRITORIES, VINTAGES

#: Equal-area projection for areas and densities (metres): EASE-Grid 2.0 Global.
AREA_CRS = "EPSG:6933"
#: Map projection: Japan Plane Rectangular CS needs 19 zones, so national maps use a
#: Lambert conformal conic on JGD2011 with standard parallels spanning the archipelago.
MAP_CRS = "+proj=lcc +lat_0=36 +lon_0=136 +lat_1=30 +lat_2=42 +ellps=GRS80 +units=m +no_defs"

EXPECTED_MUNICIPALITIES = 1741

#: The frame's codebook: every column, what it measures, its source and vintage.
COLUMNS = {
    "code": "Local-government code, 5 digits (JIS X 0402 without check digit)",
    "prefecture_code": "Prefecture part of the code, 2 digits",
    "prefecture": "Prefecture name as in MLIT N03",
    "name_ja": "Municipality name as in MLIT N03 (never rewritten)",
    "kind": "special_ward / designated_city / city / town / village",
    "fiscal_strength": "財政力指数, fiscal strength index, settled accounts of the chosen fiscal year (MIC); "
    "for Tokyo's special wards computed under the Tokyo-ward fiscal adjustment (都区財政調整)",
    "current_balance_ratio": "経常収支比率, current balance ratio (%), same year (MIC)",
    "real_debt_service_ratio": "実質公債費比率, real debt service ratio (%), same year (MIC)",
    "future_burden_ratio": "将来負担比率, future burden ratio (%), same year (MIC); 0 where MIC prints '-'",
    "laspeyres_index": "ラスパイレス指数, staff salary level relative to national civil servants, same year (MIC)",
    "future_burden_none": "True where MIC prints '-' for the future burden ratio (no future burden)",
    # Measured before the 2019 survey: the main specification's covariates.
    "population_2019": "Residents on 1 January 2019, 住民基本台帳 (MIC); before the survey",
    "pop_change_2018_19": "Population change 1 Jan 2018 to 1 Jan 2019 (%), 住民基本台帳 (MIC); codes changed "
    "since 2018 mapped (codes.CODE_CHANGES)",
    "foreign_residents_2019": "Foreign residents on 1 January 2019, 住民基本台帳 (MIC); technical interns included",
    "foreign_per_100_2019": "foreign_residents_2019 per 100 residents (Jan 2019)",
    "prefecture_titp_per_1000_2018": "The prefecture's technical intern trainees at the end of December 2018 (ISA, "
    "by prefecture) per 1,000 of its residents on 1 January 2019; the last pre-survey count (no municipal table "
    "before end-2021)",
    # Measured after the survey: descriptive maps and the robustness column.
    "population": "Residents on 1 January 2022, 住民基本台帳 (MIC)",
    "foreign_residents": "Foreign residents on 1 January 2022, 住民基本台帳 (MIC)",
    "titp_trainees": "Technical intern trainees (six 技能実習 statuses), end of December 2022 (ISA); missing where censored",
    "pop_change_2021_22": "Population change 1 Jan 2021 to 1 Jan 2022 (%), 住民基本台帳 (MIC)",
    "titp_censored": "True where ISA suppresses the municipality (ten or fewer foreign residents), end-2022 table",
    "titp_per_1000": "titp_trainees per 1,000 residents (population, Jan 2022)",
    "foreign_per_100": "foreign_residents per 100 residents (Jan 2022)",
    "titp_trainees_2021": "Technical intern trainees, end of December 2021 (ISA), the first municipal count; "
    "missing where censored",
    "titp_censored_2021": "True where the end-2021 ISA table suppresses the municipality (ten or fewer foreign residents)",
    "titp_per_1000_2021": "titp_trainees_2021 per 1,000 residents on 1 January 2022",
    "area_km2": f"Area in km² of the MLIT N03 2021 polygon, computed in {AREA_CRS} (equal-area)",
    "geometry": "MLIT N03 polygon, boundaries as of 1 January 2021, WGS84 (EPSG:4326)",
}
KINDS = ("special_ward", "designated_city", "city", "town", "village")


@dataclass(frozen=True)
class JoinReport:
    """What happened in one left join of the frame onto a table."""

    table: str
    frame_rows: int
    table_rows: int
    matched: int
    frame_unmatched: list[str]
    table_unmatched: dict[str, int]  # unmatched table rows by what they are
    recoded: tuple = ()  # (old code, new code, what happened) mapped before the join

    def as_row(self) -> dict[str, object]:
        return {
            "table": self.table,
            "frame rows": self.frame_rows,
            "table rows": self.table_rows,
            "matched": self.matched,
            "frame rows unmatched": len(self.frame_unmatched),
            "table rows unmatched": sum(self.table_unmatched.values()),
            "unmatched table rows are": "; ".join(f"{k}: {v}" for k, v in self.table_unmatched.items()) or "-",
            "codes mapped": "; ".join(f"{old} → {new} ({note})" for old, new, note in self.recoded) or "-",
        }


def classify_code(code5: str, designated_cities: set[str]) -> str:
    """What a code that is not a frame municipality stands for (for join reports)."""
    if is_prefecture_total(code5):
        return "prefecture totals"
    if code5 == "13100":
        return "Tokyo special-ward aggregate (13100)"
    if code5 in NORTHERN_TERRITORIES:
        return "Northern Territories villages"
    if is_ward_of_designated_city(code5) and code5 not in designated_cities:
        return "wards of designated cities"
    if code5[2] in "34567" and code5[4] == "0":
        return "district (郡) subtotals"
    return "other codes"


def account_join(
    frame: pd.DataFrame, table: pd.DataFrame, name: str, designated_cities: set[str]
) -> tuple[pd.DataFrame, JoinReport]:
    """Left-join ``table`` onto ``frame`` by ``code`` (one to one) and report the counts.
    Codes that changed since the table's date (``codes.CODE_CHANGES``) are mapped to the
    frame's first, and reported."""
    new_codes, recoded = recode(list(table["code"]), CODE_CHANGES)
    if recoded:
        table = table.assign(code=pd.Series(new_codes, index=table.index, dtype=table["code"].dtype))
    merged = frame.merge(table, on="code", how="left", validate="one_to_one", indicator=True)
    frame_unmatched = sorted(merged.loc[merged["_merge"] == "left_only", "code"])
    leftover = table.loc[~table["code"].isin(frame["code"]), "code"]
    kinds = leftover.map(lambda c: classify_code(c, designated_cities)).value_counts().sort_index()
    report = JoinReport(
        table=name,
        frame_rows=len(frame),
        table_rows=len(table),
        matched=int((merged["_merge"] == "both").sum()),
        frame_unmatched=frame_unmatched,
        table_unmatched={str(k): int(v) for k, v in kinds.items()},
        recoded=tuple(recoded),
    )
    return merged.drop(columns="_merge"), report


def designated_city_codes(city_level_codes: set[str], ward_level_codes: set[str]) -> set[str]:
    """Designated cities: codes of the city-level layer that the ward-level layer splits."""
    return set(city_level_codes) - set(ward_level_codes)


def prefecture_trainee_rate(
    trainees_2018: pd.DataFrame, population_2019: pd.DataFrame, prefectures: dict[str, str]
) -> pd.DataFrame:
    """Each prefecture's technical interns at the end of 2018 per 1,000 of its residents on
    1 January 2019: ``prefecture_code``, ``titp_trainees_2018``, ``prefecture_titp_per_1000_2018``.

    ``trainees_2018`` is the ISA table by prefecture (``sources.read_residence_status_by_prefecture``,
    names as printed; its 未定・不詳 row is left out), ``population_2019`` the register table
    (prefecture rows have codes ending in 000) and ``prefectures`` maps code to full name."""
    listed = trainees_2018.loc[trainees_2018["prefecture"] != "未定・不詳"]
    listed = listed.assign(prefecture_code=prefecture_code_of(listed["prefecture"], prefectures))
    rows = population_2019.loc[population_2019["code"].str.endswith("000")]
    population = rows.set_index(rows["code"].str[:2])["population"]
    out = pd.DataFrame({"prefecture_code": sorted(prefectures)})
    out["titp_trainees_2018"] = out["prefecture_code"].map(listed.set_index("prefecture_code")["titp_trainees"])
    out["prefecture_titp_per_1000_2018"] = 1000 * out["titp_trainees_2018"] / out["prefecture_code"].map(population)
    missing = out.loc[out.isna().any(axis=1), "prefecture_code"].tolist()
    if missing:
        raise ValueError(f"no end-2018 trainee count or 2019 population for prefectures {missing}")
    return out


def trainee_values(
    prefecture_rate: pd.DataFrame, national_2018: int, national_2019: int, national_2022: int
) -> dict[str, tuple]:
    """The trainee counts the manuscript cites, as ``key -> (value, description[, digits])``
    for ``Values.record_all``: the ISA's national totals at the end of 2018, 2019 and 2022,
    the change 2019-22, and the range of the prefectures' rates of ``prefecture_trainee_rate``."""
    rate = prefecture_rate["prefecture_titp_per_1000_2018"]
    return {
        "titp_national": (national_2022, "TITP trainees in Japan, end-2022 (ISA national total)"),
        "titp_national_2019": (national_2019, "TITP trainees in Japan, end-2019 (ISA national total)"),
        "titp_change_2019_22": (
            100 * (national_2022 / national_2019 - 1),
            "Change in national trainees, end-2019 to end-2022 (%)",
            1,
        ),
        "titp_national_2018": (national_2018, "TITP trainees in Japan, end-2018 (ISA national total)"),
        "prefecture_titp_per_1000_2018_min": (
            float(rate.min()),
            "Lowest prefectural trainees per 1,000 residents, end-2018",
        ),
        "prefecture_titp_per_1000_2018_max": (
            float(rate.max()),
            "Highest prefectural trainees per 1,000 residents, end-2018",
        ),
    }


def build_frame(
    boundaries: gpd.GeoDataFrame,
    ward_level_codes: set[str],
    fiscal: pd.DataFrame,
    population_2022: pd.DataFrame,
    population_2021: pd.DataFrame,
    foreign_2022: pd.DataFrame,
    residence_status_2022: pd.DataFrame,
    *,
    population_2019: pd.DataFrame,
    population_2018: pd.DataFrame,
    foreign_2019: pd.DataFrame,
    residence_status_2021: pd.DataFrame,
    prefecture_trainees_2018: pd.DataFrame,
) -> tuple[gpd.GeoDataFrame, list[JoinReport]]:
    """Join the public tables onto the boundary layer and derive the frame's columns.

    The keyword tables are the pre-survey measures (register of 1 January 2019 and 2018,
    foreign residents of 1 January 2019, ``prefecture_trainee_rate``) and the first municipal
    trainee count (end-2021). Raises if a covariate that must be complete (population,
    fiscal strength) is missing for any municipality, naming them; TITP counts may be missing
    only as flagged censoring.
    """
    designated = designated_city_codes(set(boundaries["code"]), ward_level_codes)
    frame = boundaries.copy()
    frame.insert(1, "prefecture_code", frame["code"].str[:2])
    frame.insert(4, "kind", [municipality_kind(c, n, designated) for c, n in zip(frame["code"], frame["name_ja"])])
    reports = []

    def renamed(table, name):
        return table[["code", "population"]].rename(columns={"population": name})

    steps = [
        (f"MIC fiscal indicators FY{fiscal.attrs.get('fiscal_year', '?')}", fiscal.drop(columns="name_fiscal")),
        ("MIC register 2019-01-01 (all residents)", renamed(population_2019, "population_2019")),
        ("MIC register 2018-01-01 (all residents)", renamed(population_2018, "population_2018")),
        ("MIC register 2019-01-01 (foreign residents)", renamed(foreign_2019, "foreign_residents_2019")),
        ("MIC register 2022-01-01 (all residents)", population_2022[["code", "population"]]),
        ("MIC register 2021-01-01 (all residents)", renamed(population_2021, "population_2021")),
        ("MIC register 2022-01-01 (foreign residents)", renamed(foreign_2022, "foreign_residents")),
        (
            "ISA residence status end-2021",
            residence_status_2021[["code", "titp_trainees"]].rename(columns={"titp_trainees": "titp_trainees_2021"}),
        ),
        ("ISA residence status end-2022", residence_status_2022[["code", "titp_trainees"]]),
    ]
    for name, table in steps:
        frame, report = account_join(frame, table, name, designated)
        reports.append(report)
    complete = (
        "population",
        "population_2021",
        "population_2019",
        "population_2018",
        "foreign_residents",
        "foreign_residents_2019",
        "fiscal_strength",
    )
    for column in complete:
        missing = frame.loc[frame[column].isna(), "code"].tolist()
        if missing:
            raise ValueError(f"{column} is missing for {len(missing)} municipalities: {missing[:10]}")
    frame["pop_change_2018_19"] = 100 * (frame["population_2019"] - frame["population_2018"]) / frame["population_2018"]
    frame["foreign_per_100_2019"] = 100 * frame["foreign_residents_2019"] / frame["population_2019"]
    rate = prefecture_trainees_2018.set_index("prefecture_code")["prefecture_titp_per_1000_2018"]
    frame["prefecture_titp_per_1000_2018"] = frame["prefecture_code"].map(rate)
    missing = sorted(set(frame.loc[frame["prefecture_titp_per_1000_2018"].isna(), "prefecture_code"]))
    if missing:
        raise ValueError(f"prefecture_titp_per_1000_2018 is missing for prefectures {missing}")
    frame["pop_change_2021_22"] = 100 * (frame["population"] - frame["population_2021"]) / frame["population_2021"]
    for suffix in ("", "_2021"):
        trainees = f"titp_trainees{suffix}"
        frame[f"titp_censored{suffix}"] = frame[trainees].isna()
        frame[trainees] = frame[trainees].astype("Int64")
        frame[f"titp_per_1000{suffix}"] = 1000 * frame[trainees].astype("Float64") / frame["population"]
    frame["foreign_per_100"] = 100 * frame["foreign_residents"] / frame["population"]
    frame["area_km2"] = frame.geometry.to_crs(AREA_CRS).area / 1e6
    for column in ("population", "foreign_residents", "population_2019", "foreign_residents_2019"):
        frame[column] = frame[column].astype("int64")
    frame = frame.drop(columns=["population_2018", "population_2021"])
    order = [c for c in COLUMNS if c in frame.columns] + [c for c in frame.columns if c not in COLUMNS]
    frame = gpd.GeoDataFrame(frame[order], geometry="geometry", crs=boundaries.crs)
    return frame.sort_values("code").reset_index(drop=True), reports


def source_values(fiscal: pd.DataFrame, excluded: pd.DataFrame) -> dict[str, tuple]:
    """What the frame's sources are, as ``key -> (value, description[, text])`` for
    ``Values.record_all``: the fiscal year of the MIC table ``fiscal``, the date each source
    describes (``sources.VINTAGES``), the ISA's suppression threshold and the number of boundary
    features left out of the frame (``excluded``)."""
    year = fiscal.attrs["fiscal_year"]
    out = {"fiscal_year": (year, "Fiscal year of the MIC indicators", str(year))}
    for key, date in VINTAGES.items():
        out[f"date_{key}"] = (date, f"Date the {key.replace('_', ' ')} data describe", date)
    out["isa_suppression_max"] = (
        ISA_SUPPRESSION_MAX,
        "ISA does not list municipalities with at most this many foreign residents",
        "ten",
    )
    out["n_features_excluded"] = (len(excluded), "Boundary features left out (Northern Territories, 所属未定地)")
    return out


def check_frame(frame: pd.DataFrame) -> dict[str, int]:
    """Assert the frame's invariants; return the count of municipalities by kind."""
    problems = []
    if len(frame) != EXPECTED_MUNICIPALITIES:
        problems.append(f"{len(frame)} rows, expected {EXPECTED_MUNICIPALITIES}")
    if frame["code"].duplicated().any():
        problems.append("duplicate codes")
    if not frame["code"].str.fullmatch(r"\d{5}").all():
        problems.append("codes that are not 5 digits")
    unknown = set(frame["kind"]) - set(KINDS)
    if unknown:
        problems.append(f"unknown kinds {unknown}")
    for suffix in ("", "_2021"):
        if (frame[f"titp_trainees{suffix}"].isna() != frame[f"titp_censored{suffix}"]).any():
            problems.append(f"TITP counts{suffix} missing without the censoring flag")
    if not frame.geometry.is_valid.all():
        problems.append("invalid geometries")
    if not frame.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        problems.append(
            f"non-polygonal geometries: {sorted(frame.loc[~frame.geom_type.isin(['Polygon', 'MultiPolygon']), 'code'])}"
        )
    if list(frame.columns) != list(COLUMNS):
        problems.append(f"columns differ from the codebook (frame.COLUMNS): {list(frame.columns)}")
    if problems:
        raise ValueError("The municipal frame is wrong: " + "; ".join(problems))
    counts = frame["kind"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in KINDS}


def trainees_by_prefecture(frame: pd.DataFrame) -> pd.DataFrame:
    """Trainees and residents of the listed (not suppressed) municipalities summed by
    prefecture, with trainees ``per_1000`` residents."""
    listed = frame.loc[~frame["titp_censored"]]
    out = listed.groupby("prefecture")[["titp_trainees", "population"]].sum()
    out["per_1000"] = 1000 * out["titp_trainees"] / out["population"]
    return out


def frame_values(frame: pd.DataFrame, joins: list[JoinReport], national_titp: int) -> dict[str, tuple]:
    """The numbers of the frame the manuscript cites, as ``key -> (value, description[,
    digits])`` for ``Values.record_all``: municipalities by kind, residents, trainees (against
    the ``national_titp`` total of the ISA), suppression, the covariates' medians, and the
    codes the joins (``joins``, from ``build_frame``) mapped."""
    titp = frame["titp_trainees"]
    listed = frame.loc[~frame["titp_censored"]]
    counts = frame["kind"].value_counts()
    strong = frame.loc[frame["kind"] != "special_ward", "fiscal_strength"] >= 1
    mapped = {old for report in joins for old, _, _ in report.recoded}
    out = {"n_municipalities": (len(frame), "Municipalities in the frame")}
    out |= {f"n_{kind}": (int(counts.get(kind, 0)), f"Municipalities of kind {kind}") for kind in KINDS}
    out |= {
        "population_total_millions": (frame["population"].sum() / 1e6, "Residents, 1 Jan 2022, millions", 1),
        "titp_total": (int(titp.sum()), "TITP trainees in listed municipalities, end-2022"),
        "n_titp_above_foreign": (
            int((listed["titp_trainees"] > listed["foreign_residents"]).sum()),
            "Listed municipalities with more trainees (Dec 2022) than foreign residents (Jan 2022)",
        ),
        "top_prefecture_titp": (
            trainees_by_prefecture(frame)["per_1000"].idxmax(),
            "Prefecture with the most trainees per 1,000 residents",
        ),
        "titp_listed_share": (
            100 * titp.sum() / national_titp,
            "Share of the national trainees located in listed frame municipalities (%)",
            1,
        ),
        "n_titp_censored": (
            int(frame["titp_censored"].sum()),
            "Municipalities suppressed in the ISA table (≤ 10 foreign residents)",
        ),
        "n_titp_zero": (int((titp == 0).sum()), "Listed municipalities with no trainees"),
        "median_titp_per_1000": (
            float(frame["titp_per_1000"].median()),
            "Median trainees per 1,000 residents (listed municipalities)",
        ),
        "median_fiscal_strength": (float(frame["fiscal_strength"].median()), "Median fiscal strength index"),
        "n_fiscal_strength_above_1": (
            int(strong.sum()),
            "Municipalities (special wards aside) with fiscal strength ≥ 1",
        ),
        "median_pop_change_2021_22": (
            float(frame["pop_change_2021_22"].median()),
            "Median population change 2021–22 (%)",
        ),
        "n_population_declining": (
            int((frame["pop_change_2021_22"] < 0).sum()),
            "Municipalities whose population fell 2021–22",
        ),
        "median_pop_change_2018_19": (
            float(frame["pop_change_2018_19"].median()),
            "Median population change 2018–19 (%)",
        ),
        "n_population_declining_2018_19": (
            int((frame["pop_change_2018_19"] < 0).sum()),
            "Municipalities whose population fell 2018–19",
        ),
        "median_foreign_per_100_2019": (
            float(frame["foreign_per_100_2019"].median()),
            "Median foreign residents per 100 residents, 1 Jan 2019",
        ),
        "n_codes_mapped": (len(mapped), "Municipal codes renumbered since a table's date, mapped before joining"),
        "n_titp_censored_2021": (
            int(frame["titp_censored_2021"].sum()),
            "Municipalities suppressed in the end-2021 ISA table",
        ),
    }
    return out


def codebook() -> pd.DataFrame:
    """The frame's columns and what they hold, for display."""
    return pd.DataFrame({"column": list(COLUMNS), "meaning": list(COLUMNS.values())}).set_index("column")


def join_table(reports: list[JoinReport]) -> pd.DataFrame:
    """The join reports as one table for display."""
    return pd.DataFrame([r.as_row() for r in reports]).set_index("table")


def censoring_summary(frame: pd.DataFrame) -> pd.Series:
    """How the municipalities without an ISA row compare with the suppression rule (≤ 10)."""
    censored = frame.loc[frame["titp_censored"]]
    return pd.Series(
        {
            "censored municipalities": len(censored),
            "of which ≤ 10 foreign residents (register, Jan 2022)": int((censored["foreign_residents"] <= 10).sum()),
            "max foreign residents among censored": int(censored["foreign_residents"].max()) if len(censored) else 0,
        }
    )


__all__ = [
    "AREA_CRS",
    "MAP_CRS",
    "JoinReport",
    "account_join",
    "build_frame",
    "censoring_summary",
    "check_frame",
    "classify_code",
    "codebook",
    "designated_city_codes",
    "frame_values",
    "join_table",
    "prefecture_trainee_rate",
    "source_values",
    "trainee_values",
    "trainees_by_prefecture",
]
