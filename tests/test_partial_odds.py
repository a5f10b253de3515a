"""The partial proportional-odds logit, checked against answers that do not share its code:
the present (proportional-odds) model when no term is free, closed-form cell proportions when
the model is saturated, numerical derivatives, probabilities written out by hand, and a
Monte Carlo on data with known, different slopes at the two steps (and on proportional data)."""

import time

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from translocal import models


def _by_hand(x, b1, b2, k1, k2):
    """Three categories, written out: P(0) = F(k1 - x b1), P(<= 1) = F(k2 - x b2)."""
    f1, f2 = special.expit(k1 - x @ b1), special.expit(k2 - x @ b2)
    return np.column_stack([f1, f2 - f1, 1 - f2])


def _draw(x, b1, b2, k1, k2, rng):
    p = _by_hand(x, b1, b2, k1, k2)
    assert p.min() > 0, "the simulation must not cross the steps"
    u = rng.random(len(x))[:, None]
    return (u > p.cumsum(axis=1)).sum(axis=1)


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    n = 1500
    x = pd.DataFrame({"a": rng.uniform(-1.5, 1.5, n), "b": rng.uniform(-1.5, 1.5, n), "d": rng.random(n) < 0.3})
    x["d"] = x["d"].astype(float)
    y = _draw(x.to_numpy(), np.array([0.8, 0.5, 0.4]), np.array([0.8, 1.2, 0.4]), -0.3, 1.4, rng)
    groups = np.arange(n) % 40
    weights = rng.uniform(0.5, 2.0, n)
    return x, y, groups, weights / weights.mean()


def test_with_no_free_term_it_is_the_present_model(sample):
    x, y, groups, w = sample
    for weights in (None, w):
        present = models.ordered_logit("po", x, y, groups, weights=weights)
        partial = models.partial_ordered_logit("ppo", x, y, groups, free=(), weights=weights)
        assert list(partial.params.index) == list(present.params.index)
        np.testing.assert_allclose(partial.params, present.params, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(partial.bse, present.bse, rtol=1e-4)
        assert partial.llf == pytest.approx(present.llf, rel=1e-8)


def test_saturated_model_reproduces_the_cell_shares():
    # One 0/1 covariate, free at the second step: 4 parameters for 2 x 2 free cell
    # probabilities, so the fit must return the observed shares, in closed form.
    rng = np.random.default_rng(3)
    g = (rng.random(900) < 0.4).astype(float)
    y = np.where(g == 1, rng.choice(3, 900, p=[0.2, 0.5, 0.3]), rng.choice(3, 900, p=[0.5, 0.3, 0.2]))
    share = {v: np.bincount(y[g == v], minlength=3) / (g == v).sum() for v in (0.0, 1.0)}
    k1, k2 = special.logit(share[0.0][0]), special.logit(share[0.0][:2].sum())
    b1 = k1 - special.logit(share[1.0][0])
    b2 = k2 - special.logit(share[1.0][:2].sum())
    fit = models.partial_ordered_logit("sat", pd.DataFrame({"g": g}), y, np.arange(900) % 30, free=["g"])
    assert fit.params["g"] == pytest.approx(b1, abs=1e-5)
    assert fit.params["g (step 2)"] == pytest.approx(b2, abs=1e-5)
    assert fit.params["cut_0/1"] == pytest.approx(k1, abs=1e-5)
    assert fit.params["cut_1/2"] == pytest.approx(k2, abs=1e-5)
    assert fit.extra["negative_probabilities"] == 0


def test_score_is_the_derivative_of_the_likelihood(sample):
    x, y, _, _ = sample
    xv = x.to_numpy()
    theta = np.r_[0.7, 0.4, 0.3, 0.6, -0.2, np.log(1.5)]  # slopes, delta of "b", cut params
    analytic = models.partial_score_obs(theta, xv, y, [1]).sum(axis=0)
    numeric = optimize.approx_fprime(theta, lambda t: models.partial_loglikeobs(t, xv, y, [1]).sum(), 1e-7)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-3)


