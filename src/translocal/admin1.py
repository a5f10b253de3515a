"""The partner-place side of the spatial join: sending-country first-level subdivisions.

The staged layers of the three countries that have one (``data/raw/admin1/``) are read
through the crosswalk ``data/crosswalks/admin1_partners.csv`` into one table keyed by ISO
3166-2:

- Viet Nam: geoBoundaries ADM1, keyed by its own ``shapeISO``. The layer draws the Côn Đảo
  islands as a separate feature with Bà Rịa - Vũng Tàu's code (VN-43); it is dissolved into
  the province, which governs it.
- Indonesia: the 38-province layer, keyed by the ``PROVINSI`` name (its ``KODE_PROV`` codes
  repeat for the provinces split from Papua in 2022). Two polygons (Papua Barat, Maluku)
  intersect themselves and are repaired.
- Philippines: the PSGC regions layer, keyed by the PSGC code ``adm1_psgc``, which the layer
  stores as a number (so regions 01-09 lose the leading zero: Region I is 100000000).

The crosswalk must claim every feature and every crosswalk row must find one; anything else
is an error naming the file, the feature and the key. ``place_partners`` then gives each
agreement the subdivision where its partner sits, and accounts for every row it cannot place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .base import paths


@dataclass(frozen=True)
class Layer:
    """A staged admin-1 layer: its file under the raw folder and the columns used."""

    file: str
    key: str  # the column the crosswalk's layer_key matches
    name: str  # the column holding the feature's name (for messages)
    numeric_key: bool = False  # keys compared as integers (PSGC codes stored as numbers)


LAYERS = {
    "VNM": Layer("geoBoundaries-VNM-ADM1_simplified.geojson", key="shapeISO", name="shapeName"),
    "IDN": Layer("indonesia-38-provinces.geojson", key="PROVINSI", name="PROVINSI"),
    "PHL": Layer("philippines-regions-2023.0.001.json", key="adm1_psgc", name="adm1_en", numeric_key=True),
}
#: Features drawn apart from the subdivision they belong to: country -> {feature name: key}.
#: They are dissolved into that subdivision; any other repeated key is an error.
SEPARATE_PARTS = {"VNM": {"Côn Đảo": "VN-43"}}
CROSSWALK_COLUMNS = ("iso_3166_2", "country", "layer_key", "name", "capital", "sending_weight")
CRS = "EPSG:4326"
RAW_DIR = paths.raw("admin1")

#: Partner types that are national bodies, placed at the capital region of their country.
NATIONAL_TYPES = ("ministry", "other")
#: Why an agreement's partner has no place, with what each reason means.
UNPLACED_REASONS = {
    "no_layer": "the partner country has no staged admin-1 layer",
    "unknown_code": "partner_admin1 is not a subdivision of the partner country in the staged layers",
    "missing_code": "a province, school or broker without partner_admin1",
}


class Admin1Error(ValueError):
    """The crosswalk and a staged layer do not match one to one; lists every mismatch."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join([f"{len(problems)} problem(s) joining the admin-1 layers:"] + problems))


