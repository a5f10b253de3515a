"""The values notebooks 06 and 07 record, computed by the functions of ``analysis`` from small
hand-made fits and tables: keys, a few values, the digits and the words they choose."""

import numpy as np
import pandas as pd
import pytest

from translocal import analysis, models
from translocal.outcome import CAPACITY, COVARIATES, LABELS

TERMS = (*CAPACITY, "prefecture_exposure")


def fit(name, params, pvalues, nobs=100, n_clusters=47, extra=None):
    params = pd.Series(params, dtype=float)
    return models.Fitted(
        name, "ordered", params, params.abs() / 2, pd.Series(pvalues, dtype=float), nobs, n_clusters,
        -50.0, -100.0, {}, extra or {},
    )  # fmt: skip


def well_formed(values):
    """Every entry is (value, description[, digits or text]), as ``Values.record_all`` takes."""
    for key, entry in values.items():
        assert isinstance(entry, tuple) and len(entry) in (2, 3), key
        assert isinstance(entry[1], str) and entry[1], key
        assert len(entry) == 2 or isinstance(entry[2], (int, str)) and not isinstance(entry[2], bool), key
    return values


@pytest.fixture
def main_fits():
    params = {t: 0.5 for t in TERMS} | {"fiscal_strength": 1.0, "pop_change_2018_19": -0.2}
    pvalues = {t: 0.5 for t in TERMS} | {"fiscal_strength": 0.001, "pop_change_2018_19": 0.01}
    return {
        analysis.MAIN: fit(analysis.MAIN, params, pvalues, nobs=1000),
        "formal_all": fit("formal_all", {"const": -2.0, "prefecture_exposure": np.log(2.0)}, {"prefecture_exposure": 0.0004}, nobs=1741),
    }  # fmt: skip


def test_model_values_report_the_main_model(main_fits):
    weights = pd.Series([0.5, 1.0, 1.5])
    data = pd.DataFrame({"fiscal_strength": [0.2, 0.4, 0.6]})
    values = well_formed(analysis.model_values(main_fits, weights, data))
    assert {f"{kind}_{t}" for kind in ("coef", "or", "p", "sig", "ptext") for t in TERMS} <= values.keys()
    assert values["n_model_respondents"][0] == 1000 and values["n_model_frame"][0] == 1741
    assert values["weight_min"] == (0.5, "Smallest non-response weight", 2)
    assert values["or_fiscal_strength"][0] == pytest.approx(np.e) and values["or_fiscal_strength"][2] == 2
    assert values["p_fiscal_strength"][1] == f"Main model p-value (t, G-1 df): {LABELS['fiscal_strength']}"
    assert values["sig_fiscal_strength"][0] == "statistically significant"
    assert values["sig_log_population_2019"][0] == "not statistically significant"
    assert values["ptext_fiscal_strength"][0] == "p = 0.001" and values["sd_fiscal_strength"][0] == pytest.approx(0.2)
    assert values["pseudo_r2_main"][0] == pytest.approx(0.5)
    assert values["formal_exposure_or"][0] == pytest.approx(2.0) and values["formal_exposure_ptext"][0] == "p < 0.001"
    assert values["formal_exposure_finding"][0] == "are more likely to have a formal agreement"


def ame_table(estimate=2.0, low=1.0, high=3.0, logit_low=-1.0):
    rows = []
    for term in TERMS:
        for outcome, lo in (("P(strength = 2)", low), ("P(formal agreement)", logit_low)):
            rows.append({"term": term, "outcome": outcome, "estimate": estimate, "low": lo, "high": high})
    table = pd.DataFrame(rows)
    for column in ("estimate", "low", "high"):
        table[f"{column}_sd"] = 10 * table[column]
    return table


def test_effect_values_per_unit_per_sd_and_per_tenth():
    values = well_formed(analysis.effect_values(ame_table()))
    assert values["ame2_fiscal_strength"][0] == 2.0 and values["ame2_fiscal_strength"][2] == 1
    assert values["ame2sd_log_population_2019_high"][0] == 30.0
    assert values["amefsd_prefecture_exposure_low"][0] == -10.0
    assert values["ame2_fiscal_tenth"][0] == pytest.approx(0.2) and values["amef_fiscal_tenth_low"][0] == pytest.approx(
        -0.1
    )
    assert values["amef_fiscal_tenth"][1].endswith("full-frame logit, points per 0.1 of the index")
    assert "full-frame" not in values["ame2_fiscal_tenth"][1]
    verdict = values["formal_evidence_fiscal_strength"][0]
    assert (
        verdict == "the partial proportional-odds model's interval excludes zero, the formal-agreement logit's does not"
    )
    both = analysis.effect_values(ame_table(logit_low=0.5))
    assert both["formal_evidence_prefecture_exposure"][0] == "both models' intervals exclude zero"
    assert len(values) == len(TERMS) * 10 + 6