def test_probabilities_and_effects_match_the_formulas_by_hand(sample):
    x, _, _, w = sample
    xv = x.to_numpy()
    beta, delta, cuts = np.array([0.8, 0.5, 0.4]), np.array([[0.7]]), np.array([-0.3, 1.4])
    by_hand = _by_hand(xv, beta, beta + np.array([0, 0.7, 0]), *cuts)
    np.testing.assert_allclose(models.partial_probabilities(xv, beta, delta, [1], cuts), by_hand, atol=1e-12)
    # AMEs against central finite differences of the hand-written probabilities
    ame = models.ordered_ame(
        x,
        pd.Series(beta, index=x.columns),
        cuts,
        ["a", "b"],
        ["d"],
        weights=w,
        delta=pd.DataFrame(delta, columns=["b"]),
    )
    h = 1e-5
    for j, term in enumerate(["a", "b"]):
        up, down = xv.copy(), xv.copy()
        up[:, j] += h
        down[:, j] -= h
        slope2 = beta + np.array([0, 0.7, 0])
        diff = (_by_hand(up, beta, slope2, *cuts) - _by_hand(down, beta, slope2, *cuts)) / (2 * h)
        np.testing.assert_allclose(ame.loc[term].to_numpy(), 100 * np.average(diff, axis=0, weights=w), atol=1e-6)
    on, off = xv.copy(), xv.copy()
    on[:, 2], off[:, 2] = 1, 0
    slope2 = beta + np.array([0, 0.7, 0])
    change = _by_hand(on, beta, slope2, *cuts) - _by_hand(off, beta, slope2, *cuts)
    np.testing.assert_allclose(ame.loc["d"].to_numpy(), 100 * np.average(change, axis=0, weights=w), atol=1e-9)


def test_the_freeing_rule():
    table = pd.DataFrame(
        {
            "term": ["fiscal", "ward", "exposure", "size"],
            "z": [2.7, 3.0, -2.1, 1.5],
            "in_omnibus": [True, False, True, True],
        }
    )
    # the ward dummy lives in one prefecture: never judged, however large its z
    assert models.free_terms(table) == ["fiscal", "exposure"]
    assert models.free_terms(table, alpha=0.01) == ["fiscal"]


def _monte_carlo(b1, b2, replications, seed):
    """Coverage of the 95% t(G - 1) intervals of each step's slopes, term "b" free."""
    rng = np.random.default_rng(seed)
    n, g = 1200, 40
    q = stats.t.ppf(0.975, g - 1)
    targets = {"a": b1[0], "b": b1[1], "b (step 2)": b2[1]}
    hits, negative = [], 0
    for _ in range(replications):
        x = pd.DataFrame({"a": rng.uniform(-1.5, 1.5, n), "b": rng.uniform(-1.5, 1.5, n)})
        y = _draw(x.to_numpy(), b1, b2, -0.3, 1.4, rng)
        fit = models.partial_ordered_logit("mc", x, y, np.arange(n) % g, free=["b"])
        negative += fit.extra["negative_probabilities"] > 0
        hits.append({t: abs(fit.params[t] - v) <= q * fit.bse[t] for t, v in targets.items()})
    return pd.DataFrame(hits).mean(), negative


def test_monte_carlo_recovers_each_steps_slope():
    """200 data sets with slopes 0.5 (step 1) and 1.2 (step 2) for "b", 0.8 at both steps for
    "a"; 200 proportional data sets (0.5 at both steps) fitted with "b" free all the same. Each
    slope's interval covers its truth 90-99% of the time (Monte Carlo SE about 1.5 points)."""
    start = time.perf_counter()
    differing, neg_1 = _monte_carlo(np.array([0.8, 0.5]), np.array([0.8, 1.2]), 200, 11)
    proportional, neg_2 = _monte_carlo(np.array([0.8, 0.5]), np.array([0.8, 0.5]), 200, 12)
    for coverage in (differing, proportional):
        assert coverage.between(0.90, 0.99).all(), coverage.to_dict()
    assert neg_1 == neg_2 == 0
    assert time.perf_counter() - start < 120
