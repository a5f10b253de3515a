"""Diffusion of labour agreements across prefectures: a discrete-time event-history model.

Each prefecture is followed year by year from ``START`` (2019, the year after its covariates
are measured) to ``END``. Its **event** is the first formal, signed, labour-related agreement
of the prefectural government with a sending-country entity (``register.labour_signed``).
A prefecture is *at risk* in a year if it has not had the event before that year; it leaves
the risk set after the year of its event. Prefectures whose first such agreement came before
``START`` are **early adopters**: described, but never at risk.

The hazard h(t) = P(event in year t | no event before t) is modelled with a logit on the
prefecture-year rows (the person-period data set):

    logit h_it = a + b'x_i + c (t - START) + d s_i,t-1,

with x the prefecture's covariates measured before 2019 and s_{i,t-1} the share of its
neighbours (land borders plus a committed list of sea links) that had signed by the end of
the previous year. Standard errors are clustered by prefecture. The survival curve
S(t) = prod_{u <= t} (1 - h(u)) of the life table gives the share not yet signed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import statsmodels.api as sm

from .codes import prefecture_code_of
from .frame import prefecture_trainee_rate

START, END = 2019, 2025
#: MIC fiscal year of the prefectures' fiscal strength: 平成30年度 (FY2018), the year before START.
FISCAL_YEAR = "H30"
#: Periods of the robustness model (dummies instead of the linear trend; the first is the reference).
PERIODS = {"2019": (2019, 2019), "2020-22": (2020, 2022), "2023-25": (2023, 2025)}
#: The covariates of the hazard model, in order (the neighbour share and the trend follow).
COVARIATES = ("fiscal_strength", "titp_per_1000", "pop_change_2018_19")
TERMS = (*COVARIATES, "neighbour_share", "trend")
LABELS = {
    "fiscal_strength": "Fiscal strength index, FY2018",
    "titp_per_1000": "Technical interns per 1,000 residents, end of 2018",
    "pop_change_2018_19": "Population change 2018-19 (%)",
    "neighbour_share": "Share of neighbouring prefectures signed by the previous year",
    "trend": "Year (0 = 2019)",
    "period_2020-22": "Years 2020-22 (against 2019)",
    "period_2023-25": "Years 2023-25 (against 2019)",
}


def prefecture_covariates(
    population_2019: pd.DataFrame,
    population_2018: pd.DataFrame,
    fiscal: pd.DataFrame,
    trainees_2018: pd.DataFrame,
    prefectures: dict[str, str],
) -> pd.DataFrame:
    """One row per prefecture with the hazard model's covariates, all measured before 2019.

    ``population_*`` are the resident-register tables (``sources.read_resident_register``;
    prefecture rows have codes ending in 000), ``fiscal`` the prefecture fiscal sheet and
    ``trainees_2018`` the end-2018 ISA table by prefecture (its 未定・不詳 row is left out).
    """

    def prefecture_rows(table: pd.DataFrame) -> pd.Series:
        rows = table.loc[table["code"].str.endswith("000")]
        return rows.set_index(rows["code"].str[:2])["population"]

    pop19, pop18 = prefecture_rows(population_2019), prefecture_rows(population_2018)
    out = pd.DataFrame({"prefecture_code": sorted(prefectures)})
    out["prefecture"] = out["prefecture_code"].map(prefectures)
    out["population_2019"] = out["prefecture_code"].map(pop19)
    out["pop_change_2018_19"] = 100 * (out["population_2019"] / out["prefecture_code"].map(pop18) - 1)
    fiscal = fiscal.assign(prefecture_code=prefecture_code_of(fiscal["prefecture"], prefectures))
    out["fiscal_strength"] = out["prefecture_code"].map(fiscal.set_index("prefecture_code")["fiscal_strength"])
    # the same rate the municipal models use (the prefecture's trainees per 1,000 residents)
    rate = prefecture_trainee_rate(trainees_2018, population_2019, prefectures).set_index("prefecture_code")
    out["titp_trainees_2018"] = out["prefecture_code"].map(rate["titp_trainees_2018"])
    out["titp_per_1000"] = out["prefecture_code"].map(rate["prefecture_titp_per_1000_2018"])
    missing = out.columns[out.isna().any()].tolist()
    if missing:
        raise ValueError(f"prefecture covariates incomplete in {missing}")
    return out


def first_event_rows(register: pd.DataFrame, events: pd.Series) -> pd.DataFrame:
    """For each prefecture with an event, the register row of its first one: ``events`` marks
    the rows that count (formal, signed, labour-related prefectural agreements). Indexed by
    prefecture code."""
    rows = register.loc[events & (register["jp_level"] == "prefecture")]
    return rows.sort_values(["signed_date", "agreement_id"]).groupby("jp_code").head(1).set_index("jp_code")


def first_event_year(register: pd.DataFrame, events: pd.Series, prefectures: list[str]) -> pd.Series:
    """For each prefecture code, the year of its first event (NaN if none)."""
    first = first_event_rows(register, events)["signed_year"]
    return pd.Series(prefectures, index=prefectures).map(first).astype("Float64").rename("first_year")


def person_period(first_year: pd.Series, start: int = START, end: int = END) -> pd.DataFrame:
    """The prefecture-year risk set: one row per prefecture and year from ``start`` until its
    event (inclusive) or ``end``; ``event`` is 1 in the year of the first agreement. Early
    adopters (first agreement before ``start``) have no rows."""
    rows = []
    for code, first in first_year.items():
        if pd.notna(first) and first < start:
            continue
        last = end if pd.isna(first) else min(int(first), end)
        for year in range(start, last + 1):
            rows.append((code, year, int(pd.notna(first) and year == first)))
    panel = pd.DataFrame(rows, columns=["prefecture_code", "year", "event"])
    panel["trend"] = panel["year"] - start
    return panel


def early_adopters(first_year: pd.Series, start: int = START) -> pd.Series:
    """Prefectures whose first agreement came before ``start``, with its year."""
    return first_year.loc[first_year.notna() & (first_year < start)].astype(int)


def neighbour_share(panel: pd.DataFrame, first_year: pd.Series, neighbours: dict[str, set[str]]) -> pd.Series:
    """For each prefecture-year, the share of the prefecture's neighbours whose first agreement
    came by the end of the previous year (early adopters included; 0 for no neighbours)."""

    def share(code: str, year: int) -> float:
        near = neighbours.get(code, set())
        if not near:
            return 0.0
        signed = [n for n in near if pd.notna(first_year.get(n)) and first_year[n] <= year - 1]
        return len(signed) / len(near)

    return pd.Series(
        [share(c, y) for c, y in zip(panel["prefecture_code"], panel["year"])],
        index=panel.index,
        name="neighbour_share",
    )


def risk_set(
    register: pd.DataFrame,
    events: pd.Series,
    prefectures: list[str],
    neighbours: dict[str, set[str]],
    start: int = START,
    end: int = END,
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """The steps from the register to the prefecture-years at risk, in one call: the year of
    each prefecture's first event, the early adopters, and the person-period rows with the
    lagged neighbour share (covariates are joined by ``design``)."""
    first = first_event_year(register, events, prefectures)
    panel = person_period(first, start=start, end=end)
    panel["neighbour_share"] = neighbour_share(panel, first, neighbours)
    return first, early_adopters(first, start=start), panel


def sample_counts(data: pd.DataFrame, early: pd.Series) -> dict[str, int]:
    """What a hazard model rests on, as the tables report it."""
    return {
        "Early adopters (not at risk)": len(early),
        "Prefectures at risk": int(data["prefecture_code"].nunique()),
        "First agreements (events)": int(data["event"].sum()),
        "Prefecture-years": len(data),
    }


def prefecture_polygons(path: Path, prefectures: dict[str, str]) -> gpd.GeoDataFrame:
    """The 47 prefecture polygons of ``japan-topography/prefectures.json`` (WGS84, undeclared in
    the file) with their two-digit codes, repaired to valid polygons."""
    from .sources import polygonal

    layer = gpd.read_file(path).set_crs("EPSG:4326", allow_override=True)
    layer["prefecture_code"] = prefecture_code_of(layer["N03_001"], prefectures)
    layer["geometry"] = polygonal(layer.geometry.make_valid())
    return layer


def read_covariates(prefectures: dict[str, str]) -> pd.DataFrame:
    """``prefecture_covariates`` from the verified public files: population on 1 January 2019
    and 2018, the prefectures' fiscal strength in ``FISCAL_YEAR`` and technical interns at the
    end of 2018."""
    from .base.manifest import verified
    from .sources import read_prefecture_fiscal, read_residence_status_by_prefecture, read_resident_register

    return prefecture_covariates(
        read_resident_register(verified("japandata-sources/1903ssjin.xls")),
        read_resident_register(verified("japandata-sources/1803ssjin.xls")),
        read_prefecture_fiscal(verified("japandata-sources/indices.tar.gz"), FISCAL_YEAR),
        read_residence_status_by_prefecture(verified("moj-zairyu/18-12-05-0.xlsx")),
        prefectures,
    )


def read_sea_links(path: Path) -> pd.DataFrame:
    """The committed sea links (two prefecture codes per row, with the crossing named)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("code_a", "code_b"):
        bad = table.loc[~table[column].str.fullmatch(r"(0[1-9]|[1-3][0-9]|4[0-7])"), column]
        if len(bad):
            row = bad.index[0] + 2
            raise ValueError(f"{path.name}, line {row}, column {column}: {bad.iloc[0]!r} is not a prefecture code")
    return table


