"""The regression analysis: samples, the main models, bootstrap effects and the tables.

The notebooks call these; the model mechanics are in ``models``. The main specification
(covariates, outcome) is defined once in ``outcome``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from . import models, words
from .outcome import (
    CAPACITY,
    CAPACITY_2021_22,
    COVARIATES,
    COVARIATES_2021_22,
    EXPOSURES,
    LABELS,
    design_matrix,
)

#: Every covariate of either specification, in table order.
ALL_COVARIATES = (*COVARIATES, *(c for c in COVARIATES_2021_22 if c not in COVARIATES))

#: The models of Table 2, in column order: name, outcome, sample, weighted.
MAIN_MODELS = (
    ("ordered", "Ordered logit", "strength (0/1/2)", "respondents", False),
    ("ordered_weighted", "Ordered logit, weighted", "strength (0/1/2)", "respondents", True),
    ("any_ties", "Logit: strength ≥ 1", "strength ≥ 1", "respondents", True),
    ("formal_respondents", "Logit: strength = 2", "strength = 2", "respondents", True),
    ("formal_all", "Logit: formal agreement", "formal agreement", "all municipalities", False),
    ("ppo_weighted", "Partial proportional odds, weighted", "strength (0/1/2)", "respondents", True),
)
MAIN = "ordered_weighted"
#: The partial proportional-odds model: the main model with the terms that the freeing rule
#: (``models.free_terms``, docs/codebook.md) picks given their own slope at the formal step.
PARTIAL = "ppo_weighted"


def main_table(fits: dict[str, models.Fitted]) -> pd.DataFrame:
    """Table 2: the models of ``MAIN_MODELS`` side by side, with their outcome, sample and
    whether they use the non-response weights."""
    titles = {key: title for key, title, *_ in MAIN_MODELS if key in fits}
    extra = {
        "Outcome": {key: outcome for key, _, outcome, _, _ in MAIN_MODELS},
        "Sample": {key: sample for key, _, _, sample, _ in MAIN_MODELS},
        "Non-response weights": {key: "yes" if weighted else "no" for key, *_, weighted in MAIN_MODELS},
    }
    if PARTIAL in fits:
        free = fits[PARTIAL].extra.get("free", "")
        extra["Terms free at the formal step"] = {
            PARTIAL: ", ".join(LABELS[t] for t in free.split(", ")) if free else "none (= ordered logit, weighted)"
        }
    return regression_table(fits, titles, extra_rows=extra)


def join_outcome(
    municipalities: pd.DataFrame, assemblage: pd.DataFrame, pushed: pd.DataFrame, exposed: dict[str, set[str]]
) -> tuple[pd.DataFrame, list]:
    """The frame with the outcome (``assemblage``), the pushed-down outcome of the robustness
    check (``pushed``: ``assemblage_strength(..., push_down=True)``) and the robustness table's
    definitions of prefecture exposure (``exposed``: column -> prefecture codes, from
    ``outcome.exposures``; the main one is already in ``assemblage``).
    One to one on ``code``; returns the joined table and the join reports (every frame row
    must match every outcome row: both come from the same frame)."""
    from .frame import account_join

    outcome_columns = assemblage.drop(columns=["prefecture_code"])
    joined, report = account_join(municipalities, outcome_columns, "assemblage (02)", set())
    pushed_columns = pushed[["code", "strength", "formal_agreement"]].rename(
        columns={"strength": "strength_pushdown", "formal_agreement": "formal_pushdown"}
    )
    joined, report_pushed = account_join(joined, pushed_columns, "assemblage, pushed down", set())
    for r in (report, report_pushed):
        if r.frame_unmatched or r.table_unmatched:
            raise ValueError(f"{r.table}: {len(r.frame_unmatched)} frame rows unmatched, {r.table_unmatched} extra")
    for column, codes in exposed.items():
        if column != "prefecture_exposure":
            joined[column] = joined["prefecture_code"].isin(codes).astype(int)
    return joined, [report, report_pushed]


def model_data(analysis: pd.DataFrame, exposure: str = "prefecture_exposure") -> pd.DataFrame:
    """One row per municipality: codes, outcome columns and the design covariates (with
    ``exposure`` as the prefecture-exposure column, e.g. one of the robustness definitions)."""
    x = design_matrix(analysis, analysis[exposure], ALL_COVARIATES)
    keep = ["code", "prefecture_code", "kind", "responded", "strength", "formal_agreement", "n_policies"]
    keep += [c for c in ("population", "foreign_residents", "titp_censored_2021") if c in analysis.columns]
    out = pd.concat([analysis[keep].reset_index(drop=True), x.reset_index(drop=True)], axis=1)
    out["strength"] = out["strength"].astype("Int64")
    out["n_policies"] = out["n_policies"].astype("Int64")
    return out


def respondents(data: pd.DataFrame) -> pd.DataFrame:
    """Survey respondents (their strength is observed whatever it is)."""
    sample = data.loc[data["responded"] == 1].copy()
    if sample["strength"].isna().any():
        raise ValueError("a respondent has no strength: the outcome definition and the survey disagree")
    return sample


def weights_for(data: pd.DataFrame, covariates=COVARIATES) -> tuple[pd.Series, object]:
    """Non-response weights of the respondents (index = their rows in ``data``) and the
    response model, a logit of response on the frame covariates of the specification."""
    w, fit = models.response_weights(data["responded"], data[list(covariates)])
    index = data.index[data["responded"] == 1]
    return pd.Series(w, index=index, name="weight"), fit


def fit_main_models(data: pd.DataFrame) -> tuple[dict[str, models.Fitted], pd.Series, object]:
    """The models of Table 2 but the partial proportional-odds one (``partial_fit``, which
    needs the proportional-odds check first), the non-response weights and the response model."""
    weights, response = weights_for(data)
    resp = respondents(data)
    x = resp[list(COVARIATES)]
    y = resp["strength"].astype(int).to_numpy()
    groups = resp["prefecture_code"].to_numpy()
    w = weights.loc[resp.index].to_numpy()
    fits = {
        "ordered": models.ordered_logit("ordered", x, y, groups),
        "ordered_weighted": models.ordered_logit("ordered_weighted", x, y, groups, weights=w),
        "any_ties": models.binary_logit("any_ties", x, (y >= 1).astype(int), groups, weights=w),
        "formal_respondents": models.binary_logit("formal_respondents", x, (y == 2).astype(int), groups, weights=w),
        "formal_all": models.binary_logit(
            "formal_all", data[list(COVARIATES)], data["formal_agreement"].to_numpy(), data["prefecture_code"]
        ),
    }
    return fits, weights, response


def partial_fit(data: pd.DataFrame, free: tuple[str, ...]) -> models.Fitted:
    """The partial proportional-odds logit: the main model (weighted, respondents, clustered)
    with the terms ``free`` given their own slope at the formal step."""
    weights, _ = weights_for(data)
    resp = respondents(data)
    return models.partial_ordered_logit(
        PARTIAL,
        resp[list(COVARIATES)],
        resp["strength"].astype(int).to_numpy(),
        resp["prefecture_code"].to_numpy(),
        free=free,
        weights=weights.loc[resp.index].to_numpy(),
    )


def partial_odds_rule(data: pd.DataFrame) -> tuple[pd.DataFrame, dict, tuple[str, ...]]:
    """The proportional-odds check of the main model (``proportional_odds_check``) and the terms
    it frees in the partial proportional-odds model (``models.free_terms``: slopes of the two
    cumulative splits differ at 5%, and the term varies across at least five prefectures)."""
    table, omnibus = proportional_odds_check(data)
    return table, omnibus, tuple(models.free_terms(table))


def main_fit(name: str, data: pd.DataFrame, without: tuple[str, ...] = (), covariates=COVARIATES) -> models.Fitted:
    """The main model alone (weighted ordered logit on respondents, weights re-estimated on
    ``data``), for the robustness variants; ``without`` leaves covariates out, ``covariates``
    names the specification (``COVARIATES_2021_22`` for the post-survey one)."""
    weights, _ = weights_for(data, covariates)
    resp = respondents(data)
    return models.ordered_logit(
        name,
        resp[[c for c in covariates if c not in without]],
        resp["strength"].astype(int).to_numpy(),
        resp["prefecture_code"].to_numpy(),
        weights=weights.loc[resp.index].to_numpy(),
    )


#: The columns of the robustness table, in order.
ROBUSTNESS = {
    "main": "Main model",
    "no_large": "No designated cities or wards",
    "pushed": "Prefectural agreements pushed down",
    "exposure_strict": "Exposure: wholly about workers, 2019",
    "exposure_2023": "Exposure: labour, by 2023",
    "exposure_any": "Exposure: any, by 2023",
    "covariates_2021_22": "Covariates of 2021–22",
    "titp_mi": "Covariates of 2021–22, imputed",
    "bound_0": "Full frame, unknown = 0",
    "bound_1": "Full frame, unknown = 1",
}
#: The bounds for the unknown strengths: the value given to every unknown strength.
BOUNDS = {"bound_0": 0, "bound_1": 1}


def bound_fit(name: str, data: pd.DataFrame, unknown: int) -> models.Fitted:
    """The ordered logit on the whole frame with every unknown strength (a non-respondent with
    neither a formal agreement nor a recorded tie: truly 0 or 1, never 2) set to ``unknown``:
    the two bounds of what the unknown strengths could do. No one is missing, so no
    non-response weights; standard errors clustered by prefecture."""
    strength = data["strength"].astype("Int64").fillna(unknown).astype(int).to_numpy()
    return models.ordered_logit(name, data[list(COVARIATES)], strength, data["prefecture_code"].to_numpy())


def robustness_fits(table: pd.DataFrame, n_imputations: int, seed: int) -> dict[str, models.Fitted]:
    """The main model and its robustness variants (``ROBUSTNESS``) from the analysis table."""
    data = model_data(table)
    large = data["kind"].isin(["designated_city", "special_ward"])
    pushed = data.assign(
        strength=table["strength_pushdown"].astype("Int64").to_numpy(),
        formal_agreement=table["formal_pushdown"].to_numpy(),
    )
    rng = np.random.default_rng(seed)
    late = COVARIATES_2021_22
    imputed = [main_fit("titp_mi", impute_titp(data, rng), covariates=late) for _ in range(n_imputations)]
    return {
        "main": main_fit("main", data),
        "no_large": main_fit("no_large", data.loc[~large].reset_index(drop=True)),
        # The pushed-down outcome is built from the prefectural agreements: exposure leaves.
        "pushed": main_fit("pushed", pushed, without=("prefecture_exposure",)),
        "exposure_strict": main_fit("exposure_strict", model_data(table, exposure="prefecture_exposure_strict")),
        "exposure_2023": main_fit("exposure_2023", model_data(table, exposure="prefecture_exposure_2023")),
        "exposure_any": main_fit("exposure_any", model_data(table, exposure="prefecture_exposure_any")),
        "covariates_2021_22": main_fit("covariates_2021_22", data, covariates=late),
        "titp_mi": pooled_fit("titp_mi", imputed),
        **{key: bound_fit(key, data, unknown) for key, unknown in BOUNDS.items()},
    }


def policies_model(data: pd.DataFrame, trials: int) -> models.Fitted:
    """Binomial GLM of the number of policies (out of ``trials``) among respondents."""
    resp = respondents(data)
    return models.policies_glm(
        "policies", resp[list(COVARIATES)], resp["n_policies"].astype(int), trials, resp["prefecture_code"]
    )


def impute_titp(data: pd.DataFrame, rng: np.random.Generator, cap: int = 10) -> pd.DataFrame:
    """One imputation of the censored end-2021 TITP counts of the 2021–22 specification: where
    the published table suppresses the count (municipalities with at most ``cap`` foreign
    residents), draw the number of trainees uniformly from 0..min(cap, foreign residents of
    January 2022) and recompute log(1 + per 1,000 residents of January 2022)."""
    out = data.copy()
    censored = out["titp_censored_2021"].astype(bool).to_numpy()
    upper = np.minimum(cap, out.loc[censored, "foreign_residents"].to_numpy(int))
    trainees = rng.integers(0, upper + 1)
    per_1000 = trainees / out.loc[censored, "population"].to_numpy(float) * 1000
    out.loc[censored, "log_titp_per_1000_2021"] = np.log1p(per_1000)
    return out


# --------------------------------------------------------------------------- effects
@dataclass(frozen=True)
class EffectSpec:
    """What the bootstrap computes: AMEs of ``continuous`` and ``discrete`` terms on each
    category from the partial proportional-odds model (``free`` terms free at the formal step;
    none: the proportional-odds model), AMEs on P(formal agreement) from the full-frame logit,
    and predicted probabilities over ``grid`` values of fiscal strength with population change
    set to each of ``by_values``. ``sd`` holds each continuous term's standard deviation over
    the frame, for effects per standard deviation."""

    grid: tuple[float, ...]
    by_values: dict = field(hash=False)
    sd: dict = field(hash=False, default_factory=dict)
    free: tuple[str, ...] = ()
    continuous: tuple[str, ...] = CAPACITY
    discrete: tuple[str, ...] = ("prefecture_exposure",)
    vary: str = "fiscal_strength"
    by: str = "pop_change_2018_19"


def effect_spec(data: pd.DataFrame, free: tuple[str, ...] = (), n_grid: int = 25) -> EffectSpec:
    """Fiscal strength from its 5th to 95th percentile; population change at its 10th
    percentile (fast decline), median and 90th percentile, all over the whole frame; the
    frame's standard deviations of the capacity terms; ``free`` as chosen by the rule."""
    low, high = np.quantile(data["fiscal_strength"], [0.05, 0.95])
    q = np.quantile(data["pop_change_2018_19"], [0.1, 0.5, 0.9])
    labels = ["fast decline (10th percentile)", "median", "slow decline or growth (90th percentile)"]
    sd = {t: float(data[t].std()) for t in CAPACITY}
    return EffectSpec(
        grid=tuple(np.linspace(low, high, n_grid)), by_values=dict(zip(labels, q)), sd=sd, free=tuple(free)
    )


