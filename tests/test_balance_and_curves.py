"""The two helpers of the notebooks' exercises: balance of any column under the non-response
weights (``analysis.balance_table``) and predicted-probability curves rebuilt from saved
estimates without refitting (``analysis.curves_from_estimates``)."""

import numpy as np
import pandas as pd
import pytest
from scipy import special

from translocal import analysis
from translocal.outcome import COVARIATES, KINDS


@pytest.fixture(scope="module")
def frame():
    """A frame with the main specification's covariates: response depends on size, strength
    on the covariates through an ordered logit (the exposure effect larger at the formal step)."""
    rng = np.random.default_rng(11)
    n, groups = 1500, 30
    prefecture = rng.integers(0, groups, n)
    kind = rng.choice(
        ["city", "town", "village", "designated_city", "special_ward"], n, p=[0.45, 0.35, 0.12, 0.04, 0.04]
    )
    data = pd.DataFrame(
        {
            "code": [f"{i:05d}" for i in range(n)],
            "prefecture_code": [f"{p:02d}" for p in prefecture],
            "kind": kind,
            "fiscal_strength": rng.uniform(0.1, 1.0, n),
            "log_population_2019": rng.normal(10, 1.4, n),
            "pop_change_2018_19": rng.normal(-1, 1.1, n),
            "foreign_per_100_2019": rng.gamma(2, 0.7, n),
            "prefecture_titp_per_1000_2018": rng.uniform(0.6, 6.5, groups)[prefecture],
            "prefecture_exposure": (rng.random(groups) < 0.3).astype(float)[prefecture],
            "unrelated": rng.normal(0, 1, n),
        }
    )
    for dummy in KINDS:
        data[dummy] = (data["kind"] == dummy.removeprefix("kind_")).astype(float)
    beta = np.array([1.5, 0.6, -0.4, 0.12, 0.18, -0.3, 0.2, 0.1, -0.2, 0.3])
    latent = data[list(COVARIATES)].to_numpy() @ beta + rng.logistic(size=n)
    strength = np.digitize(latent + 0.5 * data["prefecture_exposure"] * (latent > 8.2), [7.2, 8.9])
    data["responded"] = (rng.random(n) < special.expit(-5 + 0.55 * data["log_population_2019"])).astype(int)
    data["strength"] = pd.array(np.where(data["responded"] == 1, strength, pd.NA), dtype="Int64")
    data["formal_agreement"] = (strength == 2).astype(int)
    return data


def test_balance_table_shows_what_the_weights_balance(frame):
    table = analysis.balance_table(frame, ["log_population_2019", "unrelated"], {"unrelated": "noise"})
    assert list(table.index) == ["log_population_2019", "noise"]
    size = table.loc["log_population_2019"]
    assert size["respondents − non-respondents"] > 0.3, "respondents are larger"
    assert abs(size["weighted respondents − frame"]) < 0.05, "the weights balance the response covariate"
    assert table.loc["noise"].abs().max() < 0.15
    resp, non = frame.loc[frame["responded"] == 1], frame.loc[frame["responded"] == 0]
    assert size["respondents − non-respondents"] == pytest.approx(
        analysis.standardised_difference(resp["log_population_2019"], non["log_population_2019"])
    )


@pytest.mark.parametrize("free", [(), ("prefecture_exposure",)])
def test_curves_from_saved_estimates_match_the_fitted_curves(frame, free):
    spec = analysis.effect_spec(frame, free)
    _, fitted = analysis.effect_tables(analysis.effects(frame, spec), spec)
    estimates = analysis.partial_fit(frame, free).tidy()
    rebuilt = analysis.curves_from_estimates(frame, estimates, spec.by_values)
    assert list(rebuilt.columns) == ["by", "fiscal_strength", "outcome", "estimate"]
    key = ["by", "outcome", "fiscal_strength"]
    left, right = rebuilt.sort_values(key).reset_index(drop=True), fitted.sort_values(key).reset_index(drop=True)
    assert (left[["by", "outcome"]] == right[["by", "outcome"]]).all().all()
    np.testing.assert_allclose(left["fiscal_strength"], right["fiscal_strength"])
    np.testing.assert_allclose(left["estimate"], right["estimate"], atol=1e-4)
    # another level of population change is a new curve, between its neighbours
    more = analysis.curves_from_estimates(frame, estimates, {"low": -2.0, "middle": -1.0, "high": 0.0})
    p2 = more.loc[more["outcome"] == "P(strength = 2)"].pivot(index="fiscal_strength", columns="by", values="estimate")
    assert (p2["low"] > p2["middle"]).all() and (p2["middle"] > p2["high"]).all()


def test_curves_need_the_three_categories(frame):
    logit = analysis.fit_main_models(frame)[0]["formal_all"].tidy()
    with pytest.raises(ValueError, match="cut points"):
        analysis.curves_from_estimates(frame, logit, {"median": -1.0}, model="formal_all")
