"""Synthetic stand-ins for the private tables, from a documented data-generating process (DGP).

The process runs on the **real** municipal frame and its real covariates; only the private
quantities (survey answers, agreements, interviews) are simulated. It is described, with
every number and where it comes from, in ``docs/synthetic-dgp.md``; the numbers live here.

Outline (for municipality i in prefecture p):

- latent propensity  y*_i = x_i'β + u_p + ε_i,  u_p ~ N(0, σ_u²),  ε_i ~ standard logistic;
- strength 2 if y* ≥ τ2 (a formal agreement signed 2020–2023), 1 if τ1 ≤ y* < τ2 (informal
  ties only), else 0;
- response to the 2019 survey: logit P = α0 + α1·log(population) + α2·town + α3·village;
- respondents report informal ties (always when strength is 1; with probability 0.7 when 2),
  eight policy items and staff; the agreement list records each formal agreement and, for a
  third of the municipalities with informal ties, one informal tie.

The truth file holds what the analysis's pooled models estimate: the population-averaged
coefficients, computed exactly from the process (integrating the prefecture effect out by
Gauss–Hermite quadrature over the real frame), not the conditional β above.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from . import dictionary, models
from .codes import check_digit
from .eras import to_era
from .models import fit_ordered_logit
from .outcome import COVARIATES, design_matrix, prefecture_exposure
from .private import POLICY_ITEMS

SEED = 20190701

#: Latent propensity: conditional slopes on the main covariates (order of outcome.COVARIATES).
BETA = dict(
    zip(
        COVARIATES,
        (0.8, 0.55, -0.25, 0.12, 0.2, -0.3, -0.5, 0.0, -0.2, 0.6),
    )
)
SIGMA_PREFECTURE = 0.6
CUTS = (8.55, 10.55)  # τ1, τ2: about 6 % strong, about 20 % informal-only
RESPONSE = {"const": -2.65, "log_population": 0.35, "kind_town": -0.25, "kind_village": -0.45}
INFORMAL_REPORTED_IF_FORMAL = 0.7
RECORDED_INFORMAL_TIE = 1 / 3
SECOND_FORMAL_AGREEMENT = 0.25
#: Signing years 2020–2023: COVID-19 closed borders in 2020–21, so fewer agreements then.
YEAR_WEIGHTS = {2020: 0.15, 2021: 0.17, 2022: 0.30, 2023: 0.38}
OUT_OF_WINDOW_ROWS = 8  # agreements of 2019 or 2024: kept in the list, outside the outcome
#: Partner countries. Formal municipal agreements never with the Philippines, whose
#: recruitment is run centrally by its migrant-workers department.
FORMAL_COUNTRIES = {"VNM": 0.70, "IDN": 0.30}
INFORMAL_COUNTRIES = {"VNM": 0.42, "IDN": 0.13, "PHL": 0.30, "MMR": 0.10, "KHM": 0.05}
FORMAL_TYPES = {"province": 0.45, "school": 0.25, "ministry": 0.15, "broker": 0.10, "other": 0.05}
INFORMAL_TYPES = {"school": 0.35, "broker": 0.35, "province": 0.20, "other": 0.10}
#: Policy items: intercepts on the logit scale, plus a common effect of strength and size.
POLICY_INTERCEPTS = dict(zip(POLICY_ITEMS, (-1.6, -0.4, -0.2, -1.4, 0.1, -0.3, -1.2, -1.8)))
POLICY_STRENGTH, POLICY_SIZE = 0.6, 0.5
INTERVIEW_YEARS = {2016: 8, 2019: 10, 2020: 7, 2022: 10}

_QUAD_NODES, _QUAD_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)  # for N(0, 1)


def read_places(path: Path) -> pd.DataFrame:
    """The partner-place crosswalk (data/crosswalks/admin1_partners.csv)."""
    places = pd.read_csv(path, dtype={"layer_key": str})
    places["capital"] = places["capital"].astype(str).str.lower() == "true"
    return places


def covariates(frame: pd.DataFrame, public: pd.DataFrame) -> pd.DataFrame:
    """The main specification's covariates on the frame; exposure (the main definition) from
    the public register alone."""
    exposed = prefecture_exposure(None, public)
    return design_matrix(frame, frame["prefecture_code"].isin(exposed))


def _categories(latent: np.ndarray) -> np.ndarray:
    return np.digitize(latent, CUTS)  # 0, 1, 2


def simulate_strength(x: pd.DataFrame, prefecture: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw of the latent process: strength 0/1/2 for every municipality."""
    prefectures = np.unique(prefecture)
    effect = dict(zip(prefectures, rng.normal(0.0, SIGMA_PREFECTURE, len(prefectures))))
    eta = x.to_numpy() @ np.array([BETA[c] for c in COVARIATES])
    latent = eta + np.array([effect[p] for p in prefecture]) + rng.logistic(size=len(eta))
    return _categories(latent)