def formal_logit_ame(x: pd.DataFrame, y: np.ndarray, continuous, discrete) -> np.ndarray:
    """AMEs on P(formal agreement) of the full-frame logit (with a constant), percentage points
    per unit: continuous terms beta_k times the mean of p(1 - p); 0/1 terms the mean change in p
    between 1 and 0. Terms not estimable in this sample are left out of the fit (effect 0 for
    a left-out continuous term, which does not happen in practice)."""
    terms, _ = models.estimable_terms(x, y)
    xc = np.column_stack([np.ones(len(x)), x[terms].to_numpy(float)])
    try:
        b = models.weighted_logit(xc, y.astype(float), np.ones(len(y)))
    except np.linalg.LinAlgError as error:
        raise models.FitFailure("the formal-agreement logit is singular") from error
    if not np.all(np.isfinite(b)) or np.abs(b).max() > 50:
        raise models.FitFailure("the formal-agreement logit did not converge")
    p = special.expit(xc @ b)
    out = []
    for term in continuous:
        out.append(b[1 + terms.index(term)] * np.mean(p * (1 - p)) if term in terms else 0.0)
    for term in discrete:
        j = 1 + terms.index(term)
        on, off = xc.copy(), xc.copy()
        on[:, j], off[:, j] = 1.0, 0.0
        out.append(np.mean(special.expit(on @ b) - special.expit(off @ b)))
    return 100 * np.array(out)


def effects(data: pd.DataFrame, spec: EffectSpec) -> np.ndarray:
    """The main model's AMEs and predicted-probability curves as one vector: non-response
    weights re-estimated, weighted partial proportional-odds logit on respondents (the terms
    ``spec.free`` free at the formal step; with none, the ordered logit), effects averaged
    with the weights (population-average effects); then the AMEs on P(formal agreement) of the
    full-frame logit. Used as is and in each bootstrap replicate. The vector ends with one
    flag per covariate: 1 where the term could not be estimated in this sample (e.g. the
    special-ward dummy in a resample without Tokyo) and was left out."""
    weights, _ = weights_for(data)
    resp = respondents(data)
    y = resp["strength"].astype(int).to_numpy()
    if len(np.unique(y)) < 3:
        raise models.FitFailure("a strength category is empty in this resample")
    terms, _ = models.estimable_terms(resp[list(COVARIATES)], y)
    free = [t for t in spec.free if t in terms]
    x = resp[terms]
    w = weights.loc[resp.index].to_numpy()
    beta, delta, cuts, converged = models.fit_partial_ordered_logit(
        x.to_numpy(float), y, [terms.index(t) for t in free], weights=w
    )
    if not converged:
        raise models.FitFailure("the (partial) ordered logit did not converge")
    beta = pd.Series(beta, index=terms)
    delta = pd.DataFrame(delta, columns=free)
    full = resp[list(COVARIATES)]
    ame = models.ordered_ame(full, beta, cuts, spec.continuous, spec.discrete, weights=w, delta=delta)
    curves = models.predicted_curves(
        full, beta, cuts, spec.vary, spec.grid, spec.by, spec.by_values, weights=w, delta=delta
    )
    formal = formal_logit_ame(
        data[list(COVARIATES)], data["formal_agreement"].to_numpy(int), spec.continuous, spec.discrete
    )
    dropped = np.array([float(t not in terms) for t in COVARIATES])
    return np.concatenate([ame.to_numpy().ravel(), curves[["p0", "p1", "p2"]].to_numpy().ravel(), formal, dropped])


#: How the AME table names the two models whose effects on P(formal agreement) it holds.
AME_MODELS = {"ppo": "Partial proportional odds (respondents, weighted)", "formal_all": "Formal-agreement logit (all)"}


