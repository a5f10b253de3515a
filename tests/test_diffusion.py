"""The event-history data and the hazard model, against answers that do not share their code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from translocal import diffusion, paths


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
