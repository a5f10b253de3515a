"""The frame builder on a miniature Japan of four municipalities."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from translocal import frame as fr


@pytest.fixture
def tables():
    codes = ["01100", "01202", "13101", "47381"]
    boundaries = gpd.GeoDataFrame(
        {
            "code": pd.array(codes, dtype="string"),
            "prefecture": ["北海道", "北海道", "東京都", "沖縄県"],
            "name_ja": ["札幌市", "函館市", "千代田区", "竹富町"],
        },
        geometry=[box(i, 35, i + 0.1, 35.1) for i in range(4)],
        crs="EPSG:4326",
    )
    fiscal = pd.DataFrame({"code": codes, "name_fiscal": ["a", "b", "c", "d"], "fiscal_strength": [0.7, 0.5, 0.9, 0.2]})
    pop22 = pd.DataFrame({"code": [*codes, "01000", "01101"], "population": [1000, 200, 60, 40, 1300, 500]})
    pop21 = pop22.assign(population=[1010, 210, 60, 40, 1320, 505])
    foreign = pop22.assign(population=[30, 5, 3, 2, 40, 10])
    status = pd.DataFrame({"code": ["01100", "01202", "13101", "13100", "01000"], "titp_trainees": [7, 0, 1, 5, 9]})
    wards = {"01101", "01202", "13101", "47381"}  # the ward-level layer splits only 01100
    return boundaries, wards, fiscal, pop22, pop21, foreign, status


@pytest.fixture
def pre_survey():
    # 2018: 01202 still had another code in the table (a made-up renumbering, mapped below)
    pop19 = pd.DataFrame(
        {
            "code": ["01100", "01202", "13101", "47381", "01000", "13000", "47000"],
            "population": [990, 220, 50, 40, 2000, 5000, 1000],
        }
    )
    pop18 = pop19.assign(
        code=["01100", "01299", "13101", "47381", "01000", "13000", "47000"],
        population=[1000, 200, 50, 50, 2000, 5000, 1000],
    )
    foreign19 = pop19.assign(population=[20, 4, 2, 1, 30, 90, 10])
    status21 = pd.DataFrame({"code": ["01100", "13101"], "titp_trainees": [5, 2]})
    trainees18 = pd.DataFrame({"prefecture": ["北海道", "東京", "沖縄", "未定・不詳"], "titp_trainees": [4, 10, 3, 1]})
    prefectures = {"01": "北海道", "13": "東京都", "47": "沖縄県"}
    return {
        "population_2019": pop19,
        "population_2018": pop18,
        "foreign_2019": foreign19,
        "residence_status_2021": status21,
        "prefecture_trainees_2018": fr.prefecture_trainee_rate(trainees18, pop19, prefectures),
    }


@pytest.fixture
def changes(monkeypatch):
    monkeypatch.setitem(fr.CODE_CHANGES, "01299", ("01202", "a made-up renumbering"))


def test_build_frame_joins_derives_and_reports(tables, pre_survey, changes):
    frame, reports = fr.build_frame(*tables, **pre_survey)
    assert frame["kind"].tolist() == ["designated_city", "city", "special_ward", "town"]
    assert frame["pop_change_2021_22"].round(2).tolist() == [-0.99, -4.76, 0.0, 0.0]
    # 竹富町 is absent from the ISA table: censored, missing, never zero
    assert frame["titp_censored"].tolist() == [False, False, False, True]
    assert frame["titp_trainees"].isna().tolist() == [False, False, False, True]
    assert frame.loc[0, "titp_per_1000"] == pytest.approx(7.0)
    isa = reports[-1]
    assert (isa.matched, isa.frame_unmatched) == (3, ["47381"])
    assert isa.table_unmatched == {"Tokyo special-ward aggregate (13100)": 1, "prefecture totals": 1}
    register = next(r for r in reports if r.table == "MIC register 2022-01-01 (all residents)")
    assert register.table_unmatched == {"prefecture totals": 1, "wards of designated cities": 1}
    assert fr.join_table(reports).loc["ISA residence status end-2022", "frame rows unmatched"] == 1
    # measured before the survey; the renumbered code is mapped and reported, never dropped
    assert frame["pop_change_2018_19"].round(1).tolist() == [-1.0, 10.0, 0.0, -20.0]
    assert frame["foreign_per_100_2019"].round(2).tolist() == [2.02, 1.82, 4.0, 2.5]
    assert frame["prefecture_titp_per_1000_2018"].tolist() == [2.0, 2.0, 2.0, 3.0]
    old = next(r for r in reports if r.table == "MIC register 2018-01-01 (all residents)")
    assert (old.matched, old.recoded) == (4, (("01299", "01202", "a made-up renumbering"),))
    assert "01299 → 01202" in fr.join_table(reports).loc[old.table, "codes mapped"]
    # the first municipal trainee count (end-2021) per residents of January 2022
    assert frame["titp_censored_2021"].tolist() == [False, True, False, True]
    assert frame.loc[0, "titp_per_1000_2021"] == pytest.approx(5.0)


def test_a_renumbered_code_that_collides_is_refused():
    from translocal.codes import CodeError, recode

    assert recode(["40305", "01100"]) == (["40231", "01100"], [("40305", "40231", fr.CODE_CHANGES["40305"][1])])
    with pytest.raises(CodeError, match="40305 changed to 40231, but 40231 is already in the table"):
        recode(["40305", "40231"])


def test_prefecture_trainee_rate_needs_every_prefecture(pre_survey):
    trainees = pd.DataFrame({"prefecture": ["北海道", "東京"], "titp_trainees": [4, 10]})
    pop19 = pre_survey["population_2019"]
    with pytest.raises(ValueError, match=r"prefectures \['47'\]"):
        fr.prefecture_trainee_rate(trainees, pop19, {"01": "北海道", "13": "東京都", "47": "沖縄県"})


def test_missing_population_is_an_error_naming_the_municipality(tables, pre_survey, changes):
    boundaries, wards, fiscal, pop22, *rest = tables
    with pytest.raises(ValueError, match="population is missing for 1 municipalities: \\['13101'\\]"):
        fr.build_frame(boundaries, wards, fiscal, pop22[pop22["code"] != "13101"], *rest, **pre_survey)


def test_check_frame_names_what_is_wrong(tables, pre_survey, changes):
    frame, _ = fr.build_frame(*tables, **pre_survey)
    with pytest.raises(ValueError, match="4 rows, expected 1741"):
        fr.check_frame(frame)


def test_designated_cities_are_the_codes_the_ward_layer_splits():
    assert fr.designated_city_codes({"01100", "14130", "01202"}, {"01101", "14131", "01202"}) == {"01100", "14130"}


def test_repair_keeps_only_polygon_parts():
    import geopandas as gpd
    from shapely.geometry import GeometryCollection, LineString, Polygon

    from translocal.sources import polygonal

    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    mixed = GeometryCollection([square, LineString([(2, 2), (3, 3)])])
    repaired = polygonal(gpd.GeoSeries([mixed, square], crs="EPSG:4326"))
    assert list(repaired.geom_type) == ["Polygon", "Polygon"] and repaired.iloc[0].equals(square)


# --- the numbers the manuscript cites, as mappings for Values.record_all ------------------


def _small_frame():
    return pd.DataFrame(
        {
            "code": ["01100", "01202", "13101", "47381"],
            "prefecture": ["北海道", "北海道", "東京都", "沖縄県"],
            "kind": ["designated_city", "city", "special_ward", "village"],
            "population": [1_000_000, 200_000, 60_000, 4_000],
            "foreign_residents": [30, 5, 3, 2],
            "titp_trainees": pd.array([70, 0, 1, None], dtype="Int64"),
            "titp_censored": [False, False, False, True],
            "titp_censored_2021": [False, True, False, True],
            "titp_per_1000": [0.07, 0.0, 1 / 60, None],
            "fiscal_strength": [0.8, 1.2, 1.5, 0.2],
            "pop_change_2021_22": [-1.0, 0.5, -0.2, -3.0],
            "pop_change_2018_19": [0.1, 0.2, -0.2, -3.0],
            "foreign_per_100_2019": [1.0, 2.0, 3.0, 4.0],
        }
    )


def test_frame_values_counts_and_describes_the_frame():
    joins = [
        fr.JoinReport("a", 4, 4, 4, [], {}, recoded=(("40305", "40231", "became a city"),)),
        fr.JoinReport("b", 4, 4, 4, [], {}, recoded=(("40305", "40231", "became a city"),)),
    ]
    values = fr.frame_values(_small_frame(), joins, national_titp=142)
    assert all(isinstance(entry, tuple) and isinstance(entry[1], str) for entry in values.values())
    assert values["n_municipalities"][0] == 4
    assert {k: values[f"n_{k}"][0] for k in fr.KINDS} == {
        "special_ward": 1,
        "designated_city": 1,
        "city": 1,
        "town": 0,
        "village": 1,
    }
    assert values["titp_total"][0] == 71
    assert values["titp_listed_share"] == (
        50.0,
        "Share of the national trainees located in listed frame municipalities (%)",
        1,
    )
    assert values["n_titp_above_foreign"][0] == 1  # 01100: 70 trainees, 30 foreign residents
    assert values["n_titp_censored"][0] == 1 and values["n_titp_censored_2021"][0] == 2
    assert values["n_titp_zero"][0] == 1
    assert values["n_fiscal_strength_above_1"][0] == 1  # the special ward's 1.5 is set aside
    assert values["n_population_declining"][0] == 3 and values["n_population_declining_2018_19"][0] == 2
    assert values["top_prefecture_titp"][0] == "北海道"  # 70 of 1,200,000 beats 1 of 60,000
    assert values["n_codes_mapped"][0] == 1  # the same renumbering in two joins counts once
    assert values["population_total_millions"][0] == pytest.approx(1.264)


def test_trainees_by_prefecture_leaves_out_the_suppressed():
    table = fr.trainees_by_prefecture(_small_frame())
    assert list(table.index) == ["北海道", "東京都"]
    assert table.loc["北海道", "per_1000"] == pytest.approx(70 / 1200)


def test_trainee_values_give_the_change_and_the_prefectures_range():
    rate = pd.DataFrame({"prefecture_code": ["01", "13"], "prefecture_titp_per_1000_2018": [0.5, 3.0]})
    values = fr.trainee_values(rate, national_2018=300, national_2019=400, national_2022=300)
    assert values["titp_change_2019_22"][0] == pytest.approx(-25.0) and values["titp_change_2019_22"][2] == 1
    assert values["prefecture_titp_per_1000_2018_min"][0] == 0.5
    assert values["prefecture_titp_per_1000_2018_max"][0] == 3.0
    assert (values["titp_national"][0], values["titp_national_2019"][0], values["titp_national_2018"][0]) == (
        300,
        400,
        300,
    )


def test_source_values_name_the_year_the_dates_and_the_threshold():
    fiscal = pd.DataFrame({"code": ["01100"]})
    fiscal.attrs["fiscal_year"] = "H30"
    values = fr.source_values(fiscal, excluded=pd.DataFrame({"code": ["01695", "01696"]}))
    assert values["fiscal_year"] == ("H30", "Fiscal year of the MIC indicators", "H30")
    assert values["isa_suppression_max"][0] == 10 and values["isa_suppression_max"][2] == "ten"
    assert values["n_features_excluded"][0] == 2
    assert values["date_boundaries"] == ("1 January 2021", "Date the boundaries data describe", "1 January 2021")
