"""The bar, trend and heatmap charts of a lägesbild, drawn into PNG bytes.

The shared size, palette and drawing helpers, and why they are as they are, are in
`digests.charts.style`; the map is in `digests.charts.map`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
from matplotlib.ticker import MaxNLocator

from digests.charts.style import (
    BLUE,
    DPI,
    GREY,
    HEIGHT_PX,
    INK,
    PALE,
    TOP_PX,
    WIDTH_PX,
    add_axes,
    bottom_legend,
    draw_numbers,
    empty_chart,
    fit,
    literal,
    new_figure,
    set_title,
    style_axes,
    text_width,
    to_png,
)


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
        return empty_chart(title, empty_text)
    figure = new_figure()
    fontsize = 11 if len(labels) <= 12 else 9
    # Category names may take up to 40 % of the width; longer ones are shortened.
    names = [fit(label, fontsize, WIDTH_PX * 0.4) for label in labels]
    axes = add_axes(figure, left=text_width(names, fontsize) + 24, bottom=80)
    bar_px = axes.get_position().height * HEIGHT_PX / len(labels) * 0.4
    # Digits are ~0.73 em tall: keep the counts of neighbouring bars from touching.
    number_size = min(9.0, bar_px * 0.85 / 0.73 * 72 / DPI)
    rows = np.arange(len(labels))
    for offset, counts, colour, label in (
        (-0.2, now, BLUE, now_label),
        (0.2, before, PALE, before_label),
    ):
        axes.barh(rows + offset, counts, height=0.4, color=colour, label=literal(label))
        ends = [(float(count), row + offset) for row, count in enumerate(counts)]
        draw_numbers(axes, ends, counts, [INK] * len(counts), shift=5, size=number_size)
    style_axes(axes, grid_axis="x")
    axes.set_yticks(rows, [literal(name) for name in names], fontsize=fontsize)
    axes.set_ylim(len(labels) - 0.5, -0.5)  # first category on top
    # Headroom on the right so that the longest bar's count stays inside the axes.
    axes.set_xlim(0, max(1, *now, *before) * 1.1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    set_title(figure, title)
    bottom_legend(figure)
    return to_png(figure)


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
        return empty_chart(title, empty_text)
    figure = new_figure()
    peak = max(1, *counts, *(previous_year or []))
    left = text_width([str(peak)], 11) + 50
    axes = add_axes(figure, left=left, bottom=50 if previous_year is None else 80)
    x = np.arange(len(weeks))
    if previous_year is not None:
        axes.plot(
            x,
            previous_year,
            color=GREY,
            linestyle="--",
            linewidth=1.8,
            label=literal(previous_year_label),
        )
    axes.plot(
        x,
        counts,
        color=BLUE,
        linewidth=2.6,
        marker="o" if len(weeks) <= 60 else "",
        markersize=5,
        label=literal(now_label),
    )
    ticks = x[:: max(1, math.ceil(len(weeks) / 9))]
    axes.set_xticks(ticks, [weeks[i].strftime(date_format) for i in ticks])
    axes.set_xlim(-0.5, len(weeks) - 0.5)
    axes.set_ylim(0, peak * 1.08)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(literal(ylabel), fontsize=12, color=INK)
    style_axes(axes, grid_axis="y")
    set_title(figure, title)
    if previous_year is not None:
        bottom_legend(figure, reverse=True)  # this year first, though drawn last (on top)
    return to_png(figure)


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
        return empty_chart(title, empty_text)
    figure = new_figure()
    days = [literal(fit(label, 11, 200)) for label in weekday_labels]
    axes = add_axes(figure, left=text_width(days, 11) + 20, bottom=62, right=110)
    peak = max(1.0, float(grid.max()))
    image = axes.imshow(
        grid, cmap="Blues", vmin=0, vmax=peak, aspect="auto", interpolation="nearest"
    )
    axes.set_xticks(range(24), [f"{hour:02d}" for hour in range(24)])
    axes.set_yticks(range(7), days)
    axes.set_xlabel(literal(hour_label), fontsize=12, color=INK)
    axes.tick_params(labelsize=11, colors=INK, length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    if peak < 1000:
        rows, columns = np.nonzero(grid)
        values = grid[rows, columns]
        colours = np.where(values > 0.55 * peak, "white", INK)
        cells = [(float(column), float(row)) for row, column in zip(rows, columns, strict=True)]
        draw_numbers(axes, cells, list(values), list(colours))
    colour_axes = figure.add_axes(
        (1 - 90 / WIDTH_PX, 62 / HEIGHT_PX, 18 / WIDTH_PX, 1 - (TOP_PX + 62) / HEIGHT_PX)
    )
    colorbar = figure.colorbar(image, cax=colour_axes)
    colorbar.outline.set_visible(False)
    colour_axes.tick_params(labelsize=10, colors=INK, length=0)
    colour_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    set_title(figure, title)
    return to_png(figure)
