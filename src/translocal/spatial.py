"""Spatial diagnostics: neighbours, Moran's I, LISA clusters, surrogate residuals, a spatial lag.

Neighbours are queen contiguity (polygons sharing at least a boundary point). Japan has
many municipalities that touch no other (islands such as Sado, Tsushima, the Izu and
Ryukyu islands), and a subset of the frame (the survey's respondents) has more; each of
these is linked to its k nearest municipalities, by distance between representative
points, with the link made symmetric. The weights are a libpysal ``W`` whose ids are the
codes in sorted order, so results never depend on row order or on Python's string hashing
(libpysal builds neighbour lists from sets).

The weights carry one extra attribute, ``islands_fixed``: the ids that had no contiguous
neighbour. Every link that touches one of them is a nearest-neighbour link and every other
link is a queen link, which is how ``write_weights`` labels each pair.

Three quirks of the libraries are handled here, so that notebooks need not know them:
esda's ``Moran`` permutes with numpy's global random state and takes no seed; esda's
``Moran_Local`` takes a seed but, without numba, applies it by reseeding numpy's global
random state; and both set the transformation of the ``W`` they are given, in place. The
functions below seed explicitly, restore the global random state and the weights'
transformation afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import warnings
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from scipy import special

# PySAL imports tqdm.auto, which warns inside Jupyter when ipywidgets is missing (progress
# bars are not used here); keep that noise out of every notebook that imports this module.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="IProgress not found")
    import esda
    import spreg
    from libpysal.weights import Queen, W

from .dictionary import write_text
from .frame import AREA_CRS

#: LISA cluster labels in esda's quadrant order (1 HH, 2 LH, 3 LL, 4 HL), then the rest.
LISA_LABELS = ("High-High", "Low-High", "Low-Low", "High-Low", "Not significant")
#: Columns of the neighbour-pair CSV.
WEIGHTS_COLUMNS = ("code", "neighbour", "source")
#: The ellipsoid of JGD2011, on which distances between municipalities are measured.
_GEOD = Geod(ellps="GRS80")


def _polygonal(geometry):
    """The polygonal part of a geometry (a dissolve can leave stray lines in a collection)."""
    if geometry is None or geometry.is_empty:
        raise ValueError("A geometry is missing or empty; contiguity needs a polygon for every unit.")
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        raise ValueError(f"A {geometry.geom_type} has no polygonal part.")
    return shapely.union_all(parts)


def _weights(neighbours: dict[str, set[str]], islands_fixed, transform: str) -> W:
    """A W on sorted ids with sorted, binary neighbour lists, then ``transform`` applied."""
    ids = sorted(neighbours)
    w = W(
        {i: sorted(neighbours[i]) for i in ids},
        {i: [1.0] * len(neighbours[i]) for i in ids},
        id_order=ids,
        silence_warnings=True,  # components and islands are counted in the report instead
    )
    w.transform = transform
    w.islands_fixed = tuple(sorted(islands_fixed))
    return w


def contiguity_weights(
    gdf: gpd.GeoDataFrame, id_column: str = "code", k: int = 1, transform: str = "R"
) -> tuple[W, dict[str, object]]:
    """Queen contiguity weights, with islands linked to their ``k`` nearest units.

    A unit with no contiguous neighbour gets its ``k`` nearest other units, and each such
    link is added in both directions. Units are represented by a point inside them (taken
    in the equal-area ``AREA_CRS``) and distances between points are measured on the
    ellipsoid: no projection keeps distances across the archipelago (``AREA_CRS`` stretches
    east-west against north-south by up to half in Hokkaido), and a planar distance there
    picks the wrong nearest neighbour for islets in the Seto Inland Sea. Ties go to the
    smaller id. ``transform`` is applied to the result: "R" (row-standardised, the default,
    as Moran's I, LISA and the spatial lag use them) or "B" (binary). Works on any subset
    of the frame; islands are those of the subset.

    Returns the weights and a report: n, k, the islands fixed, the number of (undirected)
    nearest-neighbour links added, mean/min/max neighbours and the number of connected
    components (islands fixed, separate island groups such as the Izu or Yaeyama islands
    remain components of their own).
    """
    gdf = gdf.assign(_id=gdf[id_column].astype(str)).sort_values("_id", kind="stable")
    ids = gdf["_id"].tolist()
    if len(set(ids)) != len(ids):
        raise ValueError(f"{id_column} has duplicate values.")
    if gdf.crs is None:
        raise ValueError("The GeoDataFrame has no CRS; nearest neighbours need one.")
    if not 1 <= k < len(ids):
        raise ValueError(f"k must be between 1 and {len(ids) - 1}, not {k}.")
    polygons = [_polygonal(g) for g in gdf.geometry]
    queen = Queen.from_iterable(polygons, ids=ids, silence_warnings=True)
    neighbours = {i: set(queen.neighbors.get(i, ())) - {i} for i in ids}
    islands = [i for i in ids if not neighbours[i]]

    nearest = _nearest(polygons, gdf.crs)
    position = {i: p for p, i in enumerate(ids)}
    knn_links = set()
    for island in islands:
        for q in nearest(position[island], k):
            neighbours[island].add(ids[q])
            neighbours[ids[q]].add(island)
            knn_links.add(tuple(sorted((island, ids[q]))))

    w = _weights(neighbours, islands, transform)
    cardinalities = np.array([w.cardinalities[i] for i in w.id_order])
    report = {
        "n": w.n,
        "k": k,
        "n_islands_fixed": len(islands),
        "islands_fixed": list(islands),
        "n_knn_links": len(knn_links),
        "mean_neighbours": float(cardinalities.mean()),
        "min_neighbours": int(cardinalities.min()),
        "max_neighbours": int(cardinalities.max()),
        "n_components": int(w.n_components),
        "transform": w.transform,
    }
    return w, report


def weights_values(report: dict[str, object]) -> dict[str, tuple]:
    """The numbers the manuscript cites about the contiguity weights, from the ``report`` of
    ``contiguity_weights``, as ``key -> (value, description[, digits])`` for ``Values.record_all``."""
    return {
        "n_islands_linked": (
            report["n_islands_fixed"],
            "Municipalities without a contiguous neighbour, linked to the nearest",
        ),
        "mean_neighbours": (report["mean_neighbours"], "Mean number of neighbours", 1),
    }


def _nearest(polygons, crs):
    """A function giving the positions of the ``k`` units nearest to unit ``p``: distances on
    the ellipsoid between points inside the units (taken in the equal-area ``AREA_CRS``), the
    unit itself excluded, ties to the smaller position (stable sort, ids sorted)."""
    points = gpd.GeoSeries(polygons, crs=crs).to_crs(AREA_CRS).representative_point().to_crs("EPSG:4326")
    lon, lat = points.x.to_numpy(), points.y.to_numpy()

    def nearest(p: int, k: int) -> np.ndarray:
        distance = _GEOD.inv(np.full(len(lon), lon[p]), np.full(len(lat), lat[p]), lon, lat)[2]
        distance[p] = np.inf
        return np.argsort(distance, kind="stable")[:k]

    return nearest


def knn_weights(gdf: gpd.GeoDataFrame, k: int = 6, id_column: str = "code", transform: str = "R") -> W:
    """The ``k`` nearest units of each unit (by ellipsoidal distance between points inside
    them), made symmetric: an alternative to contiguity for a subset of the frame (such as
    the survey's respondents), whose contiguity graph loses the links through the units left
    out. Ids sorted as in ``contiguity_weights``; ties go to the smaller id."""
    gdf = gdf.assign(_id=gdf[id_column].astype(str)).sort_values("_id", kind="stable")
    ids = gdf["_id"].tolist()
    if not 1 <= k < len(ids):
        raise ValueError(f"k must be between 1 and {len(ids) - 1}, not {k}.")
    nearest = _nearest([_polygonal(g) for g in gdf.geometry], gdf.crs)
    neighbours: dict[str, set[str]] = {i: set() for i in ids}
    for p, i in enumerate(ids):
        for q in nearest(p, k):
            neighbours[i].add(ids[q])
            neighbours[ids[q]].add(i)
    return _weights(neighbours, [], transform)


def write_weights(w: W, path: str | os.PathLike) -> bool:
    """Write the weights' neighbour pairs to a CSV: code, neighbour, source ("queen"/"knn").

    One row per directed pair, sorted, so the file is deterministic and each unit's
    neighbours can be read off its rows. Only the structure is stored (the transformation
    is given again to ``read_weights``). Takes weights made by ``contiguity_weights``;
    written atomically, and only when the bytes change. Returns True when the file changed.
    """
    if not hasattr(w, "islands_fixed"):
        raise ValueError("write_weights takes weights made by contiguity_weights (it needs w.islands_fixed).")
    if w.islands:
        raise ValueError(f"Units without neighbours cannot be written as pairs: {w.islands[:10]}")
    fixed = set(w.islands_fixed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(WEIGHTS_COLUMNS)
    for i in sorted(w.id_order):
        for j in sorted(w.neighbors[i]):
            writer.writerow((i, j, "knn" if i in fixed or j in fixed else "queen"))
    return write_text(path, buffer.getvalue())


def read_weights(path: str | os.PathLike, transform: str = "R") -> W:
    """Read weights written by ``write_weights``; the same ``transform`` gives an identical W."""
    pairs = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(pairs.columns) != WEIGHTS_COLUMNS:
        raise ValueError(f"{path} has columns {list(pairs.columns)}, expected {list(WEIGHTS_COLUMNS)}.")
    neighbours: dict[str, set[str]] = {}
    for i, j in zip(pairs["code"], pairs["neighbour"]):
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set())
    # An island had no queen link, so all its links are nearest-neighbour links.
    queen_ids = set(pairs.loc[pairs["source"] == "queen", "code"])
    return _weights(neighbours, set(neighbours) - queen_ids, transform)


def surrogate_residuals(y, eta, cuts, rng) -> np.ndarray:
    """Surrogate residuals of a cumulative-logit model (Liu & Zhang 2018, JASA 113:845-854).

    The model is P(y <= j) = expit(cut_j - eta) for categories y = 0..len(cuts), that is a
    latent eta + e with standard logistic e, cut at ``cuts``. For each unit a value is drawn
    uniformly on (F(cut_{y-1} - eta), F(cut_y - eta)) and mapped back, R = F^{-1}(U): a draw
    of the latent error truncated to the unit's category. Under the true model the R are iid
    standard logistic (mean 0, variance pi^2/3), and a higher category than eta predicts
    gives a higher R, so R can be mapped and tested like an ordinary residual.

    A binary logit with linear predictor xb, P(y = 1) = expit(xb), is the case
    ``cuts=[0]``, ``eta=xb``. ``rng`` is a numpy Generator or a seed.
    """
    rng = np.random.default_rng(rng)
    y = np.asarray(y)
    cuts = np.asarray(cuts, dtype=float).ravel()
    if cuts.size == 0 or np.any(np.diff(cuts) <= 0):
        raise ValueError("cuts must be a non-empty, strictly increasing sequence.")
    if not np.all(np.isin(y, np.arange(cuts.size + 1))):
        raise ValueError(f"y must take values 0..{cuts.size}.")
    y = y.astype(int)
    eta = np.broadcast_to(np.asarray(eta, dtype=float), y.shape)
    bounds = np.concatenate([[-np.inf], cuts, [np.inf]])
    lower, upper = bounds[y] - eta, bounds[y + 1] - eta
    # F(x) rounds to 1 far in the upper tail; there draw -R, truncated to (-upper, -lower),
    # which has the same law because the logistic is symmetric, and where F keeps its digits.
    flip = lower > 0
    low, high = np.where(flip, -upper, lower), np.where(flip, -lower, upper)
    r = special.logit(rng.uniform(special.expit(low), special.expit(high)))
    return np.clip(np.where(flip, -r, r), lower, upper)


def _aligned(values, w: W) -> np.ndarray:
    """``values`` in the order of ``w.id_order``: a Series is matched by id, an array taken as is."""
    if isinstance(values, pd.Series):
        missing = sorted(set(w.id_order) - set(values.index.astype(str)))
        if missing:
            raise ValueError(f"No value for {len(missing)} ids of the weights: {missing[:10]}")
        values = values.set_axis(values.index.astype(str)).loc[w.id_order]
    array = np.asarray(values, dtype=float)
    if array.shape != (w.n,):
        raise ValueError(f"Expected {w.n} values, got shape {array.shape}.")
    if np.isnan(array).any():
        raise ValueError("Values contain NaN.")
    return array


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's global random state (all esda listens to) and restore it afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def _transform_kept(w: W) -> Iterator[None]:
    """Restore the weights' transformation, which esda and the lag fit change in place."""
    transform = w.transform
    try:
        yield
    finally:
        w.transform = transform


def moran(values, w: W, permutations: int = 999, *, seed: int) -> dict[str, float]:
    """Global Moran's I on row-standardised weights, with a seeded permutation test.

    ``values`` is a Series indexed by id or an array in ``w.id_order``. Returns I, its
    expectation under no autocorrelation (-1/(n-1)), the pseudo p-value of the permutation
    test (esda's ``p_sim``, one-sided in the direction of the observed I, so uniform on
    [0, 0.5] without autocorrelation), its two-sided version ``p_two_sided`` (min(1, 2 p_sim),
    uniform on [0, 1]) and the permutation z-score.
    """
    y = _aligned(values, w)
    with _seeded(seed), _transform_kept(w):
        result = esda.Moran(y, w, transformation="r", permutations=permutations)
    return {
        "I": float(result.I),
        "expected_I": float(result.EI),
        "p_sim": float(result.p_sim),
        "p_two_sided": float(min(1.0, 2 * result.p_sim)),
        "z_sim": float(result.z_sim),
        "n": int(result.n),
        "permutations": permutations,
    }


def lisa_clusters(
    values, w: W, permutations: int = 999, *, seed: int, alpha: float = 0.05, fdr: bool = False
) -> pd.Series:
    """Local Moran (LISA) cluster of each unit, indexed by id, on row-standardised weights.

    A unit is in a cluster when its conditional-permutation pseudo p-value is below
    ``alpha`` (esda's rule); the label says whether it is high or low and whether its
    neighbours' mean is: "High-High", "Low-High", "Low-Low", "High-Low"; otherwise
    "Not significant". With ``fdr=True`` the threshold is the Benjamini-Hochberg false
    discovery rate bound of the p-values at ``alpha`` (esda.fdr), a correction for testing
    every unit; without it none is made.
    """
    y = _aligned(values, w)
    with _seeded(seed), _transform_kept(w), warnings.catch_warnings():
        # esda warns that the default alternative will change; Moran_Local takes no argument to
        # choose it, and overwrites p_sim with the folded one-sided value either way.
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        local = esda.Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed, n_jobs=1)
    threshold = esda.fdr(local.p_sim, alpha) if fdr else alpha
    significant = local.p_sim <= threshold if fdr else local.p_sim < alpha
    labels = np.where(significant, np.array(LISA_LABELS)[local.q - 1], LISA_LABELS[-1])
    index_name = values.index.name if isinstance(values, pd.Series) else None
    return pd.Series(
        pd.Categorical(labels, categories=LISA_LABELS),
        index=pd.Index(w.id_order, name=index_name),
        name="lisa_cluster",
    )


def spatial_lag_lpm(
    y: pd.Series, X: pd.DataFrame, w: W, name_y: str, w_lags: int = 2
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Spatial lag linear probability model by spatial two-stage least squares (spreg GM_Lag).

    A robustness check, not the analysis's model: it asks whether a binary outcome's
    association with ``X`` survives a spatial lag of the outcome, y = rho W y + X b + e,
    fitted as a linear probability model (fitted values can leave [0, 1]). W y is
    instrumented by W X, ..., W^w_lags X; standard errors are White's, as a linear
    probability model is heteroskedastic by construction. ``y`` and ``X`` are indexed by
    the weights' ids; ``X`` has no constant (one is added); the weights are row-standardised
    for the fit.

    Returns a table (term, coef, se, z, p) whose last row is rho, and fit information:
    n, k and spreg's pseudo R² (squared correlation of y with the fit) and spatial pseudo
    R² (with the reduced-form fit).
    """
    yv = _aligned(y, w).reshape(-1, 1)
    xv = np.column_stack([_aligned(X[c], w) for c in X.columns])
    # spreg 1.9.0 prints the model's class name while it formats its summary.
    with _transform_kept(w), contextlib.redirect_stdout(io.StringIO()):
        w.transform = "R"
        fit = spreg.GM_Lag(
            yv,
            xv,
            w=w,
            w_lags=w_lags,
            robust="white",
            spat_diag=False,
            spat_impacts=None,
            name_y=name_y,
            name_x=list(X.columns),
        )
    z, p = np.array(fit.z_stat).T
    table = pd.DataFrame(
        {
            "term": ["const", *X.columns, "rho"],
            "coef": fit.betas.ravel(),
            "se": fit.std_err,
            "z": z,
            "p": p,
        }
    )
    info = {
        "n": int(fit.n),
        "k": int(fit.k),
        "pseudo_r2": float(fit.pr2),
        # spreg omits the spatial pseudo R² when rho is outside (-1, 1).
        "spatial_pseudo_r2": float(getattr(fit, "pr2_e", np.nan)),
    }
    return table, info


__all__ = [
    "LISA_LABELS",
    "contiguity_weights",
    "lisa_clusters",
    "moran",
    "read_weights",
    "spatial_lag_lpm",
    "surrogate_residuals",
    "write_weights",
]