def contiguity(prefectures: gpd.GeoDataFrame, sea_links: pd.DataFrame) -> dict[str, set[str]]:
    """Neighbours of each prefecture: shared land border (queen contiguity of the polygons)
    plus the sea links. ``prefectures`` needs ``prefecture_code`` and polygons."""
    from libpysal.weights import Queen

    gdf = prefectures.reset_index(drop=True)
    weights = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    codes = gdf["prefecture_code"].tolist()
    neighbours = {codes[i]: {codes[j] for j in weights.neighbors[i]} for i in range(len(codes))}
    for a, b in zip(sea_links["code_a"], sea_links["code_b"]):
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


def design(panel: pd.DataFrame, covariates: pd.DataFrame, terms=TERMS) -> pd.DataFrame:
    """The person-period rows with the prefecture covariates joined (counted: every row must
    find its prefecture)."""
    joined = panel.merge(covariates, on="prefecture_code", how="left", validate="many_to_one")
    missing = [t for t in terms if t in joined and joined[t].isna().any()]
    if missing:
        raise ValueError(f"prefecture-years without {missing}")
    return joined


def period_dummies(data: pd.DataFrame, periods: dict[str, tuple[int, int]] = PERIODS) -> pd.DataFrame:
    """``data`` with a dummy ``period_<label>`` for each period but the first (the reference)."""
    out = data.copy()
    for label, (first, last) in list(periods.items())[1:]:
        out[f"period_{label}"] = data["year"].between(first, last).astype(float)
    return out