def read_crosswalk(path: Path = paths.PARTNER_PLACES) -> pd.DataFrame:
    """The partner-place crosswalk, keys as text and ``capital`` as bool (refusing other values)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CROSSWALK_COLUMNS if c not in table.columns]
    if missing:
        raise Admin1Error([f"{path.name}: missing column(s) {', '.join(missing)}"])
    capital = table["capital"].str.strip().str.lower()
    problems = [
        f"{path.name}: row {row.iso_3166_2}: capital must be true or false, not {row.capital!r}"
        for row in table.loc[~capital.isin(["true", "false"])].itertuples()
    ]
    problems += [
        f"{path.name}: {code} appears {n} times" for code, n in table["iso_3166_2"].value_counts().items() if n > 1
    ]
    problems += [
        f"{path.name}: row {row.iso_3166_2}: no staged layer for country {row.country!r}"
        for row in table.loc[~table["country"].isin(list(LAYERS))].itertuples()
    ]
    if problems:
        raise Admin1Error(problems)
    table["capital"] = capital == "true"
    table["sending_weight"] = pd.to_numeric(table["sending_weight"])
    return table


def _key(value, layer: Layer):
    text = str(value).strip()
    return int(text) if layer.numeric_key and text.isdigit() else text


def _dissolve_parts(features: gpd.GeoDataFrame, country: str, layer: Layer, file: str) -> tuple:
    """Merge the features listed in SEPARATE_PARTS into their subdivision; report other repeats."""
    problems = []
    parts = SEPARATE_PARTS.get(country, {})
    is_part = features[layer.name].isin(list(parts))
    for name, key in parts.items():
        found = features.loc[features[layer.name] == name, "join_key"].tolist()
        if found != [key]:
            problems.append(f"{file}: expected one feature {name!r} with {layer.key} {key!r}, found {found}")
    for key, group in features.loc[~is_part].groupby("join_key"):
        if len(group) > 1:
            names = ", ".join(repr(n) for n in group[layer.name])
            problems.append(f"{file}: features {names} share {layer.key} {key!r}")
    if problems or not is_part.any():
        return features, problems
    whole = features.loc[~is_part].copy()
    for _, part in features.loc[is_part].iterrows():
        target = whole.index[whole["join_key"] == part["join_key"]]
        if target.empty:
            return features, [
                f"{file}: feature {part[layer.name]!r} belongs to {part['join_key']!r}, which has no feature"
            ]
        whole.loc[target, "geometry"] = shapely.union(whole.loc[target[0], "geometry"], part.geometry)
    return whole, []


def _polygonal(geometry):
    """A valid (multi)polygon: repairs self-intersections and drops slivers of other types."""
    if geometry.is_valid:
        return geometry
    repaired = shapely.make_valid(geometry)
    polygons = [g for g in shapely.get_parts(repaired) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)


def read_admin1(raw_dir: Path = RAW_DIR, crosswalk_path: Path = paths.PARTNER_PLACES) -> gpd.GeoDataFrame:
    """One row per first-level subdivision of VNM, IDN and PHL: ``iso_3166_2, country,
    name, capital, geometry`` (EPSG:4326), sorted by country and code.

    Raises ``Admin1Error`` listing every crosswalk row that finds no feature, every feature
    no row claims, and every key shared by two features.
    """
    crosswalk = read_crosswalk(crosswalk_path)
    problems, frames = [], []
    for country, layer in LAYERS.items():
        file = f"{raw_dir.name}/{layer.file}"
        features = gpd.read_file(raw_dir / layer.file)
        features = features.set_crs(CRS) if features.crs is None else features.to_crs(CRS)
        features["join_key"] = [_key(v, layer) for v in features[layer.key]]
        features, found = _dissolve_parts(features, country, layer, file)
        problems += found
        rows = crosswalk.loc[crosswalk["country"] == country].copy()
        rows["join_key"] = [_key(v, layer) for v in rows["layer_key"]]
        keys = set(features["join_key"])
        problems += [
            f"{crosswalk_path.name}: row {r.iso_3166_2} (layer_key {r.layer_key!r}) finds no feature "
            f"with {layer.key} {r.join_key!r} in {file}"
            for r in rows.loc[~rows["join_key"].isin(keys)].itertuples()
        ]
        problems += [
            f"{file}: feature {f[layer.name]!r} ({layer.key} {f['join_key']!r}) is claimed by no row of {crosswalk_path.name}"
            for _, f in features.loc[~features["join_key"].isin(set(rows["join_key"]))].iterrows()
        ]
        joined = rows.merge(features[["join_key", "geometry"]], on="join_key", how="inner")
        frames.append(joined[["iso_3166_2", "country", "name", "capital", "geometry"]])
    if problems:
        raise Admin1Error(problems)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)
    out["geometry"] = out.geometry.map(_polygonal)
    return out.sort_values(["country", "iso_3166_2"]).reset_index(drop=True)


#: Equal-area projection of the three partner countries (metres), for computing points.
REGION_CRS = "+proj=aea +lat_1=-5 +lat_2=20 +lat_0=8 +lon_0=113 +datum=WGS84 +units=m +no_defs"


def representative_points(admin1: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point for each subdivision, for drawing flow lines: the centroid of its largest
    part, or a point surely inside that part where the centroid falls outside it (a crescent
    or a bay). Computed in one equal-area projection of the region (metres; one projection
    for all 118 subdivisions is ~100 times faster than a UTM zone each, and the point of a
    province hardly depends on it), returned in EPSG:4326; the largest part keeps a
    province's point on its mainland, not between its islands."""
    projected = admin1.to_crs(REGION_CRS)
    points = []
    for geometry in projected.geometry:
        largest = max(shapely.get_parts(geometry), key=lambda part: part.area)
        points.append(largest.centroid if largest.contains(largest.centroid) else largest.point_on_surface())
    columns = [c for c in ("iso_3166_2", "country", "name", "capital") if c in admin1.columns]
    return gpd.GeoDataFrame(admin1[columns].copy(), geometry=points, crs=REGION_CRS).to_crs(CRS)


