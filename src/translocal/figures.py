"""Figure style and saving: the one place that owns fonts, sizes, palette and output formats.

Every figure goes to ``paper/figures/`` twice: a PDF for the manuscript (vector text and
lines, polygon fills rasterized so national maps stay small and fast) and a PNG for notebooks
and the README. Both are written byte-reproducibly (no dates in metadata) and only when their
bytes change.
"""

from __future__ import annotations

import io
import itertools
import logging
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba
from matplotlib.patches import Patch, Rectangle
from shapely.geometry import box

from .base import outputs, paths

#: Japanese glyphs come from IPAexGothic, shipped by the pip package matplotlib-fontja, so
#: every machine draws the same glyphs; typst embeds the same file (see ``paper``).
JAPANESE_FONT = "IPAexGothic"
LATIN_FONT = "DejaVu Sans"
CENSORED_COLOUR = "#d9d9d9"
BORDER_COLOUR = "#303030"
SEQUENTIAL = "YlOrRd"
#: Colour of the zero class of a classed map: a pale blue, apart in hue from the sequential
#: yellows and reds of the positive classes and from the grey of missing values.
ZERO_COLOUR = "#bcd6ee"
PNG_DPI = 200
#: Resolution of the rasterized polygon fills inside the PDF figures (print quality).
RASTER_DPI = 300


def japanese_font_file() -> Path:
    """Path of the IPAexGothic TrueType file shipped by matplotlib-fontja."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib-fontja is not installed; run `make` to build the environment.")
    font = Path(spec.origin).parent / "fonts" / "ipaexg.ttf"
    if not font.is_file():
        raise RuntimeError(f"{font} is missing from matplotlib-fontja")
    return font


def use_style() -> None:
    """Set the project's matplotlib style. Call once at the top of a notebook."""
    font_manager.fontManager.addfont(str(japanese_font_file()))
    # IPAexGothic has no bold face; bold text falls back to DejaVu Sans Bold for Latin and to
    # the regular Japanese face for kana and kanji, which matplotlib reports on every draw.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    matplotlib.rcParams.update(
        {
            # Latin text in DejaVu Sans; characters it lacks fall back to IPAexGothic.
            "font.family": [LATIN_FONT, JAPANESE_FONT],
            "font.size": 9,
            "axes.titlesize": 10,
            "legend.fontsize": 8,
            "figure.dpi": 100,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.05,
            "pdf.fonttype": 42,  # TrueType in the PDF: text stays text
            "svg.hashsalt": "translocal",
            "path.simplify": True,
        }
    )


def save(fig: plt.Figure, name: str, folder: Path = paths.FIGURES) -> list[Path]:
    """Write ``name.pdf`` and ``name.png`` into ``folder``; return their paths."""
    written = []
    for suffix, options in (
        (
            ".pdf",
            {"dpi": RASTER_DPI, "metadata": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}},
        ),
        (".png", {"dpi": PNG_DPI, "metadata": {"Software": None}}),
    ):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=suffix[1:], **options)
        target = folder / f"{name}{suffix}"
        outputs.write_bytes(target, buffer.getvalue())
        written.append(target)
    return written


def class_labels(breaks: list[float], unit: str = "") -> list[str]:
    """Legend labels for the classes of ``classify``: "0", then (b0, b1], (b1, b2], ..., > b_last.

    Intervals include their upper bound, so every label is unambiguous."""
    labels = [f"0{unit}"]
    for low, high in itertools.pairwise(breaks):
        labels.append(f"> {_fmt(low)} to {_fmt(high)}{unit}")
    labels.append(f"> {_fmt(breaks[-1])}{unit}")
    return labels


def classify(values: np.ndarray, breaks: list[float]) -> np.ndarray:
    """Class of each value: 0 for exactly zero, then 1 + the interval (b_i, b_i+1] it falls in.

    ``breaks`` must start at 0; values above the last break form the last class. Missing
    values get class -1.
    """
    if breaks[0] != 0 or list(breaks) != sorted(breaks):
        raise ValueError(f"class breaks must start at 0 and increase: {breaks}")
    values = np.asarray(values, dtype=float)
    if (values < 0).any():
        raise ValueError("classify takes values of at least 0")
    classes = np.digitize(values, breaks, right=True)  # 0 for 0, i for b_i-1 < v <= b_i
    return np.where(np.isnan(values), -1, classes)


def _fmt(x: float) -> str:
    return f"{x:g}"


