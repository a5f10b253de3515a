import pytest

from translocal import words


def test_words_follow_the_numbers():
    assert words.significance(0.049) == "statistically significant"
    assert words.significance(0.05) == "not statistically significant"
    assert words.sign(-0.2) == "negative" and words.sign(0.3, "higher", "lower") == "higher"
    assert words.association(0.5, 0.01, "more", "less") == "more"
    assert words.association(-0.5, 0.01, "more", "less") == "less"
    assert words.association(0.5, 0.2, "more", "less") == "no clear association"
    assert words.interval_word(0.1, 2) == "excludes zero" and words.interval_word(-0.1, 2) == "includes zero"
    assert words.stable([1.0, 1.1, 0.95]) and not words.stable([1.0, -0.1]) and not words.stable([1.0, 2.0])
    assert words.count_phrase(0, "miss", "misses") == "no miss"
    assert words.count_phrase(1, "municipality", "municipalities") == "1 municipality"
    assert words.count_phrase(1200, "municipality", "municipalities") == "1,200 municipalities"


def test_findings_read_right_for_every_sign_and_significance():
    assert words.finding(0.8, 0.001) == "are more likely to build stronger assemblages"
    assert words.finding(-0.8, 0.001) == "are less likely to build stronger assemblages"
    assert words.finding(0.8, 0.2) == "show no clear difference in assemblage strength"
    # population change: a negative coefficient means that losing population goes with more
    assert words.finding(-0.2, 0.01, reverse=True) == "are more likely to build stronger assemblages"


def test_hazard_findings_read_right_for_every_sign_and_significance():
    assert words.hazard_finding(0.5, 0.01) == "a higher yearly chance of a first labour agreement"
    assert words.hazard_finding(-0.5, 0.01) == "a lower yearly chance of a first labour agreement"
    assert words.hazard_finding(-0.5, 0.3) == "no clearly different yearly chance of a first labour agreement"


def test_lists_read_right():
    assert words.and_list(["Nepal"]) == "Nepal"
    assert words.and_list(["Nepal", "India"]) == "Nepal and India"
    assert words.and_list(["A", "B", "C"]) == "A, B and C"
    with pytest.raises(ValueError):
        words.and_list([])


def test_verdicts_follow_the_p_values():
    assert words.test_verdict(0.01) == "rejects" and words.test_verdict(0.2) == "gives no evidence against"
    assert words.tests_agree(0.01, 0.03) == "agree" and words.tests_agree(0.01, 0.3) == "disagree"
    assert words.tests_agree(0.2, 0.3) == "agree"
    assert words.significant_everywhere([0.01, 0.02]) == "statistically significant in every column"
    assert words.significant_everywhere([0.01, 0.2]) == "not statistically significant in every column"
    assert words.clustering(0.001) == "cluster in space" and words.clustering(0.4) == "show no clear spatial clustering"
    assert words.autocorrelation(0.2) == "no statistically significant"
    assert words.capacity_summary(0).startswith("no measure") and words.capacity_summary(1).startswith("one measure")
    assert words.capacity_summary(4).startswith("several")


def test_dispersion_follows_its_test():
    # the old text called 1.03 with p(over) = 0.21 "overdispersed"
    assert words.dispersion_word(1.03, 0.21, 0.79) == "consistent with the binomial variance"
    assert words.dispersion_word(1.4, 0.001, 0.999) == "overdispersed"
    assert words.dispersion_word(0.8, 0.99, 0.01) == "underdispersed"
    assert words.dispersion_word(1.4, 0.2, 0.8) == "consistent with the binomial variance"


def test_formal_evidence_names_which_model_shows_it():
    assert words.formal_evidence((0.5, 2.0), (0.1, 3.0)) == "both models' intervals exclude zero"
    assert words.formal_evidence((0.5, 2.0), (-0.1, 3.0)).startswith("the partial proportional-odds model's")
    assert words.formal_evidence((-0.5, 2.0), (0.1, 3.0)).startswith("the formal-agreement logit's")
    assert words.formal_evidence((-0.5, 2.0), (-0.1, 3.0)) == "neither model's interval excludes zero"
    assert words.formal_evidence((0.5, 2.0), (-3.0, -0.1)).endswith("on opposite sides")


def test_terms_phrase():
    assert words.terms_phrase([]) == "none"
    assert words.terms_phrase(["a", "b"]) == "a and b"


