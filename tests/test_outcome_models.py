import numpy as np
import pandas as pd
import pytest

from translocal import outcome
from translocal.models import fit_ordered_logit, ordered_probabilities
from translocal.private import POLICY_ITEMS


@pytest.fixture
def tiny():
    frame = pd.DataFrame(
        {"code": ["01100", "01202", "01203", "13101", "20201"], "prefecture_code": ["01", "01", "01", "13", "20"]}
    )
    survey = pd.DataFrame(
        {
            "code": ["01100", "01202", "01203", "13101", "20201"],
            "responded": [1, 1, 0, 0, 1],
            "informal_ties": [0, 1, None, None, 0],
        }
    )
    for item in POLICY_ITEMS:
        survey[item] = [1, 0, None, None, 1]
    survey[list(POLICY_ITEMS) + ["informal_ties", "responded"]] = survey[
        list(POLICY_ITEMS) + ["informal_ties", "responded"]
    ].astype("Int64")
    agreements = pd.DataFrame(
        {
            "jp_level": ["municipality", "municipality", "municipality", "prefecture", "municipality"],
            "jp_code": ["01100", "01203", "13101", "20", "20201"],
            "partner_country": ["VNM", "IDN", "PHL", "VNM", "VNM"],
            "signed_on": pd.to_datetime(["2021-05-01", "2022-01-01", "2020-03-01", "2019-08-14", "2024-02-01"]),
            "formal": [True, False, False, True, True],
        }
    )
    return frame, survey, agreements


def test_strength_follows_the_definition(tiny):
    frame, survey, agreements = tiny
    result = outcome.assemblage_strength(frame, survey, agreements).set_index("code")
    # 01100 formal 2021 -> 2; 01202 survey ties -> 1; 01203 non-respondent with a recorded tie -> 1;
    # 13101 non-respondent with a recorded tie -> 1; 20201 formal only in 2024 (outside) and no ties -> 0
    assert result["strength"].tolist() == [2, 1, 1, 1, 0]
    assert result.loc["20201", "prefecture_exposure"] == 1  # Nagano's 2019 prefectural agreement
    assert result.loc["01100", "n_policies"] == 8 and pd.isna(result.loc["01203", "n_policies"])


def test_unobserved_strength_is_missing_not_zero(tiny):
    frame, survey, agreements = tiny
    result = outcome.assemblage_strength(frame, survey, agreements.iloc[[0]]).set_index("code")
    assert pd.isna(result.loc["01203", "strength"]) and pd.isna(result.loc["13101", "strength"])


def test_push_down_uses_public_prefectural_agreements_too(tiny):
    frame, survey, agreements = tiny
    municipal_only = agreements.loc[agreements["jp_level"] == "municipality"]
    public = pd.DataFrame(
        {
            "jp_level": ["prefecture", "prefecture"],
            "jp_code": ["20", "13"],
            "signed_date": pd.to_datetime(["2021-11-23", "2021-11-23"]),
            "formal": [True, True],
            "status": ["signed", "signed"],
            "labour_related": ["partly", "no"],
        }
    )
    pushed = outcome.assemblage_strength(frame, survey, municipal_only, public, push_down=True).set_index("code")
    assert pushed.loc["20201", "strength"] == 2
    # Only labour agreements are pushed down: Tokyo's friendship agreement leaves 13101 as it was.
    assert pushed.loc["13101", "formal_agreement"] == 0


def test_push_down_counts_prefectural_agreements_in_the_window(tiny):
    frame, survey, agreements = tiny
    agreements = agreements.assign(
        signed_on=agreements["signed_on"].where(agreements["jp_level"] != "prefecture", pd.Timestamp("2021-01-01"))
    )
    pushed = outcome.assemblage_strength(frame, survey, agreements, push_down=True).set_index("code")
    assert pushed.loc["20201", "strength"] == 2


def test_out_of_window_rows_are_reported(tiny):
    _, _, agreements = tiny
    assert outcome.out_of_window(agreements)["jp_code"].tolist() == ["20", "20201"]


