"""The charts of a lägesbild, drawn from its analysis with the words of its language."""

from __future__ import annotations

from digests.charts import bars as charts
from digests.charts import map as chart_map
from digests.lagesbild import Lagesbild
from digests.render import Chart, Present
from storage.kinds import DigestKind

TOP_CATEGORIES = 15


def draw(lagesbild: Lagesbild, present: Present) -> list[Chart]:
    """Four charts: categories now against before, the weekly trend, weekday × hour, and
    the map of observations and hot spots."""
    w = present.w
    empty = w("chart_empty")
    # a tertial is held against the same tertial a year earlier (summer beats winter)
    tertial = lagesbild.period.kind is DigestKind.TERTIAL
    earlier = lagesbild.year_ago if tertial else lagesbild.previous
    rows = [row for row in lagesbild.categories if row.now or row.previous.before]
    bars = charts.category_bars(
        labels=[present.label(row, emoji=False) for row in rows[:TOP_CATEGORIES]],
        now=[row.now for row in rows[:TOP_CATEGORIES]],
        before=[
            ((row.year_ago if tertial else row.previous).before or 0)
            for row in rows[:TOP_CATEGORIES]
        ],
        now_label=w.period(lagesbild.period),
        before_label=w.period(earlier),
        title=w("chart_categories_year" if tertial else "chart_categories"),
        empty_text=empty,
    )
    weekly = lagesbild.weekly
    trend = charts.weekly_trend(
        weeks=[stamp.date() for stamp in weekly.index],
        counts=[int(n) for n in weekly.to_list()],
        title=w("chart_trend"),
        ylabel=w("chart_count"),
        empty_text=empty,
    )
    heatmap = charts.weekday_hour_heatmap(
        counts=lagesbild.weekday_hour.tolist(),
        weekday_labels=w.items("weekdays_short"),
        title=w("chart_heatmap"),
        hour_label=w("chart_hour"),
        empty_text=empty,
    )
    spots = lagesbild.hot_spots[:10]
    hot_map = chart_map.observation_map(
        points=lagesbild.points,
        hexagons=[outline for spot in spots for outline in spot.outlines()],
        hexagon_labels=[present.place(spot) for spot in spots],
        label_points=[(spot.latitude, spot.longitude) for spot in spots],
        areas=[(area.name, area.outlines()) for area in lagesbild.outlines],
        title=w("chart_map"),
        legend_points=w("chart_points"),
        legend_hot=w("chart_hot"),
        empty_text=empty,
    )
    return [
        Chart("categories", w("chart_categories"), bars),
        Chart("trend", w("chart_trend"), trend),
        Chart("heatmap", w("chart_heatmap"), heatmap),
        Chart("map", w("chart_map"), hot_map),
    ]