def effect_tables(
    vector: np.ndarray, spec: EffectSpec, boot: models.Bootstrap | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The vector of ``effects`` (and bootstrap intervals) as two tidy tables: AMEs (model,
    term, outcome, estimate, low, high, and the same per standard deviation of the term,
    ``sd`` its frame SD, 1 for a 0/1 term) and curves (by, fiscal_strength, outcome, ...).
    Outcomes: P(strength = 0), P(= 1), P(= 2) of the partial proportional-odds model (``ppo``),
    P(formal agreement) of the full-frame logit (``formal_all``); and P(≥ 1) for the curves."""
    terms = list(spec.continuous) + list(spec.discrete)
    n_ame = 3 * len(terms)
    n_curve = 3 * len(spec.by_values) * len(spec.grid)
    low, high = boot.interval() if boot is not None and len(boot.draws) else (vector * np.nan, vector * np.nan)

    def unpack(v):
        ame = pd.DataFrame(v[:n_ame].reshape(len(terms), 3), index=terms, columns=["p0", "p1", "p2"])
        curves = v[n_ame : n_ame + n_curve].reshape(len(spec.by_values), len(spec.grid), 3)
        formal = pd.Series(v[n_ame + n_curve : n_ame + n_curve + len(terms)], index=terms)
        return ame, curves, formal

    rows = []
    (ame, _, formal), (ame_lo, _, formal_lo), (ame_hi, _, formal_hi) = unpack(vector), unpack(low), unpack(high)
    for term in terms:
        for j in range(3):
            rows.append(
                {
                    "model": "ppo",
                    "term": term,
                    "outcome": f"P(strength = {j})",
                    "estimate": ame.loc[term, f"p{j}"],
                    "low": ame_lo.loc[term, f"p{j}"],
                    "high": ame_hi.loc[term, f"p{j}"],
                }
            )
    for term in terms:
        rows.append(
            {
                "model": "formal_all",
                "term": term,
                "outcome": "P(formal agreement)",
                "estimate": formal[term],
                "low": formal_lo[term],
                "high": formal_hi[term],
            }
        )
    ame_table = pd.DataFrame(rows)
    ame_table["sd"] = ame_table["term"].map(spec.sd).fillna(1.0)
    for column in ("estimate", "low", "high"):
        ame_table[f"{column}_sd"] = ame_table[column] * ame_table["sd"]
    curve_rows = []
    est = unpack(vector)[1]
    draws = None if boot is None or not len(boot.draws) else np.array([unpack(d)[1] for d in boot.draws])
    for g, label in enumerate(spec.by_values):
        for i, value in enumerate(spec.grid):
            for name, pick in (("P(strength = 2)", [2]), ("P(strength ≥ 1)", [1, 2])):
                point = est[g, i, pick].sum()
                if draws is not None:
                    lo, hi = np.quantile(draws[:, g, i, pick].sum(axis=1), [0.025, 0.975])
                else:
                    lo = hi = np.nan
                curve_rows.append(
                    {"by": label, spec.vary: value, "outcome": name, "estimate": point, "low": lo, "high": hi}
                )
    return ame_table, pd.DataFrame(curve_rows)


def bootstrap_drops(boot: models.Bootstrap) -> pd.Series:
    """How many successful bootstrap replicates left each covariate out (not estimable in
    the resample), from the flags at the end of the ``effects`` vector."""
    flags = boot.draws[:, -len(COVARIATES) :] if len(boot.draws) else np.zeros((0, len(COVARIATES)))
    return pd.Series(flags.sum(axis=0).astype(int), index=list(COVARIATES), name="replicates without the term")


# --------------------------------------------------------------------------- tables
def stars(p: float) -> str:
    """Significance marks used in the tables: * p < .05, ** p < .01, *** p < .001."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def regression_table(
    fits: dict[str, models.Fitted], titles: dict[str, str], digits: int = 2, extra_rows: dict | None = None
) -> pd.DataFrame:
    """Publication-style table: each term's coefficient (with marks) above its clustered SE
    in parentheses; "—" where a term was not estimable in that sample; then N, clusters,
    log-likelihood, pseudo-R² and any ``extra_rows`` ({label: {model: text}}, e.g. whether
    a model is weighted). Columns are the models in ``titles`` order."""
    with_steps = [u for t in ALL_COVARIATES for u in (t, f"{t}{models.STEP2}")]
    order = [t for t in (*with_steps, "const", "cut_0/1", "cut_1/2") if any(t in f.params for f in fits.values())]
    rows = []
    for term in order:
        base = term.removesuffix(models.STEP2)
        label = LABELS.get(base, base) + (", formal step" if term != base else "")
        coef, se = {"term": label, "row": "estimate"}, {"term": "", "row": "se"}
        for key in titles:
            f = fits[key]
            if term in f.params:
                coef[key] = f"{f.params[term]:.{digits}f}{stars(f.pvalues[term])}".replace("-", "−")
                se[key] = f"({f.bse[term]:.{digits}f})"
            else:
                coef[key] = "—" if term in f.dropped else ""
                se[key] = ""
        rows += [coef, se]
    for label, get in (
        ("N", lambda f: f"{f.nobs:,}"),
        ("Prefectures (clusters)", lambda f: f"{f.n_clusters}"),
        ("Log-likelihood", lambda f: f"{f.llf:,.1f}".replace("-", "−") if np.isfinite(f.llf) else ""),
        ("Pseudo-R² (McFadden)", lambda f: f"{f.pseudo_r2:.3f}" if np.isfinite(f.pseudo_r2) else ""),
    ):
        rows.append({"term": label, "row": "statistic", **{k: get(fits[k]) for k in titles}})
    for label, cells in (extra_rows or {}).items():
        rows.append({"term": label, "row": "statistic", **{k: cells.get(k, "") for k in titles}})
    table = pd.DataFrame(rows)
    return table.rename(columns={**titles, "term": ""})


def pooled_fit(name: str, fits: list[models.Fitted]) -> models.Fitted:
    """Combine fits of the same model on M imputed data sets by Rubin's rules (``models.rubin``),
    with degrees of freedom adjusted to the G - 1 of the clustered fits (Barnard and Rubin
    1999), for p-values and intervals alike; the log-likelihood is left undefined (NaN). The
    M fits are kept in ``completed``, so that the pooling can be shown by hand."""
    terms = list(fits[0].params.index)
    combined = models.rubin(
        np.array([f.params[terms].to_numpy() for f in fits]),
        np.array([f.bse[terms].to_numpy() ** 2 for f in fits]),
        df_complete=fits[0].n_clusters - 1,
    )
    combined.index = terms
    return models.Fitted(
        name=name,
        kind=fits[0].kind,
        params=combined["estimate"],
        bse=combined["se"],
        pvalues=combined["p"],
        nobs=fits[0].nobs,
        n_clusters=fits[0].n_clusters,
        llf=float("nan"),
        llnull=float("nan"),
        dropped=fits[0].dropped,
        extra={"imputations": len(fits), "max_fmi": float(combined["fmi"].max())},
        df=combined["df"],
        completed=tuple(fits),
    )