def classed_choropleth(
    ax: plt.Axes,
    gdf,
    column: str,
    breaks: list[float],
    missing_label: str | None = None,
    cmap: str = SEQUENTIAL,
):
    """Draw ``gdf`` coloured by ``column`` in the classes of ``classify`` (rasterized fills).

    Zero gets its own class in a colour of its own (``ZERO_COLOUR``); the positive classes take
    evenly spaced, clearly distinct steps of ``cmap`` from its pale end (not the palest, which
    is hard to tell from paper); missing values are drawn in grey. Returns the legend handles
    (one per class, whether or not this panel shows it).
    """
    labels = class_labels(breaks)
    positive = plt.get_cmap(cmap)(np.linspace(0.22, 1.0, len(labels) - 1))
    colours = np.vstack([to_rgba(ZERO_COLOUR), positive])
    classes = classify(pd.to_numeric(gdf[column], errors="coerce").astype(float).to_numpy(), breaks)
    known = classes >= 0
    listed = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(labels) + 1) - 0.5, listed.N)
    if known.any():
        gdf.loc[known].assign(_class=classes[known]).plot(
            ax=ax, column="_class", cmap=listed, norm=norm, linewidth=0, rasterized=True
        )
    handles = [Patch(facecolor=c, edgecolor="0.6", linewidth=0.3, label=lab) for c, lab in zip(colours, labels)]
    if (~known).any():
        gdf.loc[~known].plot(ax=ax, color=CENSORED_COLOUR, linewidth=0, rasterized=True)
    if missing_label:
        handles.append(Patch(facecolor=CENSORED_COLOUR, edgecolor="none", label=missing_label))
    return handles


def categorical_choropleth(ax: plt.Axes, gdf, column: str, categories: dict) -> list[Patch]:
    """Draw ``gdf`` coloured by the categories of ``column`` (rasterized fills).

    ``categories`` maps each value to ``(colour, label)``, in legend order; a value of the
    column that is not among them is an error (nothing silently drawn blank). Returns one
    legend handle per category, with its count in this panel's data appended by the caller
    if wanted."""
    values = gdf[column].astype("string").fillna("<NA>")
    keys = {str(k): v for k, v in categories.items()}
    unknown = sorted(set(values) - set(keys))
    if unknown:
        raise ValueError(f"{column}: values without a colour: {unknown}")
    for key, (colour, _) in keys.items():
        rows = (values == key).to_numpy()
        if rows.any():
            gdf.loc[rows].plot(ax=ax, color=colour, linewidth=0, rasterized=True)
    return [Patch(facecolor=c, edgecolor="0.6", linewidth=0.3, label=lab) for c, lab in keys.values()]


#: Map panels: the main islands, and insets at the same scale for Okinawa Prefecture and the
#: Ogasawara Islands (小笠原村, code 13421), which would otherwise stretch the map.
OKINAWA = "沖縄県"
OGASAWARA = "13421"


def prefecture_borders(gdf, min_area_m2: float = 2e6):
    """Prefecture outlines dissolved from the municipalities themselves (so areas outside the
    frame, such as the Northern Territories, have none), without islets smaller than
    ``min_area_m2``, whose outlines would print as specks; their fills still show."""
    # The municipalities tile the land without overlaps, so a coverage union gives the same
    # outlines as a general union, ten times faster (0.13 s against 1.5 s for the frame).
    dissolved = gdf[["prefecture", "geometry"]].dissolve("prefecture", method="coverage").explode(index_parts=False)
    kept = dissolved.loc[dissolved.area >= min_area_m2]
    # At national scale a point is several km: 1 km simplification is invisible and keeps the
    # PDF small (the fills are rasterized anyway).
    return kept.simplify(1000).boundary


