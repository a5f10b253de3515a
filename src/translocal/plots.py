"""Figures of the fitted models, drawn from the saved results (never refitting).

Each function draws on axes it is given and returns nothing; notebooks lay out the figure,
stamp synthetic data (``figures.mark_synthetic``) and save it (``figures.save``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from .analysis import CAPACITY, LABELS
from .outcome import COVARIATES

#: How the figures name the eight policy items of the survey (``private.POLICY_ITEMS``).
POLICY_LABELS = {
    "policy_employer_subsidy": "Subsidies to employers of foreign workers",
    "policy_language_classes": "Japanese language classes",
    "policy_cultural_exchange": "Cultural exchange events",
    "policy_sports_events": "Sports events and leagues",
    "policy_consultation_desk": "Consultation desk for foreign residents",
    "policy_multilingual_info": "Multilingual information",
    "policy_titp_support": "Support for technical interns",
    "policy_multicultural_plan": "Multicultural coexistence plan",
}

#: Colours of the three population-decline levels and of significant/non-significant marks.
DECLINE_COLOURS = ("#b2182b", "#636363", "#2166ac")
POINT = "#1b1b1b"


def _terms(table: pd.DataFrame, terms) -> list[str]:
    return [t for t in terms if t in set(table["term"])]


def odds_ratio_plot(ax: plt.Axes, estimates: pd.DataFrame, model: str, terms=COVARIATES) -> None:
    """Odds ratios of ``model`` with 95% intervals (log scale), one row per term, top to bottom."""
    rows = estimates.loc[estimates["model"] == model].set_index("term")
    terms = [t for t in terms if t in rows.index]
    y = np.arange(len(terms))[::-1]
    est, low, high = (np.exp(rows.loc[terms, c].to_numpy(float)) for c in ("estimate", "low", "high"))
    ax.axvline(1, color="0.6", linewidth=0.8, zorder=0)
    ax.errorbar(est, y, xerr=[est - low, high - est], fmt="o", color=POINT, markersize=4, capsize=0, linewidth=1.2)
    ax.set_xscale("log")
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low.min() / 1.5 <= t <= high.max() * 1.5]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y, [LABELS[t] for t in terms])
    ax.set_xlabel("odds ratio, 95% interval (prefecture-clustered SEs), log scale")
    ax.grid(axis="x", color="0.9", linewidth=0.6)


def ame_plot(ax: plt.Axes, ame: pd.DataFrame, outcome: str = "P(strength = 2)", terms=None) -> None:
    """Average marginal effects on ``outcome`` (percentage points) with bootstrap intervals."""
    rows = ame.loc[ame["outcome"] == outcome].set_index("term")
    terms = [t for t in (terms or list(CAPACITY) + ["prefecture_exposure"]) if t in rows.index]
    y = np.arange(len(terms))[::-1]
    est, low, high = (rows.loc[terms, c].to_numpy(float) for c in ("estimate", "low", "high"))
    ax.axvline(0, color="0.6", linewidth=0.8, zorder=0)
    ax.errorbar(est, y, xerr=[est - low, high - est], fmt="o", color=POINT, markersize=4, capsize=0, linewidth=1.2)
    ax.set_yticks(y, [LABELS[t] for t in terms])
    ax.set_xlabel(
        f"change in {outcome}, percentage points per unit (exposure: yes vs no),\n95% prefecture cluster-bootstrap interval"
    )
    ax.grid(axis="x", color="0.9", linewidth=0.6)


def curves_plot(ax: plt.Axes, curves: pd.DataFrame, outcome: str, x: str = "fiscal_strength") -> None:
    """Predicted probability of ``outcome`` over ``x`` for each population-decline level, with
    bootstrap bands."""
    rows = curves.loc[curves["outcome"] == outcome]
    for colour, (label, group) in zip(DECLINE_COLOURS, rows.groupby("by", sort=False)):
        group = group.sort_values(x)
        ax.plot(group[x], 100 * group["estimate"], color=colour, linewidth=1.6, label=label)
        ax.fill_between(group[x], 100 * group["low"], 100 * group["high"], color=colour, alpha=0.15, linewidth=0)
    ax.set_xlabel(LABELS[x])
    ax.set_ylabel(f"{outcome}, %")
    ax.set_ylim(bottom=0)
    ax.grid(color="0.92", linewidth=0.6)


def recovery_plot(ax: plt.Axes, recovery: pd.DataFrame, model: str, title: str) -> None:
    """Estimates with 95% intervals (dots and bars) against the truth of the data-generating
    process (open diamonds); a truth outside its interval is drawn in red."""
    rows = recovery.loc[recovery["model"] == model].set_index("term")
    terms = [t for t in COVARIATES if t in rows.index]
    y = np.arange(len(terms))[::-1]
    est, low, high, truth = (rows.loc[terms, c].to_numpy(float) for c in ("estimate", "low", "high", "truth"))
    covered = rows.loc[terms, "covered"].astype(bool).to_numpy()
    ax.axvline(0, color="0.75", linewidth=0.8, zorder=0)
    ax.errorbar(
        est,
        y,
        xerr=[est - low, high - est],
        fmt="o",
        color=POINT,
        markersize=3.5,
        linewidth=1.1,
        label="estimate, 95% interval",
    )
    for inside, colour, label in ((covered, "#1a9641", "inside"), (~covered, "#d7191c", "outside")):
        if inside.any():
            ax.scatter(truth[inside], y[inside], marker="D", facecolor="none", edgecolor=colour, s=30, zorder=3,
                       label=f"truth, {label} the interval")  # fmt: skip
    ax.set_yticks(y, [LABELS[t] for t in terms])
    ax.set_title(title, loc="left")
    ax.set_xlabel("coefficient (log-odds)")
    ax.grid(axis="x", color="0.92", linewidth=0.6)


# --------------------------------------------------------------------------- descriptive figures
#: Projection of the flow map: Albers equal-area centred between Japan and Southeast Asia,
#: so both are drawn with little distortion on one page.
FLOW_CRS = "+proj=aea +lat_1=5 +lat_2=35 +lat_0=18 +lon_0=120 +datum=WGS84 +units=m +no_defs"
FLOW_EXTENT = (94.0, -11.5, 147.0, 46.0)  # lon/lat box of the flow map
COUNTRY_NAMES = {"VNM": "Viet Nam", "IDN": "Indonesia", "PHL": "Philippines"}
LINK_COLOURS = {True: "#b2182b", False: "#ef8a62"}  # formal, informal


def _bezier(p0: np.ndarray, p1: np.ndarray, bend: float = 0.18, n: int = 40) -> np.ndarray:
    """A gently curved line from p0 to p1 (quadratic Bézier, control point off the chord)."""
    mid = (p0 + p1) / 2
    chord = p1 - p0
    control = mid + bend * np.array([-chord[1], chord[0]])
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p1


def flow_counts(links: pd.DataFrame) -> pd.DataFrame:
    """Agreements signed 2020–2023 by local Japanese governments (municipalities and
    prefectures) with placed partners, counted by origin prefecture, destination subdivision
    and formality, with the mean origin and destination coordinates."""
    local = links.loc[
        links["in_window"].astype(bool)
        & links["jp_level"].isin(["municipality", "prefecture"])
        & links["dest_lon"].notna()
    ]
    keys = ["prefecture_code", "place_iso_3166_2", "formal"]
    return (
        local.groupby(keys)
        .agg(
            n=("agreement_id", "size"),
            origin_lon=("origin_lon", "mean"),
            origin_lat=("origin_lat", "mean"),
            dest_lon=("dest_lon", "first"),
            dest_lat=("dest_lat", "first"),
        )
        .reset_index()
        .sort_values(keys)
    )


def flow_map(ax: plt.Axes, japan, admin1, links: pd.DataFrame) -> list:
    """Japan's prefectures and the partner countries' subdivisions (shaded by the number of
    agreements 2020–2023 they receive), with a curved line per origin prefecture and
    destination, its width by the number of agreements, red for formal, orange for informal.
    Documented public agreements (real) are drawn on top as black dashed lines. Returns
    legend handles."""
    import geopandas as gpd
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    counts = flow_counts(links.loc[links["dataset"] != "documented public"])
    received = counts.groupby("place_iso_3166_2")["n"].sum()
    admin = admin1.to_crs(FLOW_CRS).assign(n=lambda d: d["iso_3166_2"].map(received).fillna(0))
    japan_sent(ax, japan.to_crs(FLOW_CRS), links, linewidth=0.2)
    _shade(ax, admin)

    def project(lon, lat):
        pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(FLOW_CRS)
        return np.column_stack([pts.x, pts.y])

    top = max(counts["n"].max(), 1) if len(counts) else 1
    for formal in (False, True):
        part = counts.loc[counts["formal"].astype(bool) == formal]
        if not len(part):
            continue
        a, b = project(part["origin_lon"], part["origin_lat"]), project(part["dest_lon"], part["dest_lat"])
        for p0, p1, n in zip(a, b, part["n"]):
            line = _bezier(p0, p1)
            ax.plot(
                line[:, 0],
                line[:, 1],
                color=LINK_COLOURS[formal],
                alpha=0.4,
                linewidth=0.3 + 2.0 * n / top,
                solid_capstyle="round",
                zorder=3,
            )
    public = links.loc[
        (links["dataset"] == "documented public") & links["origin_lon"].notna() & links["dest_lon"].notna()
    ]
    if len(public):
        a, b = project(public["origin_lon"], public["origin_lat"]), project(public["dest_lon"], public["dest_lat"])
        for p0, p1 in zip(a, b):
            line = _bezier(p0, p1, bend=-0.12)
            ax.plot(line[:, 0], line[:, 1], color="black", linewidth=0.9, linestyle=(0, (3, 2)), zorder=4)
    for country, name in COUNTRY_NAMES.items():
        centre = admin.loc[admin["country"] == country].dissolve().representative_point().iloc[0]
        ax.text(
            centre.x,
            centre.y,
            name,
            fontsize=8,
            ha="center",
            color="0.15",
            zorder=5,
            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
        )
    box = gpd.GeoSeries(gpd.points_from_xy(FLOW_EXTENT[::2], FLOW_EXTENT[1::2]), crs="EPSG:4326").to_crs(FLOW_CRS)
    ax.set_xlim(box.x.min(), box.x.max())
    ax.set_ylim(box.y.min(), box.y.max())
    ax.set_aspect("equal")
    ax.set_axis_off()
    return [
        Line2D([], [], color=LINK_COLOURS[True], linewidth=2, label="formal agreement"),
        Line2D([], [], color=LINK_COLOURS[False], linewidth=2, label="informal tie"),
        Line2D(
            [],
            [],
            color="black",
            linewidth=0.9,
            linestyle=(0, (3, 2)),
            label="documented public agreement (real, any year)",
        ),
    ] + [Patch(facecolor=s, edgecolor="0.55", linewidth=0.3, label=lab) for s, lab in zip(SHADES, SHADE_LABELS)]


#: Classes of agreements sent or received (2020–2023) and their shades, shared by both maps.
SHADE_BINS = (1, 3, 10)
SHADES = ("#f2f2f2", "#fddbc7", "#f4a582", "#d6604d")
SHADE_LABELS = ("no agreement", "1–2 agreements", "3–9 agreements", "10 or more agreements")


def _shade(ax: plt.Axes, gdf, linewidth: float = 0.15) -> None:
    """Polygons of ``gdf`` shaded by their column ``n`` in the classes of ``SHADE_BINS``."""
    classes = np.digitize(gdf["n"], SHADE_BINS, right=False)
    for i, shade in enumerate(SHADES):
        part = gdf.loc[classes == i]
        if len(part):
            part.plot(ax=ax, color=shade, edgecolor="0.55", linewidth=linewidth, rasterized=True)


def japan_sent(ax: plt.Axes, japan, links: pd.DataFrame, linewidth: float = 0.3) -> None:
    """Japan's prefectures (index = prefecture code) shaded by the agreements 2020–2023 that
    their municipalities and prefectural government signed (agreement list)."""
    listed = links.loc[
        (links["dataset"] != "documented public")
        & links["in_window"].astype(bool)
        & links["jp_level"].isin(["municipality", "prefecture"])
    ]
    sent = listed.groupby("prefecture_code").size()
    _shade(ax, japan.assign(n=japan.index.map(sent).fillna(0).to_numpy()), linewidth=linewidth)


def timeline(
    ax: plt.Axes, strip: plt.Axes, links: pd.DataFrame, window=("2020-01-01", "2023-12-31"), start="2015-01-01"
) -> None:
    """Municipal agreements of the agreement list per half-year on ``ax``, formal and informal
    stacked, with the outcome window shaded; on ``strip`` (a thin axes above, sharing the
    time axis) the documented public agreements (real), one row per level of government."""
    listed = links.loc[(links["dataset"] != "documented public") & (links["jp_level"] == "municipality")].copy()
    listed["signed_on"] = pd.to_datetime(listed["signed_on"])
    edges = pd.date_range(start, "2025-01-01", freq="6MS")
    listed["bin"] = pd.cut(listed["signed_on"], edges, right=False, labels=edges[:-1])
    table = (
        listed.groupby(["bin", "formal"], observed=False)
        .size()
        .unstack(fill_value=0)
        .reindex(columns=[True, False], fill_value=0)
    )
    width = pd.Timedelta(days=160)
    left = pd.to_datetime(table.index.astype(str)) + pd.Timedelta(days=10)
    for axes in (ax, strip):
        axes.axvspan(pd.Timestamp(window[0]), pd.Timestamp(window[1]), color="#f0f0f0", zorder=0)
    ax.bar(left, table[True], width=width, align="edge", color=LINK_COLOURS[True], label="formal")
    ax.bar(
        left, table[False], width=width, align="edge", bottom=table[True], color=LINK_COLOURS[False], label="informal"
    )
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp("2025-01-01"))
    ax.set_ylabel("agreements of the list\nper half-year")
    ax.grid(axis="y", color="0.92", linewidth=0.6)
    public = links.loc[links["dataset"] == "documented public"].copy()
    public["signed_on"] = pd.to_datetime(public["signed_on"])
    levels = {"national": ("s", 2), "prefecture": ("^", 1), "municipality": ("o", 0)}
    for level, (marker, row) in levels.items():
        dates = public.loc[public["jp_level"] == level, "signed_on"]
        strip.scatter(dates, np.full(len(dates), row), marker=marker, color="black", s=18, zorder=3)
    strip.set_yticks([2, 1, 0], ["national", "prefecture", "municipality"])
    strip.set_ylim(-0.6, 2.6)
    strip.tick_params(axis="x", labelbottom=False)
    strip.set_title("documented public agreements (real)", loc="left", fontsize=8)
    strip.text(
        pd.Timestamp(window[0]) + pd.Timedelta(days=30),
        2.25,
        "outcome window 2020–2023",
        fontsize=7,
        color="0.35",
        va="center",
    )
    for spine in ("top", "right"):
        strip.spines[spine].set_visible(False)
