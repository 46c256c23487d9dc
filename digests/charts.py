"""The charts of a lägesbild, drawn headless (Agg) into PNG bytes.

Only matplotlib's object-oriented API is used (a `Figure` with its own `FigureCanvasAgg`):
pyplot keeps global state and is not safe in the worker threads that draw digests. Every
text is passed in by the caller, already localised. Colours are from the Okabe-Ito palette,
which stays distinguishable with every common colour-vision deficiency. Margins are fixed
in pixels (label widths measured) rather than left to a layout engine, which would double
the drawing time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D, IdentityTransform
from PIL import Image

WIDTH_PX = 1200
HEIGHT_PX = 700
DPI = 120
TOP_PX = 64  # room for the title

BLUE = "#0072B2"
VERMILLION = "#D55E00"
HOT_FILL = (0.95, 0.70, 0.55, 0.85)  # light vermillion, nearly opaque so blue cannot muddy it
PALE = "#B8B8B8"
GREY = "#6E6E6E"
INK = "#222222"
GRIDLINE = "#E6E6E6"

# Above this many observations the map shows a fine density grid instead of one dot per
# observation: it looks alike at this resolution and stays fast with 100,000+ points.
MAX_SCATTER_POINTS = 10_000

LatLon = tuple[float, float]
Ring = Sequence[tuple[float, float]]
FloatArray = npt.NDArray[np.float64]
Extent = tuple[float, float, float, float]  # west, east, south, north


def _literal(text: str) -> str:
    """Escape dollar signs so that a caller's text is never parsed as mathtext."""
    return text.replace("$", r"\$")


def _new_figure() -> Figure:
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _add_axes(figure: Figure, *, left: float, bottom: float, right: float = 30) -> Axes:
    """Axes inside fixed margins, in pixels."""
    width = 1 - (left + right) / WIDTH_PX
    height = 1 - (TOP_PX + bottom) / HEIGHT_PX
    return figure.add_axes((left / WIDTH_PX, bottom / HEIGHT_PX, width, height))


def _text_width(texts: Sequence[str], fontsize: float) -> float:
    """The width in pixels of the widest of `texts`, measured without drawing."""
    font = FontProperties(size=fontsize)
    widths = [text_to_path.get_text_width_height_descent(t, font, False)[0] for t in texts]
    return max(widths, default=0.0) * DPI / 72


def _to_png(figure: Figure) -> bytes:
    """Draw the figure into an RGB PNG.

    Pillow writes no timestamp or software name, so the same chart always gives the same
    bytes; RGB at zlib level 3 encodes in half the time of savefig's RGBA at level 6.
    """
    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=DPI)
    image = Image.frombytes("RGBA", (WIDTH_PX, HEIGHT_PX), raw.getvalue())
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=3, dpi=(DPI, DPI))
    return buffer.getvalue()