def japan_map(gdf, draw, crs: str, figsize=(7.0, 7.4)):
    """A national map of Japan with insets for Okinawa and the Ogasawara Islands.

    ``gdf`` is the municipal frame (columns ``code`` and ``prefecture``). ``draw(ax, data)``
    draws the data layer on an axes and returns legend handles; prefecture borders are added
    on top. Each municipality is drawn in exactly one panel; the insets share the main map's
    scale. The remote Minami-Torishima and Okinotorishima (in Ogasawara village) fall outside
    its inset. Returns the figure, the main axes and the legend handles.
    """
    data = gdf.to_crs(crs)
    in_okinawa = (data["prefecture"] == OKINAWA).to_numpy()
    in_ogasawara = (data["code"] == OGASAWARA).to_numpy()
    fig = plt.figure(figsize=figsize)
    main_window = _window((128.3, 27.0, 146.2, 45.7), crs)
    main = fig.add_axes((0, 0, 1, 1))
    # Insets are sized so that one metre is as long on paper as in the main map.
    scale = 1 / max((main_window[2] - main_window[0]) / figsize[0], (main_window[3] - main_window[1]) / figsize[1])
    panels = [(main, main_window, data.loc[~in_okinawa & ~in_ogasawara])]
    for (left, bottom), extent, label, rows in (
        ((0.02, 0.80), (122.85, 24.0, 131.4, 27.95), "Okinawa 沖縄県", in_okinawa),
        ((0.80, 0.04), (142.0, 26.5, 142.35, 27.75), "Ogasawara 小笠原村", in_ogasawara),
    ):
        window = _window(extent, crs)
        size = ((window[2] - window[0]) * scale / figsize[0], (window[3] - window[1]) * scale / figsize[1])
        inset = fig.add_axes((left, bottom, *size))
        inset.text(0.0, 1.01, label, transform=inset.transAxes, fontsize=7, va="bottom")
        panels.append((inset, window, data.loc[rows]))
    handles = []
    for ax, window, subset in panels:
        drawn = draw(ax, subset)
        handles = handles or drawn
        prefecture_borders(subset).plot(ax=ax, color=BORDER_COLOUR, linewidth=0.35)
        _frame(ax, window)
        for spine in ax.spines.values():
            spine.set_visible(ax is not main)
            spine.set_linewidth(0.5)
    return fig, main, handles


#: Where zoom insets go on a ``japan_map`` figure: the Pacific east of Honshu, top to bottom.
ZOOM_SLOTS = ((0.72, 0.41, 0.26, 0.21), (0.72, 0.15, 0.26, 0.21))


def zoom_windows(points: gpd.GeoDataFrame, groups: str, n: int = 2, min_count: int = 3, pad: float = 0.3,
                 min_size: float = 40_000) -> list[tuple[str, np.ndarray]]:  # fmt: skip
    """Where flagged units cluster: the ``n`` groups (e.g. prefectures) with the most rows of
    ``points`` (at least ``min_count``), each with the window (minx, miny, maxx, maxy, in the
    points' projected CRS) around its rows, padded by ``pad`` of its size and at least
    ``min_size`` metres on a side. Empty when no group has enough rows."""
    counts = points[groups].value_counts()
    out = []
    for name in counts.index[counts >= min_count][:n]:
        minx, miny, maxx, maxy = points.loc[points[groups] == name].total_bounds
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(maxx - minx, maxy - miny, min_size) * (1 + pad) / 2
        out.append((str(name), np.array([cx - half, cy - half, cx + half, cy + half])))
    return out


def zoom_insets(fig: plt.Figure, main: plt.Axes, gdf, draw, crs: str, windows) -> None:
    """Zoomed insets of a ``japan_map`` at ``windows`` ([(label, window)], from ``zoom_windows``),
    in the free slots of ``ZOOM_SLOTS``; each window is outlined on the main map and lettered
    A, B, … in both places."""
    data = gdf.to_crs(crs)
    for letter, (label, window), slot in zip("ABCD", windows, ZOOM_SLOTS):
        inset = fig.add_axes(slot)
        subset = data.loc[data.intersects(box(*window))]
        draw(inset, subset)
        prefecture_borders(subset).plot(ax=inset, color=BORDER_COLOUR, linewidth=0.35)
        _frame(inset, window)
        for spine in inset.spines.values():
            spine.set_linewidth(0.6)
        inset.text(0.0, 1.01, f"{letter}: {label}", transform=inset.transAxes, fontsize=7, va="bottom")
        main.add_patch(Rectangle((window[0], window[1]), window[2] - window[0], window[3] - window[1],
                                 fill=False, edgecolor="black", linewidth=0.8))  # fmt: skip
        main.text(window[2], window[3], letter, fontsize=7, ha="left", va="bottom", weight="bold")


def set_extent(ax: plt.Axes, lonlat_box: tuple[float, float, float, float], crs: str) -> None:
    """Show the longitude/latitude box ``(west, south, east, north)`` on axes drawn in ``crs``,
    at equal aspect, without ticks or axis labels (as maps are)."""
    _frame(ax, _window(lonlat_box, crs))