def fit_hazard(data: pd.DataFrame, terms=TERMS, year_dummies: bool = False):
    """Logit of the event on ``terms`` (or on one dummy per year, no constant, when
    ``year_dummies``). Standard errors are clustered by prefecture, with t tests and intervals
    on G - 1 degrees of freedom (G prefectures), as in the municipal models: the clustering
    guards against a misspecified hazard (the person-period likelihood is a product of
    conditionally independent terms only if the model is right), and few clusters call for t."""
    if year_dummies:
        x = pd.get_dummies(data["year"], prefix="year", dtype=float)
    else:
        x = sm.add_constant(data[list(terms)].astype(float))
    groups = pd.factorize(data["prefecture_code"])[0]
    model = sm.Logit(data["event"].astype(float), x)
    return model.fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups}, use_t=True, maxiter=200)


def estimates(result, labels=LABELS) -> pd.DataFrame:
    """Coefficients, odds ratios, clustered SEs and 95% intervals of a fitted hazard model."""
    ci = result.conf_int()
    out = pd.DataFrame(
        {
            "term": result.params.index,
            "label": [labels.get(t, t) for t in result.params.index],
            "coef": result.params.to_numpy(),
            "se": result.bse.to_numpy(),
            "p": result.pvalues.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
        }
    )
    out["odds_ratio"] = np.exp(out["coef"])
    return out