def response_probability(frame: pd.DataFrame) -> np.ndarray:
    return special.expit(
        RESPONSE["const"]
        + RESPONSE["log_population"] * np.log(frame["population_2019"].to_numpy(float))
        + RESPONSE["kind_town"] * (frame["kind"] == "town").to_numpy()
        + RESPONSE["kind_village"] * (frame["kind"] == "village").to_numpy()
    )


def marginal_category_probabilities(x: pd.DataFrame) -> np.ndarray:
    """P(strength = j | x), the prefecture effect integrated out (n × 3)."""
    eta = x.to_numpy() @ np.array([BETA[c] for c in COVARIATES])
    weights = _QUAD_WEIGHTS / _QUAD_WEIGHTS.sum()
    shifted = eta[:, None] + SIGMA_PREFECTURE * _QUAD_NODES[None, :]
    above = [special.expit(shifted - c) @ weights for c in CUTS]  # P(y* ≥ τ)
    return np.column_stack([1 - above[0], above[0] - above[1], above[1]])


def expected_partner_shares(strong: float, informal_only: float) -> dict[str, float]:
    """Expected country shares among agreement rows in the window, from the process's constants:
    formal rows per strong municipality 1 + P(second); one recorded tie per informal-only
    municipality with probability ``RECORDED_INFORMAL_TIE``."""
    formal = strong * (1 + SECOND_FORMAL_AGREEMENT)
    informal = informal_only * RECORDED_INFORMAL_TIE
    total = formal + informal
    countries = sorted(set(FORMAL_COUNTRIES) | set(INFORMAL_COUNTRIES))
    return {
        f"partner_{c.lower()}": (formal * FORMAL_COUNTRIES.get(c, 0) + informal * INFORMAL_COUNTRIES.get(c, 0)) / total
        for c in countries
    }


def truth(x: pd.DataFrame, frame: pd.DataFrame) -> dict:
    """What the pooled models estimate, computed from the process on the real frame.

    - ``formal_logit``: logit of "has a formal agreement" on a constant and the covariates,
      fitted to the exact marginal probabilities (the pseudo-true, population-averaged values);
    - ``ordered_logit``: ordered logit of strength on the covariates (no constant), fitted to
      every municipality weighted by its marginal category probabilities: the target of the
      non-response-weighted respondent fit;
    - ``response_logit``: the response model's own coefficients (no random effect there).
    """
    probabilities = marginal_category_probabilities(x)
    exog = sm.add_constant(x, has_constant="add")
    formal = sm.GLM(probabilities[:, 2], exog, family=sm.families.Binomial()).fit(tol=1e-12)
    n = len(x)
    stacked = np.repeat(x.to_numpy(), 3, axis=0)
    categories = np.tile(np.arange(3), n)
    ordered = fit_ordered_logit(stacked, categories, weights=probabilities.reshape(-1))
    return {
        "formal_logit": {"const": float(formal.params["const"]), **{c: float(formal.params[c]) for c in COVARIATES}},
        "ordered_logit": {
            **{c: float(b) for c, b in zip(COVARIATES, ordered.beta)},
            "cut_0/1": float(ordered.cuts[0]),
            "cut_1/2": float(ordered.cuts[1]),
        },
        "response_logit": dict(RESPONSE),
        "expected_shares": {
            "strong": float(probabilities[:, 2].mean()),
            "informal_only": float(probabilities[:, 1].mean()),
            "response": float(response_probability(frame).mean()),
            **expected_partner_shares(float(probabilities[:, 2].mean()), float(probabilities[:, 1].mean())),
        },
        "process": {
            "beta_conditional": BETA,
            "sigma_prefecture": SIGMA_PREFECTURE,
            "cuts": list(CUTS),
            "seed": SEED,
        },
    }


