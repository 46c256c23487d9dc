"""The lägesbild's section on crimes reported to the police: the right months, numbers and
comparisons, in every format and language, and no section without figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from digests.analysis.police import police_section, whole_months
from digests.digest import Digester
from digests.periods import Period, period_containing
from digests.render import Format
from digests.sources import Sources
from storage.database.engine import transaction
from storage.kinds import DigestKind
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.police.figures import FigureRow, import_police_figures
from tests.factories import seed_categories

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)
OCTOBER = period_containing(DigestKind.MONTHLY, date(2026, 10, 1), TZ)
T3 = period_containing(DigestKind.TERTIAL, date(2026, 9, 1), TZ).up_to(NOW)  # Sep – 22 Nov
FORTNIGHT = period_containing(DigestKind.FORTNIGHT, date(2026, 11, 5), TZ)


def figures(engine: Engine, *rows: tuple[str, str, str, int]) -> None:
    with transaction(engine) as session:
        seed_categories(session)
        checked = [
            FigureRow(date.fromisoformat(f"{month}-01"), crime, area, count)
            for month, crime, area, count in rows
        ]
        import_police_figures(session=session, rows=checked)


def october_world(engine: Engine) -> None:
    figures(
        engine,
        ("2026-10", "Skadegörelse", "Centrum", 11),
        ("2026-10", "Skadegörelse", "Söder", 4),
        ("2026-10", "Narkotikabrott", "centrum", 6),
        ("2026-09", "Skadegörelse", "Centrum", 14),
        ("2026-09", "Skadegörelse", "Söder", 6),
        ("2026-09", "Rån", "Söder", 2),  # none in October: 2 → 0
        ("2025-10", "Skadegörelse", "CENTRUM", 8),
        ("2025-10", "Narkotikabrott", "Söder", 3),
    )


def lagesbild(engine: Engine, period: Period, fmt: Format, language: str = "sv",
              area: str | None = None) -> str:  # fmt: skip
    sources = Sources(engine, TZ, Gazetteer.from_csv(), Areas.from_geojson())
    made = Digester(sources).make(
        period, language=language, fmt=fmt, area=area, with_charts=False, now=NOW
    )
    return made.text


def test_a_monthly_lagesbild_compares_the_month_with_the_one_before_and_a_year_ago(
    engine: Engine,
) -> None:
    october_world(engine)
    section = police_section(engine, OCTOBER, None)
    assert section is not None
    assert section.months == (date(2026, 10, 1),) and section.whole and not section.latest_only
    assert section.previous == (date(2026, 9, 1),) and section.year_ago == (date(2025, 10, 1),)
    assert (section.total.now, section.total.previous.before, section.total.year_ago.before) == (
        21, 22, 11,
    )  # fmt: skip
    rows = {r.key: (r.now, r.previous.before, r.year_ago.before) for r in section.crime_types}
    assert rows == {"Skadegörelse": (15, 20, 8), "Narkotikabrott": (6, 0, 3), "Rån": (0, 2, 0)}
    # one area however the police wrote it, named as most of its crimes were
    areas = {r.key: (r.now, r.previous.before, r.year_ago.before) for r in section.areas}
    assert areas == {"Centrum": (17, 14, 8), "Söder": (4, 8, 3)}

    html = lagesbild(engine, OCTOBER, "html")
    police = html.split("<h2>Polisanmälningar, oktober 2026</h2>")[1].split("</section>")[0]
    assert "21 anmälda brott" in police
    assert "mot föregående period (22 → 21, −5 %)" in police
    assert "mot samma period i fjol (11 → 21, +91 %)" in police
    assert "<th>Skadegörelse</th><td>15</td>" in police.replace("\n", "").replace("  ", "")
    assert "−25 %" in police and "+88 %" in police  # 20 → 15, 8 → 15
    assert "Polisens områden" in police

    markdown = lagesbild(engine, OCTOBER, "md")
    assert "## Polisanmälningar, oktober 2026" in markdown
    assert "| Skadegörelse | 15 | 20 | −25 % | 8 | +88 % |" in markdown
    assert "| Rån | 0 | 2 | −100 % | 0 | – |" in markdown

    telegram = lagesbild(engine, OCTOBER, "telegram", language="en")
    assert "Crimes reported to the police, October 2026" in telegram
    assert "• Skadegörelse: <b>15</b> · 20 (−25 %) · 8 (+88 %)" in telegram
    assert "👮 Crimes reported per month according to the police" in telegram  # a footnote


def test_an_area_lagesbild_takes_that_areas_rows_whatever_their_case(engine: Engine) -> None:
    october_world(engine)
    section = police_section(engine, OCTOBER, "Centrum")
    assert section is not None and section.areas == []
    rows = {r.key: (r.now, r.previous.before, r.year_ago.before) for r in section.crime_types}
    assert rows == {"Skadegörelse": (11, 14, 8), "Narkotikabrott": (6, 0, 0)}
    markdown = lagesbild(engine, OCTOBER, "md", area="Centrum")
    assert "**17 anmälda brott**" in markdown and "Polisens områden" not in markdown
    assert police_section(engine, OCTOBER, "Väster") is None  # no rows of its own


@pytest.mark.parametrize("fmt", ["html", "md", "telegram"])
def test_without_police_figures_there_is_no_section(engine: Engine, fmt: Format) -> None:
    with transaction(engine) as session:
        seed_categories(session)
    assert police_section(engine, OCTOBER, None) is None
    for language, heading in (("sv", "Polisanmälningar"), ("en", "reported to the police")):
        text = lagesbild(engine, OCTOBER, fmt, language)
        assert heading not in text and ("Månadslägesbild" in text or "Monthly" in text)


def test_a_tertial_shows_its_whole_months_and_compares_the_same_months(engine: Engine) -> None:
    figures(
        engine,
        ("2026-09", "Rån", "Norr", 2),
        ("2026-10", "Rån", "Norr", 3),
        ("2026-05", "Rån", "Norr", 1),
        ("2026-06", "Rån", "Norr", 1),
        ("2026-07", "Rån", "Norr", 9),  # not one of the months compared
    )
    assert whole_months(T3) == (date(2026, 9, 1), date(2026, 10, 1))  # November is running
    section = police_section(engine, T3, None)
    assert section is not None and section.whole and not section.latest_only
    assert section.previous == (date(2026, 5, 1), date(2026, 6, 1))  # four months before
    assert section.year_ago is None  # no figures for autumn 2025
    assert (section.total.now, section.total.previous.before) == (5, 2)
    markdown = lagesbild(engine, T3, "md")
    assert "## Polisanmälningar, sep–okt 2026" in markdown
    assert "| Rån | 5 | 2 | +150 % | – | – |" in markdown


def test_a_fortnight_shows_the_latest_month_and_says_so(engine: Engine) -> None:
    figures(engine, ("2026-09", "Rån", "Norr", 2), ("2026-10", "Rån", "Norr", 4))
    assert whole_months(FORTNIGHT) == ()
    section = police_section(engine, FORTNIGHT, None)
    assert section is not None and section.latest_only
    assert section.months == (date(2026, 10, 1),) and section.previous == (date(2026, 9, 1),)
    telegram = lagesbild(engine, FORTNIGHT, "telegram")
    assert "Polisanmälningar, oktober 2026" in telegram
    assert "den senaste månaden som finns" in telegram
    # figures older than three months before the period's end are too stale to show
    spring = period_containing(DigestKind.FORTNIGHT, date(2027, 3, 1), TZ)
    assert police_section(engine, spring, None) is None


def test_a_month_without_its_figures_yet_shows_the_latest_month_before_it(engine: Engine) -> None:
    figures(engine, ("2026-09", "Rån", "Norr", 2))
    section = police_section(engine, OCTOBER, None)
    assert section is not None and section.latest_only and not section.whole
    assert section.months == (date(2026, 9, 1),) and section.previous is None
    html = lagesbild(engine, OCTOBER, "html", language="en")
    assert "Crimes reported to the police, September 2026" in html
    assert "the latest month there is" in html
