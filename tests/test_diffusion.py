"""The event-history data and the hazard model, against answers that do not share their code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from translocal import diffusion
from translocal.base import paths


@pytest.fixture
def three():
    """Three prefectures, A-B-C in a row (A and C are not neighbours):
    A signed in 2017 (an early adopter), B in 2021, C never (followed to 2023)."""
    first = pd.Series({"A": 2017.0, "B": 2021.0, "C": np.nan}, dtype="Float64")
    neighbours = {"A": {"B"}, "B": {"A", "C"}, "C": {"B"}}
    return first, neighbours


def test_risk_set_by_hand(three):
    first, _neighbours = three
    panel = diffusion.person_period(first, start=2019, end=2023)
    # A never enters; B is at risk 2019, 2020, 2021 and leaves after its event; C stays to 2023.
    assert list(zip(panel["prefecture_code"], panel["year"], panel["event"])) == [
        ("B", 2019, 0),
        ("B", 2020, 0),
        ("B", 2021, 1),
        ("C", 2019, 0),
        ("C", 2020, 0),
        ("C", 2021, 0),
        ("C", 2022, 0),
        ("C", 2023, 0),
    ]
    assert diffusion.early_adopters(first, start=2019).to_dict() == {"A": 2017}
    assert panel["trend"].tolist() == [0, 1, 2, 0, 1, 2, 3, 4]


def test_lagged_neighbour_share_by_hand(three):
    first, neighbours = three
    panel = diffusion.person_period(first, start=2019, end=2023)
    share = diffusion.neighbour_share(panel, first, neighbours)
    # B's neighbours are A (signed 2017) and C (never): 1/2 in every year it is at risk.
    assert share[panel["prefecture_code"] == "B"].tolist() == [0.5, 0.5, 0.5]
    # C's only neighbour B signs in 2021: it counts from 2022 (signed by the end of the previous year).
    assert share[panel["prefecture_code"] == "C"].tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_risk_set_is_the_steps_in_one_call(three):
    first, neighbours = three
    register = pd.DataFrame(
        {
            "jp_level": ["prefecture"] * 4,
            "jp_code": ["A", "B", "B", "C"],
            "agreement_id": ["PA1", "PA2", "PA3", "PA4"],
            "signed_date": pd.to_datetime(["2017-05-01", "2022-01-01", "2021-03-01", "2020-01-01"]),
            "signed_year": [2017, 2022, 2021, 2020],
        }
    )
    counts = pd.Series([True, True, True, False])  # C's agreement is not an event
    rows = diffusion.first_event_rows(register, counts)
    assert rows["agreement_id"].to_dict() == {"A": "PA1", "B": "PA3"}  # B's first is the 2021 one
    got_first, early, panel = diffusion.risk_set(register, counts, ["A", "B", "C"], neighbours, start=2019, end=2023)
    pd.testing.assert_series_equal(got_first, first.rename("first_year"))
    step_by_step = diffusion.person_period(first, start=2019, end=2023)
    step_by_step["neighbour_share"] = diffusion.neighbour_share(step_by_step, first, neighbours)
    pd.testing.assert_frame_equal(panel, step_by_step)
    assert early.to_dict() == {"A": 2017}
    assert diffusion.sample_counts(panel, early) == {
        "Early adopters (not at risk)": 1,
        "Prefectures at risk": 2,
        "First agreements (events)": 1,
        "Prefecture-years": 8,
    }


def test_an_event_after_the_end_is_censored():
    first = pd.Series({"D": 2026.0}, dtype="Float64")
    panel = diffusion.person_period(first, start=2019, end=2025)
    assert panel["event"].sum() == 0 and panel["year"].max() == 2025


def test_year_dummies_reproduce_the_life_table():
    """With one dummy per year and nothing else, the logit's fitted hazards equal the life
    table's events / at risk in every year (computed here with plain counting)."""
    rng = np.random.default_rng(7)
    data = diffusion.simulate(300, 6, {"const": -1.5, "x": 0.0, "trend": 0.2}, rng)
    fit = diffusion.fit_hazard(data, year_dummies=True)
    fitted = pd.Series(fit.predict(), index=data.index).groupby(data["year"]).first()
    counted = {}
    for year, rows in data.groupby("year"):
        counted[year] = rows["event"].sum() / len(rows)
    np.testing.assert_allclose(fitted.to_numpy(), np.array(list(counted.values())), atol=1e-8)
    life = diffusion.life_table(data)
    np.testing.assert_allclose(life["hazard"].to_numpy(), np.array(list(counted.values())))
    survival = np.cumprod([1 - h for h in counted.values()])
    np.testing.assert_allclose(life["survival"].to_numpy(), survival)


