"""Making a digest of any kind, in any format: the one entry point for the bot, the
command line and the scheduler. Plain Python: the bot makes the daily digest with it in a
thread, and lägesbilder in a worker process (digests/worker.py).

The analysis and the charts (pandas, statsmodels, matplotlib: some 200 MiB) are imported
when a lägesbild is made, never merely by importing this module."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digests.periods import Period
from digests.render import Chart, Format, Present, environment, render, split_messages, words_for
from digests.sources import Sources
from storage.coordination.digest_queries import ListedObservation, observations_between
from storage.database.engine import transaction
from storage.kinds import DigestKind
from storage.reports.categories import all_categories
from storage.tables import Category
from storage.visibility import GroupFilter

if TYPE_CHECKING:
    from digests.lagesbild import Lagesbild


@dataclass(frozen=True)
class Digest:
    """A rendered digest: the whole text, its Telegram messages and its charts."""

    kind: DigestKind
    period: Period
    text: str
    messages: list[str] = field(default_factory=list)  # Telegram HTML, each below the limit
    charts: list[Chart] = field(default_factory=list)
    empty: bool = False  # a daily digest of a day without observations


class Digester:
    """Makes digests from the database, with the operator's templates where given."""

    def __init__(self, sources: Sources, templates_dir: Path | None = None) -> None:
        self.sources = sources
        self.env = environment(templates_dir)
        self.env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")

    def make(
        self,
        period: Period,
        *,
        language: str,
        fmt: Format,
        area: str | None = None,
        seen_by: GroupFilter | None = None,
        with_charts: bool = True,
        now: datetime | None = None,
    ) -> Digest:
        """A digest of the period's kind: the daily list (within a group's filter, if
        given) or a lägesbild (always the whole picture of the municipality or area)."""
        if period.kind is DigestKind.DAILY:
            return self._daily(period, language, fmt, area, seen_by)
        from digests.lagesbild import make_lagesbild

        lagesbild = make_lagesbild(self.sources, period, area, now)
        return self.render_lagesbild(lagesbild, language=language, fmt=fmt, with_charts=with_charts)

    def render_lagesbild(
        self, lagesbild: Lagesbild, *, language: str, fmt: Format, with_charts: bool = True
    ) -> Digest:
        """The lägesbild rendered (and drawn) in a language and format."""
        from digests.charts import figures

        words = words_for(language, fmt)
        present = Present(words, self._categories(), self.sources.tz, emoji=fmt != "html")
        charts = figures.draw(lagesbild, present) if with_charts else []
        scope = words("area_named", area=lagesbild.area) if lagesbild.area else None
        title = f"{words.kind(lagesbild.period.kind)} {words.period(lagesbild.period)}"
        context = {
            "lb": lagesbild,
            "w": words,
            "p": present,
            "title": title,
            "scope": scope or words("whole_municipality"),
            "charts": charts if fmt == "html" else [],
            "alpha": 0.05,
        }
        text = render(self.env, "lagesbild", fmt, context)
        messages = split_messages(text) if fmt == "telegram" else []
        return Digest(lagesbild.period.kind, lagesbild.period, text, messages, charts)

    def _daily(
        self,
        period: Period,
        language: str,
        fmt: Format,
        area: str | None,
        seen_by: GroupFilter | None,
    ) -> Digest:
        with transaction(self.sources.engine) as session:
            items = observations_between(
                session=session, start=period.start_utc, end=period.end_utc, area=area,
                seen_by=seen_by,
            )  # fmt: skip
        words = words_for(language, fmt)
        present = Present(words, self._categories(), self.sources.tz, emoji=fmt != "html")
        context = {
            "w": words,
            "p": present,
            "title": words("daily_title", day=words.day(period.last_day)),
            "groups": _by_category(items),
            "total": len(items),
        }
        text = render(self.env, "daily", fmt, context)
        messages = split_messages(text) if fmt == "telegram" else []
        return Digest(period.kind, period, text, messages, empty=not items)

    def _categories(self) -> list[Category]:
        with transaction(self.sources.engine) as session:
            return all_categories(session=session)


def _by_category(items: list[ListedObservation]) -> list[tuple[Category, list[ListedObservation]]]:
    groups: dict[str, tuple[Category, list[ListedObservation]]] = {}
    for item in items:
        groups.setdefault(item.category.code, (item.category, []))[1].append(item)
    return sorted(groups.values(), key=lambda group: (-len(group[1]), group[0].position))
