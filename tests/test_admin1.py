"""Sending-country subdivisions: the staged layers read through the crosswalk, partner
placement with every row accounted for, and representative points for flow lines."""

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from translocal import admin1, register
from translocal.base import paths

needs_layers = pytest.mark.skipif(not admin1.RAW_DIR.exists(), reason="run `make data` first")


@pytest.fixture(scope="module")
def subdivisions():
    return admin1.read_admin1(admin1.RAW_DIR, paths.PARTNER_PLACES)


@needs_layers
def test_one_row_per_subdivision_with_one_capital_each(subdivisions):
    assert subdivisions.groupby("country").size().to_dict() == {"IDN": 38, "PHL": 17, "VNM": 63}
    assert subdivisions["iso_3166_2"].is_unique
    assert list(subdivisions.columns) == ["iso_3166_2", "country", "name", "capital", "geometry"]
    assert subdivisions.crs == "EPSG:4326"
    assert subdivisions.geometry.is_valid.all() and set(subdivisions.geom_type) <= {"Polygon", "MultiPolygon"}
    capitals = subdivisions.loc[subdivisions["capital"]].set_index("country")["iso_3166_2"].to_dict()
    assert capitals == {"IDN": "ID-JK", "PHL": "PH-00", "VNM": "VN-HN"}
    ordered = subdivisions.sort_values(["country", "iso_3166_2"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(subdivisions.drop(columns="geometry"), ordered.drop(columns="geometry"))


@needs_layers
def test_con_dao_is_dissolved_into_ba_ria_vung_tau(subdivisions):
    raw = gpd.read_file(admin1.RAW_DIR / admin1.LAYERS["VNM"].file)
    con_dao = raw.loc[raw["shapeName"] == "Côn Đảo"]
    assert con_dao["shapeISO"].tolist() == ["VN-43"]  # a separate feature with the province's code
    province = subdivisions.loc[subdivisions["iso_3166_2"] == "VN-43"]
    assert len(province) == 1 and province["name"].iloc[0] == "Bà Rịa - Vũng Tàu"
    geometry = province.geometry.iloc[0]
    assert geometry.contains(con_dao.geometry.iloc[0].representative_point())
    assert con_dao.geometry.iloc[0].difference(geometry).area < 1e-12
    assert geometry.bounds[1] < 9.0  # the islands lie below 9° N, the mainland above 10° N


@needs_layers
def test_unmatched_rows_and_unclaimed_features_are_named(tmp_path):
    crosswalk = pd.read_csv(paths.PARTNER_PLACES, dtype=str, keep_default_na=False)
    crosswalk = crosswalk.loc[crosswalk["iso_3166_2"] != "VN-01"]
    extra = {"iso_3166_2": "ID-XX", "country": "IDN", "layer_key": "Nowhere", "name": "Nowhere"}
    crosswalk = pd.concat([crosswalk, pd.DataFrame([{**extra, "capital": "false", "sending_weight": "0"}])])
    path = tmp_path / "partners.csv"
    crosswalk.to_csv(path, index=False)
    with pytest.raises(admin1.Admin1Error) as error:
        admin1.read_admin1(admin1.RAW_DIR, path)
    message = str(error.value)
    assert "2 problem(s)" in message
    assert "partners.csv: row ID-XX (layer_key 'Nowhere') finds no feature with PROVINSI" in message
    assert "geoBoundaries-VNM-ADM1_simplified.geojson: feature 'Lai Châu' (shapeISO 'VN-01') is claimed" in message


@needs_layers
def test_a_key_shared_by_two_features_is_refused(tmp_path):
    for layer in admin1.LAYERS.values():
        shutil.copy(admin1.RAW_DIR / layer.file, tmp_path / layer.file)
    indonesia = gpd.read_file(tmp_path / admin1.LAYERS["IDN"].file)
    indonesia.loc[indonesia["PROVINSI"] == "Banten", "PROVINSI"] = "Jawa Barat"
    indonesia.to_file(tmp_path / admin1.LAYERS["IDN"].file, driver="GeoJSON")
    with pytest.raises(admin1.Admin1Error, match="features 'Jawa Barat', 'Jawa Barat' share PROVINSI 'Jawa Barat'"):
        admin1.read_admin1(tmp_path, paths.PARTNER_PLACES)


def test_bad_crosswalk_values_are_listed_at_once(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(
        "iso_3166_2,country,layer_key,name,capital,sending_weight\n"
        "VN-HN,VNM,VN-HN,Hà Nội,yes,3\n"
        "VN-HN,VNM,VN-HN,Hà Nội,true,3\n"
        "MM-06,MMR,MM-06,Yangon,false,0\n",
        encoding="utf-8",
    )
    with pytest.raises(admin1.Admin1Error) as error:
        admin1.read_crosswalk(path)
    assert error.value.problems == [
        "partners.csv: row VN-HN: capital must be true or false, not 'yes'",
        "partners.csv: VN-HN appears 2 times",
        "partners.csv: row MM-06: no staged layer for country 'MMR'",
    ]


# --- placement ---------------------------------------------------------------------------

PLACES = pd.DataFrame(
    [
        ("VN-HN", "VNM", True),
        ("VN-27", "VNM", False),
        ("VN-22", "VNM", False),
        ("ID-JK", "IDN", True),
        ("ID-JB", "IDN", False),
        ("PH-00", "PHL", True),
    ],
    columns=["iso_3166_2", "country", "capital"],
)
AGREEMENTS = pd.DataFrame(
    [
        ("A1", "VNM", "province", "VN-27"),  # own code
        ("A2", "vnm", "school", " vn-22 "),  # own code, normalised
        ("A3", "VNM", "ministry", None),  # capital
        ("A4", "IDN", "other", ""),  # capital
        ("A5", "MMR", "school", "MM-06"),  # no layer for Myanmar
        ("A6", "MMR", "ministry", None),  # no layer, so no capital either
        ("A7", "VNM", "province", "VN-99"),  # not a code of the layer
        ("A8", "IDN", "school", "VN-27"),  # another country's code
        ("A9", "PHL", "broker", None),  # a place-type partner without a code
    ],
    columns=["agreement_id", "partner_country", "partner_type", "partner_admin1"],
)


def test_partners_are_placed_by_own_code_or_at_the_capital_and_the_rest_say_why():
    placed, report = admin1.place_partners(AGREEMENTS, PLACES)
    got = placed.set_index("agreement_id")[["place_iso_3166_2", "placed_by", "unplaced_reason"]]
    expected = {
        "A1": ("VN-27", "own_code", None),
        "A2": ("VN-22", "own_code", None),
        "A3": ("VN-HN", "capital", None),
        "A4": ("ID-JK", "capital", None),
        "A5": (None, None, "no_layer"),
        "A6": (None, None, "no_layer"),
        "A7": (None, None, "unknown_code"),
        "A8": (None, None, "unknown_code"),
        "A9": (None, None, "missing_code"),
    }
    assert {k: tuple(None if pd.isna(v) else v for v in row) for k, row in got.iterrows()} == expected
    pd.testing.assert_frame_equal(placed[AGREEMENTS.columns], AGREEMENTS)  # the input columns untouched
    assert (report.rows_in, report.placed_own_code, report.placed_capital) == (9, 2, 2)
    assert report.unplaced == {"no_layer": 2, "unknown_code": 2, "missing_code": 1}
    series = report.as_series()
    assert series["rows in"] == series.drop("rows in").sum() == len(AGREEMENTS)


def test_the_report_refuses_to_lose_rows():
    with pytest.raises(RuntimeError, match="3 in, 2 accounted for"):
        admin1.PlacementReport(rows_in=3, placed_own_code=1, placed_capital=1, unplaced={"no_layer": 0})


@needs_layers
def test_public_register_is_placed_or_counted(subdivisions):
    """The register's partners: at their own code (polygons for VNM/IDN/PHL, points elsewhere),
    national bodies at the capital; only institutions of unknown location stay unplaced."""
    public = register.validate(paths.PUBLIC_AGREEMENTS)
    places, destinations = admin1.partner_places(subdivisions, admin1.read_partner_points())
    assert len(places) == len(destinations) and places["iso_3166_2"].is_unique
    placed, report = admin1.place_partners(public, places, national=public["partner_level"] == "national")
    assert report.rows_in == len(public)
    assert report.unplaced["no_layer"] == 0 and report.unplaced["unknown_code"] == 0
    unplaced = placed.loc[placed["place_iso_3166_2"].isna()]
    assert (unplaced["partner_level"] == "institution").all() and unplaced["partner_admin1"].isna().all()
    by_id = placed.set_index("agreement_id")
    assert by_id.loc["PA008", "place_iso_3166_2"] == "VN-27"  # Quảng Nam, its own code
    assert by_id.loc["PA014", "place_iso_3166_2"] == "ID-JK"  # Ministry of Manpower, at the capital
    own = placed["partner_admin1"].notna()
    assert (placed.loc[own, "placed_by"] == "own_code").all()
    assert (placed.loc[~own & placed["place_iso_3166_2"].notna(), "placed_by"] == "capital").all()


def test_partner_points_are_refused_when_malformed(tmp_path):
    good = paths.PARTNER_POINTS.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "partner_points.csv"
    bad.write_text("\n".join([*good, "VN-HN,VNM,Hà Nội,false,105.8,21.0", good[1]]) + "\n", encoding="utf-8")
    with pytest.raises(admin1.Admin1Error) as err:
        admin1.read_partner_points(bad)
    message = str(err.value)
    assert "VNM has a staged layer" in message and "appears 2 times" in message


# --- representative points ---------------------------------------------------------------


def test_points_fall_inside_their_shape_even_for_a_crescent_or_a_far_island():
    crescent = box(105.0, 10.0, 106.0, 11.0).difference(box(105.2, 10.2, 106.0, 10.8))  # centroid outside
    archipelago = box(120.0, 10.0, 121.0, 11.0).union(box(124.0, 14.0, 124.05, 14.05))
    shapes = gpd.GeoDataFrame(
        {"iso_3166_2": ["XX-1", "XX-2"], "country": ["VNM", "PHL"]}, geometry=[crescent, archipelago], crs="EPSG:4326"
    )
    assert not crescent.contains(crescent.centroid)
    points = admin1.representative_points(shapes)
    assert points.crs == "EPSG:4326" and list(points["iso_3166_2"]) == ["XX-1", "XX-2"]
    assert crescent.contains(points.geometry.iloc[0])
    assert box(120.0, 10.0, 121.0, 11.0).contains(points.geometry.iloc[1])  # on the main island
    assert points.geometry.iloc[1].distance(Point(120.5, 10.5)) < 0.01  # its centroid


@needs_layers
def test_every_subdivision_gets_a_point_inside_it(subdivisions):
    points = admin1.representative_points(subdivisions)
    assert list(points["iso_3166_2"]) == list(subdivisions["iso_3166_2"])
    assert all(shape.intersects(point) for shape, point in zip(subdivisions.geometry, points.geometry))
    assert points.loc[points["iso_3166_2"] == "VN-43"].geometry.iloc[0].y > 10  # on the mainland


def test_context_land_is_the_pinned_natural_earth_without_japan(tmp_path):
    import shutil

    land = admin1.context_land()
    assert "JPN" not in set(land["iso_a3"]) and {"MYS", "PNG", "TLS", "CHN", "LAO"} <= set(land["iso_a3"])
    # another file under the same name is refused, naming it
    for name in admin1.NATURAL_EARTH:
        shutil.copy(admin1.natural_earth_dir() / name, tmp_path / name)
    with open(tmp_path / "naturalearth_lowres.dbf", "ab") as handle:
        handle.write(b"\x00")
    with pytest.raises(ValueError, match="naturalearth_lowres.dbf: sha256 .* is not the pinned"):
        admin1.context_land(tmp_path)
    (tmp_path / "naturalearth_lowres.shp").unlink()
    with pytest.raises(FileNotFoundError, match="naturalearth_lowres.shp"):
        admin1.context_land(tmp_path)