def test_capacity_sentence_follows_signs_and_tests():
    est = {"fiscal_strength": 1.7, "log_population_2019": 0.6, "pop_change_2018_19": -0.4, "foreign_per_100_2019": 0.1}
    p = {
        "fiscal_strength": 0.001,
        "log_population_2019": 0.001,
        "pop_change_2018_19": 0.001,
        "foreign_per_100_2019": 0.3,
    }
    assert words.capacity_sentence(est, p) == (
        "Fiscal strength, population and population decline go with stronger assemblages "
        "and foreign residents per resident shows no clear association"
    )
    # a growing population going with stronger assemblages is decline going with weaker ones
    est["pop_change_2018_19"] = 0.4
    assert words.capacity_sentence(est, p) == (
        "Fiscal strength and population go with stronger assemblages, population decline goes with "
        "weaker assemblages, and foreign residents per resident shows no clear association"
    )
    p = dict.fromkeys(p, 0.5)
    assert words.capacity_sentence(est, p).endswith("show no clear association")


def test_formal_sentence():
    text = words.formal_sentence("0.1", ("0.9", "0.4", "1.3"), ("0.5", "−0.3", "1.1"), "only one")
    assert text.startswith("A fiscal strength index higher by 0.1 goes with a change of 0.9 percentage points")
    assert "(95% interval 0.4 to 1.3)" in text and "(−0.3 to 1.1): only one" in text


def test_p_value_never_prints_zero():
    assert words.p_value(0.0000004) == "p < 0.001"
    assert words.p_value(0.0342) == "p = 0.034"


def test_capacity_sentence_carries_effect_sizes():
    est, p = (
        {"fiscal_strength": 1.7, "foreign_per_100_2019": 0.1},
        {"fiscal_strength": 0.001, "foreign_per_100_2019": 0.3},
    )
    sizes = {
        "fiscal_strength": "odds ratio 1.6 per SD, 95% interval 1.3 to 2.0",
        "foreign_per_100_2019": "1.1, 0.9 to 1.3",
    }
    assert words.capacity_sentence(est, p, sizes) == (
        "Fiscal strength (odds ratio 1.6 per SD, 95% interval 1.3 to 2.0) goes with stronger assemblages "
        "and foreign residents per resident (1.1, 0.9 to 1.3) shows no clear association"
    )


def test_significant_under_names_the_definitions():
    p = {"a": 0.2, "b": 0.01, "c": 0.5}
    assert words.significant_under(p) == "statistically significant only when it counts b"
    assert (
        words.significant_under(dict.fromkeys("abc", 0.5))
        == "not statistically significant under any of the three definitions"
    )
    assert words.significant_under(dict.fromkeys("ab", 0.01)) == "statistically significant under both definitions"


def test_formal_finding():
    assert words.formal_finding(0.4, 0.03) == "are more likely to have a formal agreement"
    assert words.formal_finding(-0.4, 0.03) == "are less likely to have a formal agreement"
    assert words.formal_finding(0.4, 0.3).startswith("show no clear difference")


# --- What we found: notebooks 01_frame, 02_public_record and 03_private_layers -------------


def _entries(**texts):
    return {key: {"value": None, "text": text, "description": "", "notebook": "02"} for key, text in texts.items()}


PUBLIC_RECORD = {
    "n_register_local": "120",
    "n_register_prefectural": "40",
    "n_register_municipal": "80",
    "n_register_countries": "9",
    "register_top_country": "Viet Nam",
    "register_top_country_share": "38",
    "n_register_labour": "55",
    "share_labour_since_2019": "71",
    "n_prefecture_labour": "30",
    "n_municipality_labour": "12",
    "dif_start": "2019",
    "dif_end": "2025",
    "dif_n_early": "9",
    "dif_n_at_risk": "38",
    "dif_n_events": "21",
    "dif_finding_titp_per_1000": "a lower yearly chance of a first labour agreement",
    "dif_or_titp_per_1000": "0.54",
    "dif_p_titp_per_1000": "p = 0.031",
    "dif_per_p_titp_per_1000": "p = 0.044",
    "dif_strict_p_titp_per_1000": "p = 0.120",
    "dif_finding_fiscal_strength": "no clearly different yearly chance of a first labour agreement",
    "dif_p_fiscal_strength": "p = 0.612",
    "dif_finding_neighbour_share": "no clearly different yearly chance of a first labour agreement",
    "dif_or_neighbour_share": "0.28",
    "dif_or_neighbour_share_low": "0.04",
    "dif_or_neighbour_share_high": "1.93",
    "profile_n_signed": "60",
    "profile_diff_fiscal_strength": "0.12",
    "profile_p_fiscal_strength": "p < 0.001",
    "profile_diff_log_population": "1.40",
    "profile_p_log_population": "p = 0.004",
}