def _pick(rng: np.random.Generator, shares: dict[str, float], size: int | None = None):
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return rng.choice(keys, size=size, p=p / p.sum())


def _date_in(rng: np.random.Generator, year: int) -> dt.date:
    start = dt.date(year, 1, 1)
    return start + dt.timedelta(days=int(rng.integers(0, (dt.date(year + 1, 1, 1) - start).days)))


def _partner(rng, country: str, partner_type: str, places: pd.DataFrame, serial: int) -> tuple[str, str]:
    """A synthetic partner: (name, ISO 3166-2 place or '' for ministries and others)."""
    options = places.loc[(places["country"] == country) & ~places["capital"]]
    if partner_type in ("ministry", "other") or options.empty:
        names = {
            "VNM": "Ministry of Labour - Invalids and Social Affairs",
            "IDN": "Ministry of Manpower",
            "PHL": "Department of Migrant Workers",
        }
        return (
            names.get(country, "National labour authority")
            if partner_type == "ministry"
            else f"Synthetic association {serial}"
        ), ""
    place = options.iloc[
        rng.choice(len(options), p=options["sending_weight"].to_numpy(float) / options["sending_weight"].sum())
    ]
    name = {
        "province": f"{place['name']} provincial government",
        "school": f"Synthetic training school {serial} ({place['name']})",
        "broker": f"Synthetic sending organisation {serial} ({place['name']})",
    }[partner_type]
    return name, place["iso_3166_2"]


