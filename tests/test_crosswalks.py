"""Every partner place of the generator exists in the staged admin-1 layers."""

import geopandas as gpd
import pytest

from translocal import paths
from translocal.synthetic import read_places

pytestmark = pytest.mark.skipif(not paths.RAW.exists(), reason="run `make data` first")


def test_partner_places_exist_in_the_staged_layers():
    places = read_places(paths.PARTNER_PLACES)
    assert places["iso_3166_2"].is_unique
    layers = {
        "VNM": set(gpd.read_file(paths.raw("admin1/geoBoundaries-VNM-ADM1_simplified.geojson"))["shapeISO"]),
        "IDN": set(gpd.read_file(paths.raw("admin1/indonesia-38-provinces.geojson"))["PROVINSI"]),
        "PHL": {str(c) for c in gpd.read_file(paths.raw("admin1/philippines-regions-2023.0.001.json"))["adm1_psgc"]},
    }
    for row in places.itertuples():
        assert row.layer_key in layers[row.country], f"{row.iso_3166_2}: {row.layer_key} not in the {row.country} layer"
        assert row.iso_3166_2.startswith({"VNM": "VN-", "IDN": "ID-", "PHL": "PH-"}[row.country])
    assert places.groupby("country")["capital"].sum().to_dict() == {"IDN": 1, "PHL": 1, "VNM": 1}