def life_table(panel: pd.DataFrame) -> pd.DataFrame:
    """By year: prefectures at risk, events, the hazard (events / at risk) and the survival
    S(t), the share of the at-risk prefectures not yet signed at the end of year t."""
    table = panel.groupby("year").agg(at_risk=("event", "size"), events=("event", "sum")).reset_index()
    table["hazard"] = table["events"] / table["at_risk"]
    table["survival"] = (1 - table["hazard"]).cumprod()
    return table


def risk_set_values(
    register: pd.DataFrame,
    events: pd.Series,
    data: pd.DataFrame,
    early: pd.Series,
    life: pd.DataFrame,
    sea_links: pd.DataFrame,
    start: int = START,
    end: int = END,
) -> dict[str, tuple]:
    """The risk set's numbers the manuscript cites, as ``key -> (value, description[, digits
    or text])`` for ``Values.record_all``: its years, early adopters, prefectures, events and
    prefecture-years (``data``, from ``design``), the survival and yearly hazards of the life
    table (``life``), the sea links, and the events whose date is partly inferred (the first
    rows of ``events`` in ``register``)."""
    hazard = life.set_index("year")["hazard"]
    middle = life.loc[life["year"].between(2020, 2022)]
    first_rows = first_event_rows(register, events)
    at_risk_events = first_rows.loc[first_rows["signed_year"].between(start, end)]
    return {
        "n_sea_links": (len(sea_links), "Sea links between prefectures added to the land borders"),
        "dif_start": (start, "First year of the risk set", str(start)),
        "dif_end": (end, "Last year of the risk set", str(end)),
        "dif_n_early": (len(early), "Prefectures with a labour agreement before the risk set (early adopters)"),
        "dif_n_at_risk": (int(data["prefecture_code"].nunique()), "Prefectures at risk"),
        "dif_n_events": (int(data["event"].sum()), "First labour agreements in the risk set"),
        "dif_n_rows": (len(data), "Prefecture-years at risk"),
        "dif_share_not_signed": (
            100 * float(life["survival"].iloc[-1]),
            "Share of the prefectures at risk not signed by the last year (%)",
            0,
        ),
        "dif_hazard_2019": (100 * hazard[2019], "Yearly hazard in 2019 (%)", 0),
        "dif_hazard_2020_22": (
            100 * middle["events"].sum() / middle["at_risk"].sum(),
            "Pooled yearly hazard 2020-22 (%)",
            0,
        ),
        "dif_hazard_2023": (100 * hazard[2023], "Yearly hazard in 2023 (%)", 0),
        "dif_n_events_unconfirmed": (
            int((at_risk_events["source_status"] == "unconfirmed").sum()),
            "Events whose date is partly inferred (source_status unconfirmed)",
        ),
    }


def simulate(n_units: int, years: int, coef: dict[str, float], rng: np.random.Generator) -> pd.DataFrame:
    """Person-period data from a known logit hazard with one unit-level covariate ``x`` and a
    linear ``trend``: each unit is followed until its event or for ``years`` years."""
    x = rng.normal(size=n_units)
    rows = []
    for unit in range(n_units):
        for t in range(years):
            eta = coef["const"] + coef["x"] * x[unit] + coef["trend"] * t
            event = int(rng.random() < 1 / (1 + np.exp(-eta)))
            rows.append((f"u{unit}", START + t, t, x[unit], event))
            if event:
                break
    return pd.DataFrame(rows, columns=["prefecture_code", "year", "trend", "x", "event"])


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def hazard_table(models: dict[str, pd.DataFrame], footers: dict[str, dict[str, int]], labels=LABELS) -> pd.DataFrame:
    """The hazard models side by side as the paper prints them: per term an odds ratio with
    stars and, below it, its 95% interval; then the counts of each model (``footers``:
    model -> {row label: number}). ``models`` maps a column title to ``estimates(...)``."""
    terms = list(dict.fromkeys(t for est in models.values() for t in est["term"] if t != "const"))
    rows = []
    for term in terms:
        estimate = {"Term": labels.get(term, term), "row": "estimate"}
        interval = {"Term": "", "row": "interval"}
        for title, est in models.items():
            hit = est.loc[est["term"] == term]
            if hit.empty:
                estimate[title], interval[title] = "", ""
                continue
            row = hit.iloc[0]
            estimate[title] = f"{row['odds_ratio']:.2f}{_stars(row['p'])}"
            interval[title] = f"({np.exp(row['ci_low']):.2f} to {np.exp(row['ci_high']):.2f})"
        rows += [estimate, interval]
    for label in next(iter(footers.values())):
        rows.append({"Term": label, "row": "count", **{title: f"{footers[title][label]:,}" for title in models}})
    return pd.DataFrame(rows, columns=["Term", "row", *models])


