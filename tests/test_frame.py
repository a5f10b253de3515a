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


def test_build_frame_joins_derives_and_reports(tables):
    frame, reports = fr.build_frame(*tables)
    assert frame["kind"].tolist() == ["designated_city", "city", "special_ward", "town"]
    assert frame["pop_change_2021_22"].round(2).tolist() == [-0.99, -4.76, 0.0, 0.0]
    # 竹富町 is absent from the ISA table: censored, missing, never zero
    assert frame["titp_censored"].tolist() == [False, False, False, True]
    assert frame["titp_trainees"].isna().tolist() == [False, False, False, True]
    assert frame.loc[0, "titp_per_1000"] == pytest.approx(7.0)
    isa = reports[-1]
    assert (isa.matched, isa.frame_unmatched) == (3, ["47381"])
    assert isa.table_unmatched == {"Tokyo special-ward aggregate (13100)": 1, "prefecture totals": 1}
    register = reports[1]
    assert register.table_unmatched == {"prefecture totals": 1, "wards of designated cities": 1}
    assert fr.join_table(reports).loc["ISA residence status end-2022", "frame rows unmatched"] == 1


def test_missing_population_is_an_error_naming_the_municipality(tables):
    boundaries, wards, fiscal, pop22, *rest = tables
    with pytest.raises(ValueError, match="population is missing for 1 municipalities: \\['13101'\\]"):
        fr.build_frame(boundaries, wards, fiscal, pop22[pop22["code"] != "13101"], *rest)


def test_check_frame_names_what_is_wrong(tables):
    frame, _ = fr.build_frame(*tables)
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