def test_public_record_findings_read_the_recorded_texts():
    text = words.public_record_findings(_entries(**PUBLIC_RECORD), n_municipalities=1741)
    bullets = text.split("\n")
    assert len(bullets) == 4 and all(b.startswith("- ") for b in bullets)
    assert bullets[0].startswith(
        "- The register holds 120 signed agreements of prefectures (40) and municipalities (80)"
    )
    assert "most often Viet Nam (38%); 55 are about workers, 71% of those signed from 2019 on." in bullets[0]
    assert bullets[1] == "- 30 of 47 prefectures and 12 of 1,741 municipalities have signed a labour agreement."
    assert bullets[2].startswith("- 9 prefectures had one before 2019; of the 38 at risk from 2019, 21 signed by 2025.")
    assert "had a lower yearly chance of a first labour agreement (odds ratio 0.54 per SD, p = 0.031;" in bullets[2]
    assert "(odds ratio 0.28, 95% interval 0.04 to 1.93). With 38 prefectures at risk" in bullets[2]
    assert bullets[3] == (
        "- The 60 municipalities that signed differ from the others in fiscal strength by 0.12 (permutation "
        "p < 0.001) and in log population by 1.40 (p = 0.004)."
    )


def test_public_record_findings_need_every_value():
    incomplete = {k: v for k, v in PUBLIC_RECORD.items() if k != "dif_n_events"}
    with pytest.raises(KeyError, match="dif_n_events"):
        words.public_record_findings(_entries(**incomplete), n_municipalities=1741)


def _entry_texts(texts):
    return {key: {"text": text, "description": "", "value": text} for key, text in texts.items()}


REGRESSION_TEXTS = {
    "n_model_respondents": "1,160", "capacity_summary": "several measures of capacity and need are associated",
    "finding_fiscal_strength": "are more likely to build stronger assemblages", "or_fiscal_strength": "5.89",
    "ptext_fiscal_strength": "p < 0.001", "po_p": "0.210", "po_verdict": "gives no evidence against",
    "po_flagged_terms": "none", "ppo_free_terms": "no term", "ame2_fiscal_tenth": "1.2",
    "ame2_fiscal_tenth_low": "0.6", "ame2_fiscal_tenth_high": "1.9", "amef_fiscal_tenth": "0.9",
    "amef_fiscal_tenth_low": "−0.1", "amef_fiscal_tenth_high": "1.8",
    "formal_evidence_fiscal_strength": "the partial proportional-odds model's interval excludes zero",
    "n_exposed_prefectures_model": "6", "p_prefecture_exposure": "0.041", "exposure_wild_p": "0.120",
    "exposure_t_vs_wild": "disagree", "policies_dispersion_word": "overdispersed", "policies_dispersion": "1.40",
    "policies_dispersion_p_over": "0.001",
}  # fmt: skip


def test_regression_findings_quote_the_recorded_texts():
    text = words.regression_findings(_entry_texts(REGRESSION_TEXTS))
    lines = text.split("\n")
    assert len(lines) == 5 and all(line.startswith("- ") for line in lines)
    assert lines[0] == (
        "- In the main model (1,160 respondents, weighted, covariates measured before the survey), several measures "
        "of capacity and need are associated; fiscally stronger municipalities are more likely to build stronger "
        "assemblages (odds ratio 5.89, p < 0.001)."
    )
    assert "(−0.1 to 1.8): the partial proportional-odds model's interval excludes zero." in lines[2]
    assert lines[3].endswith("wild cluster score bootstrap p = 0.120; the two tests disagree.")
    assert (
        lines[4] == "- The number of policies is overdispersed (dispersion 1.40, one-sided p of overdispersion 0.001)."
    )
    synthetic = REGRESSION_TEXTS | {
        "mc_ordered_reps": "100", "mc_ordered_capacity": "94", "mc_ordered_capacity_min": "91",
        "mc_ordered_capacity_max": "97", "mc_formal_capacity": "95", "mc_formal_reps": "250",
    }  # fmt: skip
    last = words.regression_findings(_entry_texts(synthetic)).split("\n")[-1]
    assert last == (
        "- Synthetic check: over 100 simulated data sets the main model's 95% intervals of the capacity "
        "coefficients covered the truth 94% of the time (91–97% by term); the formal-agreement logit's 95% over 250."
    )
    with pytest.raises(KeyError):
        words.regression_findings(_entry_texts({k: v for k, v in REGRESSION_TEXTS.items() if k != "po_p"}))


SPATIAL_TEXTS = {
    "moran_surrogate_i_min": "−0.021", "moran_surrogate_i_max": "0.013", "surrogate_draws": "20",
    "n_surrogate_significant": "1", "n_surrogate_expected": "1", "n_surrogate_significant_knn": "0",
    "moran_outcome_verdict": "cluster in space", "moran_outcome_i": "0.112", "moran_outcome_p": "0.001",
    "moran_pearson_verdict": "no statistically significant", "moran_pearson_i": "0.010", "moran_pearson_p": "0.240",
    "n_lisa_flagged": "131", "n_lisa_flagged_fdr": "0", "lag_rho": "0.31", "lag_rho_p": "0.002",
    "lag_fiscal": "0.151", "lag_fiscal_sig": "statistically significant", "lag_fiscal_p": "0.004",
    "robust_fiscal_min": "1.52", "robust_fiscal_max": "1.94", "robust_fiscal_word": "stable",
    "robust_fiscal_sig_all": "statistically significant in every column", "n_strength_unknown": "560",
    "bound_0_fiscal": "1.70", "bound_1_fiscal": "0.95",
    "exposure_definitions": "not statistically significant under any of the three definitions",
}  # fmt: skip