def test_weighted_ordered_logit_with_unit_weights_matches_statsmodels():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 2))
    latent = x @ np.array([1.0, -0.5]) + rng.logistic(size=600)
    y = np.digitize(latent, [-0.5, 1.0])
    ours = fit_ordered_logit(x, y)
    theirs = OrderedModel(y, x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    cuts = np.cumsum(np.concatenate([theirs.params[2:3], np.exp(theirs.params[3:])]))
    np.testing.assert_allclose(ours.beta, theirs.params[:2], atol=1e-4)
    np.testing.assert_allclose(ours.cuts, cuts, atol=1e-4)
    assert ours.loglik == pytest.approx(theirs.llf, abs=1e-6)


def test_weights_equal_to_replication():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 1))
    y = np.digitize(x[:, 0] + rng.logistic(size=200), [-0.5, 0.8])
    w = rng.integers(1, 4, size=200)
    weighted = fit_ordered_logit(x, y, weights=w)
    replicated = fit_ordered_logit(np.repeat(x, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.beta, replicated.beta, atol=1e-5)


def test_ordered_probabilities_sum_to_one():
    p = ordered_probabilities(np.array([[0.0], [2.0]]), np.array([1.0]), np.array([-1.0, 1.0]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_strength_shares_by_kind_use_respondents_only():
    assemblage = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "e"],
            "strength": pd.array([2, 0, 2, 1, pd.NA], dtype="Int64"),
            "responded": [1, 1, 0, 1, 0],
        }
    )
    frame = pd.DataFrame({"code": ["a", "b", "c", "d", "e"], "kind": ["city", "city", "town", "town", "town"]})
    shares, counts = outcome.strength_shares_by_kind(assemblage, frame)
    assert shares.loc["city"].tolist() == [0.5, 0.0, 0.5]
    assert shares.loc["town"].tolist() == [0.0, 1.0, 0.0]  # the non-respondent's known 2 is left out
    assert counts.to_dict() == {"special_ward": 0, "designated_city": 0, "city": 2, "town": 1, "village": 0}


def test_summary_numbers_all_have_descriptions(tiny):
    frame, survey, agreements = tiny
    frame = frame.assign(kind=["city", "city", "town", "special_ward", "city"])
    result = outcome.assemblage_strength(frame, survey, agreements)
    assert set(outcome.summary(result, frame, agreements)) == set(outcome.SUMMARY_DESCRIPTIONS)


def test_exposure_definitions_on_the_register(tiny):
    """Main: a formal, signed labour agreement (yes or partly) by the end of 2019; the private
    list's formal prefectural rows count whatever their subject."""
    _, _, agreements = tiny
    public = pd.DataFrame(
        {
            "jp_level": ["prefecture"] * 5,
            "jp_code": ["13", "14", "15", "16", "17"],
            "signed_date": pd.to_datetime(["2019-06-01", "2019-01-01", "2021-11-23", "2018-05-01", "2019-02-01"]),
            "formal": [True, True, True, False, True],
            "status": ["signed", "signed", "signed", "signed", "planned"],
            "labour_related": ["partly", "no", "yes", "yes", "yes"],
        }
    )
    exposed = outcome.exposures(agreements, public)
    # 13: labour (partly) in 2019; 14: not about workers; 15: after 2019; 16: not formal; 17: only planned.
    assert exposed["prefecture_exposure"] == {"20", "13"}
    assert exposed["prefecture_exposure_strict"] == {"20"}  # 13's is only partly about workers
    assert exposed["prefecture_exposure_2023"] == {"20", "13", "15"}
    assert exposed["prefecture_exposure_any"] == {"20", "13", "14", "15"}
    # the register rows behind each definition, one per exposed register prefecture
    for column, (by, labour, _) in outcome.EXPOSURES.items():
        rows = outcome.exposure_rows(public, by, labour)
        assert set(rows["jp_code"]) == exposed[column] - {"20"}
    assert outcome.exposure_rows(public).index.tolist() == [0]


def test_summary_values_describe_every_number_with_its_digits(tiny):
    frame, survey, agreements = tiny
    frame = frame.assign(kind=["city", "city", "town", "special_ward", "city"])
    summary = outcome.summary(outcome.assemblage_strength(frame, survey, agreements), frame, agreements)
    interviews = pd.DataFrame({"interview_id": ["I1", "I2", "I3", "I4"], "year": [2023, 2021, 2022, 2021]})
    values = outcome.summary_values(summary, "synthetic", interviews)
    assert set(values) == set(summary) | {"data_mode", "n_interviews", "formal_phl_phrase", "interview_years"}
    assert values["response_rate"] == (summary["response_rate"], "Survey response rate (%)", 1)
    assert values["n_respondents"] == (3, "Municipalities that answered the 2019 survey")  # no digits: an integer
    assert values["share_partner_vnm"][2] == 0 and values["median_policies"][2] == 0
    assert values["data_mode"][0] == "synthetic"
    assert values["n_interviews"][0] == 4
    assert values["interview_years"] == ("2021, 2022 and 2023", "Years of the interviews")
    # 13101's Philippine entry is informal: no formal agreement involves a Philippine partner
    assert values["formal_phl_phrase"][0] == "no formal municipal agreement involves"
