"""The model functions on data with known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from translocal import models


def simulate_ordered(n=3000, beta=(0.8, -0.5, 0.6), cuts=(-0.5, 1.0), seed=1, clusters=40):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "d": (rng.random(n) < 0.3).astype(float)})
    eta = x.to_numpy() @ np.array(beta)
    latent = eta + rng.logistic(size=n)
    y = np.searchsorted(np.array(cuts), latent)
    groups = rng.integers(0, clusters, size=n)
    return x, y, groups


def test_analytic_score_matches_numerical_gradient():
    x, y, _ = simulate_ordered(n=200)
    theta = np.array([0.3, -0.2, 0.5, -0.4, 0.2])
    analytic = models.ordered_score_obs(theta, x.to_numpy(), y).sum(axis=0)
    numeric = optimize.approx_fprime(theta, lambda t: models.ordered_loglikeobs(t, x.to_numpy(), y).sum(), 1e-7)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-4)


def test_weighted_likelihood_with_unit_weights_is_ordered_model():
    x, y, groups = simulate_ordered()
    cluster = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    reference = OrderedModel(y, x, distr="logit").fit(method="bfgs", disp=0, maxiter=2000, gtol=1e-8, **cluster)
    ours = models.WeightedOrderedLogit(y, x, weights=np.ones(len(y))).fit(**cluster)
    np.testing.assert_allclose(ours.params, reference.params, atol=1e-5)
    np.testing.assert_allclose(ours.bse, reference.bse, rtol=1e-3)
    assert ours.llf == pytest.approx(reference.llf, abs=1e-6)


def test_integer_weights_equal_replicated_rows():
    x, y, _ = simulate_ordered(n=400, seed=2)
    w = np.random.default_rng(3).integers(1, 4, size=len(y))
    weighted = models.WeightedOrderedLogit(y, x, weights=w).fit()
    replicated = models.WeightedOrderedLogit(np.repeat(y, w), x.loc[x.index.repeat(w)]).fit()
    np.testing.assert_allclose(weighted.params, replicated.params, atol=1e-5)


def test_ordered_fit_recovers_the_process():
    x, y, groups = simulate_ordered(n=20000, seed=4)
    fit = models.ordered_logit("m", x, y, groups)
    np.testing.assert_allclose(fit.params[["a", "b", "d"]], [0.8, -0.5, 0.6], atol=0.08)
    assert fit.params[["cut_0/1", "cut_1/2"]].to_numpy() == pytest.approx([-0.5, 1.0], abs=0.08)
    assert 0 < fit.pseudo_r2 < 1 and fit.n_clusters == 40
    fast = models.fit_ordered_logit(x.to_numpy(), y)
    np.testing.assert_allclose(fast.beta, fit.params[["a", "b", "d"]], atol=1e-4)


def test_perfect_predictors_and_constants_are_dropped_and_named():
    x = pd.DataFrame({"a": [0.1, 0.5, 0.2, 0.9, 0.3], "rare": [0, 0, 0, 0, 1.0], "flat": [1.0] * 5})
    y = np.array([0, 1, 0, 1, 1])
    keep, dropped = models.estimable_terms(x, y)
    assert keep == ["a"]
    assert set(dropped) == {"rare", "flat"}


def test_ame_of_a_continuous_term_is_the_average_derivative():
    x, _, _ = simulate_ordered(n=500, seed=5)
    beta = pd.Series([0.8, -0.5, 0.6], index=x.columns)
    cuts = np.array([-0.5, 1.0])
    ame = models.ordered_ame(x, beta, cuts, continuous=["a"], discrete=["d"])
    h = 1e-6
    bumped = x.copy()
    bumped["a"] += h
    numeric = (
        (
            models.ordered_probabilities(bumped.to_numpy(), beta.to_numpy(), cuts)
            - models.ordered_probabilities(x.to_numpy(), beta.to_numpy(), cuts)
        ).mean(axis=0)
        / h
        * 100
    )
    np.testing.assert_allclose(ame.loc["a"].to_numpy(), numeric, atol=1e-4)
    assert ame.loc["a"].sum() == pytest.approx(0, abs=1e-9)  # probabilities still sum to one
    assert ame.loc["d", "p2"] > 0 > ame.loc["d", "p0"]  # a positive coefficient moves mass up


def test_predicted_curves_rise_with_a_positive_slope():
    x, _, _ = simulate_ordered(n=300, seed=6)
    beta = pd.Series([0.8, -0.5, 0.6], index=x.columns)
    curves = models.predicted_curves(x, beta, np.array([-0.5, 1.0]), "a", [-1, 0, 1], "b", {"low": -1, "high": 1})
    high = curves.loc[curves["by"] == "low", "p2"].to_numpy()
    assert np.all(np.diff(high) > 0)
    assert np.allclose(curves[["p0", "p1", "p2"]].sum(axis=1), 1)
    # b has a negative slope: setting it low raises P(2) at every grid point
    assert np.all(high > curves.loc[curves["by"] == "high", "p2"].to_numpy())


def _mean_of_a(sample):
    if sample["a"].mean() > 10:  # never: the failure path is exercised below
        raise models.FitFailure("impossible")
    return np.array([sample["a"].mean()])


def _fails_sometimes(sample):
    if sample["g"].nunique() < 9:
        raise models.FitFailure("too few clusters")
    return np.array([sample["a"].mean()])


def test_cluster_bootstrap_is_reproducible_across_jobs_and_counts_failures():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"g": np.repeat(np.arange(10), 20), "a": np.repeat(rng.normal(size=10), 20)})
    one = models.cluster_bootstrap(_mean_of_a, data, "g", n_boot=60, seed=1, n_jobs=1)
    two = models.cluster_bootstrap(_mean_of_a, data, "g", n_boot=60, seed=1, n_jobs=2)
    np.testing.assert_array_equal(one.draws, two.draws)
    # Whole clusters are resampled: the SE of the mean is that of 10 cluster means, not 200 rows.
    expected = data.groupby("g")["a"].first().std(ddof=0) / np.sqrt(10)
    assert one.draws.std() == pytest.approx(expected, rel=0.3)
    failing = models.cluster_bootstrap(_fails_sometimes, data, "g", n_boot=60, seed=1, n_jobs=1)
    assert failing.n_failed > 0 and len(failing.draws) + failing.n_failed == 60
    assert list(failing.failures) == ["FitFailure: too few clusters"]


def test_rubin_rules_known_answers():
    # identical imputations: no between variance, the SE is the completed-data SE
    same = models.rubin(np.array([[1.0], [1.0], [1.0]]), np.array([[0.04], [0.04], [0.04]]))
    assert same.loc[0, "se"] == pytest.approx(0.2) and same.loc[0, "fmi"] == 0
    # T = W + (1 + 1/M) B with W = 1, B = var([0, 2]) = 2, M = 2: T = 1 + 1.5 * 2 = 4
    spread = models.rubin(np.array([[0.0], [2.0]]), np.array([[1.0], [1.0]]))
    assert spread.loc[0, "estimate"] == 1 and spread.loc[0, "se"] == pytest.approx(2.0)
    assert spread.loc[0, "fmi"] == pytest.approx(0.75)


def test_dispersion_check_tells_binomial_from_beta_binomial():
    rng = np.random.default_rng(8)
    n = 1500
    x = pd.DataFrame({"a": rng.normal(size=n)})
    p = 1 / (1 + np.exp(-(-0.3 + 0.5 * x["a"].to_numpy())))
    groups = rng.integers(0, 30, size=n)
    binomial = rng.binomial(8, p)
    fit = models.policies_glm("binomial", x, binomial, 8, groups)
    assert fit.extra["dispersion"] == pytest.approx(1, abs=0.1)
    assert fit.params["a"] == pytest.approx(0.5, abs=0.06)
    overdispersed = rng.binomial(8, rng.beta(p * 2, (1 - p) * 2))  # beta-binomial, same mean
    fit = models.policies_glm("beta-binomial", x, overdispersed, 8, groups)
    assert fit.extra["dispersion"] > 1.5 and fit.extra["dispersion_p"] < 0.001
    assert fit.extra["quasi_bse"]["a"] > 1.2 * models.policies_glm("b", x, binomial, 8, groups).extra["quasi_bse"]["a"]


def test_response_weights_invert_the_response_probability():
    rng = np.random.default_rng(9)
    n = 4000
    x = pd.DataFrame({"size": rng.normal(size=n)})
    p = 1 / (1 + np.exp(-(0.3 + 1.0 * x["size"])))
    responded = (rng.random(n) < p).astype(int)
    w, fit = models.response_weights(responded, x)
    assert len(w) == responded.sum() and w.mean() == pytest.approx(1)
    assert fit.params["size"] == pytest.approx(1.0, abs=0.12)
    # Weighting respondents recovers the frame mean of the covariate.
    assert np.average(x["size"][responded == 1], weights=w) == pytest.approx(x["size"].mean(), abs=0.05)


def test_weighted_binary_logit_with_unit_weights_is_the_logit():
    x, y, groups = simulate_ordered(n=800, seed=10)
    y = (y == 2).astype(int)
    plain = models.binary_logit("plain", x, y, groups)
    unit = models.binary_logit("unit", x, y, groups, weights=np.ones(len(y)))
    np.testing.assert_allclose(plain.params, unit.params, atol=1e-5)
    np.testing.assert_allclose(plain.bse, unit.bse, rtol=1e-3)  # the same cluster sandwich
    assert plain.llnull == pytest.approx(unit.llnull) and plain.llf == pytest.approx(unit.llf)


def test_cut_point_standard_errors_by_the_delta_method_match_simulation():
    theta = np.array([0.5, -0.3, np.log(1.2)])  # one slope, first cut -0.3, second 0.9
    cov = np.array([[0.010, 0.002, 0.001], [0.002, 0.020, -0.004], [0.001, -0.004, 0.006]])
    params, delta = models._cut_points(theta, cov, k=1)
    assert params == pytest.approx([0.5, -0.3, 0.9])
    draws = np.random.default_rng(12).multivariate_normal(theta, cov, size=200_000)
    cuts = np.column_stack([draws[:, 1], draws[:, 1] + np.exp(draws[:, 2])])
    simulated = np.cov(np.column_stack([draws[:, 0], cuts]).T)
    np.testing.assert_allclose(delta, simulated, atol=4e-4)


def test_titp_imputation_stays_within_the_censoring_bounds():
    from translocal import analysis

    data = pd.DataFrame(
        {
            "titp_censored_2021": [True, True, False],
            "foreign_residents": [3, 40, 500],
            "population": [1000, 2000, 50000],
            "log_titp_per_1000_2021": [0.0, 0.0, 1.5],
        }
    )
    draws = np.array(
        [analysis.impute_titp(data, np.random.default_rng(s))["log_titp_per_1000_2021"] for s in range(300)]
    )
    trainees = np.round(np.expm1(draws[:, :2]) * data["population"].to_numpy()[:2] / 1000)
    assert set(np.unique(trainees[:, 0])) == {0, 1, 2, 3}  # at most the 3 foreign residents
    assert trainees[:, 1].max() == 10 and trainees[:, 1].min() == 0  # at most the cap of 10
    assert np.all(draws[:, 2] == 1.5)  # published counts untouched


def test_rubin_degrees_of_freedom_respect_the_complete_data_df():
    q = np.array([[0.9], [1.1], [1.0], [1.05]])
    u = np.full((4, 1), 0.04)
    unlimited = models.rubin(q, u)
    limited = models.rubin(q, u, df_complete=46)
    m, between, within = 4, q.var(ddof=1), 0.04
    lam = (1 + 1 / m) * between / (within + (1 + 1 / m) * between)
    assert unlimited.loc[0, "df"] == pytest.approx((m - 1) / lam**2)
    observed = 47 / 49 * 46 * (1 - lam)
    assert limited.loc[0, "df"] == pytest.approx(1 / (1 / ((m - 1) / lam**2) + 1 / observed))
    assert limited.loc[0, "df"] < 46 and limited.loc[0, "p"] > unlimited.loc[0, "p"]


def test_pooled_fit_applies_rubin_rules_and_keeps_the_completed_fits():
    from translocal import analysis

    def fit(estimate, se):
        one = pd.Series([estimate], index=["a"])
        return models.Fitted("m", "ordered", one, pd.Series([se], index=["a"]), one * 0, 100, 47, -1.0, -2.0, {}, {})

    completed = [fit(0.0, 1.0), fit(2.0, 1.0)]
    pooled = analysis.pooled_fit("pooled", completed)
    # T = W + (1 + 1/M) B = 1 + 1.5 * 2 = 4, as in test_rubin_rules_known_answers
    assert pooled.params["a"] == 1 and pooled.bse["a"] == pytest.approx(2.0)
    assert [id(f) for f in pooled.completed] == [id(f) for f in completed] and pooled.extra["imputations"] == 2


def _two_step_data(n, slopes_first, slopes_second, seed):
    """Ordinal y from two separate latent steps: proportional odds when the slopes agree."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    p1 = 1 / (1 + np.exp(-(0.2 + x.to_numpy() @ np.array(slopes_first))))
    p2 = 1 / (1 + np.exp(-(-1.5 + x.to_numpy() @ np.array(slopes_second))))
    u = rng.random(n)
    y = (u < p1).astype(int) + (u < np.minimum(p1, p2)).astype(int)  # P(y>=1)=p1, P(y>=2)=min(p1,p2)
    return x, y, rng.integers(0, 40, size=n)


