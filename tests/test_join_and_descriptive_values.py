"""The mappings of values that notebooks 04 and 05 record (``Values.record_all``), on small
hand-made inputs: every key there, each value computed as the notebook's text expects."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from translocal import admin1, analysis, outcome, spatial
from translocal.base import outputs
from translocal.build.values import Values
from translocal.frame import AREA_CRS


def _recordable(mapping: dict) -> dict:
    """The mapping as ``Values.record_all`` stores it: key -> printed text."""
    values = Values("test")
    values.record_all(mapping)
    return {key: entry["text"] for key, entry in values.entries.items()}


@pytest.fixture(autouse=True)
def _no_write_log(monkeypatch):
    monkeypatch.delenv(outputs.WRITE_LOG_ENV, raising=False)


def test_list_placement_values_count_the_report_and_the_layer():
    report = admin1.PlacementReport(
        rows_in=10, placed_own_code=6, placed_capital=2, unplaced={"no_layer": 1, "unknown_code": 1, "missing_code": 0}
    )
    places = pd.DataFrame({"iso_3166_2": ["VN-01", "VN-02", "ID-JK"]})
    got = admin1.list_placement_values(report, places)
    assert list(got) == ["n_list_placed_own", "n_list_placed_capital", "n_list_unplaced", "n_admin1"]
    assert {key: entry[0] for key, entry in got.items()} == {
        "n_list_placed_own": 6,
        "n_list_placed_capital": 2,
        "n_list_unplaced": 2,
        "n_admin1": 3,
    }
    assert got["n_list_unplaced"][1] == "Agreement-list rows without a staged partner layer or code"


def test_weights_values_of_a_grid_with_one_island():
    squares = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)] + [box(10, 0, 11, 1)]
    units = gpd.GeoDataFrame({"code": [f"{i:05d}" for i in range(10)]}, geometry=squares, crs=AREA_CRS)
    _, report = spatial.contiguity_weights(units, transform="B")
    got = spatial.weights_values(report)
    assert got["n_islands_linked"][0] == 1
    # 3x3 queen grid: 4 corners with 3, 4 edges with 5, the centre with 8 = 40; the island adds 1 + 1
    assert got["mean_neighbours"][0] == pytest.approx(42 / 10)
    assert _recordable(got) == {"n_islands_linked": "1", "mean_neighbours": "4.2"}


def test_join_values_count_rows_exposures_and_pushed_down_strength():
    joined = pd.DataFrame({"code": ["01100", "01202", "13101"], "strength_pushdown": [2, 0, 2]})
    exposed = {column: set() for column in outcome.EXPOSURES}
    exposed["prefecture_exposure"] = {"01"}
    exposed["prefecture_exposure_any"] = {"01", "13"}
    got = analysis.join_values(joined, exposed)
    assert list(got) == ["n_analysis", *(f"n_{c}" for c in outcome.EXPOSURES), "n_strong_pushdown"]
    assert got["n_analysis"][0] == 3 and got["n_strong_pushdown"][0] == 2
    assert got["n_prefecture_exposure_any"] == (
        2,
        "Prefectures exposed: any formal agreement signed by the end of 2023",
    )
    assert got["n_prefecture_exposure_strict"][0] == 0


def test_strength_known_values_leave_out_the_unknown():
    joined = pd.DataFrame({"strength": pd.array([0, None, 2, None, 1], dtype="Int64")})
    assert analysis.strength_known_values(joined) == {"n_strength_known": (3, "Municipalities whose strength is known")}


def test_table1_values_read_the_printed_differences_with_typographic_minus():
    table = pd.DataFrame(
        {
            "Variable": ["Fiscal strength index (FY2018)", "Population (1,000s, 1 Jan 2019)", "Town (%)", "N"],
            "Std. diff. (resp. − non-resp.)": ["0.12", "−0.31", "0.05", ""],
            "Std. diff. (weighted resp. − frame)": ["0.01", "−0.04", "0.02", ""],
        }
    )
    got = analysis.table1_values(table)
    assert got["table1_max_std_diff"][0] == pytest.approx(0.31)
    assert got["table1_max_std_diff_variable"][0] == "Population (1,000s, 1 Jan 2019)"
    assert got["table1_std_diff_fiscal"][0] == pytest.approx(0.12)
    assert got["table1_max_std_diff_weighted"][0] == pytest.approx(0.04)
    assert _recordable(got)["table1_max_std_diff"] == "0.31"


def test_link_values_count_the_window_and_name_the_top_destination():
    links = pd.DataFrame(
        {
            "in_window": [True, True, True, True, True, False, False],
            "placed_by": ["own_code", "own_code", "own_code", "capital", None, "own_code", "own_code"],
            "place_name": ["Nghệ An", "Bali", "Nghệ An", "Hà Nội", None, "Bali", "Bali"],
            "place_iso_3166_2": ["VN-22", "ID-BA", "VN-22", "VN-HN", None, "ID-BA", "ID-BA"],
            "dest_lon": [105.0, 115.0, 105.0, 105.8, np.nan, 115.0, 115.0],
        }
    )
    got = {key: entry[0] for key, entry in analysis.link_values(links).items()}
    assert got == {
        "n_links_in_window": 5,
        "n_links_not_drawn": 1,
        "n_destinations": 3,
        "top_destination": "Nghệ An",  # Bali leads only outside the window
        "top_destination_n": 2,
        "n_links_capital": 1,
    }


def test_link_values_break_a_tie_alphabetically():
    links = pd.DataFrame(
        {
            "in_window": [True, True],
            "placed_by": ["own_code", "own_code"],
            "place_name": ["Yogyakarta", "Bali"],
            "place_iso_3166_2": ["ID-YO", "ID-BA"],
            "dest_lon": [110.0, 115.0],
        }
    )
    assert analysis.link_values(links)["top_destination"][0] == "Bali"


def test_typology_values_sum_the_register_block_and_count_what_it_lacks_as_zero():
    register = pd.DataFrame(
        {
            "formal": [True, True, True, False],
            "partner_level": ["national", "subnational", "subnational", "institution"],
            "programme": ["titp;ssw", "titp", "titp", "friendship"],
        }
    )
    agreements = pd.DataFrame({"formal": [1, 0, 1], "partner_type": ["ministry", "ministry", "province"]})
    typology = analysis.partner_typology(register, agreements, "Agreement list")
    got = {key: entry[0] for key, entry in analysis.typology_values(typology).items()}
    assert got == {
        "typology_register_national": 1,
        "typology_register_subnational": 2,
        "typology_register_institution": 1,
        "typology_register_titp": 2,
        "typology_register_ssw": 0,  # no "SSW only" column in this typology
        "typology_register_titp_ssw": 1,
        "typology_list_national": 2,
    }
    assert (
        analysis.typology_values(typology)["typology_register_ssw"][1]
        == "Register agreements naming SSW (not the other)"
    )


def test_policy_values_name_the_most_and_least_common_policy():
    rows = pd.DataFrame({"a": [1, 1, 1, 0], "b": [0, 0, 0, 1], "c": [1, 1, 0, 0]})
    got = analysis.policy_values(rows, {"a": "Japanese classes", "b": "Consultation desk", "c": "Guidebook"})
    assert got["most_common_policy"][0] == "japanese classes" and got["most_common_policy_share"][0] == 75.0
    assert got["least_common_policy"][0] == "consultation desk" and got["least_common_policy_share"][0] == 25.0
    assert _recordable(got)["most_common_policy_share"] == "75"