@dataclass(frozen=True)
class PlacementReport:
    """Where every agreement row went: placed by its own code, at the capital, or unplaced."""

    rows_in: int
    placed_own_code: int
    placed_capital: int
    unplaced: dict[str, int]  # by reason, every reason of UNPLACED_REASONS listed

    def __post_init__(self):
        accounted = self.placed_own_code + self.placed_capital + sum(self.unplaced.values())
        if accounted != self.rows_in:
            raise RuntimeError(f"placement lost rows: {self.rows_in} in, {accounted} accounted for")

    def as_series(self) -> pd.Series:
        return pd.Series(
            {
                "rows in": self.rows_in,
                "placed by own code": self.placed_own_code,
                "placed at the capital region": self.placed_capital,
                **{f"unplaced: {UNPLACED_REASONS[r]}": n for r, n in self.unplaced.items()},
            },
            name="agreements",
        )


def place_partners(
    agreements: pd.DataFrame, admin1: pd.DataFrame, national: pd.Series | None = None
) -> tuple[pd.DataFrame, PlacementReport]:
    """Each agreement's partner place (ISO 3166-2), for every row of ``agreements``.

    Needs ``partner_country``, ``partner_type`` and ``partner_admin1`` (blank or missing
    where the partner is not a place), as in the codebook, the synthetic list and
    ``data/public_agreements.csv``. A partner is placed at its own ``partner_admin1`` when
    that is a subdivision of its country in ``admin1``; ministries and other national bodies
    without one at their country's capital region (``national`` marks those rows instead, as the
    public register's ``partner_level`` does). Returns the rows with ``place_iso_3166_2``,
    ``placed_by`` (``own_code`` / ``capital``) and ``unplaced_reason`` (a key of
    ``UNPLACED_REASONS``) added, and the report that accounts for every row.
    """
    places = admin1[["iso_3166_2", "country"]].set_index("iso_3166_2")["country"]
    capitals = admin1.loc[admin1["capital"].astype(bool)].set_index("country")["iso_3166_2"]
    if not capitals.index.is_unique:
        raise ValueError("admin1 has more than one capital region for a country")
    staged = set(places)

    country = agreements["partner_country"].astype(str).str.strip().str.upper()
    kind = agreements["partner_type"].astype(str).str.strip().str.lower()
    code = agreements["partner_admin1"].fillna("").astype(str).str.strip().str.upper()

    own = code.ne("") & code.map(places).eq(country)
    is_national = kind.isin(NATIONAL_TYPES) if national is None else national.astype(bool)
    capital = code.eq("") & is_national & country.isin(capitals.index)
    no_layer = ~own & ~capital & ~country.isin(staged)
    unknown = ~own & ~capital & ~no_layer & code.ne("")
    missing = ~own & ~capital & ~no_layer & code.eq("")

    placed = agreements.copy()
    placed["place_iso_3166_2"] = pd.Series(pd.NA, index=placed.index, dtype="string")
    placed.loc[own, "place_iso_3166_2"] = code[own]
    placed.loc[capital, "place_iso_3166_2"] = country[capital].map(capitals)
    placed["placed_by"] = pd.Series(pd.NA, index=placed.index, dtype="string")
    placed.loc[own, "placed_by"] = "own_code"
    placed.loc[capital, "placed_by"] = "capital"
    placed["unplaced_reason"] = pd.Series(pd.NA, index=placed.index, dtype="string")
    for reason, rows in (("no_layer", no_layer), ("unknown_code", unknown), ("missing_code", missing)):
        placed.loc[rows, "unplaced_reason"] = reason

    report = PlacementReport(
        rows_in=len(agreements),
        placed_own_code=int(own.sum()),
        placed_capital=int(capital.sum()),
        unplaced={
            "no_layer": int(no_layer.sum()),
            "unknown_code": int(unknown.sum()),
            "missing_code": int(missing.sum()),
        },
    )
    return placed, report


def list_placement_values(report: PlacementReport, admin1: pd.DataFrame) -> dict[str, tuple]:
    """The numbers the manuscript cites about placing the agreement list's partners: the
    ``report`` of ``place_partners`` on the list and the subdivisions of ``admin1``
    (``read_admin1``), as ``key -> (value, description)`` for ``Values.record_all``."""
    return {
        "n_list_placed_own": (report.placed_own_code, "Agreement-list rows placed by their own partner code"),
        "n_list_placed_capital": (report.placed_capital, "Agreement-list rows placed at the capital region"),
        "n_list_unplaced": (
            sum(report.unplaced.values()),
            "Agreement-list rows without a staged partner layer or code",
        ),
        "n_admin1": (len(admin1), "Partner-country first-level subdivisions (VNM, IDN, PHL)"),
    }


