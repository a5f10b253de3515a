"""The outcome and the main specification, defined once and used by the generator and the analysis.

**Assemblage strength** of a municipality is derived, never stored:

- 2 = a formal agreement of its own (written cooperation agreement or MOU) signed 2020–2023;
- 1 = no such agreement, but informal ties reported in the 2019 survey, or an informal tie
  of its own recorded 2020–2023;
- 0 = neither.

Formal agreements are observed for every municipality; the informal tier only for survey
respondents and for recorded ties. A non-respondent with neither a formal agreement nor a
recorded tie therefore has an unknown strength (missing), not 0. Prefecture-level
agreements do not count for the prefecture's municipalities: they enter as **prefecture
exposure**, unless ``push_down`` is asked for as a robustness check.

**Prefecture exposure** (main definition): the prefectural government had signed a formal
agreement about workers (``labour_related`` yes or partly, ``status`` signed) with a
sending-country entity by the end of 2019, before the 2020–2023 outcome window, according to
the public register (``data/public_agreements.csv``); in real mode the author's own formal
prefectural rows dated by then count too (the private list has no labour column). Three
further definitions enter the robustness table (``EXPOSURES``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .private import POLICY_ITEMS, WINDOW
from .register import LABOUR_VALUES, labour_signed

#: The main specification's covariates, in order (the kind dummies have city as reference).
#: All are measured before the 2019 survey: fiscal strength FY2018; population on 1 January
#: 2019 and its change since 1 January 2018; foreign residents per 100 on 1 January 2019; the
#: prefecture's technical interns per 1,000 residents at the end of 2018 (no municipal count
#: exists before the end of 2021); prefecture exposure by the end of 2019.
KINDS = ("kind_designated_city", "kind_special_ward", "kind_town", "kind_village")
COVARIATES = (
    "fiscal_strength",
    "log_population_2019",
    "pop_change_2018_19",
    "foreign_per_100_2019",
    "prefecture_titp_per_1000_2018",
    *KINDS,
    "prefecture_exposure",
)
#: The robustness specification with the covariates of 2021–22, measured after the survey:
#: population on 1 January 2022 and its change since 2021, foreign residents per 100 (2022)
#: and the municipality's own technical interns at the end of 2021, the first municipal count,
#: as log(1 + per 1,000 residents of January 2022). Agreements meant to bring workers raise
#: that count, which is why it is not in the main specification.
COVARIATES_2021_22 = (
    "fiscal_strength",
    "log_population",
    "pop_change_2021_22",
    "foreign_per_100",
    "log_titp_per_1000_2021",
    *KINDS,
    "prefecture_exposure",
)
KIND_REFERENCE = "city"

#: Capacity covariates: the terms the paper's argument is about (measured before the survey).
CAPACITY = COVARIATES[:5]
#: The same in the robustness specification of 2021–22.
CAPACITY_2021_22 = COVARIATES_2021_22[:5]

#: How the tables and figures name each term.
LABELS = {
    "fiscal_strength": "Fiscal strength index (FY2018)",
    "log_population_2019": "Population 2019 (log)",
    "pop_change_2018_19": "Population change 2018–19 (%)",
    "foreign_per_100_2019": "Foreign residents per 100, 2019",
    "prefecture_titp_per_1000_2018": "Prefecture's TITP trainees per 1,000, end-2018",
    "log_population": "Population 2022 (log)",
    "pop_change_2021_22": "Population change 2021–22 (%)",
    "foreign_per_100": "Foreign residents per 100, 2022",
    "log_titp_per_1000_2021": "TITP trainees per 1,000, end-2021 (log 1 + x)",
    "kind_designated_city": "Designated city",
    "kind_special_ward": "Special ward (Tokyo)",
    "kind_town": "Town",
    "kind_village": "Village",
    "prefecture_exposure": "Prefecture signed a labour agreement by 2019",
    "const": "Constant",
    "cut_0/1": "Cut point 0 | 1",
    "cut_1/2": "Cut point 1 | 2",
}


def in_window(dates: pd.Series) -> pd.Series:
    """True for dates inside the outcome window (2020-01-01 to 2023-12-31)."""
    start, end = (pd.Timestamp(d) for d in WINDOW)
    return (dates >= start) & (dates <= end)


#: The definitions of prefecture exposure: column -> (signed by, the ``labour_related`` values
#: that count, or None for any formal agreement, meaning).
EXPOSURES = {
    "prefecture_exposure": ("2019-12-31", LABOUR_VALUES, "labour agreement signed by the end of 2019"),
    "prefecture_exposure_strict": ("2019-12-31", ("yes",), "agreement wholly about workers signed by the end of 2019"),
    "prefecture_exposure_2023": ("2023-12-31", LABOUR_VALUES, "labour agreement signed by the end of 2023"),
    "prefecture_exposure_any": ("2023-12-31", None, "any formal agreement signed by the end of 2023"),
}


def prefecture_exposure(
    agreements: pd.DataFrame | None,
    register: pd.DataFrame | None = None,
    by: str = EXPOSURES["prefecture_exposure"][0],
    labour: tuple[str, ...] | None = EXPOSURES["prefecture_exposure"][1],
) -> set[str]:
    """Prefecture codes whose government had signed a formal agreement by the date ``by``.

    ``register`` is the public register (``translocal.register``): its signed, formal
    prefectural rows count, only those whose ``labour_related`` is in ``labour`` (all when
    None; the default, yes or partly, is ``register.labour_signed``). ``agreements`` is
    the (real or synthetic) private agreement list: its formal prefectural rows count whatever
    their subject, since the list records no labour column; ``None`` for the register alone.
    """
    end = pd.Timestamp(by)
    exposed = set()
    if agreements is not None:
        rows = agreements.loc[(agreements["jp_level"] == "prefecture") & agreements["formal"].astype(bool)]
        rows = rows.loc[rows["signed_on"].notna() & (rows["signed_on"] <= end)]
        exposed |= set(rows["jp_code"].astype(str).str.zfill(2))
    if register is not None:
        exposed |= set(exposure_rows(register, by, labour)["jp_code"].astype(str))
    return exposed


def exposure_rows(
    register: pd.DataFrame,
    by: str = EXPOSURES["prefecture_exposure"][0],
    labour: tuple[str, ...] | None = EXPOSURES["prefecture_exposure"][1],
) -> pd.DataFrame:
    """The rows of the public register that make a prefecture exposed (``prefecture_exposure``):
    signed, formal prefectural agreements by the date ``by`` whose ``labour_related`` is in
    ``labour`` (any subject when None)."""
    if labour is None:
        signed = register["formal"] & (register["status"] == "signed")
    else:
        signed = labour_signed(register, labour)
    return register.loc[signed & (register["jp_level"] == "prefecture") & (register["signed_date"] <= pd.Timestamp(by))]


def exposures(agreements: pd.DataFrame | None, register: pd.DataFrame | None) -> dict[str, set[str]]:
    """The prefectures exposed under each definition of ``EXPOSURES``."""
    return {
        column: prefecture_exposure(agreements, register, by=by, labour=labour)
        for column, (by, labour, _) in EXPOSURES.items()
    }


def register_exposure_values(register: pd.DataFrame) -> dict[str, tuple]:
    """The prefectures exposed under each definition of ``EXPOSURES`` by the public register
    alone, and how many of the main definition's rest only on partly inferred dates, as ``key
    -> (value, description)`` for ``Values.record_all``."""
    from .record import rests_on_inferred_dates  # imported here: only notebook 02 asks for it

    out = {
        "n_exposure_unconfirmed": (
            rests_on_inferred_dates(exposure_rows(register)),
            "Exposed prefectures whose every qualifying agreement has a partly inferred date",
        )
    }
    for column, codes in exposures(None, register).items():
        out[f"n_{column}_register"] = (len(codes), f"Prefectures exposed ({EXPOSURES[column][2]}), register only")
    return out


def assemblage_strength(
    frame: pd.DataFrame,
    survey: pd.DataFrame,
    agreements: pd.DataFrame,
    public: pd.DataFrame | None = None,
    push_down: bool = False,
) -> pd.DataFrame:
    """Per municipality: the parts of the outcome and the outcome itself.

    ``frame`` needs ``code`` and ``prefecture_code``. Returns one row per frame municipality
    with ``responded``, ``formal_agreement``, ``informal_survey``, ``informal_recorded``,
    ``strength`` (Int64, missing where unobserved), ``n_policies`` (respondents),
    ``partner_countries`` and ``prefecture_exposure``.
    """
    base = frame[["code", "prefecture_code"]].copy()
    municipal = agreements.loc[(agreements["jp_level"] == "municipality") & in_window(agreements["signed_on"])]
    formal = municipal.loc[municipal["formal"].astype(bool)]
    informal = municipal.loc[~municipal["formal"].astype(bool)]
    exposed = prefecture_exposure(agreements, public)
    base["formal_agreement"] = base["code"].isin(formal["jp_code"]).astype(int)
    if push_down:
        private_rows = agreements.loc[
            (agreements["jp_level"] == "prefecture")
            & agreements["formal"].astype(bool)
            & in_window(agreements["signed_on"])
        ]
        prefectural = set(private_rows["jp_code"].astype(str).str.zfill(2))
        if public is not None:
            rows = public.loc[
                labour_signed(public) & (public["jp_level"] == "prefecture") & in_window(public["signed_date"])
            ]
            prefectural |= set(rows["jp_code"].astype(str))
        pushed = base["prefecture_code"].isin(prefectural)
        base["formal_agreement"] = (base["formal_agreement"].astype(bool) | pushed).astype(int)
    base["informal_recorded"] = base["code"].isin(informal["jp_code"]).astype(int)
    survey = survey.set_index("code")
    base["responded"] = base["code"].map(survey["responded"]).fillna(0).astype(int)
    base["informal_survey"] = base["code"].map(survey["informal_ties"]).astype("Int64")
    base["n_policies"] = (
        base["code"].map(survey[list(POLICY_ITEMS)].sum(axis=1, min_count=len(POLICY_ITEMS))).astype("Int64")
    )
    informal_any = (base["informal_survey"].fillna(0) == 1) | (base["informal_recorded"] == 1)
    strength = pd.Series(pd.NA, index=base.index, dtype="Int64")
    strength[base["formal_agreement"] == 1] = 2
    strength[(base["formal_agreement"] == 0) & informal_any] = 1
    observed_zero = (base["formal_agreement"] == 0) & ~informal_any & (base["responded"] == 1)
    strength[observed_zero] = 0
    base["strength"] = strength
    countries = municipal.groupby("jp_code")["partner_country"].agg(lambda s: ",".join(sorted(set(s))))
    base["partner_countries"] = base["code"].map(countries).fillna("")
    base["prefecture_exposure"] = base["prefecture_code"].isin(exposed).astype(int)
    return base


def out_of_window(agreements: pd.DataFrame) -> pd.DataFrame:
    """Agreements dated outside 2020–2023: kept in the data, reported, left out of the outcome."""
    return agreements.loc[~in_window(agreements["signed_on"])]


def design_matrix(frame: pd.DataFrame, exposure: pd.Series, covariates=COVARIATES) -> pd.DataFrame:
    """The covariates of a specification (``COVARIATES`` by default, or
    ``COVARIATES_2021_22``) for each municipality, no constant.

    In the 2021–22 specification trainees enter as log(1 + trainees per 1,000 residents);
    censored municipalities (≤ 10 foreign residents, so at most a handful of trainees) enter
    with 0 there, and a robustness column imputes them (``analysis.impute_titp``).
    """
    columns = {
        "fiscal_strength": lambda: frame["fiscal_strength"].astype(float),
        "log_population_2019": lambda: np.log(frame["population_2019"].astype(float)),
        "pop_change_2018_19": lambda: frame["pop_change_2018_19"].astype(float),
        "foreign_per_100_2019": lambda: frame["foreign_per_100_2019"].astype(float),
        "prefecture_titp_per_1000_2018": lambda: frame["prefecture_titp_per_1000_2018"].astype(float),
        "log_population": lambda: np.log(frame["population"].astype(float)),
        "pop_change_2021_22": lambda: frame["pop_change_2021_22"].astype(float),
        "foreign_per_100": lambda: frame["foreign_per_100"].astype(float),
        "log_titp_per_1000_2021": lambda: np.log1p(
            frame["titp_per_1000_2021"].astype("Float64").fillna(0).astype(float)
        ),
        "prefecture_exposure": lambda: pd.Series(exposure.astype(float).to_numpy(), index=frame.index),
    }
    for kind in KINDS:
        columns[kind] = lambda kind=kind: (frame["kind"] == kind.removeprefix("kind_")).astype(float)
    unknown = [c for c in covariates if c not in columns]
    if unknown:
        raise KeyError(f"no rule for covariates {unknown}")
    return pd.DataFrame({c: columns[c]() for c in covariates}, index=frame.index)


#: What each number of ``summary`` is, for the values file.
SUMMARY_DESCRIPTIONS = {
    "n_respondents": "Municipalities that answered the 2019 survey",
    "response_rate": "Survey response rate (%)",
    "response_rate_city": "Response rate of cities (%)",
    "response_rate_town": "Response rate of towns (%)",
    "response_rate_village": "Response rate of villages (%)",
    "n_strong": "Municipalities with a formal agreement of their own signed 2020-2023 (strength 2)",
    "share_strong": "Strength 2, % of all municipalities",
    "n_informal_only_respondents": "Respondents with informal ties only (strength 1)",
    "share_informal_only_respondents": "Strength 1, % of respondents",
    "n_strength_unobserved": "Non-respondents without a formal agreement or recorded tie (strength unknown)",
    "n_agreements_municipal": "Municipal entries in the agreement list",
    "n_agreements_in_window": "Municipal entries dated 2020-2023",
    "n_agreements_formal_in_window": "Formal municipal entries dated 2020-2023",
    "n_agreements_out_of_window": "Municipal entries dated outside 2020-2023 (kept, not counted)",
    "share_partner_vnm": "Entries 2020-2023 with Vietnamese partners (%)",
    "share_partner_idn": "Entries 2020-2023 with Indonesian partners (%)",
    "share_partner_phl": "Entries 2020-2023 with Philippine partners (%)",
    "n_formal_phl": "Formal municipal agreements 2020-2023 with Philippine partners",
    "n_prefectures_exposed": "Prefectures exposed: a formal labour agreement of the prefectural government signed by the end of 2019",
    "median_policies": "Median number of the eight policies among respondents",
}


#: Decimals the manuscript prints for the percentages and the median of ``summary``.
SUMMARY_DIGITS = {
    key: 1 for key in SUMMARY_DESCRIPTIONS if key.startswith(("response_rate", "share_strong", "share_informal"))
}
SUMMARY_DIGITS |= {"share_partner_vnm": 0, "share_partner_idn": 0, "share_partner_phl": 0, "median_policies": 0}


def summary(assemblage: pd.DataFrame, frame: pd.DataFrame, agreements: pd.DataFrame) -> dict[str, float]:
    """The descriptive numbers of the private layers, for the notebook and the manuscript."""
    respondents = assemblage["responded"] == 1
    kinds = frame.set_index("code").loc[assemblage["code"], "kind"].to_numpy()
    municipal = agreements.loc[agreements["jp_level"] == "municipality"]
    window = municipal.loc[in_window(municipal["signed_on"])]
    countries = window["partner_country"].value_counts(normalize=True)
    strength = assemblage["strength"]
    return {
        "n_respondents": int(respondents.sum()),
        "response_rate": 100 * float(respondents.mean()),
        "response_rate_city": 100 * float(respondents[kinds == "city"].mean()),
        "response_rate_town": 100 * float(respondents[kinds == "town"].mean()),
        "response_rate_village": 100 * float(respondents[kinds == "village"].mean()),
        "n_strong": int((strength == 2).sum()),
        "share_strong": 100 * float((strength == 2).sum() / len(assemblage)),
        "n_informal_only_respondents": int(((strength == 1) & respondents).sum()),
        "share_informal_only_respondents": 100 * float(((strength == 1) & respondents).sum() / respondents.sum()),
        "n_strength_unobserved": int(strength.isna().sum()),
        "n_agreements_municipal": len(municipal),
        "n_agreements_in_window": len(window),
        "n_agreements_formal_in_window": int(window["formal"].astype(bool).sum()),
        "n_agreements_out_of_window": len(municipal) - len(window),
        "share_partner_vnm": 100 * float(countries.get("VNM", 0.0)),
        "share_partner_idn": 100 * float(countries.get("IDN", 0.0)),
        "share_partner_phl": 100 * float(countries.get("PHL", 0.0)),
        "n_formal_phl": int((window["formal"].astype(bool) & (window["partner_country"] == "PHL")).sum()),
        "n_prefectures_exposed": int(
            assemblage.loc[assemblage["prefecture_exposure"] == 1, "prefecture_code"].nunique()
        ),
        "median_policies": float(assemblage.loc[respondents, "n_policies"].median()),
    }


def summary_values(summary: dict[str, float], data_mode: str, interviews: pd.DataFrame) -> dict[str, tuple]:
    """The private layers' numbers the manuscript cites, as ``key -> (value, description[,
    digits])`` for ``Values.record_all``: the data mode, each number of ``summary`` (with
    ``SUMMARY_DESCRIPTIONS`` and ``SUMMARY_DIGITS``), the Philippine formal agreements as a
    clause, and the interviews (``interviews``): how many, and in which years."""
    from .words import count_phrase  # imported here: the notebooks that only read outcomes need no words

    out = {"data_mode": (data_mode, "Whether the private layers are the author's files (real) or synthetic stand-ins")}
    for key, value in summary.items():
        digits = SUMMARY_DIGITS.get(key)
        out[key] = (value, SUMMARY_DESCRIPTIONS[key]) if digits is None else (value, SUMMARY_DESCRIPTIONS[key], digits)
    out["n_interviews"] = (len(interviews), "Interviews")
    out["formal_phl_phrase"] = (
        count_phrase(
            summary["n_formal_phl"], "formal municipal agreement involves", "formal municipal agreements involve"
        ),
        "Formal municipal agreements 2020-2023 with Philippine partners, as a clause",
    )
    years = [str(y) for y in sorted(interviews["year"].unique())]
    out["interview_years"] = (", ".join(years[:-1]) + " and " + years[-1], "Years of the interviews")
    return out


KIND_ORDER = ("special_ward", "designated_city", "city", "town", "village")


def strength_shares_by_kind(assemblage: pd.DataFrame, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Share of each strength (columns 0, 1, 2) by kind of municipality among **respondents**,
    rows in ``KIND_ORDER``, and the number of respondents of each kind.

    Respondents only: among non-respondents the strength is known only when it is 1 or 2, so
    including them would inflate those shares most where response is lowest."""
    respondents = assemblage.loc[assemblage["responded"] == 1].merge(frame[["code", "kind"]], on="code")
    shares = pd.crosstab(respondents["kind"], respondents["strength"].astype(int), normalize="index")
    counts = respondents["kind"].value_counts().reindex(list(KIND_ORDER), fill_value=0)
    return shares.reindex(index=list(KIND_ORDER), columns=[0, 1, 2], fill_value=0.0), counts
