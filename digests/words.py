"""The words of digests, one TOML catalogue per language, and how numbers, changes,
dates and periods are written in each."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import escape

from digests.periods import Period
from storage.kinds import DigestKind

LANGUAGES = ("sv", "en")
MINUS = "−"  # typographic minus: "−18 %"


@cache
def catalogue(language: str) -> dict[str, str]:
    """All digest words of one language, by key."""
    source = resources.files("digests").joinpath("locales", f"{language}.toml")
    return tomllib.loads(source.read_text("utf-8"))


class Words:
    """The words of one language; `escape` makes filled-in values safe for the output."""

    def __init__(self, language: str, markup: bool = False) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._words = catalogue(self.language)
        self.markup = markup

    def __call__(self, key: str, **values: Any) -> str:
        """A text with values filled in; for HTML, the text and each value escaped once
        (a value that is `Markup` already is kept as it is)."""
        if self.markup:
            return escape(self._words[key]).format(**values)
        return self._words[key].format(**values)

    def items(self, key: str) -> list[str]:
        """A space-separated list: month or weekday names."""
        return self._words[key].split()

    def number(self, value: float, decimals: int = 0) -> str:
        """1 234 or 1,234 (Swedish uses a space and a decimal comma)."""
        text = f"{value:,.{decimals}f}"
        if self.language == "sv":
            text = text.replace(",", " ").replace(".", ",")
        return text.replace("-", MINUS)

    def percent(self, value: float | None) -> str:
        """−18 %; "–" where there is nothing to compare with."""
        if value is None:
            return "–"
        sign = "+" if value > 0 else ""
        return f"{sign}{self.number(round(value))} %"

    def p_value(self, value: float | None) -> str:
        if value is None:
            return "–"
        if value < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(value, 3)

    def p_relation(self, value: float | None) -> str:
        """ "= 0,003" or "< 0,001", to follow a "p"."""
        text = self.p_value(value)
        return text if text.startswith(("<", "–")) else f"= {text}"

    def day(self, value: date) -> str:
        """22 november 2026"""
        return f"{value.day} {self.items('months')[value.month - 1]} {value.year}"

    def short_day(self, value: date) -> str:
        """22 nov"""
        return f"{value.day} {self.items('months_short')[value.month - 1]}"

    def month_span(self, months: Sequence[date]) -> str:
        """oktober 2026; sep–dec 2026; dec 2025–jan 2026 (first to last of the months)."""
        first, last = min(months), max(months)
        short = self.items("months_short")
        if first == last:
            return f"{self.items('months')[first.month - 1]} {first.year}"
        if first.year == last.year:
            return f"{short[first.month - 1]}–{short[last.month - 1]} {last.year}"
        return f"{short[first.month - 1]} {first.year}–{short[last.month - 1]} {last.year}"

    def moment(self, value: datetime) -> str:
        """22 nov 2026 07:00"""
        return f"{self.short_day(value)} {value.year} {value:%H:%M}"

    def kind(self, kind: DigestKind) -> str:
        return self._words[f"kind_{kind.value}"]

    def period(self, period: Period) -> str:
        """How a period is named in a heading: "oktober 2026", "T3 2026 (sep–dec)"."""
        label = self._period_label(period)
        if period.partial:
            return self("period_partial", label=label, day=self.short_day(period.end.date()))
        return label

    def _period_label(self, period: Period) -> str:
        first, last = period.start.date(), period.last_day
        months = self.items("months_short")
        if period.kind is DigestKind.MONTHLY and not period.key.endswith("-"):
            return f"{self.items('months')[first.month - 1]} {first.year}"
        if period.kind is DigestKind.TERTIAL and not period.key.endswith("-"):
            number = (first.month - 1) // 4 + 1
            return self(
                "period_tertial", number=number, year=first.year,
                first=months[first.month - 1], last=months[first.month + 2],
            )  # fmt: skip
        if period.kind is DigestKind.YEARLY and not period.key.endswith("-"):
            return str(first.year)
        if period.kind is DigestKind.WEEK:
            year, week, _ = first.isocalendar()
            return self("period_week", week=week, year=year)
        return self("period_span", first=self.short_day(first), last=self.day(last))