def test_monte_carlo_recovers_the_hazard_coefficients():
    """On person-period data from a known logit hazard, the 95% intervals (prefecture-clustered)
    cover the true coefficients in about 95% of replications, and the estimates centre on them."""
    truth = {"const": -2.0, "x": 0.7, "trend": 0.15}
    rng = np.random.default_rng(20191231)
    reps, hits, estimates = 200, {k: 0 for k in truth}, {k: [] for k in truth}
    for _ in range(reps):
        data = diffusion.simulate(250, 7, truth, rng)
        fit = diffusion.fit_hazard(data, terms=("x", "trend"))
        ci = fit.conf_int()
        for name, value in truth.items():
            estimates[name].append(fit.params[name])
            hits[name] += ci.loc[name, 0] <= value <= ci.loc[name, 1]
    for name, value in truth.items():
        assert 0.91 <= hits[name] / reps <= 0.99, (name, hits[name] / reps)
        assert abs(np.mean(estimates[name]) - value) < 0.05, (name, np.mean(estimates[name]))


def test_prefecture_names_as_the_isa_prints_them():
    prefectures = {"01": "北海道", "13": "東京都", "26": "京都府", "02": "青森県"}
    names = pd.Series(["北海道", "東京", "京都", "青森", "青森県"])
    assert diffusion.prefecture_code_of(names, prefectures).tolist() == ["01", "13", "26", "02", "02"]
    with pytest.raises(ValueError, match="matches 0 prefectures"):
        diffusion.prefecture_code_of(pd.Series(["未定・不詳"]), prefectures)


def test_sea_links_are_codes_and_join_the_islands():
    links = diffusion.read_sea_links(paths.SEA_LINKS)
    pairs = {frozenset(p) for p in zip(links["code_a"], links["code_b"])}
    # Hokkaido, Kyushu (via Yamaguchi-Fukuoka), Shikoku and Okinawa reach Honshu.
    assert {frozenset({"01", "02"}), frozenset({"35", "40"}), frozenset({"46", "47"})} <= pairs


def test_monte_carlo_at_the_size_of_the_chapter():
    """38 prefectures at risk over 7 years, about as in the chapter: the t(G-1) intervals of the
    clustered logit still cover the truth at close to the nominal rate."""
    truth = {"const": -2.0, "x": 0.5, "trend": 0.15}
    rng = np.random.default_rng(20251231)
    reps, hits = 300, {k: 0 for k in truth}
    for _ in range(reps):
        ci = diffusion.fit_hazard(diffusion.simulate(38, 7, truth, rng), terms=("x", "trend")).conf_int()
        for name, value in truth.items():
            hits[name] += ci.loc[name, 0] <= value <= ci.loc[name, 1]
    for name in truth:
        assert 0.90 <= hits[name] / reps <= 0.99, (name, hits[name] / reps)


def test_first_event_year_counts_only_the_events_of_prefectures():
    register = pd.DataFrame(
        {
            "jp_level": ["prefecture", "prefecture", "prefecture", "municipality", "prefecture"],
            "jp_code": ["01", "01", "02", "03201", "04"],
            "signed_year": [2021, 2019, 2018, 2017, 2022],
            "signed_date": pd.to_datetime(["2021-01-01", "2019-06-01", "2018-01-01", "2017-01-01", "2022-01-01"]),
            "agreement_id": ["PA1", "PA2", "PA3", "PA4", "PA5"],
            "counts": [True, True, True, True, False],
        }
    )
    first = diffusion.first_event_year(register, register["counts"], ["01", "02", "03", "04"])
    assert first["01"] == 2019 and first["02"] == 2018 and first[["03", "04"]].isna().all()
    panel = diffusion.person_period(first, start=2019, end=2021)
    # an event in the first year: one row, event 1; 02 is an early adopter; 03 and 04 censored
    assert panel.loc[panel["prefecture_code"] == "01", ["year", "event"]].values.tolist() == [[2019, 1]]
    assert "02" not in set(panel["prefecture_code"]) and panel["event"].sum() == 1


def test_period_dummies_leave_out_the_first_period():
    data = pd.DataFrame({"year": [2019, 2020, 2022, 2023, 2025]})
    out = diffusion.period_dummies(data)
    assert out["period_2020-22"].tolist() == [0, 1, 1, 0, 0] and out["period_2023-25"].tolist() == [0, 0, 0, 1, 1]
    assert "period_2019" not in out


needs_raw = pytest.mark.skipif(not paths.raw("japan-topography/prefectures.json").exists(), reason="run `make data`")


@needs_raw
def test_neighbour_graph_of_the_47_prefectures_is_connected():
    from libpysal.weights import W

    from translocal import register

    _, prefectures = register.frame_names()
    layer = diffusion.prefecture_polygons(paths.raw("japan-topography/prefectures.json"), prefectures)
    neighbours = diffusion.contiguity(layer, diffusion.read_sea_links(paths.SEA_LINKS))
    assert len(neighbours) == 47 and all(neighbours.values())
    assert W({k: sorted(v) for k, v in neighbours.items()}, silence_warnings=True).n_components == 1
    assert {"36", "37", "38", "39"} & neighbours["34"]  # Shikoku reaches Honshu (Ehime-Hiroshima link)
    assert "37" in neighbours["33"]  # and by land (Kagawa-Okayama on Ishima)


