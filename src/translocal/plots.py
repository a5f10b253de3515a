"""Figures: the fitted models (drawn from the saved results, never refitting), the public
register (flow map, timeline, survival curve) and the agreement list's timeline.

Each function draws on axes it is given and returns nothing; notebooks lay out the figure,
stamp synthetic data (``figures.mark_synthetic``) and save it (``figures.save``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from .outcome import CAPACITY, COVARIATES, LABELS

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


#: The two models whose effects on P(formal agreement) the AME panel shows: outcome, label, colour.
AME_MODELS = {
    "ppo": ("P(strength = 2)", "partial proportional odds (respondents, weighted)", "#1b1b1b"),
    "formal_all": ("P(formal agreement)", "formal-agreement logit (all municipalities)", "#2166ac"),
}


def ame_plot(ax: plt.Axes, ame: pd.DataFrame, terms=None) -> None:
    """Average marginal effects on the probability of a formal agreement, in percentage points
    per standard deviation of each covariate (exposure: yes against no), so that all share one
    axis; the two models of ``AME_MODELS`` side by side, with bootstrap intervals."""
    terms = list(terms or [*CAPACITY, "prefecture_exposure"])
    y = np.arange(len(terms))[::-1].astype(float)
    ax.axvline(0, color="0.6", linewidth=0.8, zorder=0)
    for offset, (model, (outcome, label, colour)) in zip((0.17, -0.17), AME_MODELS.items()):
        rows = ame.loc[(ame["model"] == model) & (ame["outcome"] == outcome)].set_index("term").reindex(terms)
        est, low, high = (rows[c].to_numpy(float) for c in ("estimate_sd", "low_sd", "high_sd"))
        ax.errorbar(est, y + offset, xerr=[est - low, high - est], fmt="o", color=colour, markersize=3.5,
                    capsize=0, linewidth=1.1, label=label)  # fmt: skip
    ax.set_yticks(y, [LABELS[t] for t in terms])
    ax.set_xlabel("percentage points per SD of the covariate (exposure: yes vs no),\n"
                  "95% prefecture cluster-bootstrap interval")  # fmt: skip
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.35, -0.42), frameon=False, fontsize=7.5, ncol=2)


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


def coverage_plot(ax: plt.Axes, coverage: pd.DataFrame, model: str, title: str) -> None:
    """Monte-Carlo coverage of the 95% intervals of ``model``'s coefficients (share of simulated
    data sets whose interval covered the truth), with Wilson intervals of that share, against
    the nominal 95%; a term whose Wilson interval lies below 95% is drawn in red."""
    rows = coverage.loc[coverage["model"] == model].set_index("term")
    terms = list(COVARIATES)
    rows = rows.reindex(terms)
    y = np.arange(len(terms))[::-1]
    est, low, high = (100 * rows[c].to_numpy(float) for c in ("coverage", "low", "high"))
    below = high < 95
    ax.axvline(95, color="#1a9641", linewidth=1.0, zorder=0, label="nominal 95%")
    for mask, colour, label in (
        (~below, POINT, "coverage, Monte-Carlo 95% interval"),
        (below, "#d7191c", "below nominal"),
    ):
        if mask.any():
            ax.errorbar(est[mask], y[mask], xerr=[est[mask] - low[mask], high[mask] - est[mask]], fmt="o",
                        color=colour, markersize=3.5, linewidth=1.1, label=label)  # fmt: skip
    ax.set_yticks(y, [LABELS.get(t, t) for t in terms])
    ax.set_xlim(min(40, np.floor(np.nanmin(low) / 10) * 10), 100)
    n = int(rows["replications"].max())
    ax.set_title(f"{title}\n{n} simulated data sets", loc="left", fontsize=9)
    ax.grid(axis="x", color="0.92", linewidth=0.6)


def uniform_qq_plot(ax: plt.Axes, pvalues: dict[str, np.ndarray]) -> None:
    """Sorted p-values against their expectation under the null, the uniform plotting positions
    i / (n + 1), one series per entry of ``pvalues``; the diagonal is the uniform, and the grey
    band its pointwise 95% range (Beta(i, n + 1 - i) quantiles). Points far below the diagonal
    at the left would be more small p-values than chance gives."""
    from scipy import stats

    n = max(len(v) for v in pvalues.values())
    i = np.arange(1, n + 1)
    expected = i / (n + 1)
    ax.fill_between(expected, stats.beta.ppf(0.025, i, n + 1 - i), stats.beta.ppf(0.975, i, n + 1 - i),
                    color="0.88", linewidth=0, label="95% range under the uniform")  # fmt: skip
    ax.plot([0, 1], [0, 1], color="0.5", linewidth=0.8)
    for (label, values), marker in zip(pvalues.items(), ("o", "s", "^")):
        values = np.sort(np.asarray(values, dtype=float))
        ax.plot(np.arange(1, len(values) + 1) / (len(values) + 1), values, marker, markersize=3.5,
                linestyle="none", label=label)  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("expected under no autocorrelation (uniform)")
    ax.set_ylabel("two-sided permutation p-value, sorted")
    ax.legend(loc="upper left", frameon=False, fontsize=7)


# --------------------------------------------------------------------------- descriptive figures
#: Projection of the flow map: Albers equal-area centred on the sending countries of the
#: register, from Uzbekistan to Japan, so that all are drawn with moderate distortion.
FLOW_CRS = "+proj=aea +lat_1=5 +lat_2=40 +lat_0=25 +lon_0=105 +datum=WGS84 +units=m +no_defs"
FLOW_EXTENT = (64.0, -11.5, 146.5, 50.5)  # lon/lat box of the flow map
#: Lines: agreements about workers (labour_related yes or partly) and the others.
LINK_COLOURS = {True: "#b2182b", False: "#2166ac"}
LINK_LABELS = {True: "about workers (wholly or partly)", False: "not about workers"}
#: Widths of the flow lines: 0.6 pt for one agreement, growing with the square root of the count.
WIDTH_KEY = (1, 3, 10)
#: Classes of agreements sent or received and their shades (greens, apart from the line colours).
SHADE_BINS = (1, 3, 10)
SHADES = ("#f2f2f2", "#d9f0d3", "#a6dba0", "#5aae61")
SHADE_LABELS = ("no agreement", "1–2 agreements", "3–9 agreements", "10 or more agreements")
#: Countries grouped in the timeline's colours (the rest as "other countries").
TIMELINE_COUNTRIES = {
    "VNM": ("Viet Nam", "#d7301f"),
    "IDN": ("Indonesia", "#fc8d59"),
    "PHL": ("Philippines", "#fdcc8a"),
    "IND": ("India", "#2b8cbe"),
    "MNG": ("Mongolia", "#8c6bb1"),
    "NPL": ("Nepal", "#41ab5d"),
    "other": ("other countries", "#bdbdbd"),
}
LABOUR_COLOURS = {"yes": "#b2182b", "partly": "#ef8a62", "no": "#d1e5f0"}


def _bezier(p0: np.ndarray, p1: np.ndarray, bend: float = 0.18, n: int = 40) -> np.ndarray:
    """A gently curved line from p0 to p1 (quadratic Bézier, control point off the chord)."""
    mid = (p0 + p1) / 2
    chord = p1 - p0
    control = mid + bend * np.array([-chord[1], chord[0]])
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p1


def link_width(n) -> np.ndarray:
    """Line width (points) of a flow of ``n`` agreements."""
    return 0.6 * np.sqrt(np.asarray(n, dtype=float))


def flow_counts(links: pd.DataFrame) -> pd.DataFrame:
    """Signed agreements of local Japanese governments with placed partners, counted by origin
    prefecture, destination place and whether they are about workers, with the mean origin
    and the destination coordinates."""
    local = links.loc[links["jp_level"].isin(["municipality", "prefecture"]) & links["dest_lon"].notna()]
    local = local.assign(labour=local["labour_related"].isin(["yes", "partly"]))
    keys = ["prefecture_code", "place_iso_3166_2", "labour"]
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


def _shade(ax: plt.Axes, gdf, linewidth: float = 0.15) -> None:
    """Polygons of ``gdf`` shaded by their column ``n`` in the classes of ``SHADE_BINS``."""
    classes = np.digitize(gdf["n"], SHADE_BINS, right=False)
    for i, shade in enumerate(SHADES):
        part = gdf.loc[classes == i]
        if len(part):
            part.plot(ax=ax, color=shade, edgecolor="0.55", linewidth=linewidth, rasterized=True)


#: Colour of the context land (neighbouring countries) under the flow map: warm grey, apart
#: from the light grey of partner provinces without an agreement and from the greens.
LAND_COLOUR = "#e4e0d6"


def register_flow_map(
    ax: plt.Axes, japan, polygons, points, links: pd.DataFrame, country_names: dict, land=None
) -> list:
    """The public register on one map: Japan's prefectures shaded by the agreements their
    governments and municipalities signed; the provinces of Viet Nam, Indonesia and the
    Philippines shaded by the agreements they received; partner places elsewhere as circles
    (area by agreements) labelled with their country; a curved line per origin prefecture and
    destination, its width by the number of agreements (``WIDTH_KEY``), red for agreements
    about workers and blue for the others. ``japan`` is indexed by prefecture code; ``land``
    (``admin1.context_land``) is drawn underneath, so neighbouring coasts and shared islands are
    whole. Returns legend handles."""
    import geopandas as gpd
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    counts = flow_counts(links)
    received = counts.groupby("place_iso_3166_2")["n"].sum()
    if land is not None:
        # clipped to a box around the map first: whole-globe polygons (Russia, Antarctica) do not
        # survive the conic projection
        west, south, east, north = FLOW_EXTENT
        near = gpd.clip(land, (west - 10, south - 10, east + 10, north + 10))
        near.to_crs(FLOW_CRS).plot(ax=ax, color=LAND_COLOUR, edgecolor="white", linewidth=0.3, zorder=0)
    japan_signed(ax, japan.to_crs(FLOW_CRS), links, linewidth=0.2)
    _shade(ax, polygons.to_crs(FLOW_CRS).assign(n=lambda d: d["iso_3166_2"].map(received).fillna(0)))

    def project(lon, lat):
        pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(FLOW_CRS)
        return np.column_stack([pts.x, pts.y])

    for labour in (False, True):
        part = counts.loc[counts["labour"] == labour]
        a, b = project(part["origin_lon"], part["origin_lat"]), project(part["dest_lon"], part["dest_lat"])
        for p0, p1, n in zip(a, b, part["n"]):
            line = _bezier(p0, p1, bend=0.15 if labour else -0.15)
            ax.plot(line[:, 0], line[:, 1], color=LINK_COLOURS[labour], alpha=0.45, linewidth=float(link_width(n)),
                    solid_capstyle="round", zorder=3)  # fmt: skip
    drawn = points.to_crs(FLOW_CRS).assign(n=lambda d: d["iso_3166_2"].map(received).fillna(0))
    drawn = drawn.loc[drawn["n"] > 0]
    ax.scatter(drawn.geometry.x, drawn.geometry.y, s=12 + 10 * drawn["n"], facecolor=SHADES[2], edgecolor="0.3",
               linewidth=0.5, zorder=4)  # fmt: skip
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for country, name in country_names.items():
        if country in set(polygons["country"]):
            shape = polygons.loc[polygons["country"] == country].to_crs(FLOW_CRS).dissolve()
            centre = shape.representative_point().iloc[0]
            x, y = centre.x, centre.y
        elif country in set(drawn["country"]):
            here = drawn.loc[drawn["country"] == country]
            x, y = here.geometry.x.mean(), here.geometry.y.mean() - 160_000
        else:
            continue
        ax.text(x, y, name, fontsize=7.5, ha="center", va="top", color="0.1", zorder=5, path_effects=halo)
    import shapely

    frame = shapely.segmentize(shapely.box(*FLOW_EXTENT), 0.5)  # dense edges: the box curves when projected
    x0, y0, x1, y1 = gpd.GeoSeries([frame], crs="EPSG:4326").to_crs(FLOW_CRS).total_bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    # Three columns of four rows in a legend with ncol=3: line colours, line widths, shades.
    blank = Line2D([], [], linestyle="none", label=" ")
    lines = [Line2D([], [], color=LINK_COLOURS[k], linewidth=2, label=LINK_LABELS[k]) for k in (True, False)]
    widths = [
        Line2D([], [], color="0.35", linewidth=float(link_width(n)), label=f"{n} agreement{'s' if n > 1 else ''}")
        for n in WIDTH_KEY
    ]
    shades = [Patch(facecolor=c, edgecolor="0.55", linewidth=0.3, label=lab) for c, lab in zip(SHADES, SHADE_LABELS)]
    return [*lines, blank, blank, *widths, blank, *shades]


def japan_signed(ax: plt.Axes, japan, links: pd.DataFrame, linewidth: float = 0.3) -> None:
    """Japan's prefectures (index = prefecture code) shaded by the agreements signed by their
    governments and municipalities."""
    local = links.loc[links["jp_level"].isin(["municipality", "prefecture"])]
    sent = local.groupby("prefecture_code").size()
    _shade(ax, japan.assign(n=japan.index.map(sent).fillna(0).to_numpy()), linewidth=linewidth)


def register_timeline(axes, register: pd.DataFrame, start: int = 2005, end: int = 2026) -> None:
    """The register by signing year on four stacked axes sharing the year axis: Japan's
    national memoranda (one marker each, stacked, so that none hides another), prefectural
    and municipal agreements (stacked by partner country), and all local agreements by
    whether they are about workers. Years before ``start`` are pooled in one bar at the left."""
    signed = register.loc[register["status"] == "signed"]
    years = list(range(start, end + 1))

    def x_of(year):
        return np.where(np.asarray(year) < start, start - 2, year)

    strip, *bars = axes
    national = signed.loc[signed["jp_level"] == "national"]
    most = 1
    for year, group in national.groupby("signed_year"):
        ys = np.arange(1, len(group) + 1)
        most = max(most, len(group))
        strip.scatter(np.full(len(ys), x_of(year)), ys, marker="v", s=10, color="black", zorder=3)
    strip.set_ylim(0.3, most + 0.7)
    strip.set_yticks([])
    strip.set_ylabel("national\nmemoranda", rotation=0, ha="right", va="center")
    for ax, level in zip(bars[:2], ("prefecture", "municipality")):
        rows = signed.loc[signed["jp_level"] == level]
        group = rows["partner_country"].where(rows["partner_country"].isin(TIMELINE_COUNTRIES), "other")
        table = pd.crosstab(x_of(rows["signed_year"]), group).reindex(columns=list(TIMELINE_COUNTRIES), fill_value=0)
        table = table.reindex([start - 2, *years], fill_value=0)
        bottom = np.zeros(len(table))
        for country, (name, colour) in TIMELINE_COUNTRIES.items():
            ax.bar(table.index, table[country], bottom=bottom, width=0.8, color=colour, label=name, linewidth=0)
            bottom += table[country].to_numpy()
        ax.set_ylim(0, bottom.max() * 1.08)
        ax.set_ylabel(f"{level}\nagreements")
    local = signed.loc[signed["jp_level"].isin(["prefecture", "municipality"])]
    table = pd.crosstab(x_of(local["signed_year"]), local["labour_related"]).reindex(
        index=[start - 2, *years], columns=list(LABOUR_COLOURS), fill_value=0
    )
    bottom = np.zeros(len(table))
    for key, colour in LABOUR_COLOURS.items():
        label = {"yes": "about workers", "partly": "workers among other fields", "no": "not about workers"}[key]
        bars[2].bar(table.index, table[key], bottom=bottom, width=0.8, color=colour, label=label, linewidth=0)
        bottom += table[key].to_numpy()
    bars[2].set_ylim(0, bottom.max() * 1.08)
    bars[2].set_ylabel("all local\nagreements")
    for ax in axes:
        ax.axvline(start - 1, color="0.6", linewidth=0.6, linestyle=":")
        ax.set_xlim(start - 3, end + 0.8)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        if ax is not strip:
            ax.grid(axis="y", color="0.92", linewidth=0.6)
    strip.spines["left"].set_visible(False)
    ticks = [y for y in years if y % 5 == 0]
    axes[-1].set_xticks([start - 2, *ticks], [f"before\n{start}", *[str(y) for y in ticks]])


def survival_plot(ax: plt.Axes, life: pd.DataFrame, start: int) -> None:
    """Share of the prefectures at risk that have not yet signed a labour agreement, at the end
    of each year (the life table's survival), as a step curve starting at 1 at the start of
    ``start``; the number at risk and the events are printed under each year."""
    xs = [start - 0.5, *life["year"].add(0.5)]
    ys = [1.0, *life["survival"]]
    ax.step(xs, ys, where="post", color=POINT, linewidth=1.4)
    ax.scatter(life["year"] + 0.5, life["survival"], color=POINT, s=10, zorder=3)
    for row in life.itertuples():
        ax.text(
            row.year, -0.09, f"{row.at_risk}", ha="center", va="top", fontsize=7, transform=ax.get_xaxis_transform()
        )
        ax.text(row.year, -0.17, f"{row.events}", ha="center", va="top", fontsize=7, transform=ax.get_xaxis_transform())
    ax.text(start - 1.1, -0.09, "at risk", ha="right", va="top", fontsize=7, transform=ax.get_xaxis_transform())
    ax.text(start - 1.1, -0.17, "signed", ha="right", va="top", fontsize=7, transform=ax.get_xaxis_transform())
    ax.set_xticks(life["year"])
    ax.tick_params(axis="x", labelbottom=False, length=0)
    for row in life.itertuples():
        ax.text(row.year, -0.01, str(row.year), ha="center", va="top", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xlim(start - 1.2, life["year"].max() + 0.8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share not yet signed")
    ax.grid(axis="y", color="0.92", linewidth=0.6)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def timeline(ax: plt.Axes, links: pd.DataFrame, window=("2020-01-01", "2023-12-31"), start="2015-01-01") -> None:
    """Municipal agreements of the agreement list per half-year, formal and informal stacked,
    with the outcome window shaded."""
    listed = links.loc[links["jp_level"] == "municipality"].copy()
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
    ax.axvspan(pd.Timestamp(window[0]), pd.Timestamp(window[1]), color="#f0f0f0", zorder=0)
    ax.text(pd.Timestamp(window[0]) + pd.Timedelta(days=30), 0.97, "outcome window 2020–2023", fontsize=7,
            color="0.35", va="top", transform=ax.get_xaxis_transform())  # fmt: skip
    ax.bar(left, table[True], width=width, align="edge", color=FORMAL_COLOURS[True], label="formal")
    ax.bar(
        left, table[False], width=width, align="edge", bottom=table[True], color=FORMAL_COLOURS[False], label="informal"
    )
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp("2025-01-01"))
    ax.set_ylabel("agreements of the list\nper half-year")
    ax.grid(axis="y", color="0.92", linewidth=0.6)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


#: Formal agreements and informal ties of the (private) agreement list.
FORMAL_COLOURS = {True: "#b2182b", False: "#ef8a62"}