def test_spatial_findings_quote_the_recorded_texts():
    lines = words.spatial_findings(_entry_texts(SPATIAL_TEXTS)).split("\n")
    assert len(lines) == 6 and all(line.startswith("- ") for line in lines)
    assert lines[0] == (
        "- Surrogate residuals of the ordered model: Moran's I from −0.021 to 0.013 over 20 draws; 1 of them with "
        "two-sided p < 0.05 on contiguity (1 expected by chance without autocorrelation) and 0 on the 6 nearest "
        "respondents."
    )
    assert lines[1] == (
        "- Formal agreements themselves cluster in space (I = 0.112, p = 0.001); the residuals of the "
        "formal-agreement model show no statistically significant autocorrelation (I = 0.010, p = 0.240)."
    )
    assert lines[2] == "- LISA: 131 municipalities flagged at p < 0.05, 0 after the false-discovery-rate correction."
    assert "is 0.151 (statistically significant, p = 0.004)." in lines[3]
    assert lines[4].endswith("Coding all 560 unknown strengths 0 gives 1.70, coding them 1 gives 0.95.")
    assert lines[5] == (
        "- Under the three other definitions, prefecture exposure is not statistically significant under any of "
        "the three definitions."
    )


# What we found: notebook(s) 04_spatial_join and 05_descriptives
def _join_entries(texts: dict[str, str], values: dict | None = None) -> dict[str, dict]:
    """Recorded values as ``Values.entries`` holds them, from their texts (and raw values)."""
    return {key: {"value": (values or {}).get(key), "text": text} for key, text in texts.items()}


def test_spatial_join_findings_read_the_recorded_values():
    entries = _join_entries(
        {
            "n_analysis": "1,741",
            "n_list_placed_own": "1,020",
            "n_list_placed_capital": "40",
            "n_list_unplaced": "12",
            "n_islands_linked": "48",
            "mean_neighbours": "5.1",
        },
        {"n_list_placed_own": 1020, "n_list_placed_capital": 40, "n_list_unplaced": 12},
    )
    bullets = words.spatial_join_findings(entries, min_neighbours=1, n_components=22).split("\n")
    assert len(bullets) == 3 and all(b.startswith("- ") for b in bullets)
    assert bullets[0].startswith("- All 1,741 municipalities carry the outcome")
    # the rows in are the sum of the placed and unplaced rows
    assert bullets[1].startswith("- Of 1072 agreement-list rows, 1,020 are placed by their own partner code, 40 at")
    assert "and 12 cannot be drawn" in bullets[1]
    assert bullets[2].startswith("- 48 municipalities have no contiguous neighbour")
    assert "at least 1 neighbour(s), 5.1 on average. The graph still has 22 separate parts" in bullets[2]


def test_descriptives_findings_read_the_recorded_values():
    entries = _join_entries(
        {
            "table1_max_std_diff_variable": "Town (%)",
            "table1_max_std_diff": "0.45",
            "table1_std_diff_fiscal": "0.30",
            "table1_max_std_diff_weighted": "0.03",
            "n_strength_known": "1,200",
            "n_links_in_window": "300",
            "n_links_capital": "25",
            "n_links_not_drawn": "9",
            "top_destination": "Nghệ An",
            "top_destination_n": "31",
            "most_common_policy": "japanese classes",
            "most_common_policy_share": "61",
            "least_common_policy": "a disaster guide",
            "least_common_policy_share": "8",
        }
    )
    bullets = words.descriptives_findings(entries, n_municipalities=1741).split("\n")
    assert len(bullets) == 4
    assert bullets[0] == (
        "- Respondents differ from non-respondents most in Town (%) (standardised difference 0.45; in fiscal "
        "strength 0.30); weighted by the non-response weights, respondents differ from the frame by at most 0.03."
    )
    assert bullets[1].startswith("- Strength is known for 1,200 of 1,741 municipalities;")
    assert "Of 300 agreements and ties in 2020–2023, 25 are with national bodies" in bullets[2]
    assert bullets[2].endswith("the partner province named most often is Nghệ An (31).")
    assert bullets[3] == (
        "- The most common policy among respondents is japanese classes (61%), the least common a disaster guide (8%)."
    )
    with pytest.raises(KeyError):
        words.descriptives_findings({}, n_municipalities=1741)