def proportional_odds_check(data: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The main model's proportional-odds assumption, checked on its sample with its weights:
    the slopes of the two cumulative splits (strength ≥ 1, strength = 2) and their difference
    with a prefecture-clustered SE (``models.cumulative_split_test``); terms that perfectly
    predict either split are left out."""
    weights, _ = weights_for(data)
    resp = respondents(data)
    y = resp["strength"].astype(int).to_numpy()
    keep_1, _ = models.estimable_terms(resp[list(COVARIATES)], (y >= 1).astype(int))
    keep_2, _ = models.estimable_terms(resp[list(COVARIATES)], (y == 2).astype(int))
    terms = [t for t in COVARIATES if t in keep_1 and t in keep_2]
    return models.cumulative_split_test(
        resp[terms], y, resp["prefecture_code"].to_numpy(), weights=weights.loc[resp.index].to_numpy()
    )


def exposure_test(data: pd.DataFrame, n_boot: int, seed: int) -> dict:
    """Wild cluster score bootstrap p-value of prefecture exposure in the main model
    (``models.score_bootstrap_test``): exposure varies over few prefectures, where the
    cluster-robust t-test is too liberal."""
    weights, _ = weights_for(data)
    resp = respondents(data)
    y = resp["strength"].astype(int).to_numpy()
    terms, _ = models.estimable_terms(resp[list(COVARIATES)], y)
    return models.score_bootstrap_test(
        resp[terms],
        y,
        resp["prefecture_code"].to_numpy(),
        "prefecture_exposure",
        weights=weights.loc[resp.index].to_numpy(),
        n_boot=n_boot,
        seed=seed,
    )


def recovery(fits: dict[str, models.Fitted], truth: dict) -> pd.DataFrame:
    """Estimates with 95% intervals against the truth of the synthetic data-generating
    process: the weighted ordered logit against ``truth['ordered_logit']`` and the
    full-frame formal-agreement logit against ``truth['formal_logit']`` (slopes only)."""
    rows = []
    for key, truth_key in ((MAIN, "ordered_logit"), ("formal_all", "formal_logit")):
        tidy = fits[key].tidy().set_index("term")
        for term in COVARIATES:
            if term in tidy.index:
                t = tidy.loc[term]
                rows.append(
                    {
                        "model": key,
                        "term": term,
                        "estimate": t["estimate"],
                        "low": t["low"],
                        "high": t["high"],
                        "truth": truth[truth_key][term],
                    }
                )
    out = pd.DataFrame(rows)
    out["covered"] = (out["low"] <= out["truth"]) & (out["truth"] <= out["high"])
    return out


def weighted_mean_var(x: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and variance of ``x``, weighted by ``w``: the variance is the weighted mean squared
    deviation times n/(n - 1), n the number of rows, so unit weights give the sample variance."""
    x = np.asarray(x, float)
    w = np.ones_like(x) if w is None else np.asarray(w, float)
    mean = np.average(x, weights=w)
    var = np.average((x - mean) ** 2, weights=w) * len(x) / max(len(x) - 1, 1)
    return float(mean), float(var)


def standardised_difference(a, b, weights_a=None, weights_b=None) -> float:
    """The standardised difference of means of two groups: (mean a − mean b) over the pooled
    standard deviation sqrt((var a + var b) / 2), with optional weights for
    either group. For a 0/1 variable the variances are p(1 − p), so shares and means are
    compared on one scale. NaN values are left out; 0 when both groups are constant and equal."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    keep_a, keep_b = ~np.isnan(a), ~np.isnan(b)
    wa = None if weights_a is None else np.asarray(weights_a, float)[keep_a]
    wb = None if weights_b is None else np.asarray(weights_b, float)[keep_b]
    (ma, va), (mb, vb) = weighted_mean_var(a[keep_a], wa), weighted_mean_var(b[keep_b], wb)
    sd = np.sqrt((va + vb) / 2)
    return 0.0 if sd == 0 and ma == mb else float((ma - mb) / sd)


#: The rows of Table 1: column, label, digits, shown as a percentage.
TABLE1_ROWS = (
    ("fiscal_strength", "Fiscal strength index (FY2018)", 2, False),
    ("population_thousands", "Population (1,000s, 1 Jan 2019)", 1, False),
    ("pop_change_2018_19", "Population change 2018–19 (%)", 2, False),
    ("foreign_per_100_2019", "Foreign residents per 100 (1 Jan 2019)", 2, False),
    ("prefecture_titp_per_1000_2018", "Prefecture's TITP trainees per 1,000 (end-2018)", 2, False),
    ("prefecture_exposure", "Prefecture signed a labour agreement by 2019 (%)", 1, True),
    ("is_designated_city", "Designated city (%)", 1, True),
    ("is_special_ward", "Special ward (%)", 1, True),
    ("is_city", "City (%)", 1, True),
    ("is_town", "Town (%)", 1, True),
    ("is_village", "Village (%)", 1, True),
)


def table1(data: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Table 1: the main specification's covariates (all measured before the survey) in the
    frame, among respondents and among non-respondents, as mean (SD) or share; the difference
    respondents − non-respondents and its standardised difference (``standardised_difference``);
    then the respondents weighted by the non-response weights, and their standardised difference
    from the frame, which the weights should bring close to 0. ``raw`` holds the untransformed
    frame columns by code."""
    extra = [c for c in ("population_2019",) if c not in data.columns]
    merged = data.merge(raw[["code", *extra]], on="code", how="left", validate="one_to_one")
    merged["population_thousands"] = merged["population_2019"] / 1000
    for kind in ("designated_city", "special_ward", "city", "town", "village"):
        merged[f"is_{kind}"] = (merged["kind"] == kind).astype(float)
    weights, _ = weights_for(merged)
    resp = merged.loc[merged["responded"] == 1]
    non = merged.loc[merged["responded"] == 0]
    w = weights.loc[resp.index].to_numpy()

    def fmt(x: float, digits: int = 2) -> str:
        return f"{round(x, digits) + 0.0:,.{digits}f}".replace("-", "−")  # + 0.0: no "−0.00"

    rows = []
    for column, label, digits, share in TABLE1_ROWS:
        scale = 100 if share else 1
        row = {"Variable": label}
        for name, g, gw in (
            ("All municipalities", merged, None),
            ("Respondents", resp, None),
            ("Non-respondents", non, None),
            ("Respondents, weighted", resp, w),
        ):
            mean, var = weighted_mean_var(g[column].astype(float).to_numpy(), gw)
            row[name] = fmt(scale * mean, digits) if share else f"{fmt(mean, digits)} ({fmt(np.sqrt(var), digits)})"
        difference = resp[column].astype(float).mean() - non[column].astype(float).mean()
        row["Difference (resp. − non-resp.)"] = fmt(scale * difference, digits)
        row["Std. diff. (resp. − non-resp.)"] = fmt(standardised_difference(resp[column], non[column]))
        row["Std. diff. (weighted resp. − frame)"] = fmt(
            standardised_difference(resp[column], merged[column], weights_a=w)
        )
        rows.append(row)
    rows.append(
        {
            "Variable": "N",
            **{
                name: f"{len(g):,}"
                for name, g in (
                    ("All municipalities", merged),
                    ("Respondents", resp),
                    ("Non-respondents", non),
                    ("Respondents, weighted", resp),
                )
            },
        }
    )
    columns = [
        "Variable",
        "All municipalities",
        "Respondents",
        "Non-respondents",
        "Difference (resp. − non-resp.)",
        "Std. diff. (resp. − non-resp.)",
        "Respondents, weighted",
        "Std. diff. (weighted resp. − frame)",
    ]
    return pd.DataFrame(rows)[columns].fillna("")


def table1_values(table: pd.DataFrame) -> dict[str, tuple]:
    """The numbers the manuscript cites from Table 1 (``table1``): the largest absolute
    standardised difference of respondents and non-respondents and its variable, that of fiscal
    strength (the first row), and the largest after weighting; as ``key -> (value,
    description[, digits])`` for ``Values.record_all``."""
    std = pd.to_numeric(table["Std. diff. (resp. − non-resp.)"].str.replace("−", "-"), errors="coerce")
    std_w = pd.to_numeric(table["Std. diff. (weighted resp. − frame)"].str.replace("−", "-"), errors="coerce")
    return {
        "table1_max_std_diff": (
            float(std.abs().max()),
            "Largest absolute standardised difference, respondents vs non-respondents",
            2,
        ),
        "table1_max_std_diff_variable": (
            table.loc[std.abs().idxmax(), "Variable"],
            "The variable with that difference",
        ),
        "table1_std_diff_fiscal": (
            float(std.iloc[0]),
            "Standardised difference in fiscal strength, respondents vs non-respondents",
            2,
        ),
        "table1_max_std_diff_weighted": (
            float(std_w.abs().max()),
            "Largest absolute standardised difference, weighted respondents vs frame",
            2,
        ),
    }


def join_values(joined: pd.DataFrame, exposed: dict[str, set[str]]) -> dict[str, tuple]:
    """The numbers the manuscript cites about the analysis table: its rows, the prefectures of
    each definition of exposure (``exposed``, as given to ``join_outcome``) and the strength-2
    municipalities when prefectural agreements are pushed down; as ``key -> (value,
    description)`` for ``Values.record_all``."""
    return {
        "n_analysis": (len(joined), "Municipalities in the analysis table"),
        **{
            f"n_{column}": (len(exposed[column]), f"Prefectures exposed: {meaning}")
            for column, (_, _, meaning) in EXPOSURES.items()
        },
        "n_strong_pushdown": (
            int((joined["strength_pushdown"] == 2).sum()),
            "Strength 2 when prefectural agreements are pushed down",
        ),
    }


def strength_known_values(joined: pd.DataFrame) -> dict[str, tuple]:
    """How many municipalities of the analysis table have a known strength (respondents, and
    non-respondents with a documented tie), as ``key -> (value, description)``."""
    return {"n_strength_known": (int(joined["strength"].notna().sum()), "Municipalities whose strength is known")}


def link_values(links: pd.DataFrame) -> dict[str, tuple]:
    """The numbers the manuscript cites about the agreement list's rows of 2020-2023 (the
    ``in_window`` rows of ``links``, as saved in ``partner_links.csv``): how many, how many are
    not drawn, the partner subdivisions reached, the one named most often by its own code (ties:
    the first in alphabetical order) and its count, and the rows with national bodies; as
    ``key -> (value, description)`` for ``Values.record_all``."""
    in_window = links.loc[links["in_window"]]
    own = in_window.loc[in_window["placed_by"] == "own_code"]
    top = own.groupby("place_name").size().sort_values(ascending=False, kind="stable")
    return {
        "n_links_in_window": (len(in_window), "Agreement-list rows 2020-2023 (all levels)"),
        "n_links_not_drawn": (
            int(in_window["dest_lon"].isna().sum()),
            "Of those, partners without a staged layer (not drawn)",
        ),
        "n_destinations": (int(in_window["place_iso_3166_2"].nunique()), "Partner subdivisions reached 2020-2023"),
        "top_destination": (top.index[0], "The partner subdivision named most often by its own code, 2020-2023"),
        "top_destination_n": (int(top.iloc[0]), "Its number of agreements"),
        "n_links_capital": (
            int((in_window["placed_by"] == "capital").sum()),
            "Agreements 2020-2023 with national bodies (placed at the capital region)",
        ),
    }


def typology_values(typology: pd.DataFrame) -> dict[str, tuple]:
    """The numbers the manuscript cites from the typology (``partner_typology``): the public
    register's agreements by partner level and by programme (TITP, SSW, both) and the agreement
    list's rows with a national partner; as ``key -> (value, description)`` for
    ``Values.record_all``. A level or programme the typology lacks counts 0."""
    register_rows = typology["Source"].str.startswith("Public register")
    reg_block, own_block = typology.loc[register_rows], typology.loc[~register_rows]
    by_level = reg_block.groupby("Partner level")["Total"].sum()
    out = {
        "typology_register_national": (
            int(by_level.get("national", 0)),
            "Register agreements with a national partner (ministry, government)",
        ),
        "typology_register_subnational": (
            int(by_level.get("subnational", 0)),
            "Register agreements with a subnational partner (province, district, city)",
        ),
        "typology_register_institution": (
            int(by_level.get("institution", 0)),
            "Register agreements with an institution (school, broker, other organisation)",
        ),
    }
    for column, key in (("TITP only", "titp"), ("SSW only", "ssw"), ("TITP and SSW", "titp_ssw")):
        out[f"typology_register_{key}"] = (
            int(reg_block[column].sum()) if column in reg_block else 0,
            f"Register agreements naming {column.replace(' only', ' (not the other)')}",
        )
    out["typology_list_national"] = (
        int(own_block.loc[own_block["Partner level"] == "national", "Total"].sum()),
        "Agreement-list rows with a national partner (ministry)",
    )
    return out


def policy_values(rows: pd.DataFrame, items: dict[str, str]) -> dict[str, tuple]:
    """The policies (``items``: 0/1 column -> label) that the most and the fewest of ``rows``
    (the respondents) run, each with its percentage, as ``key -> (value, description[, digits])``
    for ``Values.record_all``. Among tied items the most common is the one listed last, the
    least common the one listed first."""
    overall = pd.Series({label: 100 * rows[item].astype(float).mean() for item, label in items.items()}).sort_values(
        kind="stable"
    )
    return {
        "most_common_policy": (overall.index[-1].lower(), "The policy most respondents run"),
        "most_common_policy_share": (overall.iloc[-1], "Its share of respondents (%)", 0),
        "least_common_policy": (overall.index[0].lower(), "The policy fewest respondents run"),
        "least_common_policy_share": (overall.iloc[0], "Its share of respondents (%)", 0),
    }


def shares_by_group(
    rows: pd.DataFrame, items: dict[str, str], group: str, order, small: int = 100
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentage of ``rows`` with each 0/1 ``items`` column (index: the items' labels) by
    ``group`` (columns in ``order``, labelled with their n), and the text of each cell: the
    share, with its 95% Wilson interval on a second line for groups under ``small`` rows."""
    shares, text = pd.DataFrame(index=list(items.values())), pd.DataFrame(index=list(items.values()))
    for value in order:
        part = rows.loc[rows[group] == value]
        label = str(value).replace("_", "\n") + f"\n(n = {len(part)})"
        k = np.array([int(part[item].astype(float).sum()) for item in items])
        low, high = models.wilson_interval(k, np.full(len(k), len(part)))
        shares[label] = 100 * k / len(part)
        text[label] = [
            f"{share:.0f}" + (f"\n{100 * lo:.0f}–{100 * hi:.0f}" if len(part) < small else "")
            for share, lo, hi in zip(shares[label], low, high)
        ]
    return shares, text


def odds_ratios_per_sd(fit: models.Fitted, sd: dict[str, float], reverse=()) -> pd.DataFrame:
    """Odds ratios of ``fit``'s terms per standard deviation (``sd``: term -> SD), with their
    95% intervals (the fit's own, t with G - 1 df); for the ``reverse`` terms per SD of the
    opposite direction (e.g. of population *decline*), so that they read like the text."""
    tidy = fit.tidy().set_index("term")
    rows = {}
    for term, scale in sd.items():
        sign = -1 if term in reverse else 1
        low, odds, high = sorted(np.exp(sign * scale * tidy.loc[term, ["low", "estimate", "high"]].to_numpy(float)))
        rows[term] = {"odds_ratio": odds, "low": low, "high": high}
    return pd.DataFrame(rows).T


def balance_table(data: pd.DataFrame, columns, labels: dict | None = None) -> pd.DataFrame:
    """Balance of any frame columns (covariates or not), in the two comparisons of Table 1:
    the standardised difference of respondents and non-respondents, and that of the
    respondents weighted by the non-response weights (``weights_for``) and the whole frame.
    ``labels`` renames the rows (default: the column names)."""
    weights, _ = weights_for(data)
    resp, non = data.loc[data["responded"] == 1], data.loc[data["responded"] == 0]
    w = weights.loc[resp.index].to_numpy()
    rows = {
        (labels or {}).get(c, c): {
            "respondents − non-respondents": standardised_difference(resp[c], non[c]),
            "weighted respondents − frame": standardised_difference(resp[c], data[c], weights_a=w),
        }
        for c in columns
    }
    return pd.DataFrame(rows).T.rename_axis("standardised difference")


def curves_from_estimates(
    data: pd.DataFrame, estimates: pd.DataFrame, by_values: dict, model: str = PARTIAL
) -> pd.DataFrame:
    """Predicted-probability curves of ``effects`` (point estimates only: the bands need the
    bootstrap) rebuilt from saved ``estimates`` (the tidy table of notebook 06) of the
    three-category ``model``, without refitting: its slopes, the step-2 slopes of its freed
    terms and its cut points, averaged over the respondents of ``data`` with the non-response
    weights, on the fiscal-strength grid of ``effect_spec``, with population change set to each
    of ``by_values`` ({label: value}). Long like the saved curves: by, fiscal_strength,
    outcome (P(strength = 2), P(strength ≥ 1)), estimate."""
    rows = estimates.loc[estimates["model"] == model].set_index("term")["estimate"]
    cut_names = [t for t in rows.index if t.startswith("cut_")]
    step2 = [t for t in rows.index if t.endswith(models.STEP2)]
    free = [t.removesuffix(models.STEP2) for t in step2]
    if len(cut_names) != 2:
        raise ValueError(f"{model} has {len(cut_names)} cut points; the curves need the three strength categories")
    delta = pd.DataFrame([rows[step2].to_numpy() - rows[free].to_numpy()], columns=free)
    spec = effect_spec(data, tuple(free))
    weights, _ = weights_for(data)
    resp = respondents(data)
    p = models.predicted_curves(
        resp[list(COVARIATES)],
        rows.drop(cut_names + step2),
        rows[cut_names].to_numpy(),
        spec.vary,
        spec.grid,
        spec.by,
        by_values,
        weights=weights.loc[resp.index].to_numpy(),
        delta=delta,
    )
    long = {"P(strength = 2)": p["p2"], "P(strength ≥ 1)": p["p1"] + p["p2"]}
    return pd.concat(
        [p[["by", spec.vary]].assign(outcome=name, estimate=v.to_numpy()) for name, v in long.items()],
        ignore_index=True,
    )


# --------------------------------------------------------------------------- partner typology
#: Programme classes of the typology, from the register's ``programme`` list, in column order.
PROGRAMME_CLASSES = {
    "titp": "TITP only",
    "ssw": "SSW only",
    "titp_ssw": "TITP and SSW",
    "other_workers": "Other worker or student programmes",
    "none": "No worker programme",
    "unrecorded": "Not recorded",
}
#: Level of a partner in the private agreement list, from its ``partner_type``.
PRIVATE_LEVELS = {"ministry": "national", "province": "subnational", "school": "institution", "broker": "institution"}
LEVEL_ORDER = ("national", "subnational", "institution", "not known")


def programme_class(programmes: str) -> str:
    """The typology's class of a register row's ``programme`` list (``;``-separated): TITP and
    the Specified Skilled Worker programme (SSW) apart and together, other programmes about
    workers or students (care, general human resources, students), or none of these."""
    items = set(str(programmes).split(";"))
    if {"titp", "ssw"} <= items:
        return "titp_ssw"
    if "titp" in items:
        return "titp"
    if "ssw" in items:
        return "ssw"
    if items & {"care", "hr_general", "students"}:
        return "other_workers"
    return "none"


def partner_typology(register: pd.DataFrame, agreements: pd.DataFrame, list_label: str) -> pd.DataFrame:
    """Agreements by formality x partner level x programme: the public register's signed local
    agreements (its ``partner_level`` and ``programme`` coding) and the private agreement list's
    rows (level from ``partner_type``; it records no programme), one block each, with totals.
    ``list_label`` names the list's block (e.g. whether it is synthetic)."""
    reg = pd.DataFrame(
        {
            "source": "Public register (all years)",
            "formal": register["formal"].astype(bool),
            "level": register["partner_level"],
            "programme": register["programme"].map(programme_class),
        }
    )
    own = pd.DataFrame(
        {
            "source": list_label,
            "formal": agreements["formal"].astype(bool),
            "level": agreements["partner_type"].map(PRIVATE_LEVELS).fillna("not known"),
            "programme": "unrecorded",
        }
    )
    rows = []
    for source, block in ((reg["source"].iloc[0] if len(reg) else "", reg), (list_label, own)):
        for formal in (True, False):
            for level in LEVEL_ORDER:
                cell = block.loc[(block["formal"] == formal) & (block["level"] == level)]
                if not len(cell):
                    continue
                counts = cell["programme"].value_counts()
                row = {"Source": source, "Formality": "formal" if formal else "informal", "Partner level": level}
                row.update({label: int(counts.get(key, 0)) for key, label in PROGRAMME_CLASSES.items()})
                row["Total"] = len(cell)
                rows.append(row)
    table = pd.DataFrame(rows)
    empty = [label for label in PROGRAMME_CLASSES.values() if not table[label].any()]
    return table.drop(columns=empty)


# --------------------------------------------------------------------------- partner links
def origin_points(municipalities) -> pd.DataFrame:
    """A point for each municipality (``jp_level`` municipality, by code) and each prefecture
    (by 2-digit code, from the dissolved municipalities), for drawing links: a point surely
    inside the polygon, computed in the map projection. Columns jp_level, jp_code, lon, lat."""
    import geopandas as gpd

    from .frame import AREA_CRS

    projected = municipalities[["code", "prefecture_code", "geometry"]].to_crs(AREA_CRS)
    prefectures = projected.dissolve("prefecture_code").reset_index()
    rows = []
    for level, frame_, key in (("municipality", projected, "code"), ("prefecture", prefectures, "prefecture_code")):
        points = gpd.GeoSeries(frame_.geometry.representative_point(), crs=AREA_CRS).to_crs("EPSG:4326")
        rows.append(
            pd.DataFrame({"jp_level": level, "jp_code": frame_[key].to_numpy(), "lon": points.x, "lat": points.y})
        )
    return pd.concat(rows, ignore_index=True)


def agreement_links(placed: pd.DataFrame, origins: pd.DataFrame, destinations, source: str) -> pd.DataFrame:
    """One row per agreement with its Japanese origin and partner destination coordinates.

    ``placed`` comes from ``admin1.place_partners``; ``destinations`` from
    ``admin1.representative_points``. Rows without a local Japanese origin (national-level
    agreements) or without a placed partner keep missing coordinates: they are counted, not
    dropped."""
    links = placed.copy()
    links.insert(0, "dataset", source)
    links["jp_code"] = links["jp_code"].astype("string")
    links["prefecture_code"] = (
        links["jp_code"].str.slice(0, 2).where(links["jp_level"].isin(["municipality", "prefecture"]))
    )
    links = links.merge(
        origins.rename(columns={"lon": "origin_lon", "lat": "origin_lat"}),
        on=["jp_level", "jp_code"],
        how="left",
        validate="many_to_one",
    )
    dest = pd.DataFrame(
        {
            "place_iso_3166_2": destinations["iso_3166_2"].to_numpy(),
            "place_name": destinations["name"].to_numpy(),
            "dest_lon": destinations.geometry.x.to_numpy(),
            "dest_lat": destinations.geometry.y.to_numpy(),
        }
    )
    links = links.merge(dest, on="place_iso_3166_2", how="left", validate="many_to_one")
    local = links["jp_level"].isin(["municipality", "prefecture"])
    if links.loc[local, "origin_lon"].isna().any():
        missing = links.loc[local & links["origin_lon"].isna(), "jp_code"].tolist()
        raise ValueError(f"{source}: agreements whose Japanese party is not in the frame: {missing[:10]}")
    return links


# --------------------------------------------------------------------------- values of notebook 06
# Each function returns the numbers one section of notebook 06 reports, as
# ``key -> (value, description[, digits or text])`` for the notebook's values (``record_all``).

#: Critical |z| of the screen of the two cumulative-split slopes of a term (section 4).
SPLIT_Z = 1.96


def model_values(fits: dict[str, models.Fitted], weights: pd.Series, data: pd.DataFrame) -> dict[str, tuple]:
    """The main models: samples, weights, each capacity term's and exposure's coefficient,
    odds ratio and p-value in the main model, and exposure in the full-frame formal logit."""
    main, formal = fits[MAIN], fits["formal_all"]
    out = {
        "n_model_respondents": (main.nobs, "Respondents in the ordered models"),
        "n_model_frame": (formal.nobs, "Municipalities in the full-frame formal-agreement logit"),
        "n_clusters": (main.n_clusters, "Prefectures (clusters) in the main model"),
        "weight_min": (float(weights.min()), "Smallest non-response weight", 2),
        "weight_max": (float(weights.max()), "Largest non-response weight", 2),
        "sd_fiscal_strength": (
            float(data["fiscal_strength"].std()),
            "Standard deviation of the fiscal strength index",
            2,
        ),
        "pseudo_r2_main": (main.pseudo_r2, "McFadden pseudo-R² of the main model", 3),
    }
    for term in (*CAPACITY, "prefecture_exposure"):
        label, estimate, p = LABELS[term], main.params[term], main.pvalues[term]
        out |= {
            f"coef_{term}": (float(estimate), f"Main model coefficient: {label}", 2),
            f"or_{term}": (float(np.exp(estimate)), f"Main model odds ratio: {label}", 2),
            f"p_{term}": (float(p), f"Main model p-value (t, G-1 df): {label}", 3),
            f"sig_{term}": (words.significance(p), f"Whether that coefficient is significant at 5%: {label}"),
            f"ptext_{term}": (words.p_value(p), f"Main model p-value as printed: {label}"),
        }
    estimate, p = formal.params["prefecture_exposure"], formal.pvalues["prefecture_exposure"]
    out["formal_exposure_or"] = (
        float(np.exp(estimate)),
        "Formal-agreement logit (all municipalities): odds ratio of prefecture exposure",
        2,
    )
    out["formal_exposure_ptext"] = (words.p_value(p), "Its clustered p-value, as printed")
    out["formal_exposure_finding"] = (
        words.formal_finding(estimate, p),
        "Results predicate for exposure in the formal-agreement logit (clustered t)",
    )
    return out


def effect_values(ame: pd.DataFrame) -> dict[str, tuple]:
    """The average marginal effects on P(formal agreement) with their bootstrap bounds (the
    ``ame`` table of ``effect_tables``): per unit and per SD of each term in the partial
    proportional-odds model, per SD in the full-frame logit, which intervals exclude zero, and
    fiscal strength's effect per 0.1 of its index in both models."""
    by_term = ame.set_index(["term", "outcome"])
    out = {}
    for term in (*CAPACITY, "prefecture_exposure"):
        label = LABELS[term]
        row, logit_row = by_term.loc[(term, "P(strength = 2)")], by_term.loc[(term, "P(formal agreement)")]
        out |= {
            f"ame2_{term}": (
                float(row["estimate"]),
                f"AME on P(formal agreement), partial proportional odds, points per unit: {label}",
                1,
            ),
            f"ame2_{term}_low": (float(row["low"]), "Lower bootstrap bound of that AME", 1),
            f"ame2_{term}_high": (float(row["high"]), "Upper bootstrap bound of that AME", 1),
        }
        for key, r, model in (("ame2sd", row, "partial proportional odds"), ("amefsd", logit_row, "full-frame logit")):
            out |= {
                f"{key}_{term}": (
                    float(r["estimate_sd"]),
                    f"AME on P(formal agreement), {model}, points per SD: {label}",
                    1,
                ),
                f"{key}_{term}_low": (float(r["low_sd"]), "Its lower bootstrap bound", 1),
                f"{key}_{term}_high": (float(r["high_sd"]), "Its upper bootstrap bound", 1),
            }
        out[f"formal_evidence_{term}"] = (
            words.formal_evidence((row["low"], row["high"]), (logit_row["low"], logit_row["high"])),
            f"Which models' intervals for the effect on P(formal agreement) exclude zero: {label}",
        )
    for key, outcome, model in (("ame2", "P(strength = 2)", ""), ("amef", "P(formal agreement)", ", full-frame logit")):
        fiscal = by_term.loc[("fiscal_strength", outcome)]
        out |= {
            f"{key}_fiscal_tenth": (
                float(fiscal["estimate"]) / 10,
                f"AME of fiscal strength on P(formal){model}, points per 0.1 of the index",
                1,
            ),
            f"{key}_fiscal_tenth_low": (float(fiscal["low"]) / 10, "Its lower bootstrap bound", 1),
            f"{key}_fiscal_tenth_high": (float(fiscal["high"]) / 10, "Its upper bootstrap bound", 1),
        }
    return out


def proportional_odds_values(
    split_table: pd.DataFrame, omnibus: dict, free: tuple[str, ...], partial: models.Fitted
) -> dict[str, tuple]:
    """The proportional-odds check (``partial_odds_rule``: the table of split slopes, the
    omnibus test and the freed terms) and the partial proportional-odds fit."""
    flagged = split_table.loc[split_table["z"].abs() > SPLIT_Z]
    named = [
        f"“{LABELS[t]}”" + ("" if judged else " (not judged: too few prefectures)")
        for t, judged in zip(flagged["term"], flagged["in_omnibus"])
    ]
    return {
        "n_ppo_free": (len(free), "Terms freed at the formal step by the rule"),
        "ppo_free_terms": (
            words.terms_phrase([f"“{LABELS[t]}”" for t in free], "no term"),
            "The terms freed at the formal step, in words",
        ),
        "ppo_negative": (
            partial.extra["negative_probabilities"],
            "Respondents with a negative predicted probability in the partial proportional-odds model",
        ),
        "po_flagged_terms": (
            words.terms_phrase(named),
            "The terms whose cumulative-split slopes differ (|z| > 1.96), named",
        ),
        "po_wald": (omnibus["wald"], "Proportional-odds check: Wald statistic (cumulative splits)", 1),
        "po_df": (omnibus["df"], "Its degrees of freedom"),
        "po_p": (omnibus["p"], "Its p-value", 3),
        "n_po_flagged": (len(flagged), "Terms whose two cumulative-split slopes differ (|z| > 1.96)"),
        "po_verdict": (words.test_verdict(omnibus["p"]), "Whether the omnibus test rejects proportional odds at 5%"),
        "po_flagged_phrase": (
            words.count_phrase(len(flagged), "term has", "terms have"),
            "Terms whose two cumulative-split slopes differ, as a clause",
        ),
        "z_crit": (SPLIT_Z, "Critical value of the slope-difference screen", 2),
    }


def exposure_values(fits: dict[str, models.Fitted], wild: dict, data: pd.DataFrame) -> dict[str, tuple]:
    """Prefecture exposure judged by the wild cluster score bootstrap (``exposure_test``)
    beside the main model's clustered t-test."""
    main = fits[MAIN]
    exposed = int(data.groupby("prefecture_code")["prefecture_exposure"].first().sum())
    return {
        "exposure_wild_p": (wild["p"], "Wild cluster score bootstrap p-value of prefecture exposure", 3),
        "n_wild": (wild["n_boot"], "Wild bootstrap draws"),
        "n_exposed_prefectures_model": (exposed, "Exposed prefectures in the model data"),
        "finding_prefecture_exposure": (
            words.finding(main.params["prefecture_exposure"], wild["p"]),
            "Results predicate for exposure (judged by the wild cluster score bootstrap)",
        ),
        "exposure_t_vs_wild": (
            words.tests_agree(main.pvalues["prefecture_exposure"], wild["p"]),
            "Whether the clustered t-test and the wild bootstrap agree on exposure at 5%",
        ),
    }


def bootstrap_values(boot: models.Bootstrap) -> dict[str, tuple]:
    """The prefecture cluster bootstrap: resamples requested, failed, and without Tokyo."""
    return {
        "n_boot": (boot.n_requested, "Cluster bootstrap resamples requested"),
        "n_boot_failed": (boot.n_failed, "Bootstrap resamples that could not be fitted"),
        "n_boot_without_ward": (
            int(bootstrap_drops(boot)["kind_special_ward"]),
            "Bootstrap resamples without Tokyo (no special-ward term)",
        ),
    }


def policies_values(policies: models.Fitted) -> dict[str, tuple]:
    """The binomial model of the number of policies: its dispersion and what its tests say."""
    extra = policies.extra
    return {
        "policies_dispersion": (extra["dispersion"], "Pearson dispersion of the binomial policies model", 2),
        "policies_dispersion_p_over": (extra["dispersion_p"], "One-sided p-value of overdispersion", 3),
        "policies_dispersion_word": (
            words.dispersion_word(extra["dispersion"], extra["dispersion_p"], extra["dispersion_p_under"]),
            "The policies count's dispersion in words, as its tests say",
        ),
    }


def findings_values(fits: dict[str, models.Fitted], spec: EffectSpec) -> dict[str, tuple]:
    """The words of the results on capacity, chosen from the main model's estimates: one
    predicate per capacity term, how many are significant, and the findings sentence with
    odds ratios per SD (of decline, for population change, to read in its direction)."""
    main = fits[MAIN]
    out = {
        f"finding_{term}": (
            words.finding(main.params[term], main.pvalues[term], reverse=term == "pop_change_2018_19"),
            f"Results predicate for: {words.SUBJECTS[term]}",
        )
        for term in CAPACITY
    }
    n_significant = sum(1 for term in CAPACITY if main.pvalues[term] < words.ALPHA)
    per_sd = odds_ratios_per_sd(main, spec.sd, reverse=("pop_change_2018_19",))
    sizes = {t: f"odds ratio {r.odds_ratio:.2f} per SD, {r.low:.2f} to {r.high:.2f}" for t, r in per_sd.iterrows()}
    out |= {
        "n_capacity_significant": (n_significant, "Capacity covariates significant at 5% in the main model"),
        "alpha": (words.ALPHA, "Significance level used for the words of the text", 2),
        "fiscal_step": (0.1, "Step of the fiscal strength index for the marginal effect quoted in the text", 1),
        "capacity_summary": (
            words.capacity_summary(n_significant),
            "How many capacity covariates are significant at 5%, in words",
        ),
        "pop_change_p10": (
            spec.by_values["fast decline (10th percentile)"],
            "10th percentile of population change 2018–19 (%), the fast-decline curve",
            2,
        ),
        "findings_capacity": (
            words.capacity_sentence(
                {t: main.params[t] for t in CAPACITY}, {t: main.pvalues[t] for t in CAPACITY}, sizes
            ),
            "The main model's findings on capacity, one sentence with effect sizes",
        ),
    }
    return out


def formal_findings_values(entries: dict[str, dict]) -> dict[str, tuple]:
    """The findings sentence on formal agreements, built from the printed texts of values
    already recorded (``entries``: key -> {"text": …}, from ``effect_values`` and
    ``findings_values``), so that it quotes exactly the numbers the text prints elsewhere."""
    v = {key: entry["text"] for key, entry in entries.items()}
    sentence = words.formal_sentence(
        v["fiscal_step"],
        (v["ame2_fiscal_tenth"], v["ame2_fiscal_tenth_low"], v["ame2_fiscal_tenth_high"]),
        (v["amef_fiscal_tenth"], v["amef_fiscal_tenth_low"], v["amef_fiscal_tenth_high"]),
        v["formal_evidence_fiscal_strength"],
    )
    return {"findings_formal": (sentence, "The findings on formal agreements, one sentence from both models")}


def model_files(
    fits: dict[str, models.Fitted],
    policies: models.Fitted,
    ame: pd.DataFrame,
    curves: pd.DataFrame,
    recovered: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """What notebook 06 saves for the figures, by file name (without ``.csv``): the tidy
    estimates and fit statistics of every model and of the policies model, the marginal effects
    and curves, and in synthetic mode the parameter recovery and its Monte-Carlo coverage."""
    every = [*fits.values(), policies]
    files = {
        "estimates": pd.concat([fit.tidy() for fit in every], ignore_index=True),
        "fit_statistics": pd.DataFrame([fit.stats() for fit in every]).drop(columns=["quasi_bse"]),
        "ame": ame,
        "curves": curves,
    }
    if recovered is not None:
        files |= {"recovery": recovered, "recovery_coverage": coverage}
    return files


def recovery_values(recovered: pd.DataFrame | None, coverage: pd.DataFrame | None) -> dict[str, tuple]:
    """Parameter recovery on synthetic data (``recovery`` and the Monte-Carlo ``coverage``
    table of ``synthetic.coverage_table``); nothing with real data (both ``None``)."""
    if recovered is None or coverage is None:
        return {}
    out = {
        "n_recovered": (
            int(recovered["covered"].sum()),
            "True values inside the 95% intervals in this one data set (synthetic)",
        ),
        "n_recovery_terms": (len(recovered), "Coefficients checked against the truth (synthetic)"),
    }
    capacity = coverage.loc[coverage["term"].isin(CAPACITY)]
    for model, key in ((MAIN, "mc_ordered"), ("formal_all", "mc_formal")):
        rows = capacity.loc[capacity["model"] == model]
        out |= {
            f"{key}_reps": (
                int(rows["replications"].max()),
                f"Monte-Carlo data sets for the {model} coverage (synthetic)",
            ),
            f"{key}_capacity": (
                100 * rows["covered"].sum() / rows["replications"].sum(),
                f"Pooled coverage (%) of the capacity coefficients' 95% intervals, {model} (synthetic)",
                0,
            ),
            f"{key}_capacity_min": (100 * rows["coverage"].min(), "Lowest coverage (%) of one capacity coefficient", 0),
            f"{key}_capacity_max": (
                100 * rows["coverage"].max(),
                "Highest coverage (%) of one capacity coefficient",
                0,
            ),
        }
    ward = coverage.set_index(["model", "term"]).loc[(MAIN, "kind_special_ward"), "coverage"]
    out["mc_ordered_ward"] = (100 * ward, "Coverage (%) of the special-ward dummy, main model (synthetic)", 0)
    return out


# --------------------------------------------------------------------------- values of notebook 07
def residual_moran_values(
    moran_table: pd.DataFrame, surrogate: pd.DataFrame, surrogate_knn: pd.DataFrame, permutations: int
) -> dict[str, tuple]:
    """Moran's I of the models' residuals: ``moran_table`` holds the formal agreements
    themselves in its first row and the formal-agreement logit's Pearson residuals in its
    second; ``surrogate`` and ``surrogate_knn`` one row per surrogate-residual draw of the main
    model (``spatial.moran`` results on contiguity and on the 6 nearest respondents).
    Residual autocorrelation of either sign matters, so the draws are counted by their
    two-sided p-values."""
    outcome, pearson = moran_table.iloc[0], moran_table.iloc[1]
    draws = len(surrogate)
    return {
        "moran_surrogate_i_min": (
            float(surrogate["I"].min()),
            "Moran's I of the surrogate residuals: smallest over the draws",
            3,
        ),
        "moran_surrogate_i_max": (
            float(surrogate["I"].max()),
            "Moran's I of the surrogate residuals: largest over the draws",
            3,
        ),
        "moran_surrogate_p_max": (
            float(surrogate["p_sim"].max()),
            "Largest permutation p-value over the surrogate draws",
            3,
        ),
        "moran_surrogate_p_min": (
            float(surrogate["p_sim"].min()),
            "Smallest permutation p-value over the surrogate draws",
            3,
        ),
        "n_surrogate_significant": (
            int((surrogate["p_two_sided"] < 0.05).sum()),
            "Surrogate draws with two-sided p < 0.05 (contiguity)",
        ),
        "n_surrogate_significant_knn": (
            int((surrogate_knn["p_two_sided"] < 0.05).sum()),
            "Surrogate draws with two-sided p < 0.05 (6 nearest)",
        ),
        "n_surrogate_expected": (draws * 0.05, "Draws expected below 0.05 by chance without autocorrelation", 0),
        "moran_pearson_i": (float(pearson["I"]), "Moran's I of the formal-agreement logit's Pearson residuals", 3),
        "moran_pearson_p": (float(pearson["p_sim"]), "Its permutation p-value", 3),
        "moran_outcome_i": (float(outcome["I"]), "Moran's I of formal agreements themselves", 3),
        "moran_outcome_p": (float(outcome["p_sim"]), "Its permutation p-value", 3),
        "permutations": (permutations, "Permutations of the Moran and LISA tests"),
        "surrogate_draws": (draws, "Surrogate-residual draws"),
        "moran_outcome_verdict": (
            words.clustering(outcome["p_sim"]),
            "Whether formal agreements themselves cluster in space (Moran's I at 5%)",
        ),
        "moran_pearson_verdict": (
            words.autocorrelation(pearson["p_sim"]),
            "Spatial autocorrelation of the formal-agreement model's residuals, in words",
        ),
    }


def lisa_values(lisa: pd.Series, lisa_fdr: pd.Series) -> dict[str, tuple]:
    """The LISA clusters (``spatial.lisa_clusters``, at p < 0.05 and at a 5% false discovery
    rate): municipalities in each kind of cluster and flagged in all."""
    out = {
        f"lisa_{label.lower().replace('-', '_')}": (int((lisa == label).sum()), f"LISA {label} municipalities")
        for label in ("High-High", "Low-Low", "High-Low", "Low-High")
    }
    out["n_lisa_flagged"] = (int((lisa != "Not significant").sum()), "Municipalities in a LISA cluster at p < 0.05")
    out["n_lisa_flagged_fdr"] = (
        int((lisa_fdr != "Not significant").sum()),
        "Municipalities in a LISA cluster at a 5% false discovery rate",
    )
    return out


def spatial_lag_values(lag_table: pd.DataFrame) -> dict[str, tuple]:
    """The spatial-lag linear probability model (``spatial.spatial_lag_lpm``'s table with a
    ``total_impact`` column): rho, and fiscal strength's coefficient and total impact."""
    lag = lag_table.set_index("term")
    return {
        "lag_rho": (float(lag.loc["rho", "coef"]), "Spatial-lag LPM: rho", 2),
        "lag_rho_p": (float(lag.loc["rho", "p"]), "Spatial-lag LPM: p-value of rho", 3),
        "lag_fiscal": (float(lag.loc["fiscal_strength", "coef"]), "Spatial-lag LPM: fiscal strength coefficient", 3),
        "lag_fiscal_p": (float(lag.loc["fiscal_strength", "p"]), "Spatial-lag LPM: p-value of fiscal strength", 3),
        "lag_fiscal_total": (
            float(lag.loc["fiscal_strength", "total_impact"]),
            "Spatial-lag LPM: total impact of fiscal strength",
            3,
        ),
        "lag_fiscal_sig": (
            words.significance(lag.loc["fiscal_strength", "p"]),
            "Significance of fiscal strength in the spatial-lag LPM",
        ),
    }


def spatial_lag_display(lag_table: pd.DataFrame) -> pd.DataFrame:
    """The spatial-lag model as the appendix table prints it: labelled terms, coefficients,
    SEs and p-values to three decimals (typographic minus), and the total impact."""

    def signed(x: float) -> str:
        return f"{x:.3f}".replace("-", "−")

    return pd.DataFrame(
        {
            "": lag_table["term"].map(lambda t: LABELS.get(t, "ρ (spatial lag)" if t == "rho" else t)),
            "Coefficient": lag_table["coef"].map(signed),
            "SE": lag_table["se"].map(lambda x: f"{x:.3f}"),
            "p": lag_table["p"].map(lambda x: f"{x:.3f}"),
            "Total impact": lag_table["total_impact"].map(lambda x: "" if np.isnan(x) else signed(x)),
        }
    )


#: Prefecture exposure under the three other definitions of the robustness table, as the text names them.
EXPOSURE_DEFINITIONS = {
    "exposure_strict": "agreements wholly about workers by 2019",
    "exposure_2023": "labour agreements by 2023",
    "exposure_any": "any formal agreement by 2023",
}


def robustness_values(robust: dict[str, models.Fitted], table: pd.DataFrame, n_imputations: int) -> dict[str, tuple]:
    """The robustness table (``robustness_fits`` on the analysis ``table``): the range and
    stability of fiscal strength's coefficient over the columns that change one thing (the
    bounds change the sample, the weights and the coding of the outcome at once, and are
    reported on their own), exposure under the other definitions, the samples, and the
    coefficients of fiscal strength and the 2021–22 covariates in every column."""
    one_change = [key for key in ROBUSTNESS if key not in BOUNDS]
    fiscal_across = [robust[key].params["fiscal_strength"] for key in one_change]
    exposure_p = {key: robust[key].pvalues["prefecture_exposure"] for key in EXPOSURE_DEFINITIONS}
    out = {
        "robust_fiscal_min": (
            min(fiscal_across),
            "Smallest fiscal-strength coefficient across the robustness columns",
            2,
        ),
        "robust_fiscal_max": (
            max(fiscal_across),
            "Largest fiscal-strength coefficient across the robustness columns",
            2,
        ),
        "robust_fiscal_word": (
            "stable" if words.stable(fiscal_across) else "not stable",
            "Whether fiscal strength's coefficient is stable across the robustness columns",
        ),
        "robust_fiscal_sig_all": (
            words.significant_everywhere([robust[key].pvalues["fiscal_strength"] for key in one_change]),
            "Whether fiscal strength is significant at 5% in every robustness column",
        ),
        "exposure_strict_sig": (
            words.significance(exposure_p["exposure_strict"]),
            "Significance of prefecture exposure defined by agreements wholly about workers signed by the end of 2019",
        ),
        "exposure_2023_sig": (
            words.significance(exposure_p["exposure_2023"]),
            "Significance of prefecture exposure defined by labour agreements signed by the end of 2023",
        ),
        "exposure_any_sig": (
            words.significance(exposure_p["exposure_any"]),
            "Significance of prefecture exposure defined by any formal agreement signed by the end of 2023",
        ),
        "exposure_definitions": (
            words.significant_under({EXPOSURE_DEFINITIONS[key]: p for key, p in exposure_p.items()}),
            "Under which of the three other definitions prefecture exposure is significant, in one clause",
        ),
        "n_pushed_recoded": (
            int(((table["strength_pushdown"] == 2) & (table["strength"] != 2)).sum()),
            "Municipalities recoded to strength 2 by pushing prefectural agreements down",
        ),
        "n_imputations": (n_imputations, "Imputations of the censored TITP counts"),
        "n_no_large": (robust["no_large"].nobs, "Respondents without designated cities and special wards"),
        "n_strength_unknown": (
            int(table["strength"].isna().sum()),
            "Municipalities whose strength is unknown (bounded in two columns)",
        ),
    }
    for key in BOUNDS:
        fit, name = robust[key], ROBUSTNESS[key]
        out[f"{key}_fiscal"] = (float(fit.params["fiscal_strength"]), f"{name}: fiscal strength coefficient", 2)
        out[f"{key}_fiscal_sig"] = (
            words.significance(fit.pvalues["fiscal_strength"]),
            f"{name}: whether fiscal strength is significant at 5%",
        )
    for key, name in ROBUSTNESS.items():
        for term in ("fiscal_strength", *CAPACITY_2021_22[1:]):
            if term in robust[key].params:
                out[f"robust_{key}_{term}"] = (float(robust[key].params[term]), f"{name}: {LABELS[term]}", 2)
    return out