def test_cumulative_split_test_matches_statsmodels_and_detects_non_proportional_odds():
    import statsmodels.api as sm

    x, y, groups = simulate_ordered(n=3000, seed=13)
    table, omnibus = models.cumulative_split_test(x, y, groups)
    for cut, column in ((1, "split_1"), (2, "split_2")):
        ref = sm.Logit((y >= cut).astype(float), sm.add_constant(x)).fit(
            disp=0, cov_type="cluster", cov_kwds={"groups": groups}
        )
        np.testing.assert_allclose(table[column], ref.params[["a", "b", "d"]], atol=1e-6)
    # a proportional-odds process: no evidence against it
    assert omnibus["p"] > 0.01 and omnibus["df"] == 3
    # slopes that differ between the steps are detected
    x2, y2, g2 = _two_step_data(6000, [1.0, 0.0], [0.0, 1.0], seed=14)
    table2, omnibus2 = models.cumulative_split_test(x2, y2, g2)
    assert omnibus2["p"] < 1e-6 and table2["z"].abs().min() > 3


def test_stacked_covariance_diagonal_blocks_are_each_models_cluster_covariance():
    import statsmodels.api as sm

    x, y, groups = simulate_ordered(n=1500, seed=15)
    table, _ = models.cumulative_split_test(x, y, groups)
    ref1 = sm.Logit((y >= 1).astype(float), sm.add_constant(x)).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": groups}
    )
    ref2 = sm.Logit((y >= 2).astype(float), sm.add_constant(x)).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": groups}
    )
    # the difference's variance lies between |se1 - se2|^2 and (se1 + se2)^2 and is not their plain sum
    s1, s2 = ref1.bse[["a", "b", "d"]].to_numpy(), ref2.bse[["a", "b", "d"]].to_numpy()
    assert np.all(table["se"] <= s1 + s2) and np.all(table["se"] >= np.abs(s1 - s2))
    assert not np.allclose(table["se"], np.hypot(s1, s2), rtol=1e-3)