def test_proportional_odds_values_name_the_flagged_terms():
    split = pd.DataFrame(
        {"term": ["fiscal_strength", "kind_special_ward", "log_population_2019"], "z": [2.5, -3.0, 1.0],
         "in_omnibus": [True, False, True]}
    )  # fmt: skip
    partial = fit(
        analysis.PARTIAL, {"fiscal_strength": 1.0}, {"fiscal_strength": 0.01}, extra={"negative_probabilities": 3}
    )
    values = well_formed(
        analysis.proportional_odds_values(split, {"wald": 12.34, "df": 11, "p": 0.2}, ("fiscal_strength",), partial)
    )
    assert values["n_po_flagged"][0] == 2 and values["po_flagged_phrase"][0] == "2 terms have"
    assert values["po_flagged_terms"][0] == (
        f"“{LABELS['fiscal_strength']}” and “{LABELS['kind_special_ward']}” (not judged: too few prefectures)"
    )
    assert values["ppo_free_terms"][0] == f"“{LABELS['fiscal_strength']}”" and values["n_ppo_free"][0] == 1
    assert values["ppo_negative"][0] == 3 and values["po_verdict"][0] == "gives no evidence against"
    assert values["po_wald"] == (12.34, "Proportional-odds check: Wald statistic (cumulative splits)", 1)
    none = analysis.proportional_odds_values(split.assign(z=0.0), {"wald": 1.0, "df": 11, "p": 0.9}, (), partial)
    assert none["ppo_free_terms"][0] == "no term" and none["po_flagged_terms"][0] == "none"
    assert none["po_flagged_phrase"][0] == "no term has"


def test_exposure_bootstrap_and_policies_values(main_fits):
    data = pd.DataFrame({"prefecture_code": ["01", "01", "02", "03"], "prefecture_exposure": [1, 1, 0, 1]})
    values = well_formed(analysis.exposure_values(main_fits, {"p": 0.03, "n_boot": 999}, data))
    assert values["n_exposed_prefectures_model"][0] == 2 and values["n_wild"][0] == 999
    # exposure's clustered p is 0.5 in the main model: the wild bootstrap's 0.03 disagrees
    assert values["exposure_t_vs_wild"][0] == "disagree"
    assert values["finding_prefecture_exposure"][0] == "are more likely to build stronger assemblages"

    flags = np.zeros((4, len(COVARIATES)))
    flags[:3, list(COVARIATES).index("kind_special_ward")] = 1
    boot = models.Bootstrap(draws=np.hstack([np.ones((4, 2)), flags]), n_requested=5, failures={"singular": 1})
    values = well_formed(analysis.bootstrap_values(boot))
    assert [values[k][0] for k in ("n_boot", "n_boot_failed", "n_boot_without_ward")] == [5, 1, 3]

    policies = fit("policies", {}, {}, extra={"dispersion": 1.4, "dispersion_p": 0.001, "dispersion_p_under": 0.999})
    values = well_formed(analysis.policies_values(policies))
    assert values["policies_dispersion_word"][0] == "overdispersed" and values["policies_dispersion_p_over"][2] == 3


