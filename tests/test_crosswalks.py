"""The partner-place crosswalk: well-formed ISO 3166-2 codes, one row for every feature of the
staged admin-1 layers, and rows the generator never draws (weight 0) that change no draw."""

import re

import geopandas as gpd
import numpy as np
import pytest

from translocal import private
from translocal.base import paths
from translocal.synthetic import _partner, read_places

#: ISO 3166-2 code patterns: Viet Nam two digits (provinces) or two letters (municipalities),
#: Indonesia two letters, Philippine regions two digits.
PATTERNS = {"VNM": r"VN-(\d{2}|[A-Z]{2})", "IDN": r"ID-[A-Z]{2}", "PHL": r"PH-\d{2}"}


def test_codes_are_well_formed_and_unique():
    places = read_places(paths.PARTNER_PLACES)
    assert places["iso_3166_2"].is_unique
    assert places.groupby("country").size().to_dict() == {"IDN": 38, "PHL": 17, "VNM": 63}
    for row in places.itertuples():
        assert re.fullmatch(PATTERNS[row.country], row.iso_3166_2), row.iso_3166_2
        assert row.iso_3166_2.startswith(private.ALPHA2[row.country] + "-")
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", row.iso_3166_2)  # what the codebook validator accepts
    assert places.groupby("country")["capital"].sum().to_dict() == {"IDN": 1, "PHL": 1, "VNM": 1}
    assert (places["sending_weight"] >= 0).all()


@pytest.mark.skipif(not paths.RAW.exists(), reason="run `make data` first")
def test_every_row_finds_one_feature_and_every_feature_is_claimed():
    places = read_places(paths.PARTNER_PLACES)
    vnm = gpd.read_file(paths.raw("admin1/geoBoundaries-VNM-ADM1_simplified.geojson"))
    layers = {
        # Côn Đảo is drawn apart from Bà Rịa - Vũng Tàu with the same code; it is part of that row.
        "VNM": vnm.loc[vnm["shapeName"] != "Côn Đảo", "shapeISO"],
        "IDN": gpd.read_file(paths.raw("admin1/indonesia-38-provinces.geojson"))["PROVINSI"],
        "PHL": gpd.read_file(paths.raw("admin1/philippines-regions-2023.0.001.json"))["adm1_psgc"].astype(str),
    }
    for country, keys in layers.items():
        assert keys.is_unique, country
        rows = places.loc[places["country"] == country, "layer_key"]
        assert sorted(rows) == sorted(keys), country


def test_rows_without_weight_are_never_drawn_and_shift_no_draw():
    places = read_places(paths.PARTNER_PLACES)
    weighted = places.loc[places["sending_weight"] > 0].reset_index(drop=True)
    for country in ("VNM", "IDN", "PHL"):
        for kind in ("province", "school", "broker"):
            rng_all, rng_weighted = np.random.default_rng(7), np.random.default_rng(7)
            draws = [_partner(rng_all, country, kind, places, k)[1] for k in range(300)]
            assert draws == [_partner(rng_weighted, country, kind, weighted, k)[1] for k in range(300)]
            assert set(draws) <= set(weighted["iso_3166_2"])