def _clustered_ordered(n_clusters, per_cluster, effect, seed):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_clusters), per_cluster)
    treated_clusters = rng.permutation(n_clusters)[:8]
    treated = np.isin(groups, treated_clusters).astype(float)
    a = rng.normal(size=len(groups))
    cluster_effect = rng.normal(0, 0.5, n_clusters)[groups]
    latent = 0.8 * a + effect * treated + cluster_effect + rng.logistic(size=len(groups))
    y = np.searchsorted(np.array([0.0, 1.5]), latent)
    return pd.DataFrame({"a": a, "treated": treated}), y, groups


def test_score_bootstrap_holds_its_size_with_few_treated_clusters_and_has_power():
    rejections = 0
    for rep in range(60):
        x, y, g = _clustered_ordered(40, 25, 0.0, seed=100 + rep)
        rejections += models.score_bootstrap_test(x, y, g, "treated", n_boot=199, seed=rep)["p"] < 0.05
    assert rejections / 60 <= 0.15
    x, y, g = _clustered_ordered(40, 25, 2.0, seed=7)
    assert models.score_bootstrap_test(x, y, g, "treated", n_boot=199, seed=1)["p"] < 0.05


def test_a_dummy_in_one_cluster_is_reported_but_left_out_of_the_omnibus():
    x, y, groups = simulate_ordered(n=3000, seed=16)
    x["one_cluster"] = (groups == 0).astype(float)
    table, omnibus = models.cumulative_split_test(x, y, groups)
    assert table.set_index("term").loc["one_cluster", "in_omnibus"] == False
    assert omnibus["df"] == 3