def hazard_values(
    standardised: pd.DataFrame,
    main: pd.DataFrame,
    by_periods: pd.DataFrame,
    strict: pd.DataFrame,
    strict_data: pd.DataFrame,
    early_strict: pd.Series,
) -> dict[str, tuple]:
    """The hazard models' numbers the manuscript cites, as ``key -> (value, description[,
    digits or text])`` for ``Values.record_all``: the covariates' standard deviations
    (``standardised.attrs["sd"]``, from ``standardise``), each term of the main model
    (``main``, from ``estimates``: odds ratio, interval, p-value and the finding in words), the
    interns and the neighbour share in the two checks (period dummies ``by_periods``, events
    wholly about workers ``strict``) and the stricter risk set (``strict_data``,
    ``early_strict``)."""
    # imported here, not above: the figure notebooks that read this module need neither
    from .record import p_phrase
    from .words import hazard_finding

    out = {}
    for column, sd in standardised.attrs["sd"].items():
        out[f"dif_sd_{column}"] = (sd, f"Standard deviation over the prefectures: {LABELS[column]}", 2)
    for row in main.loc[main["term"] != "const"].itertuples():
        out[f"dif_or_{row.term}"] = (row.odds_ratio, f"Hazard model: odds ratio of {row.label}", 2)
        out[f"dif_or_{row.term}_low"] = (float(np.exp(row.ci_low)), "Its 95% interval, lower end", 2)
        out[f"dif_or_{row.term}_high"] = (float(np.exp(row.ci_high)), "Its 95% interval, upper end", 2)
        out[f"dif_p_{row.term}"] = (row.p, f"Hazard model: p-value of {row.label}", p_phrase(row.p))
        out[f"dif_finding_{row.term}"] = (hazard_finding(row.coef, row.p), f"Hazard model, in words: {row.label}")
    for name, table in (("per", by_periods), ("strict", strict)):
        for term in ("titp_per_1000", "neighbour_share"):
            row = table.set_index("term").loc[term]
            label = LABELS[term]
            out[f"dif_{name}_or_{term}"] = (row["odds_ratio"], f"Hazard model ({name}): odds ratio of {label}", 2)
            out[f"dif_{name}_p_{term}"] = (
                row["p"],
                f"Hazard model ({name}): p-value of {label}",
                p_phrase(row["p"]),
            )
            out[f"dif_{name}_finding_{term}"] = (
                hazard_finding(row["coef"], row["p"]),
                f"Hazard model ({name}), in words: {label}",
            )
    out["dif_strict_n_early"] = (len(early_strict), "Early adopters when only agreements wholly about workers count")
    out["dif_strict_n_events"] = (
        int(strict_data["event"].sum()),
        "Events when only agreements wholly about workers count",
    )
    out["dif_strict_n_at_risk"] = (
        int(strict_data["prefecture_code"].nunique()),
        "Prefectures at risk when only agreements wholly about workers count",
    )
    return out


def standardise(covariates: pd.DataFrame, columns=COVARIATES) -> pd.DataFrame:
    """The prefecture covariates as z-scores over the 47 prefectures, so that the hazard
    model's odds ratios are per standard deviation and comparable; the standard deviations
    are kept in ``attrs["sd"]``."""
    out = covariates.copy()
    sd = covariates[list(columns)].std(ddof=1)
    for column in columns:
        out[column] = (covariates[column] - covariates[column].mean()) / sd[column]
    out.attrs["sd"] = {column: float(sd[column]) for column in columns}
    return out