@needs_raw
def test_prefecture_covariates_add_up_to_the_national_totals():
    from translocal import register, sources
    from translocal.base.manifest import verified

    _, prefectures = register.frame_names()
    trainees = sources.read_residence_status_by_prefecture(verified("moj-zairyu/18-12-05-0.xlsx"))
    covariates = diffusion.read_covariates(prefectures)
    assert len(covariates) == 47 and covariates["prefecture_code"].is_unique
    assert covariates["population_2019"].sum() == 127_443_563  # the national total of 1903ssjin.xls
    unknown = int(trainees.loc[trainees["prefecture"] == "未定・不詳", "titp_trainees"].iloc[0])
    assert covariates["titp_trainees_2018"].sum() + unknown == trainees.attrs["national_titp_trainees"] == 328_360
    tokyo = covariates.set_index("prefecture_code").loc["13"]
    assert tokyo["titp_per_1000"] == pytest.approx(1000 * tokyo["titp_trainees_2018"] / tokyo["population_2019"])


# --- the numbers the manuscript cites, as mappings for Values.record_all ------------------


def test_risk_set_values_by_hand(three):
    first, _neighbours = three
    panel = diffusion.person_period(first, start=2019, end=2023)
    life = diffusion.life_table(panel)
    register = pd.DataFrame(
        {
            "jp_level": ["prefecture", "prefecture", "prefecture"],
            "jp_code": ["A", "B", "B"],
            "agreement_id": ["P1", "P2", "P3"],
            "signed_date": pd.to_datetime(["2017-03-01", "2021-06-01", "2022-01-01"]),
            "signed_year": [2017, 2021, 2022],
            "source_status": ["unconfirmed", "unconfirmed", "confirmed"],
        }
    )
    events = pd.Series([True, True, True])
    early = diffusion.early_adopters(first, start=2019)
    sea_links = pd.DataFrame({"name_a": ["A"], "name_b": ["C"]})
    values = diffusion.risk_set_values(register, events, panel, early, life, sea_links, start=2019, end=2023)
    got = {key: entry[0] for key, entry in values.items()}
    assert got["dif_start"] == 2019 and values["dif_end"][2] == "2023"
    assert (got["dif_n_early"], got["dif_n_at_risk"], got["dif_n_events"], got["dif_n_rows"]) == (1, 2, 1, 8)
    assert got["n_sea_links"] == 1
    # 2019 and 2020: two at risk, no event; 2021: B signs (1 of 2); C alone to 2023
    assert got["dif_hazard_2019"] == 0 and got["dif_hazard_2023"] == 0
    assert got["dif_hazard_2020_22"] == pytest.approx(100 * 1 / 5)
    assert got["dif_share_not_signed"] == pytest.approx(50.0)
    assert got["dif_n_events_unconfirmed"] == 1  # B's first row; A's event is before the risk set
    assert values["dif_share_not_signed"][2] == 0


def test_hazard_values_take_every_term_and_the_two_checks():
    def table(coef, p):
        terms = ["const", "titp_per_1000", "neighbour_share"]
        return pd.DataFrame(
            {
                "term": terms,
                "label": ["Intercept", "Interns (per SD)", "Neighbours"],
                "coef": coef,
                "p": p,
                "ci_low": [c - 1 for c in coef],
                "ci_high": [c + 1 for c in coef],
                "odds_ratio": np.exp(coef),
            }
        )

    standardised = pd.DataFrame({"titp_per_1000": [0.0]})
    standardised.attrs["sd"] = {"titp_per_1000": 1.5}
    main = table([0.1, -0.7, 0.2], [0.5, 0.01, 0.4])
    strict_data = pd.DataFrame({"prefecture_code": ["01", "01", "02"], "event": [0, 1, 0]})
    values = diffusion.hazard_values(
        standardised, main, table([0, 0.3, 0.1], [0.9, 0.0001, 0.3]), main, strict_data, pd.Series([2017])
    )
    assert "dif_or_const" not in values
    assert values["dif_sd_titp_per_1000"] == (
        1.5,
        f"Standard deviation over the prefectures: {diffusion.LABELS['titp_per_1000']}",
        2,
    )
    assert values["dif_or_titp_per_1000"][0] == pytest.approx(np.exp(-0.7))
    assert values["dif_or_titp_per_1000_low"][0] == pytest.approx(np.exp(-1.7))
    assert values["dif_p_titp_per_1000"] == (0.01, "Hazard model: p-value of Interns (per SD)", "p = 0.010")
    assert values["dif_finding_titp_per_1000"][0] == "a lower yearly chance of a first labour agreement"
    assert values["dif_finding_neighbour_share"][0].startswith("no clearly different")
    assert values["dif_per_p_titp_per_1000"][2] == "p < 0.001"
    assert values["dif_per_finding_titp_per_1000"][0] == "a higher yearly chance of a first labour agreement"
    assert values["dif_strict_or_neighbour_share"][1].startswith("Hazard model (strict): odds ratio of ")
    counts = (values["dif_strict_n_early"][0], values["dif_strict_n_events"][0], values["dif_strict_n_at_risk"][0])
    assert counts == (1, 1, 2)
