"""Rendering digests with jinja2: HTML (a self-contained page for A4), Markdown, and
Telegram HTML split into messages below Telegram's limit at section boundaries.

Templates live in `digests/templates/`; an operator may override any of them from a
directory of their own (ESTBOT_TEMPLATES_DIR), keeping the same names. Partials start
with `_`. Everything a person typed is escaped (autoescape is on for HTML and Telegram).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from digests.words import Words
from storage.tables import Category

if TYPE_CHECKING:  # the analysis needs pandas, which the bot loads only to make a lägesbild
    from digests.analysis.counts import Change, Comparison
    from digests.analysis.hotspots import HotSpot, RepeatPlace
    from digests.analysis.timeprofile import TimeWindow

Format = Literal["html", "md", "telegram"]
SECTION = "\x1e"  # the Telegram templates put this between sections
TELEGRAM_LIMIT = 4096
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Chart:
    """A drawn chart: what it shows and the PNG."""

    name: str
    title: str
    png: bytes


def environment(templates_dir: Path | None = None) -> Environment:
    """The one jinja2 environment: the operator's templates first, then ours."""
    loaders: list[Any] = [PackageLoader("digests", "templates")]
    if templates_dir is not None:
        loaders.insert(0, FileSystemLoader(str(templates_dir)))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=lambda name: bool(name) and not str(name).endswith(".md.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Present:
    """How the analysis' values read in one language, for the templates."""

    def __init__(
        self, words: Words, categories: Sequence[Category], tz: ZoneInfo, emoji: bool = True
    ) -> None:
        self.w = words
        self.tz = tz
        self.emoji = emoji  # printed pages go without: fonts for print rarely have them
        self._categories = {c.code: c for c in categories}

    def label(
        self, row: Change | str, dimension: str = "category", emoji: bool | None = None
    ) -> str:
        """A category with its emoji, or an area or organisation as named."""
        if not isinstance(row, str):
            key, dimension = row.key, row.dimension
        else:
            key = row
        category = self._categories.get(key) if dimension == "category" else None
        if category is None:
            return key
        if not (self.emoji if emoji is None else emoji):  # nor does matplotlib draw them
            return category.label(self.w.language)
        return f"{category.emoji} {category.label(self.w.language)}".strip()

    def change(self, comparison: Comparison, now: int) -> str:
        return self.w.percent(comparison.percent(now))

    def before(self, comparison: Comparison) -> str:
        return "–" if comparison.before is None else self.w.number(comparison.before)

    def main_categories(self, pairs: Sequence[tuple[str, int]]) -> str:
        return ", ".join(f"{self.label(code)} {count}" for code, count in pairs)

    def place(self, spot: HotSpot | RepeatPlace) -> str:
        if spot.place_distance_m is None or spot.place_distance_m <= 150:
            return spot.place
        return self.w("near", place=spot.place, distance=int(round(spot.place_distance_m, -1)))

    def trend(self, spot: HotSpot) -> str:
        from digests.analysis.hotspots import Trend  # loaded already: the spot came from it

        if spot.trend in (Trend.NEW, Trend.UNKNOWN):
            return self.w(f"trend_{spot.trend.value}")
        return self.w(f"trend_{spot.trend.value}", before=spot.previous, now=spot.count)

    def window(self, window: TimeWindow) -> str:
        return self.w(
            "window_line",
            weekday=self.w.items("weekdays")[window.weekday],
            start=f"{window.start_hour:02d}",
            end=f"{window.end_hour:02d}",
            count=window.count,
            share=self.w.percent(window.share * 100).lstrip("+"),
        )

    def local(self, moment: datetime) -> str:
        return self.w.moment(moment.astimezone(self.tz))

    def time(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%H:%M")

    def status(self, status: Any) -> str:
        return self.w(f"status_{getattr(status, 'value', status)}")


def words_for(language: str, fmt: Format) -> Words:
    """Words whose filled-in values are escaped as the format needs."""
    return Words(language, markup=fmt != "md")


def render(env: Environment, template: str, fmt: Format, context: dict[str, Any]) -> str:
    """Render `<template>.<fmt>.j2` with the context."""
    return env.get_template(f"{template}.{fmt}.j2").render(**context, SECTION=SECTION)


def pack(
    parts: Iterable[str], limit: int, separator: str = "\n", measure: Callable[[str], int] = len
) -> list[str]:
    """Join parts into as few messages as fit below `limit`, never cutting inside a part."""
    messages: list[str] = []
    for part in parts:
        if messages and measure(messages[-1]) + len(separator) + measure(part) <= limit:
            messages[-1] += separator + part
        else:
            messages.append(part)
    return messages


def split_messages(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML in messages below `limit`: whole sections together where they fit, a
    section too long for one message split between its lines."""
    sections = (part.strip() for part in text.split(SECTION))
    return pack((piece for s in sections if s for piece in _pieces(s, limit)), limit, "\n\n")


def _pieces(section: str, limit: int) -> list[str]:
    if len(section) <= limit:
        return [section]
    lines = [
        # never from our templates; kept valid HTML regardless
        html.escape(html.unescape(TAG.sub("", line))[: limit // 6]) if len(line) > limit else line
        for line in section.split("\n")
    ]
    return pack(lines, limit)