POINT_COLUMNS = ("iso_3166_2", "country", "name", "capital", "lon", "lat")


def read_partner_points(path: Path = paths.PARTNER_POINTS) -> gpd.GeoDataFrame:
    """Partner places in countries without a staged boundary layer, as points (EPSG:4326):
    ``iso_3166_2, country, name, capital, geometry``. Refuses a repeated code, a country
    with no capital or more than one, a country that has a staged layer, and coordinates
    outside the longitude/latitude ranges, naming the row."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = [f"{path.name}: missing column {c}" for c in POINT_COLUMNS if c not in table.columns]
    if problems:
        raise Admin1Error(problems)
    lon, lat = pd.to_numeric(table["lon"], errors="coerce"), pd.to_numeric(table["lat"], errors="coerce")
    for row in table.itertuples():
        line = row.Index + 2
        if not (-180 <= lon[row.Index] <= 180 and -90 <= lat[row.Index] <= 90):
            problems.append(f"{path.name}, line {line}: lon/lat {row.lon}/{row.lat} are not coordinates")
        if row.capital not in ("true", "false"):
            problems.append(f"{path.name}, line {line}: capital must be true or false, not {row.capital!r}")
        if row.country in LAYERS:
            problems.append(f"{path.name}, line {line}: {row.country} has a staged layer; its places are polygons")
    problems += [
        f"{path.name}: {code} appears {n} times" for code, n in table["iso_3166_2"].value_counts().items() if n > 1
    ]
    capitals = table.loc[table["capital"] == "true"].groupby("country").size()
    problems += [
        f"{path.name}: {country} needs exactly one capital row, has {capitals.get(country, 0)}"
        for country in sorted(set(table["country"]))
        if capitals.get(country, 0) != 1
    ]
    if problems:
        raise Admin1Error(problems)
    out = table[["iso_3166_2", "country", "name"]].assign(capital=table["capital"] == "true")
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(lon, lat), crs=CRS)


def partner_places(polygons: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """All partner places: the subdivisions of the staged layers (``read_admin1``) and the
    points elsewhere (``read_partner_points``). Returns the place table ``place_partners``
    takes (``iso_3166_2, country, name, capital``) and one point per place for drawing lines
    (representative points of the polygons, the points themselves), in EPSG:4326."""
    columns = ["iso_3166_2", "country", "name", "capital"]
    places = pd.concat([polygons[columns], points[columns]], ignore_index=True)
    destinations = pd.concat([representative_points(polygons), points[[*columns, "geometry"]]], ignore_index=True)
    return places, gpd.GeoDataFrame(destinations, geometry="geometry", crs=CRS)


# --------------------------------------------------------------------------- context land
#: Natural Earth 1:110m countries (public domain), as shipped inside the pinned pyogrio wheel
#: (``requirements.lock``; its tests/fixtures README records the source and licence). Drawn
#: only as context land, so that the islands and coasts the partner layers share with
#: neighbouring countries (Borneo, New Guinea, Timor; the mainland around Viet Nam) are whole.
#: The bytes are checked, so a different pyogrio cannot change the map unnoticed.
NATURAL_EARTH = {
    "naturalearth_lowres.shp": "08e341606e8391e458c3f08deb312de664b56bfae376064c5aa0aee6681a5f55",
    "naturalearth_lowres.dbf": "d2ae1c99adcf8e4586a5b12c639672035fa2f3f469e7255947de00401c3ed7e1",
}
NATURAL_EARTH_NOTE = "Land: Natural Earth 1:110m (public domain)"


def natural_earth_dir() -> Path:
    """Where the installed pyogrio keeps its Natural Earth fixture."""
    import pyogrio

    return Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres"


def context_land(folder: Path | None = None, without: tuple[str, ...] = ("JPN",)) -> gpd.GeoDataFrame:
    """The countries of Natural Earth 1:110m (``iso_a3``, ``name``, geometry, WGS84) but those in
    ``without`` (Japan is drawn from its own boundaries), after checking the files' sha256
    against ``NATURAL_EARTH``; a missing or different file is an error naming it."""
    import hashlib

    folder = folder or natural_earth_dir()
    for name, digest in NATURAL_EARTH.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: the Natural Earth layer of the pinned pyogrio is missing")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise ValueError(f"{path}: sha256 {actual} is not the pinned {digest} (another pyogrio?)")
    land = gpd.read_file(folder / "naturalearth_lowres.shp")[["iso_a3", "name", "geometry"]]
    return land.loc[~land["iso_a3"].isin(without)].set_crs(CRS, allow_override=True).reset_index(drop=True)
