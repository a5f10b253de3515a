"""Spatial diagnostics on small grids with known answers, and the real frame's neighbours."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats
from shapely.geometry import GeometryCollection, LineString, box

from translocal import spatial
from translocal.base import paths
from translocal.frame import AREA_CRS, EXPECTED_MUNICIPALITIES


def grid(side: int, extra=()) -> gpd.GeoDataFrame:
    """Unit squares on a side x side grid, codes row by row from 00000, plus ``extra`` squares."""
    cells = [box(c, r, c + 1, r + 1) for r in range(side) for c in range(side)] + list(extra)
    codes = [f"{i:05d}" for i in range(len(cells))]
    # Shuffled rows: the weights must not depend on row order.
    order = np.random.default_rng(1).permutation(len(cells))
    return gpd.GeoDataFrame({"code": [codes[i] for i in order]}, geometry=[cells[i] for i in order], crs=AREA_CRS)


def test_queen_grid_centre_has_eight_neighbours_corners_three():
    w, report = spatial.contiguity_weights(grid(3), transform="B")
    assert w.id_order == sorted(w.id_order)
    assert w.neighbors["00004"] == ["00000", "00001", "00002", "00003", "00005", "00006", "00007", "00008"]
    assert [w.cardinalities[c] for c in ("00000", "00002", "00006", "00008")] == [3, 3, 3, 3]
    assert w.cardinalities["00001"] == 5
    assert report["n_islands_fixed"] == 0 and report["n_components"] == 1
    assert (report["min_neighbours"], report["max_neighbours"]) == (3, 8)


def test_isolated_square_gets_its_nearest_neighbour_both_ways():
    w, report = spatial.contiguity_weights(grid(3, extra=[box(10, 0.2, 11, 1.2)]), transform="B")
    assert w.neighbors["00009"] == ["00002"]  # the nearest cell, (2, 0)
    assert "00009" in w.neighbors["00002"]
    assert report["islands_fixed"] == ["00009"] and report["n_knn_links"] == 1
    assert (report["min_neighbours"], report["n_components"]) == (1, 1)
    assert w.islands_fixed == ("00009",)


def test_k_nearest_neighbours_and_row_standardisation():
    w, report = spatial.contiguity_weights(grid(3, extra=[box(10, 0.2, 11, 1.2)]), k=2)
    assert w.neighbors["00009"] == ["00002", "00005"]
    assert report["transform"] == "R"
    assert all(sum(w.weights[i]) == pytest.approx(1) for i in w.id_order)


def test_subset_links_its_own_new_islands():
    full = grid(3)
    subset = full[~full["code"].isin(["00001", "00003", "00004"])]  # leaves 00000 cut off
    w, report = spatial.contiguity_weights(subset, transform="B")
    assert report["n"] == 6 and report["islands_fixed"] == ["00000"]
    assert w.neighbors["00000"] in (["00002"], ["00006"])  # the two cells two squares away
    assert "00000" in w.neighbors[w.neighbors["00000"][0]]


def test_stray_line_in_a_geometry_collection_is_ignored():
    gdf = grid(2)
    i = gdf.index[gdf["code"] == "00000"][0]
    gdf.loc[i, "geometry"] = GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (-1, -1)])])
    w, _ = spatial.contiguity_weights(gdf, transform="B")
    assert w.cardinalities["00000"] == 3


def test_weights_round_trip_through_csv(tmp_path):
    w, _ = spatial.contiguity_weights(grid(3, extra=[box(10, 0.2, 11, 1.2)]))
    path = tmp_path / "w.csv"
    assert spatial.write_weights(w, path) is True
    assert spatial.write_weights(w, path) is False  # unchanged bytes are not rewritten
    lines = path.read_text().splitlines()
    assert lines[0] == "code,neighbour,source"
    assert "00002,00009,knn" in lines and "00009,00002,knn" in lines and "00000,00001,queen" in lines
    back = spatial.read_weights(path)
    assert back.id_order == w.id_order
    assert back.neighbors == w.neighbors and back.weights == w.weights
    assert (back.transform, back.islands_fixed) == (w.transform, w.islands_fixed)


@pytest.fixture(scope="module")
def ordered_sample():
    rng = np.random.default_rng(7)
    n, cuts = 20_000, np.array([-1.0, 0.5, 2.0])
    eta = rng.normal(0, 1.5, n)
    latent = eta + rng.logistic(size=n)
    return np.searchsorted(cuts, latent), eta, cuts


def test_surrogate_residuals_are_standard_logistic_under_the_true_model(ordered_sample):
    y, eta, cuts = ordered_sample
    r = spatial.surrogate_residuals(y, eta, cuts, np.random.default_rng(8))
    assert r.mean() == pytest.approx(0, abs=0.05)
    assert r.var() == pytest.approx(np.pi**2 / 3, abs=0.15)
    assert stats.kstest(r, "logistic").pvalue > 0.05
    assert np.corrcoef(r, y)[0, 1] > 0  # a higher category than eta predicts gives a higher R
    bounds = np.concatenate([[-np.inf], cuts, [np.inf]])
    assert np.all((r >= bounds[y] - eta) & (r <= bounds[y + 1] - eta))


def test_surrogate_residuals_of_a_binary_logit_and_a_misfit():
    rng = np.random.default_rng(9)
    xb = rng.normal(size=20_000)
    y = (rng.uniform(size=xb.size) < special.expit(xb)).astype(int)
    r = spatial.surrogate_residuals(y, xb, [0], rng)
    assert np.all(r[y == 1] > -xb[y == 1]) and np.all(r[y == 0] <= -xb[y == 0])
    assert stats.kstest(r, "logistic").pvalue > 0.05
    wrong = spatial.surrogate_residuals(y, 0.2 * xb, [0], rng)  # slope too flat: R rises with xb
    assert np.corrcoef(wrong, xb)[0, 1] > 0.15
    assert np.array_equal(spatial.surrogate_residuals(y, xb, [0], 3), spatial.surrogate_residuals(y, xb, [0], 3))
    far = spatial.surrogate_residuals([0, 1], [60.0, -60.0], [0], rng)  # U rounds to 0 or 1 here
    assert np.isfinite(far).all() and far[0] <= -60 and far[1] >= 60
    with pytest.raises(ValueError, match="y must take values 0..1"):
        spatial.surrogate_residuals([0, 2], [0, 0], [0], rng)


@pytest.fixture(scope="module")
def grid_weights():
    return spatial.contiguity_weights(grid(10))[0]


def test_moran_clustered_iid_and_checkerboard(grid_weights):
    w = grid_weights
    rows = np.array([int(c) // 10 for c in w.id_order])
    cols = np.array([int(c) % 10 for c in w.id_order])
    clustered = spatial.moran(pd.Series(rows + cols, index=w.id_order), w, seed=1)
    assert clustered["I"] > 0.7 and clustered["p_sim"] <= 0.01
    assert clustered["expected_I"] == pytest.approx(-1 / 99) and clustered["n"] == 100
    iid = spatial.moran(np.random.default_rng(2).normal(size=100), w, seed=1)
    assert iid["p_sim"] > 0.05
    # p_sim is one-sided in the direction of I (at most 0.5); the two-sided p doubles it
    assert iid["p_sim"] <= 0.5 and iid["p_two_sided"] == pytest.approx(min(1, 2 * iid["p_sim"]))
    # Under queen contiguity diagonal neighbours share a checkerboard's colour, so I is only
    # mildly negative; alternating columns leave a cell two like neighbours out of eight.
    checkerboard = spatial.moran((rows + cols) % 2, w, seed=1)
    assert checkerboard["expected_I"] > checkerboard["I"] > -0.2
    stripes = spatial.moran(cols % 2, w, seed=1)
    assert stripes["I"] < -0.4 and stripes["p_sim"] <= 0.01
    assert spatial.moran(rows + cols, w, seed=5) == spatial.moran(rows + cols, w, seed=5)
    assert w.transform == "R"


def test_esda_leaves_global_random_state_and_binary_weights_alone():
    w, _ = spatial.contiguity_weights(grid(4), transform="B")
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    spatial.moran(np.arange(16.0), w, permutations=99, seed=1)
    spatial.lisa_clusters(np.arange(16.0), w, permutations=99, seed=1)
    assert np.random.random() == expected
    assert w.transform == "B" and w.weights["00000"] == [1.0, 1.0, 1.0]


def test_lisa_finds_a_constructed_hot_spot(grid_weights):
    w = grid_weights
    rows = np.array([int(c) // 10 for c in w.id_order])
    cols = np.array([int(c) % 10 for c in w.id_order])
    values = np.where((rows <= 2) & (cols <= 2), 10.0, 0.0) + np.random.default_rng(3).normal(0, 0.1, 100)
    labels = spatial.lisa_clusters(pd.Series(values, index=w.id_order), w, permutations=999, seed=4)
    assert labels["00011"] == "High-High"  # the hot spot's centre, all neighbours high
    assert labels["00099"] in ("Not significant", "Low-Low")
    assert set(labels.cat.categories) == set(spatial.LISA_LABELS)
    assert (labels == "High-High").sum() >= 4
    assert labels.equals(spatial.lisa_clusters(pd.Series(values, index=w.id_order), w, permutations=999, seed=4))


def test_spatial_lag_recovers_rho_on_simulated_sar_data():
    w, _ = spatial.contiguity_weights(grid(30))
    rng = np.random.default_rng(5)
    n, rho = w.n, 0.5
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)}, index=w.id_order)
    signal = 1.0 + X.to_numpy() @ np.array([1.0, -0.5]) + rng.normal(size=n)
    y = np.linalg.solve(np.eye(n) - rho * w.full()[0], signal)
    table, info = spatial.spatial_lag_lpm(pd.Series(y, index=w.id_order), X, w, name_y="y")
    assert table["term"].tolist() == ["const", "x1", "x2", "rho"]
    coef = table.set_index("term")["coef"]
    assert coef["rho"] == pytest.approx(rho, abs=0.1)
    assert coef["x1"] == pytest.approx(1.0, abs=0.1) and coef["x2"] == pytest.approx(-0.5, abs=0.1)
    assert (table["se"] > 0).all() and table["p"].between(0, 1).all()
    assert info["n"] == n and 0 < info["pseudo_r2"] < 1
    binary = pd.Series((y > np.median(y)).astype(float), index=w.id_order)
    lpm, _ = spatial.spatial_lag_lpm(binary, X, w, name_y="y_high")
    assert lpm.set_index("term").loc[["x1", "rho"], "coef"].gt(0).all()
    assert w.transform == "R"


def test_real_frame_every_municipality_has_a_neighbour():
    if not paths.MUNICIPALITIES.is_file():
        pytest.skip("the frame (data/processed/municipalities.gpkg) is not built")
    frame = gpd.read_file(paths.MUNICIPALITIES, columns=["code"])
    w, report = spatial.contiguity_weights(frame)
    print(
        f"\nreal frame: {report['n_islands_fixed']} islands linked to their nearest neighbour; "
        f"neighbours mean {report['mean_neighbours']:.2f}, min {report['min_neighbours']}, "
        f"max {report['max_neighbours']}; {report['n_components']} connected components"
    )
    assert report["n"] == EXPECTED_MUNICIPALITIES
    assert min(w.cardinalities.values()) >= 1 and not w.islands
    assert report["n_islands_fixed"] > 0


def test_knn_weights_are_symmetric_and_give_at_least_k_neighbours():
    import geopandas as gpd
    from shapely.geometry import box

    from translocal import spatial

    squares = gpd.GeoDataFrame(
        {"code": [f"{i:02d}" for i in range(12)]},
        geometry=[box(i * 0.01, 0, i * 0.01 + 0.009, 0.009) for i in range(12)],
        crs="EPSG:4326",
    )
    w = spatial.knn_weights(squares, k=3, transform="B")
    assert all(w.cardinalities[i] >= 3 for i in w.id_order)
    assert all(i in w.neighbors[j] for i in w.id_order for j in w.neighbors[i])
    assert set(w.neighbors["00"]) == {"01", "02", "03"}


def test_fdr_flags_no_more_units_than_the_plain_threshold():
    import numpy as np
    from libpysal.weights import lat2W

    from translocal import spatial

    w = lat2W(12, 12, rook=False)
    w.transform = "R"
    values = np.random.default_rng(3).normal(size=144)
    values[:30] += 2.5
    plain = spatial.lisa_clusters(values, w, 999, seed=1)
    corrected = spatial.lisa_clusters(values, w, 999, seed=1, fdr=True)
    assert 0 < (corrected != "Not significant").sum() <= (plain != "Not significant").sum()