def _draw_numbers(
    axes: Axes,
    positions: Sequence[tuple[float, float]],
    values: Sequence[float],
    colours: Sequence[str],
    *,
    shift: float | None = None,
    size: float = 9,
) -> None:
    """Write numbers at data positions, centred, or starting `shift` pixels to the right.

    All numbers are one collection of glyph outlines: a Text artist per number costs
    ~0.4 ms, which added up to a third of the heatmap's drawing time.
    """
    glyphs: dict[str, Path] = {}
    font = FontProperties(size=size)
    for value in values:
        text = f"{value:.0f}"
        if text not in glyphs:
            path = TextPath((0, 0), text, size=size * DPI / 72, prop=font)
            (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
            dx = shift - x0 if shift is not None else -(x0 + x1) / 2
            glyphs[text] = path.transformed(Affine2D().translate(dx, -(y0 + y1) / 2))
    paths = [glyphs[f"{value:.0f}"] for value in values]
    axes.add_collection(
        PathCollection(
            paths,
            offsets=positions,
            offset_transform=axes.transData,
            transform=IdentityTransform(),
            facecolors=colours,
            linewidths=0,
            zorder=4,
        )
    )


def _fit(text: str, fontsize: float, max_px: float) -> str:
    """`text`, shortened with an ellipsis where it is wider than `max_px`."""
    width = _text_width([text], fontsize)
    if width <= max_px:
        return text
    text = text[: int(len(text) * max_px / width)]
    while len(text) > 1 and _text_width([text + "…"], fontsize) > max_px:
        text = text[:-1]
    return text.rstrip() + "…"


def _set_title(figure: Figure, title: str) -> None:
    """The title at the top left of the figure, the same place in every chart."""
    title = _literal(_fit(title, 15, WIDTH_PX - 40))
    figure.text(20 / WIDTH_PX, 1 - 16 / HEIGHT_PX, title, va="top", fontsize=15, color=INK)


def _style_axes(axes: Axes, *, grid_axis: Literal["x", "y"]) -> None:
    """Quiet axes: no top/right frame, pale grid lines behind the data."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(PALE)
    axes.tick_params(labelsize=11, colors=INK, length=0, pad=6)
    axes.grid(axis=grid_axis, color=GRIDLINE, linewidth=0.9)
    axes.set_axisbelow(True)


def _bottom_legend(figure: Figure, *, reverse: bool = False) -> None:
    figure.legend(loc="lower center", ncols=2, frameon=False, fontsize=11, reverse=reverse)


def _empty_chart(title: str, message: str, *, frame: bool = False) -> bytes:
    figure = _new_figure()
    axes = _add_axes(figure, left=30, bottom=30)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(frame)
        spine.set_color(PALE)
    _set_title(figure, title)
    axes.text(
        0.5,
        0.5,
        _literal(message),
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color=GREY,
    )
    return _to_png(figure)


def category_bars(
    *,
    labels: Sequence[str],
    now: Sequence[int],
    before: Sequence[int],
    now_label: str,
    before_label: str,
    title: str,
    empty_text: str = "",
) -> bytes:
    """Horizontal grouped bars of observations per category, now against before.

    Categories are drawn top to bottom in the order given; each bar ends in its count.
    Without categories the chart shows `empty_text` instead.
    """
    if not len(labels) == len(now) == len(before):
        raise ValueError("labels, now and before must have the same length")
    if not labels:
        return _empty_chart(title, empty_text)
    figure = _new_figure()
    fontsize = 11 if len(labels) <= 12 else 9
    # Category names may take up to 40 % of the width; longer ones are shortened.
    names = [_fit(label, fontsize, WIDTH_PX * 0.4) for label in labels]
    axes = _add_axes(figure, left=_text_width(names, fontsize) + 24, bottom=80)
    bar_px = axes.get_position().height * HEIGHT_PX / len(labels) * 0.4
    # Digits are ~0.73 em tall: keep the counts of neighbouring bars from touching.
    number_size = min(9.0, bar_px * 0.85 / 0.73 * 72 / DPI)
    rows = np.arange(len(labels))
    for offset, counts, colour, label in (
        (-0.2, now, BLUE, now_label),
        (0.2, before, PALE, before_label),
    ):
        axes.barh(rows + offset, counts, height=0.4, color=colour, label=_literal(label))
        ends = [(float(count), row + offset) for row, count in enumerate(counts)]
        _draw_numbers(axes, ends, counts, [INK] * len(counts), shift=5, size=number_size)
    _style_axes(axes, grid_axis="x")
    axes.set_yticks(rows, [_literal(name) for name in names], fontsize=fontsize)
    axes.set_ylim(len(labels) - 0.5, -0.5)  # first category on top
    # Headroom on the right so that the longest bar's count stays inside the axes.
    axes.set_xlim(0, max(1, *now, *before) * 1.1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _set_title(figure, title)
    _bottom_legend(figure)
    return _to_png(figure)


def weekly_trend(
    *,
    weeks: Sequence[date],
    counts: Sequence[int],
    title: str,
    ylabel: str,
    previous_year: Sequence[int] | None = None,
    previous_year_label: str = "",
    now_label: str = "",
    empty_text: str = "",
    date_format: str = "%Y-%m-%d",
) -> bytes:
    """A line of observations per week, x being each week's first day.

    `previous_year`, if given, is drawn dashed: the same weeks a year earlier, with a
    legend. Tick labels are week starts in `date_format` (strftime; numeric by default so
    that no language is implied). Without weeks the chart shows `empty_text` instead.
    """
    if len(counts) != len(weeks) or len(weeks) != len(
        weeks if previous_year is None else previous_year
    ):
        raise ValueError("weeks, counts and previous_year must have the same length")
    if not weeks:
        return _empty_chart(title, empty_text)
    figure = _new_figure()
    peak = max(1, *counts, *(previous_year or []))
    left = _text_width([str(peak)], 11) + 50
    axes = _add_axes(figure, left=left, bottom=50 if previous_year is None else 80)
    x = np.arange(len(weeks))
    if previous_year is not None:
        axes.plot(
            x,
            previous_year,
            color=GREY,
            linestyle="--",
            linewidth=1.8,
            label=_literal(previous_year_label),
        )
    axes.plot(
        x,
        counts,
        color=BLUE,
        linewidth=2.6,
        marker="o" if len(weeks) <= 60 else "",
        markersize=5,
        label=_literal(now_label),
    )
    ticks = x[:: max(1, math.ceil(len(weeks) / 9))]
    axes.set_xticks(ticks, [weeks[i].strftime(date_format) for i in ticks])
    axes.set_xlim(-0.5, len(weeks) - 0.5)
    axes.set_ylim(0, peak * 1.08)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(_literal(ylabel), fontsize=12, color=INK)
    _style_axes(axes, grid_axis="y")
    _set_title(figure, title)
    if previous_year is not None:
        _bottom_legend(figure, reverse=True)  # this year first, though drawn last (on top)
    return _to_png(figure)


def weekday_hour_heatmap(
    *,
    counts: Sequence[Sequence[int]],
    weekday_labels: Sequence[str],
    title: str,
    hour_label: str,
    empty_text: str = "",
) -> bytes:
    """Observations per weekday (7 rows, Monday first) and local hour (24 columns, 0-23).

    Counts are written in the cells while they fit (below 1000). An empty or all-zero grid
    shows `empty_text` instead when one is given.
    """
    grid = np.asarray(counts, dtype=np.float64)
    if grid.size == 0:
        grid = np.zeros((7, 24))
    if grid.shape != (7, 24) or len(weekday_labels) != 7:
        raise ValueError("counts must be 7 x 24 and weekday_labels must have 7 entries")
    if not grid.any() and empty_text:
        return _empty_chart(title, empty_text)
    figure = _new_figure()
    days = [_literal(_fit(label, 11, 200)) for label in weekday_labels]
    axes = _add_axes(figure, left=_text_width(days, 11) + 20, bottom=62, right=110)
    peak = max(1.0, float(grid.max()))
    image = axes.imshow(
        grid, cmap="Blues", vmin=0, vmax=peak, aspect="auto", interpolation="nearest"
    )
    axes.set_xticks(range(24), [f"{hour:02d}" for hour in range(24)])
    axes.set_yticks(range(7), days)
    axes.set_xlabel(_literal(hour_label), fontsize=12, color=INK)
    axes.tick_params(labelsize=11, colors=INK, length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    if peak < 1000:
        rows, columns = np.nonzero(grid)
        values = grid[rows, columns]
        colours = np.where(values > 0.55 * peak, "white", INK)
        cells = [(float(column), float(row)) for row, column in zip(rows, columns, strict=True)]
        _draw_numbers(axes, cells, list(values), list(colours))
    colour_axes = figure.add_axes(
        (1 - 90 / WIDTH_PX, 62 / HEIGHT_PX, 18 / WIDTH_PX, 1 - (TOP_PX + 62) / HEIGHT_PX)
    )
    colorbar = figure.colorbar(image, cax=colour_axes)
    colorbar.outline.set_visible(False)
    colour_axes.tick_params(labelsize=10, colors=INK, length=0)
    colour_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _set_title(figure, title)
    return _to_png(figure)


def observation_map(
    *,
    points: Sequence[LatLon] | npt.NDArray[Any],
    hexagons: Sequence[Sequence[LatLon]],
    hexagon_labels: Sequence[str],
    label_points: Sequence[LatLon],
    areas: Sequence[tuple[str, Sequence[Ring]]],
    title: str,
    legend_points: str,
    legend_hot: str,
    empty_text: str = "",
) -> bytes:
    """Observations, hot-spot hexagons and areas on a plain (tile-free) map.

    `points`, `hexagons` and `label_points` are (lat, lon); area rings are (lon, lat) as in
    GeoJSON. The view covers the areas and hot spots, or the points when there are no
    areas, with longitude stretched by 1/cos(latitude) so that distances look right. With
    nothing to draw the chart is an empty frame with the title and `empty_text`.
    """
    if len(hexagon_labels) != len(label_points):
        raise ValueError("hexagon_labels and label_points must have the same length")
    lonlat = np.asarray(points, dtype=np.float64).reshape(-1, 2)[:, ::-1]
    lonlat = lonlat[np.isfinite(lonlat).all(axis=1)]
    cells = [np.asarray(cell, dtype=np.float64).reshape(-1, 2)[:, ::-1] for cell in hexagons]
    rings = [np.asarray(ring, dtype=np.float64).reshape(-1, 2) for _, rs in areas for ring in rs]
    box_ratio = (HEIGHT_PX - TOP_PX - 24) / (WIDTH_PX - 24)
    extent = _map_extent(
        np.concatenate([*(rings or [lonlat]), *cells, np.empty((0, 2))]), box_ratio
    )
    if extent is None:
        return _empty_chart(title, empty_text, frame=True)
    figure = _new_figure()
    axes = _add_axes(figure, left=12, bottom=12, right=12)
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])
    axes.set_aspect(1 / math.cos(math.radians((extent[2] + extent[3]) / 2)))
    _draw_areas(axes, areas)
    _draw_points(axes, lonlat, extent)
    axes.add_collection(
        PolyCollection(
            cells, facecolors=[HOT_FILL], edgecolors=VERMILLION, linewidths=2.2, zorder=3
        )
    )
    _draw_labels(axes, hexagon_labels, label_points)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color(PALE)
    _set_title(figure, title)
    _map_legend(
        axes,
        has_points=len(lonlat) > 0,
        has_hot=bool(cells),
        legend_points=legend_points,
        legend_hot=legend_hot,
    )
    return _to_png(figure)


def _map_extent(lonlat: FloatArray, box_ratio: float) -> Extent | None:
    """A view around the coordinates, widened to fill a box of height/width `box_ratio`.

    None without coordinates. The view keeps true proportions: longitude is stretched by
    1/cos(latitude), as the axes' aspect will be.
    """
    lonlat = lonlat[np.isfinite(lonlat).all(axis=1)]
    if len(lonlat) == 0:
        return None
    (west, south), (east, north) = lonlat.min(axis=0), lonlat.max(axis=0)
    stretch = math.cos(math.radians((north + south) / 2))
    # Half sizes in degrees of latitude; at least ~1 km across so a lone point has surroundings.
    half_height = max((north - south) * 0.55, 0.0045)
    half_width = max((east - west) * 0.55 * stretch, half_height / box_ratio)
    half_height = half_width * box_ratio
    x, y = (west + east) / 2, (south + north) / 2
    return x - half_width / stretch, x + half_width / stretch, y - half_height, y + half_height


def _draw_areas(axes: Axes, areas: Sequence[tuple[str, Sequence[Ring]]]) -> None:
    rings = [np.asarray(ring, dtype=np.float64).reshape(-1, 2) for _, rs in areas for ring in rs]
    axes.add_collection(LineCollection(rings, colors=PALE, linewidths=1.0, zorder=1))
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for name, area_rings in areas:
        if area_rings:
            x, y = _centroid(max((np.asarray(r, dtype=np.float64) for r in area_rings), key=len))
            axes.text(
                x,
                y,
                _literal(name),
                ha="center",
                va="center",
                fontsize=10,
                color=GREY,
                style="italic",
                zorder=2.5,
                clip_on=True,
                path_effects=halo,
            )


def _centroid(ring: FloatArray) -> tuple[float, float]:
    """The centroid of a polygon ring (shoelace formula); the vertex mean if degenerate."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return float(cx), float(cy)


def _draw_points(axes: Axes, lonlat: FloatArray, extent: Extent) -> None:
    if len(lonlat) <= MAX_SCATTER_POINTS:
        axes.scatter(
            lonlat[:, 0],
            lonlat[:, 1],
            s=7,
            color=BLUE,
            alpha=0.45,
            linewidths=0,
            zorder=2,
            rasterized=True,
        )
        return
    west, east, south, north = extent
    box = axes.get_position()
    columns = 400  # ~3 px per cell, the size of a dot
    rows = round(columns * box.height * HEIGHT_PX / (box.width * WIDTH_PX))
    density, _, _ = np.histogram2d(
        lonlat[:, 1], lonlat[:, 0], bins=(rows, columns), range=((south, north), (west, east))
    )
    colours = LinearSegmentedColormap.from_list(
        "density", [(0.34, 0.71, 0.91, 0.45), (0.0, 0.35, 0.65, 0.85)]
    )
    axes.imshow(
        np.ma.masked_equal(density, 0),
        origin="lower",
        extent=extent,
        cmap=colours,
        norm=LogNorm(1, max(2.0, float(density.max()))),
        interpolation="nearest",
        aspect=axes.get_aspect(),
        zorder=2,
    )


def _draw_labels(axes: Axes, labels: Sequence[str], anchors: Sequence[LatLon]) -> None:
    halo = [patheffects.withStroke(linewidth=3.5, foreground="white")]
    for label, (lat, lon) in zip(labels, anchors, strict=True):
        axes.text(
            lon,
            lat,
            _literal(label),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            color=INK,
            zorder=4,
            clip_on=True,
            path_effects=halo,
        )


def _map_legend(
    axes: Axes, *, has_points: bool, has_hot: bool, legend_points: str, legend_hot: str
) -> None:
    handles: list[Any] = []
    if has_points:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=7,
                color=BLUE,
                alpha=0.7,
                label=_literal(legend_points),
            )
        )
    if has_hot:
        handles.append(
            Patch(facecolor=HOT_FILL, edgecolor=VERMILLION, linewidth=2, label=_literal(legend_hot))
        )
    if handles:
        axes.legend(handles=handles, loc="lower right", fontsize=11, framealpha=0.9, edgecolor=PALE)
