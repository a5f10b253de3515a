"""The analysis notebooks' outputs, after `make`: every join accounted, every exhibit there."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from translocal import analysis, plots, private
from translocal.base import paths
from translocal.build import pipeline


@pytest.fixture(scope="module")
def table():
    return gpd.read_file(paths.ANALYSIS, layer="municipalities")


def test_analysis_table_accounts_for_every_municipality(table):
    frame = gpd.read_file(paths.MUNICIPALITIES, layer="municipalities", ignore_geometry=True)
    assert len(table) == len(frame) == 1741
    assert table["code"].is_unique and set(table["code"]) == set(frame["code"])
    assert table["formal_agreement"].notna().all() and table["prefecture_exposure"].notna().all()
    # strength is unknown exactly for non-respondents without a documented tie
    unknown = table["strength"].isna()
    assert (table.loc[unknown, "responded"] == 0).all()
    assert table.loc[table["responded"] == 1, "strength"].notna().all()
    # respondents answered every policy item, non-respondents none
    items = list(private.POLICY_ITEMS)
    assert table.loc[table["responded"] == 1, items].notna().all().all()
    assert table.loc[table["responded"] == 0, items].isna().all().all()


def test_pushed_down_outcome_only_adds_agreements(table):
    known = table["strength"].notna() & table["strength_pushdown"].notna()
    assert (table.loc[known, "strength_pushdown"] >= table.loc[known, "strength"]).all()
    assert (table["formal_pushdown"] >= table["formal_agreement"]).all()
    # The exposure definitions are nested: labour by 2019 (main) within labour by 2023 within any by 2023.
    assert (table["prefecture_exposure_strict"] <= table["prefecture_exposure"]).all()
    assert (table["prefecture_exposure"] <= table["prefecture_exposure_2023"]).all()
    assert (table["prefecture_exposure_2023"] <= table["prefecture_exposure_any"]).all()


def test_every_agreement_row_is_placed_or_counted():
    links = pd.read_csv(paths.PROCESSED / "partner_links.csv", dtype={"jp_code": str})
    placed = links["place_iso_3166_2"].notna()
    assert (placed != links["unplaced_reason"].notna()).all(), "each row is placed xor has a reason"
    assert links.loc[placed, ["dest_lon", "dest_lat"]].notna().all().all()
    local = links["jp_level"].isin(["municipality", "prefecture"])
    assert links.loc[local, ["origin_lon", "origin_lat"]].notna().all().all()
    # destinations lie in Southeast Asia, origins in Japan
    assert links.loc[placed, "dest_lon"].between(94, 142).all() and links.loc[placed, "dest_lat"].between(-12, 24).all()
    assert (
        links.loc[local, "origin_lon"].between(122, 154).all() and links.loc[local, "origin_lat"].between(20, 46).all()
    )


def test_weights_give_every_municipality_a_neighbour():
    pairs = pd.read_csv(paths.PROCESSED / "weights.csv", dtype=str)
    assert pairs["code"].nunique() == 1741
    directed = set(zip(pairs["code"], pairs["neighbour"]))
    assert all((b, a) in directed for a, b in directed), "links are symmetric"


def test_tables_have_the_models_and_statistics():
    table2 = pd.read_csv(paths.TABLES / "table2_models.csv")
    assert [title for _, title, *_ in analysis.MAIN_MODELS] == list(table2.columns[2:])
    stats = table2.set_index(table2.columns[0]).loc[
        ["N", "Prefectures (clusters)", "Log-likelihood", "Pseudo-R² (McFadden)"]
    ]
    assert stats.notna().all().all()
    table3 = pd.read_csv(paths.TABLES / "table3_robustness.csv")
    assert list(table3.columns[2:]) == list(analysis.ROBUSTNESS.values())
    table1 = pd.read_csv(paths.TABLES / "table1_covariates.csv")
    n = table1.set_index("Variable").loc["N"]
    assert (
        int(n["All municipalities"].replace(",", ""))
        == int(n["Respondents"].replace(",", "")) + int(n["Non-respondents"].replace(",", ""))
        == 1741
    )


def test_bootstrap_effects_have_intervals_around_the_estimates():
    ame = pd.read_csv(paths.MODELS / "ame.csv")
    assert ame[["estimate", "low", "high"]].notna().all().all()
    assert ((ame["low"] <= ame["estimate"]) & (ame["estimate"] <= ame["high"])).all()
    # probabilities move in total by zero: effects on the three categories sum to 0
    ppo = ame.loc[ame["model"] == "ppo"]
    assert np.allclose(ppo.groupby("term")["estimate"].sum(), 0, atol=1e-8)
    # the two models of the effects on P(formal agreement), per SD on one axis
    formal = ame.loc[ame["model"] == "formal_all"]
    assert set(formal["outcome"]) == {"P(formal agreement)"} and set(formal["term"]) == set(ppo["term"])
    assert np.allclose(ame["estimate_sd"], ame["estimate"] * ame["sd"])
    assert (ame.loc[ame["term"] == "prefecture_exposure", "sd"] == 1).all()
    curves = pd.read_csv(paths.MODELS / "curves.csv")
    assert curves["estimate"].between(0, 1).all() and (curves["low"] <= curves["high"]).all()


def test_recovery_in_synthetic_mode_is_reported_honestly():
    values = json.loads(paths.VALUES.read_text(encoding="utf-8"))
    if values["data_mode"]["value"] != "synthetic":
        pytest.skip("real data: nothing to recover")
    recovery = pd.read_csv(paths.MODELS / "recovery.csv")
    assert values["n_recovered"]["value"] == int(recovery["covered"].sum())
    # the Monte-Carlo coverage the paper reports: the capacity coefficients' pooled coverage is
    # near the nominal 95%, and the values are those of the saved table
    coverage = pd.read_csv(paths.MODELS / "recovery_coverage.csv")
    capacity = coverage.loc[coverage["term"].isin(analysis.CAPACITY)]
    for model, key in (("ordered_weighted", "mc_ordered"), ("formal_all", "mc_formal")):
        rows = capacity.loc[capacity["model"] == model]
        pooled = 100 * rows["covered"].sum() / rows["replications"].sum()
        assert values[f"{key}_capacity"]["value"] == pytest.approx(pooled)
        assert 88 <= pooled <= 99
    assert (coverage["low"] <= coverage["coverage"]).all() and (coverage["coverage"] <= coverage["high"]).all()


def test_policy_labels_cover_the_survey_items():
    assert list(plots.POLICY_LABELS) == list(private.POLICY_ITEMS)


def test_synthetic_only_inputs_are_declared_for_the_synthetic_mode():
    synthetic = {nb.name: nb for nb in pipeline.load(mode="synthetic")}
    real = {nb.name: nb for nb in pipeline.load(mode="real")}
    assert "data/synthetic/truth.json" in synthetic["06_regressions"].inputs
    assert "data/synthetic/truth.json" not in real["06_regressions"].inputs
    assert "data/processed/models/recovery.csv" in synthetic["06_regressions"].outputs
    assert "data/processed/models/recovery.csv" not in real["06_regressions"].outputs
    assert "data/interim/private/agreements.csv" in real["04_spatial_join"].inputs