def test_findings_values_and_the_formal_sentence(main_fits):
    spec = analysis.EffectSpec(
        grid=(0.1, 0.2), by_values={"fast decline (10th percentile)": -1.5}, sd={t: 1.0 for t in CAPACITY}
    )
    values = well_formed(analysis.findings_values(main_fits, spec))
    assert values["n_capacity_significant"][0] == 2
    assert values["capacity_summary"][0].startswith("several measures")
    assert (
        values["finding_pop_change_2018_19"][0] == "are more likely to build stronger assemblages"
    )  # decline, reversed
    assert values["finding_log_population_2019"][0] == "show no clear difference in assemblage strength"
    assert values["pop_change_p10"] == (
        -1.5,
        "10th percentile of population change 2018–19 (%), the fast-decline curve",
        2,
    )
    assert values["findings_capacity"][0].startswith("Fiscal strength (odds ratio 2.72 per SD")
    assert values["alpha"][0] == 0.05 and values["fiscal_step"] == (
        0.1, "Step of the fiscal strength index for the marginal effect quoted in the text", 1,
    )  # fmt: skip

    texts = {"fiscal_step": "0.1", "ame2_fiscal_tenth": "2.0", "ame2_fiscal_tenth_low": "1.0",
             "ame2_fiscal_tenth_high": "3.0", "amef_fiscal_tenth": "1.5", "amef_fiscal_tenth_low": "−0.5",
             "amef_fiscal_tenth_high": "2.5", "formal_evidence_fiscal_strength": "neither model's interval excludes zero"}  # fmt: skip
    ((key, (sentence, description)),) = analysis.formal_findings_values(
        {k: {"text": t} for k, t in texts.items()}
    ).items()
    assert key == "findings_formal" and description.startswith("The findings on formal agreements")
    assert "higher by 0.1" in sentence and "(95% interval 1.0 to 3.0)" in sentence and "(−0.5 to 2.5)" in sentence
    assert sentence.endswith(": neither model's interval excludes zero")


def test_recovery_values_in_synthetic_mode_only():
    assert analysis.recovery_values(None, None) == {}
    recovered = pd.DataFrame({"covered": [True, True, False]})
    coverage = pd.DataFrame(
        [(analysis.MAIN, t, 100, 95, 0.95) for t in CAPACITY]
        + [("formal_all", t, 50, 40, 0.80) for t in CAPACITY]
        + [(analysis.MAIN, "kind_special_ward", 100, 60, 0.60)],
        columns=["model", "term", "replications", "covered", "coverage"],
    )
    values = well_formed(analysis.recovery_values(recovered, coverage))
    assert values["n_recovered"][0] == 2 and values["n_recovery_terms"][0] == 3
    assert values["mc_ordered_reps"][0] == 100 and values["mc_formal_reps"][0] == 50
    assert values["mc_ordered_capacity"][0] == pytest.approx(95.0) and values["mc_formal_capacity_max"][
        0
    ] == pytest.approx(80.0)
    assert values["mc_ordered_ward"][0] == pytest.approx(60.0) and values["mc_ordered_ward"][2] == 0


def test_model_files_add_recovery_in_synthetic_mode(main_fits):
    policies = fit("policies", {"const": 0.1}, {"const": 0.5}, extra={"quasi_bse": {"const": 0.2}, "dispersion": 1.0})
    ame, curves = ame_table(), pd.DataFrame({"estimate": [0.1]})
    files = analysis.model_files(main_fits, policies, ame, curves)
    assert list(files) == ["estimates", "fit_statistics", "ame", "curves"]
    assert set(files["estimates"]["model"]) == {analysis.MAIN, "formal_all", "policies"}
    assert "quasi_bse" not in files["fit_statistics"] and len(files["fit_statistics"]) == 3
    recovered, coverage = pd.DataFrame({"covered": [True]}), pd.DataFrame({"coverage": [0.9]})
    assert list(analysis.model_files(main_fits, policies, ame, curves, recovered, coverage))[-2:] == [
        "recovery",
        "recovery_coverage",
    ]


# ------------------------------------------------------------------------------ notebook 07
def moran_row(i, p):
    return {"I": i, "expected_I": -0.001, "p_sim": p, "p_two_sided": 2 * p, "n": 100}


def test_residual_moran_values_read_the_rows_and_the_draws():
    table = pd.DataFrame([moran_row(0.3, 0.001), moran_row(0.01, 0.3)], index=["outcome", "pearson"])
    surrogate = pd.DataFrame([moran_row(0.02, 0.01), moran_row(-0.01, 0.4), moran_row(0.0, 0.5), moran_row(0.01, 0.2)])
    knn = pd.DataFrame([moran_row(0.0, 0.5)] * 4)
    values = well_formed(analysis.residual_moran_values(table, surrogate, knn, 999))
    assert values["moran_outcome_i"][0] == 0.3 and values["moran_pearson_p"][0] == 0.3
    assert values["moran_outcome_verdict"][0] == "cluster in space"
    assert values["moran_pearson_verdict"][0] == "no statistically significant"
    assert values["moran_surrogate_i_min"][0] == -0.01 and values["moran_surrogate_p_max"][0] == 0.5
    # two-sided p: 0.02 is below 0.05, 0.4 is not
    assert values["n_surrogate_significant"][0] == 1 and values["n_surrogate_significant_knn"][0] == 0
    assert values["surrogate_draws"][0] == 4 and values["n_surrogate_expected"] == (
        0.2, "Draws expected below 0.05 by chance without autocorrelation", 0,
    )  # fmt: skip
    assert values["permutations"][0] == 999