def test_standardised_difference_by_hand():
    from translocal.analysis import standardised_difference

    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0, np.nan])
    # means 2 and 4, sample variances 1 and 4: (2 - 4) / sqrt(2.5); the NaN is left out
    assert standardised_difference(a, b) == pytest.approx(-2 / np.sqrt(2.5))
    # shares: 0.5 vs 0.25, pooled SD from the sample variances of the 0/1 values
    x, y = np.array([1, 0, 1, 0]), np.array([1, 0, 0, 0])
    assert standardised_difference(x, y) == pytest.approx(0.25 / np.sqrt((1 / 3 + 0.25) / 2))
    # weights: weighted mean 7/4; weighted mean squared deviation 0.6875, times n/(n - 1) = 3/2
    w = np.array([2.0, 1.0, 1.0])
    assert standardised_difference(a, b, weights_a=w) == pytest.approx((1.75 - 4) / np.sqrt((0.6875 * 1.5 + 4) / 2))
    assert standardised_difference([5.0, 5.0], [5.0]) == 0.0


def test_partner_typology_counts_every_row_once():
    from translocal import analysis

    register = pd.DataFrame(
        {
            "formal": [True, True, True, False, True],
            "partner_level": ["national", "subnational", "subnational", "institution", "subnational"],
            "programme": ["titp;ssw", "titp;hr_general", "friendship", "students", "ssw;care"],
        }
    )
    agreements = pd.DataFrame({"formal": [1, 1, 0], "partner_type": ["province", "ministry", "other"]})
    table = analysis.partner_typology(register, agreements, "Agreement list")
    assert table["Total"].sum() == 8
    reg = table.loc[table["Source"] == "Public register (all years)"].set_index(["Formality", "Partner level"])
    assert reg.loc[("formal", "national"), "TITP and SSW"] == 1
    assert reg.loc[("formal", "subnational")][["TITP only", "SSW only", "No worker programme"]].tolist() == [1, 1, 1]
    assert reg.loc[("informal", "institution"), "Other worker or student programmes"] == 1
    own = table.loc[table["Source"] == "Agreement list"].set_index(["Formality", "Partner level"])
    assert own["Not recorded"].tolist() == [1, 1, 1] and ("informal", "not known") in own.index
    assert [analysis.programme_class(p) for p in ("ssw", "care", "other;friendship")] == [
        "ssw",
        "other_workers",
        "none",
    ]


