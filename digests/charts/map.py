"""The map of a lägesbild: observations, hot-spot hexagons and areas, drawn into PNG bytes.

The map is plain (no tiles); its size, palette and drawing helpers are shared with the other
charts in `digests.charts.style`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from digests.charts.style import (
    BLUE,
    GREY,
    HEIGHT_PX,
    HOT_FILL,
    INK,
    PALE,
    TOP_PX,
    VERMILLION,
    WIDTH_PX,
    Extent,
    FloatArray,
    LatLon,
    Ring,
    add_axes,
    empty_chart,
    literal,
    new_figure,
    set_title,
    to_png,
)

# Above this many observations the map shows a fine density grid instead of one dot per
# observation: it looks alike at this resolution and stays fast with 100,000+ points.
MAX_SCATTER_POINTS = 10_000


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
        return empty_chart(title, empty_text, frame=True)
    figure = new_figure()
    axes = add_axes(figure, left=12, bottom=12, right=12)
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
    set_title(figure, title)
    _map_legend(
        axes,
        has_points=len(lonlat) > 0,
        has_hot=bool(cells),
        legend_points=legend_points,
        legend_hot=legend_hot,
    )
    return to_png(figure)


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
                literal(name),
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
            literal(label),
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
                label=literal(legend_points),
            )
        )
    if has_hot:
        handles.append(
            Patch(facecolor=HOT_FILL, edgecolor=VERMILLION, linewidth=2, label=literal(legend_hot))
        )
    if handles:
        axes.legend(handles=handles, loc="lower right", fontsize=11, framealpha=0.9, edgecolor=PALE)