def test_lisa_values_count_each_cluster():
    lisa = pd.Series(["High-High", "High-High", "Low-Low", "Not significant", "Low-High"])
    fdr = pd.Series(["High-High", "Not significant", "Not significant", "Not significant", "Not significant"])
    values = well_formed(analysis.lisa_values(lisa, fdr))
    assert [values[f"lisa_{k}"][0] for k in ("high_high", "low_low", "high_low", "low_high")] == [2, 1, 0, 1]
    assert values["n_lisa_flagged"][0] == 4 and values["n_lisa_flagged_fdr"][0] == 1
    assert values["lisa_high_low"][1] == "LISA High-Low municipalities"


def lag_table():
    return pd.DataFrame(
        {"term": ["const", "fiscal_strength", "rho"], "coef": [0.1, -0.25, 0.5], "se": [0.01, 0.1, 0.1],
         "p": [0.2, 0.012, 0.0001], "total_impact": [np.nan, -0.5, np.nan]}
    )  # fmt: skip


def test_spatial_lag_values_and_table():
    values = well_formed(analysis.spatial_lag_values(lag_table()))
    assert values["lag_rho"] == (0.5, "Spatial-lag LPM: rho", 2) and values["lag_fiscal_total"][0] == -0.5
    assert values["lag_fiscal_sig"][0] == "statistically significant" and values["lag_fiscal_p"][0] == 0.012
    shown = analysis.spatial_lag_display(lag_table())
    assert list(shown.columns) == ["", "Coefficient", "SE", "p", "Total impact"]
    assert shown[""].tolist() == [LABELS["const"], LABELS["fiscal_strength"], "ρ (spatial lag)"]
    assert shown["Coefficient"].tolist() == ["0.100", "−0.250", "0.500"]
    assert shown["Total impact"].tolist() == ["", "−0.500", ""]


def test_robustness_values_range_words_and_columns():
    robust = {}
    for i, key in enumerate(analysis.ROBUSTNESS):
        params = {"fiscal_strength": 1.0 + i / 100, "prefecture_exposure": 0.3}
        if key in ("covariates_2021_22", "titp_mi"):
            params["log_titp_per_1000_2021"] = 0.2
        exposure_p = 0.01 if key == "exposure_2023" else 0.3
        robust[key] = fit(key, params, {"fiscal_strength": 0.01, "prefecture_exposure": exposure_p}, nobs=900 + i)
    table = pd.DataFrame({"strength": [2, 1, None, 0, None], "strength_pushdown": [2, 2, 2, 0, None]})
    values = well_formed(analysis.robustness_values(robust, table, 20))
    one_change = [k for k in analysis.ROBUSTNESS if k not in analysis.BOUNDS]
    assert values["robust_fiscal_min"][0] == 1.0 and values["robust_fiscal_max"][0] == pytest.approx(
        1 + (len(one_change) - 1) / 100
    )
    assert values["robust_fiscal_word"][0] == "stable"
    assert values["robust_fiscal_sig_all"][0] == "statistically significant in every column"
    assert (
        values["exposure_definitions"][0] == "statistically significant only when it counts labour agreements by 2023"
    )
    assert values["exposure_2023_sig"][0] == "statistically significant" and values["exposure_any_sig"][0].startswith(
        "not"
    )
    assert values["n_pushed_recoded"][0] == 2 and values["n_strength_unknown"][0] == 2
    assert values["n_no_large"][0] == 901 and values["n_imputations"][0] == 20
    assert values["bound_1_fiscal"][1] == "Full frame, unknown = 1: fiscal strength coefficient"
    assert {f"robust_{k}_fiscal_strength" for k in analysis.ROBUSTNESS} <= values.keys()
    assert "robust_titp_mi_log_titp_per_1000_2021" in values and "robust_main_log_titp_per_1000_2021" not in values