def test_available_cpus_follows_the_cgroup_quota_and_the_affinity(tmp_path):
    import os

    from translocal.models import available_cpus

    affinity = len(os.sched_getaffinity(0))
    quota = tmp_path / "cpu.max"
    quota.write_text("100000 100000\n")  # one CPU, as on mybinder.org
    assert available_cpus(str(quota)) == 1
    quota.write_text("150000 100000\n")  # 1.5 CPUs: one process per whole CPU
    assert available_cpus(str(quota)) == 1
    quota.write_text("max 100000\n")  # no quota: the affinity decides
    assert available_cpus(str(quota)) == affinity
    assert available_cpus(str(tmp_path / "missing")) == affinity


def test_shares_by_group_with_wilson_text_for_small_groups():
    from translocal import analysis

    rows = pd.DataFrame({"kind": ["a"] * 4 + ["b"] * 200, "x": [1, 1, 0, 0] + [1] * 50 + [0] * 150})
    shares, text = analysis.shares_by_group(rows, {"x": "Item X"}, "kind", ["a", "b"])
    assert shares.loc["Item X"].tolist() == [50.0, 25.0]
    low, high = models.wilson_interval(2, 4)
    assert text.loc["Item X", "a\n(n = 4)"] == f"50\n{100 * low:.0f}–{100 * high:.0f}"
    assert text.loc["Item X", "b\n(n = 200)"] == "25"  # no interval printed for a large group


def test_odds_ratios_per_sd_by_hand():
    from translocal import analysis

    fit = models.Fitted(
        name="m", kind="ordered", params=pd.Series({"a": 0.5, "b": -0.2}), bse=pd.Series({"a": 0.1, "b": 0.1}),
        pvalues=pd.Series({"a": 0.0, "b": 0.05}), nobs=100, n_clusters=47, llf=0.0, llnull=0.0, dropped={}, extra={},
    )  # fmt: skip
    q = stats.t.ppf(0.975, 46)
    table = analysis.odds_ratios_per_sd(fit, {"a": 2.0, "b": 3.0}, reverse=("b",))
    assert table.loc["a"].tolist() == pytest.approx(
        [np.exp(1.0), np.exp(2 * (0.5 - q * 0.1)), np.exp(2 * (0.5 + q * 0.1))]
    )
    # reversed: per SD of the opposite direction, so the estimate 0.6 per SD reads as exp(0.6)
    assert table.loc["b", "odds_ratio"] == pytest.approx(np.exp(0.6)) and table.loc["b", "low"] < np.exp(0.6)