def _frame(ax: plt.Axes, window: np.ndarray) -> None:
    """Limit a map's axes to ``window`` (minx, miny, maxx, maxy) at equal aspect, bare of
    ticks and axis labels."""
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def _window(lonlat_box: tuple[float, float, float, float], crs: str) -> np.ndarray:
    """Bounds, in ``crs``, of a longitude/latitude box."""
    return gpd.GeoSeries([box(*lonlat_box)], crs="EPSG:4326").to_crs(crs).total_bounds


def source_note(fig: plt.Figure, text: str) -> None:
    """The data attribution, small, along the bottom edge of a figure."""
    fig.text(0.99, -0.01, text, ha="right", va="top", fontsize=7, color="0.3", wrap=True)


SYNTHETIC_LABEL = "SYNTHETIC DATA — illustration only, not the study's results"


def mark_synthetic(fig: plt.Figure, data_mode: str, caption_x: float = 0.01) -> None:
    """In synthetic mode, stamp the figure visibly: a diagonal watermark and a caption line.

    Every figure drawn from a private layer calls this, so no synthetic result can pass for
    a real one, in the paper or anywhere a figure is copied to. ``caption_x`` moves the caption
    line along the top edge (maps of Japan put it right of the Okinawa inset, ``MAP_CAPTION_X``).
    """
    if data_mode == "real":
        return
    if data_mode != "synthetic":
        raise ValueError(f"unknown data mode {data_mode!r}")
    fig.text(
        0.5,
        0.5,
        "SYNTHETIC DATA",
        ha="center",
        va="center",
        rotation=30,
        fontsize=40,
        color="#c0392b",
        alpha=0.18,
        weight="bold",
        zorder=100,
    )
    fig.text(caption_x, 0.995, SYNTHETIC_LABEL, ha="left", va="top", fontsize=7, color="#c0392b", weight="bold")


PUBLIC_LABEL = "REAL DATA — the public register of agreements (data/public_agreements.csv)"


def mark_public(fig: plt.Figure, caption_x: float = 0.01) -> None:
    """Stamp a figure drawn only from public data (the register and public statistics) as
    real, in the place where synthetic figures carry their caption, so a reader never has to
    guess which of the paper's figures show the study's own results."""
    fig.text(caption_x, 0.995, PUBLIC_LABEL, ha="left", va="top", fontsize=7, color="#1f4e79", weight="bold")


#: Where ``mark_synthetic`` puts its caption on a ``japan_map`` figure: clear of the insets.
MAP_CAPTION_X = 0.52


#: Colours and labels of the three strengths in the bar charts.
STRENGTH_COLOURS = ("#d9d9d9", "#fdae61", "#d7191c")
STRENGTH_LABELS = ("0 none", "1 informal ties only", "2 formal agreement")


def strength_bars(ax: plt.Axes, shares: pd.DataFrame, counts: pd.Series) -> None:
    """Stacked horizontal bars of the strength shares (rows: groups, columns 0, 1, 2, shares
    summing to 1) with the 95% Wilson intervals of the two cumulative shares drawn where they
    meet the bars: the share with any tie (the left edge of the orange) and the share with a
    formal agreement (the left edge of the red). Small groups get wide intervals, as they
    should. Groups are labelled with their n."""
    rows = shares.index
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for column, colour, label in zip((0, 1, 2), STRENGTH_COLOURS, STRENGTH_LABELS):
        ax.barh(y, 100 * shares[column].to_numpy(), left=100 * left, color=colour, height=0.7, label=label)
        left += shares[column].to_numpy()
    n = counts.reindex(rows).to_numpy()
    for at_least, offset in ((1, -0.14), (2, 0.14)):  # any tie above, formal agreement below
        share = shares[[c for c in (0, 1, 2) if c >= at_least]].sum(axis=1).to_numpy()
        low, high = _wilson(np.round(share * n), n)
        edge = 100 * (1 - share)
        ax.errorbar(edge, y + offset, xerr=[edge - 100 * (1 - high), 100 * (1 - low) - edge], fmt="none",
                    ecolor="#303030", elinewidth=1.0, capsize=2.5)  # fmt: skip
    ax.errorbar([], [], xerr=[], fmt="none", ecolor="#303030", elinewidth=1.0, capsize=2.5,
                label="95% interval (Wilson)")  # fmt: skip
    ax.set_yticks(y, [f"{str(k).replace('_', ' ')} (n = {c})" for k, c in zip(rows, n)])
    ax.set_xlim(0, 100)
    ax.invert_yaxis()


def _wilson(successes, trials, level: float = 0.95):
    """``models.wilson_interval`` (imported here so that drawing helpers stay light)."""
    from .models import wilson_interval

    return wilson_interval(successes, trials, level)
