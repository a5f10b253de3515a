"""Figure style and saving: the one place that owns fonts, sizes, palette and output formats.

Every figure goes to ``paper/figures/`` twice: a PDF for the manuscript (vector text and
lines, polygon fills rasterized so national maps stay small and fast) and a PNG for notebooks
and the README. Both are written byte-reproducibly (no dates in metadata) and only when their
bytes change.
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch
from shapely.geometry import box

from . import outputs, paths

#: Japanese glyphs come from IPAexGothic, shipped by the pip package matplotlib-fontja, so
#: every machine draws the same glyphs; typst embeds the same file (see ``paper``).
JAPANESE_FONT = "IPAexGothic"
LATIN_FONT = "DejaVu Sans"
CENSORED_COLOUR = "#d9d9d9"
BORDER_COLOUR = "#303030"
SEQUENTIAL = "YlOrRd"
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


def class_breaks_label(breaks: list[float], unit: str = "") -> list[str]:
    """Legend labels for classes [b0, b1), [b1, b2), ..., [b_last, ∞)."""
    labels = []
    for low, high in zip(breaks[:-1], breaks[1:]):
        labels.append(f"{_fmt(low)}–{_fmt(high)}{unit}")
    labels.append(f"≥ {_fmt(breaks[-1])}{unit}")
    return labels


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
    """Draw ``gdf`` coloured by ``column`` in the classes given by ``breaks`` (rasterized fills).

    Rows where ``column`` is missing are drawn in grey. Returns the legend handles.
    """
    colours = plt.get_cmap(cmap)(np.linspace(0.08, 0.95, len(breaks)))
    values = pd.to_numeric(gdf[column], errors="coerce").astype(float).to_numpy()
    classes = np.digitize(values, breaks[1:])  # class 0 is [b0, b1)
    known = ~np.isnan(values)
    listed = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(breaks) + 1) - 0.5, listed.N)
    shown = gdf.loc[known].assign(_class=classes[known])
    shown.plot(ax=ax, column="_class", cmap=listed, norm=norm, linewidth=0, rasterized=True)
    handles = [Patch(facecolor=c, edgecolor="none", label=lab) for c, lab in zip(colours, class_breaks_label(breaks))]
    if (~known).any():
        gdf.loc[~known].plot(ax=ax, color=CENSORED_COLOUR, linewidth=0, rasterized=True)
        if missing_label:
            handles.append(Patch(facecolor=CENSORED_COLOUR, edgecolor="none", label=missing_label))
    return handles


def japan_map(gdf, prefectures, draw, crs: str, figsize=(7.0, 7.4)):
    """A national map of Japan with insets for Okinawa and the Ogasawara Islands.

    ``draw(ax, data)`` draws the data layer on an axes and returns legend handles; prefecture
    borders are added on top.
    Okinawa and the Ogasawara Islands are moved into insets at the main map's scale; the remote
    Minami-Torishima and Okinotorishima (both in Ogasawara village) fall outside the inset.
    Returns the figure, the main axes and the legend handles of the main panel.
    """
    data = gdf.to_crs(crs)
    # At national scale a point on paper is several km: borders simplified to 1 km look the
    # same and make the PDF several times smaller (the fills are rasterized anyway).
    borders = prefectures.to_crs(crs).simplify(1000)
    fig = plt.figure(figsize=figsize)
    main_window = _window((128.3, 27.0, 146.2, 45.7), crs)
    main = fig.add_axes((0, 0, 1, 1))
    # Insets are sized so that one metre is as long on paper as in the main map.
    scale = 1 / max((main_window[2] - main_window[0]) / figsize[0], (main_window[3] - main_window[1]) / figsize[1])
    panels = [(main, main_window)]
    for (left, bottom), extent, label in (
        ((0.02, 0.80), (122.85, 24.0, 131.4, 27.15), "Okinawa 沖縄県"),
        ((0.80, 0.04), (142.0, 26.5, 142.35, 27.75), "Ogasawara 小笠原村"),
    ):
        window = _window(extent, crs)
        size = ((window[2] - window[0]) * scale / figsize[0], (window[3] - window[1]) * scale / figsize[1])
        inset = fig.add_axes((left, bottom, *size))
        inset.text(0.0, 1.01, label, transform=inset.transAxes, fontsize=7, va="bottom")
        panels.append((inset, window))
    handles = []
    for ax, window in panels:
        # Only features that reach into a panel are drawn there: what lies outside would
        # still be written to the PDF, invisibly.
        x0, y0, x1, y1 = window
        drawn = draw(ax, data.cx[x0:x1, y0:y1])
        handles = handles or drawn
        borders.cx[x0:x1, y0:y1].boundary.plot(ax=ax, color=BORDER_COLOUR, linewidth=0.35)
        ax.set_xlim(window[0], window[2])
        ax.set_ylim(window[1], window[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_visible(ax is not main)
            spine.set_linewidth(0.5)
    return fig, main, handles


def _window(lonlat_box: tuple[float, float, float, float], crs: str) -> np.ndarray:
    """Bounds, in ``crs``, of a longitude/latitude box."""
    return gpd.GeoSeries([box(*lonlat_box)], crs="EPSG:4326").to_crs(crs).total_bounds


def source_note(fig: plt.Figure, text: str) -> None:
    """The data attribution, small, along the bottom edge of a figure."""
    fig.text(0.99, -0.01, text, ha="right", va="top", fontsize=6, color="0.3", wrap=True)
