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


# What we found: notebook(s) 04_spatial_join and 05_descriptives
def _entries(texts: dict[str, str], values: dict | None = None) -> dict[str, dict]:
    """Recorded values as ``Values.entries`` holds them, from their texts (and raw values)."""
    return {key: {"value": (values or {}).get(key), "text": text} for key, text in texts.items()}


def test_spatial_join_findings_read_the_recorded_values():
    entries = _entries(
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
    entries = _entries(
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
