"""The lägesbild charts: valid PNGs of the intended size, empty inputs, speed paths, threads."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image

from digests.charts import bars as charts
from digests.charts import map as chart_map
from digests.charts import style as chart_style

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAYS = ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
LAT, LON = 55.57, 13.07


def assert_png(png: bytes) -> Image.Image:
    """Assert that `png` is a complete PNG of the charts' size and return it decoded."""
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every row: a truncated file fails here
    assert image.format == "PNG"
    assert image.size == (chart_style.WIDTH_PX, chart_style.HEIGHT_PX)
    return image


def hexagon(lat: float, lon: float, radius: float = 0.004) -> list[tuple[float, float]]:
    stretch = math.cos(math.radians(lat))
    angles = [math.radians(30 + 60 * i) for i in range(6)]
    return [(lat + radius * math.sin(a), lon + radius / stretch * math.cos(a)) for a in angles]


def square(west: float, south: float, size: float = 0.02) -> list[tuple[float, float]]:
    """A closed GeoJSON-style ring, (lon, lat)."""
    return [(west, south), (west + size, south), (west + size, south + size),
            (west, south + size), (west, south)]  # fmt: skip


def random_points(count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(LAT, 0.01, count), rng.normal(LON, 0.015, count)])


def draw_bars() -> bytes:
    return charts.category_bars(
        labels=["Klotter", "Nedskräpning", "Skadegörelse"], now=[12, 7, 0], before=[9, 8, 3],
        now_label="Senaste 30 dagarna", before_label="30 dagar innan", title="Per kategori",
    )  # fmt: skip


def draw_trend() -> bytes:
    weeks = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(20)]
    return charts.weekly_trend(
        weeks=weeks, counts=[i % 7 + 3 for i in range(20)], title="Per vecka", ylabel="Antal",
        previous_year=[i % 5 + 2 for i in range(20)], previous_year_label="2024",
        now_label="2025",
    )  # fmt: skip


def draw_heatmap() -> bytes:
    counts = [[(day * 24 + hour) % 13 for hour in range(24)] for day in range(7)]
    return charts.weekday_hour_heatmap(
        counts=counts, weekday_labels=DAYS, title="Veckodag och timme", hour_label="Timme"
    )


def draw_map(points: np.ndarray | list[tuple[float, float]]) -> bytes:
    return chart_map.observation_map(
        points=points, hexagons=[hexagon(LAT, LON)], hexagon_labels=["Stortorget"],
        label_points=[(LAT, LON)], areas=[("Centrum", [square(LON - 0.03, LAT - 0.02, 0.04)])],
        title="Karta", legend_points="Observation", legend_hot="Brännpunkt",
    )  # fmt: skip


def test_each_chart_is_a_png_of_the_intended_size() -> None:
    for draw in (draw_bars, draw_trend, draw_heatmap, lambda: draw_map(random_points(500))):
        assert assert_png(draw()).mode == "RGB"


def test_trend_without_previous_year_and_with_a_single_week() -> None:
    assert_png(charts.weekly_trend(weeks=[date(2025, 3, 3)], counts=[4], title="T", ylabel="n"))


def test_empty_inputs_give_valid_pngs() -> None:
    assert_png(charts.category_bars(
        labels=[], now=[], before=[], now_label="", before_label="", title="Per kategori"
    ))  # fmt: skip
    assert_png(charts.weekly_trend(weeks=[], counts=[], title="Per vecka", ylabel="Antal"))
    for counts in ([], [[0] * 24 for _ in range(7)]):
        assert_png(charts.weekday_hour_heatmap(
            counts=counts, weekday_labels=DAYS, title="Tider", hour_label="Timme"
        ))  # fmt: skip
    assert_png(chart_map.observation_map(
        points=[], hexagons=[], hexagon_labels=[], label_points=[], areas=[], title="Karta",
        legend_points="", legend_hot="",
    ))  # fmt: skip


def test_empty_text_is_drawn_when_given() -> None:
    def empty_trend(text: str) -> bytes:
        return charts.weekly_trend(weeks=[], counts=[], title="V", ylabel="", empty_text=text)

    assert empty_trend("Inga observationer") != empty_trend("")
    grid = [[0] * 24 for _ in range(7)]
    with_text = charts.weekday_hour_heatmap(
        counts=grid, weekday_labels=DAYS, title="T", hour_label="h", empty_text="Inga"
    )
    without = charts.weekday_hour_heatmap(counts=grid, weekday_labels=DAYS, title="T",
                                          hour_label="h")  # fmt: skip
    assert with_text != without  # the message replaces the empty grid


def test_map_draws_each_kind_of_input_alone() -> None:
    def lone(
        points: Sequence[tuple[float, float]] = (),
        hexagons: Sequence[list[tuple[float, float]]] = (),
        areas: Sequence[tuple[str, list[list[tuple[float, float]]]]] = (),
    ) -> bytes:
        return chart_map.observation_map(
            points=points, hexagons=hexagons, hexagon_labels=["A"] * len(hexagons),
            label_points=[(LAT, LON)] * len(hexagons), areas=areas, title="K",
            legend_points="o", legend_hot="h",
        )  # fmt: skip

    pngs = [
        lone(points=[(LAT, LON)]),
        lone(hexagons=[hexagon(LAT, LON)]),
        lone(areas=[("Norr", [square(LON, LAT)]), ("Tom", [])]),
    ]
    for png in pngs:
        assert_png(png)
    assert len(set(pngs)) == 3


def test_map_with_100k_points_renders_and_shows_them() -> None:
    many = draw_map(random_points(100_000))
    assert_png(many)
    assert many != draw_map([])
    # The density grid and the scatter both leave blue marks on the map.
    pixels = np.asarray(Image.open(io.BytesIO(many)))
    blueish = (pixels[..., 2] > 150) & (pixels[..., 0] < 120)
    assert blueish.sum() > 20_000


def test_caller_texts_are_never_parsed_as_mathtext() -> None:
    # Unescaped, "$\frac{$" is an unparseable math expression and raises ValueError.
    png = charts.category_bars(
        labels=[r"Kostnad $\frac{$", "100 $"], now=[1, 2], before=[0, 1],
        now_label="$a$", before_label="b", title=r"$\frac{",
    )  # fmt: skip
    assert_png(png)


def test_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        charts.category_bars(labels=["a"], now=[1, 2], before=[1], now_label="",
                             before_label="", title="")  # fmt: skip
    with pytest.raises(ValueError):
        charts.weekly_trend(weeks=[date(2025, 1, 6)], counts=[1], previous_year=[],
                            title="", ylabel="")  # fmt: skip
    with pytest.raises(ValueError):
        charts.weekday_hour_heatmap(counts=[[1] * 24] * 6, weekday_labels=DAYS, title="",
                                    hour_label="")  # fmt: skip


def test_identical_calls_give_identical_bytes() -> None:
    assert draw_heatmap() == draw_heatmap()
    assert draw_map(random_points(300)) == draw_map(random_points(300))


def test_charts_drawn_in_four_threads_equal_those_drawn_alone() -> None:
    jobs: list[Callable[[], bytes]] = [draw_bars, draw_trend, draw_heatmap,
                                       lambda: draw_map(random_points(2_000))]  # fmt: skip
    expected = [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(job) for _ in range(2) for job in jobs]
        results = [future.result() for future in futures]
    assert results == expected * 2