def generate(frame: pd.DataFrame, public: pd.DataFrame, places: pd.DataFrame, seed: int = SEED) -> dict:
    """The three synthetic tables and the truth, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    frame = frame.sort_values("code").reset_index(drop=True)
    x = covariates(frame, public)
    strength = simulate_strength(x, frame["prefecture_code"].to_numpy(), rng)
    responded = rng.random(len(frame)) < response_probability(frame)

    # Survey: codes as MIC lists them (6 digits with check digit), some dates in era form.
    n = len(frame)
    size = (np.log(frame["population_2019"].to_numpy(float)) - 10.0) / 1.5
    survey = pd.DataFrame({"code": [c + check_digit(c) for c in frame["code"]], "responded": responded.astype(int)})
    # The survey was fielded from June to September 2019.
    survey_window = [dt.date(2019, 6, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 122, n)]
    era_form = rng.random(n) < 0.1
    survey["response_date"] = [
        (to_era(d) if e else d.isoformat()) if r else "" for d, e, r in zip(survey_window, era_form, responded)
    ]
    for item, intercept in POLICY_INTERCEPTS.items():
        p = special.expit(intercept + POLICY_STRENGTH * strength + POLICY_SIZE * size)
        survey[item] = np.where(responded, (rng.random(n) < p).astype(int).astype(str), "")
    informal = np.where(strength == 1, 1, (strength == 2) & (rng.random(n) < INFORMAL_REPORTED_IF_FORMAL))
    survey["informal_ties"] = np.where(responded, informal.astype(int).astype(str), "")
    staff = rng.poisson(np.exp(-0.8 + 0.5 * size + 0.3 * strength))
    survey["staff_multicultural"] = np.where(responded, staff.astype(str), "")

    # Agreements: formal ones for strength 2, recorded informal ties for some strength 1.
    rows = []
    serial = 0
    for i in np.flatnonzero(strength == 2):
        for _ in range(1 + int(rng.random() < SECOND_FORMAL_AGREEMENT)):
            serial += 1
            country, kind = _pick(rng, FORMAL_COUNTRIES), _pick(rng, FORMAL_TYPES)
            name, place = _partner(rng, country, kind, places, serial)
            year = int(_pick(rng, {str(y): w for y, w in YEAR_WEIGHTS.items()}))
            rows.append((frame.at[i, "code"], country, kind, name, place, _date_in(rng, year), True))
    for i in np.flatnonzero((strength == 1) & (rng.random(n) < RECORDED_INFORMAL_TIE)):
        serial += 1
        country, kind = _pick(rng, INFORMAL_COUNTRIES), _pick(rng, INFORMAL_TYPES)
        name, place = _partner(rng, country, kind, places, serial)
        year = int(_pick(rng, {str(y): w for y, w in YEAR_WEIGHTS.items()}))
        rows.append((frame.at[i, "code"], country, kind, name, place, _date_in(rng, year), False))
    for i in rng.choice(np.flatnonzero(strength < 2), size=OUT_OF_WINDOW_ROWS, replace=False):
        serial += 1
        country, kind = _pick(rng, FORMAL_COUNTRIES), _pick(rng, FORMAL_TYPES)
        name, place = _partner(rng, country, kind, places, serial)
        rows.append(
            (frame.at[i, "code"], country, kind, name, place, _date_in(rng, int(rng.choice([2019, 2024]))), True)
        )
    agreements = pd.DataFrame(
        rows,
        columns=["jp_code", "partner_country", "partner_type", "partner_name", "partner_admin1", "signed_on", "formal"],
    )
    agreements = agreements.sort_values(["signed_on", "jp_code", "partner_name"]).reset_index(drop=True)
    agreements.insert(0, "agreement_id", [f"S{k + 1:04d}" for k in range(len(agreements))])
    agreements.insert(1, "jp_level", "municipality")
    agreements["signed_on"] = [d.isoformat() for d in agreements["signed_on"]]
    agreements["formal"] = np.where(agreements["formal"], "true", "false")
    agreements["source"] = "synthetic (translocal.synthetic)"

    # Interviews: 35, in the years of fieldwork.
    interviews = []
    for year, count in INTERVIEW_YEARS.items():
        modes = (
            {"in_person": 0.8, "online": 0.1, "phone": 0.1}
            if year < 2020
            else {"in_person": 0.2, "online": 0.6, "phone": 0.2}
        )
        if year == 2022:
            modes = {"in_person": 0.5, "online": 0.4, "phone": 0.1}
        for _ in range(count):
            interviews.append(
                (
                    year,
                    _pick(
                        rng,
                        {
                            "municipal_official": 0.4,
                            "prefectural_official": 0.2,
                            "ngo": 0.2,
                            "employer": 0.15,
                            "other": 0.05,
                        },
                    ),
                    _pick(
                        rng,
                        {
                            "hokkaido": 0.08,
                            "tohoku": 0.12,
                            "kanto": 0.2,
                            "chubu": 0.22,
                            "kinki": 0.1,
                            "chugoku": 0.1,
                            "shikoku": 0.08,
                            "kyushu_okinawa": 0.1,
                        },
                    ),
                    _pick(rng, modes),
                )
            )
    interviews = pd.DataFrame(interviews, columns=["year", "actor_type", "region", "mode"])
    interviews.insert(0, "interview_id", [f"I{k + 1:02d}" for k in range(len(interviews))])

    return {
        "survey_2019": survey,
        "agreements": agreements,
        "interviews": interviews,
        "truth": truth(x, frame),
    }


def files(generated: dict) -> dict[str, bytes]:
    """The three tables (UTF-8 CSV) and truth.json as ``write`` writes them, by file name:
    ``private.validate_files`` checks them before they are written."""
    out = {
        f"{name}.csv": generated[name].to_csv(index=False, lineterminator="\n").encode("utf-8")
        for name in ("survey_2019", "agreements", "interviews")
    }
    out["truth.json"] = (json.dumps(generated["truth"], indent=1, sort_keys=True) + "\n").encode("utf-8")
    return out


def write(generated: dict, folder: Path) -> list[Path]:
    """Write the three tables (UTF-8 CSV) and truth.json into ``folder``, each only if changed."""
    written = []
    for name, data in files(generated).items():
        target = folder / name
        dictionary.write_bytes(target, data)
        written.append(target)
    return written


# --------------------------------------------------------------------------- Monte-Carlo coverage
def coverage_draws(
    x: pd.DataFrame,
    frame: pd.DataFrame,
    n_formal: int,
    n_ordered: int,
    seed_formal: int,
    seed_ordered: int,
    target: dict | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Whether the 95% intervals of the two recovered models cover the truth, replication by
    replication, on the real frame (new prefecture effects and errors each time).

    - ``formal_all``: ``n_formal`` replications of the full-frame formal-agreement logit with a
      constant, prefecture-clustered t(G - 1) intervals (statsmodels); a fit that fails or whose
      capacity coefficients run off (beyond ±20) is counted as failed, and a fit where a kind
      dummy separates (no convergence or a coefficient beyond ±20) as separated.
    - ``ordered_weighted``: ``n_ordered`` replications of the main model as the analysis fits
      it: new survey responses, non-response weights, weighted ordered logit on respondents,
      t(G - 1) intervals; a term not estimable in a replication is missing there.

    ``target`` is ``truth(x, frame)`` when the caller has it already (computed here otherwise).
    Returns the hits (model, replication, term, covered) and counts {failed, separated}."""
    from scipy import stats

    t = target if target is not None else truth(x, frame)
    prefecture = frame["prefecture_code"].to_numpy()
    groups = pd.factorize(prefecture)[0]
    q = stats.t.ppf(0.975, len(np.unique(groups)) - 1)
    capacity = list(COVARIATES[:5])
    rows, failed, separated = [], 0, 0
    exog = sm.add_constant(x, has_constant="add")
    target = pd.Series(t["formal_logit"])
    rng = np.random.default_rng(seed_formal)
    for r in range(n_formal):
        y = (simulate_strength(x, prefecture, rng) == 2).astype(float)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # separation shows in the estimates, counted below
                fit = sm.Logit(y, exog).fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        except np.linalg.LinAlgError:
            failed += 1
            continue
        if np.abs(fit.params[capacity]).max() > 20:
            failed += 1
            continue
        separated += int(not fit.mle_retvals["converged"] or np.abs(fit.params).max() > 20)
        ci = fit.conf_int()
        for term in ["const", *COVARIATES]:
            rows.append(("formal_all", r, term, bool(ci.loc[term, 0] <= target[term] <= ci.loc[term, 1])))
    target = pd.Series(t["ordered_logit"])
    respond = response_probability(frame)
    rng = np.random.default_rng(seed_ordered)
    for r in range(n_ordered):
        y = simulate_strength(x, prefecture, rng)
        responded = rng.random(len(y)) < respond
        w, _ = models.response_weights(responded.astype(int), x)
        keep, _ = models.estimable_terms(x[responded], y[responded])
        fit = models.ordered_logit("main", x[responded][keep], y[responded], prefecture[responded], weights=w)
        for term in keep:
            low, high = fit.params[term] - q * fit.bse[term], fit.params[term] + q * fit.bse[term]
            rows.append(("ordered_weighted", r, term, bool(low <= target[term] <= high)))
    hits = pd.DataFrame(rows, columns=["model", "replication", "term", "covered"])
    return hits, {"failed": failed, "separated": separated}


def coverage_table(hits: pd.DataFrame) -> pd.DataFrame:
    """Per model and term: replications, the share of 95% intervals that covered the truth and
    the Wilson interval of that share (the Monte-Carlo uncertainty)."""
    out = hits.groupby(["model", "term"], sort=False)["covered"].agg(["sum", "count"]).reset_index()
    out["coverage"] = out["sum"] / out["count"]
    out["low"], out["high"] = models.wilson_interval(out["sum"], out["count"])
    return out.rename(columns={"count": "replications", "sum": "covered"})
