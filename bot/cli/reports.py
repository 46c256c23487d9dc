"""`estbot digest` and `estbot demo`: lägesbilder from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import configuration_errors, open_engine, read_settings
from bot.logs import configure_logging
from bot.settings import Settings
from storage.database.engine import transaction
from storage.kinds import AuditAction, DigestKind
from storage.people.audit import CLI, record_audit
from storage.places.areas import EXAMPLE_AREAS, Area, Areas, example_areas_text
from storage.places.gazetteer import Gazetteer

if TYPE_CHECKING:
    from digests.digest import Digester
    from digests.periods import Period
    from digests.sources import Sources

# digests brings pandas and matplotlib: imported inside the commands, so `estbot --help` is quick

KINDS = {kind.value: kind for kind in DigestKind}
Format = Literal["html", "md", "telegram"]
FORMATS: dict[str, Format] = {"html": "html", "md": "md", "telegram": "telegram"}


def digest(
    kind: Annotated[str, typer.Option(help="daily, week, 14d, monthly, tertial or yearly")],
    period: Annotated[
        str | None,
        typer.Option(help="2026-10, 2026-T3, 2026-W46, 2026, or a day; default: the last one"),
    ] = None,
    area: Annotated[str | None, typer.Option(help="one area of ESTBOT_AREAS_FILE")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, md or telegram")] = "html",
    out: Annotated[Path | None, typer.Option(help="the file to write; default: print")] = None,
    language: Annotated[str | None, typer.Option(help="sv or en")] = None,
) -> None:
    """Make a digest or lägesbild, e.g. --kind monthly --period 2026-10 --out oktober.html."""
    if fmt not in FORMATS:
        raise typer.BadParameter("use html, md or telegram", param_hint="--format")
    settings = read_settings()
    configure_logging(settings.log_level, [settings.token or ""])
    if kind not in KINDS:
        raise typer.BadParameter(f"kind must be one of {', '.join(KINDS)}", param_hint="--kind")
    sources = _sources(settings)
    found = _area(sources, area)
    chosen = _period(KINDS[kind], period, settings.tz)
    from digests.digest import Digester

    made = Digester(sources, settings.templates_dir).make(
        chosen, language=language or settings.language, fmt=FORMATS[fmt],
        area=found.name if found else None,
    )  # fmt: skip
    with transaction(sources.engine) as session:  # a lägesbild lists observations in bulk
        record_audit(
            session=session, action=AuditAction.LISTING, actor=CLI,
            target=f"digest {chosen.kind.value} {chosen.key}" + (f" {area}" if area else ""),
            detail={"kind": chosen.kind.value, "period": chosen.key, "format": fmt,
                    "area": found.name if found else None, "out": str(out) if out else None},
        )  # fmt: skip
    _write("\n\n".join(made.messages) if fmt == "telegram" else made.text, out)


def _write(text: str, out: Path | None) -> None:
    """Print the digest, or write it to `out` and print where."""
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    typer.echo(str(out))


def _sources(settings: Settings, url: str | None = None) -> Sources:
    from digests.sources import Sources

    engine = open_engine(settings, url)
    with configuration_errors():
        areas = Areas.from_geojson(settings.areas_file) if settings.areas_file else None
        gazetteer = Gazetteer.from_csv(settings.gazetteer_file)
    return Sources(engine, settings.tz, gazetteer, areas)


def _area(sources: Sources, area: str | None) -> Area | None:
    """The area asked for, or None for the whole municipality; a bad --area names the good ones."""
    if area is not None and (sources.areas is None or sources.areas.find(area) is None):
        known = ", ".join(sources.areas.names) if sources.areas else "none (ESTBOT_AREAS_FILE)"
        raise typer.BadParameter(f"unknown area {area!r}; areas: {known}", param_hint="--area")
    return sources.areas.find(area) if (area and sources.areas) else None


def _period(kind: DigestKind, period: str | None, tz: ZoneInfo) -> Period:
    """The period typed (it must be of `kind`), else the last complete one."""
    from digests.periods import latest_complete, parse_period

    now = datetime.now(UTC)
    try:
        chosen = parse_period(period, kind, now, tz) if period else latest_complete(kind, now, tz)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    if chosen.kind is not kind:
        raise typer.BadParameter(
            f"{period} is a {chosen.kind.value} period, not {kind.value}", param_hint="--period"
        )
    return chosen


def demo(
    out: Annotated[Path, typer.Option(help="where the demo database and reports go")] = Path(
        "estbot-demo"
    ),
    observations: Annotated[int, typer.Option(min=100)] = 5000,
    seed: Annotated[int, typer.Option()] = 2026,
) -> None:
    """A demo for the fictional town Kvarnby: two years of observations, then its latest
    monthly lägesbild and tertial analysis as HTML. Needs no Telegram."""
    from digests.digest import Digester
    from digests.sources import Sources
    from storage.demo.town import populate_demo

    settings = read_settings()
    configure_logging(settings.log_level, [settings.token or ""])
    out.mkdir(parents=True, exist_ok=True)
    database = out / "estbot-demo.db"
    database.unlink(missing_ok=True)
    (out / EXAMPLE_AREAS).write_text(example_areas_text(), encoding="utf-8")
    engine = _sources(settings, f"sqlite:///{database.as_posix()}").engine
    sources = Sources(engine, settings.tz, Gazetteer.from_csv(), Areas.from_geojson())
    now = datetime.now(UTC)
    typer.echo(f"Writing {observations} observations for the fictional town Kvarnby …")
    facts = populate_demo(
        engine=sources.engine, now=now, tz=settings.tz, observations=observations, seed=seed,
        areas=sources.areas, gazetteer=sources.gazetteer,
    )  # fmt: skip
    written = _demo_lagesbilder(Digester(sources, settings.templates_dir), settings, out, now)
    typer.echo(f"Planted hot spots: {', '.join(facts.hot_spots)}; rising: {facts.rising_category}")
    typer.echo(f"Database: {database}  (ESTBOT_DATABASE_URL=sqlite:///{database.resolve()})")
    for path in written:
        typer.echo(str(path.resolve()))


def _demo_lagesbilder(
    digester: Digester, settings: Settings, out: Path, now: datetime
) -> list[Path]:
    """The latest monthly lägesbild and tertial analysis, as HTML files in `out`."""
    from digests.periods import latest_complete

    written = []
    for kind, name in (
        (DigestKind.MONTHLY, "manadslagesbild"),
        (DigestKind.TERTIAL, "tertialanalys"),
    ):
        period = latest_complete(kind, now, settings.tz)
        made = digester.make(period, language=settings.language, fmt="html", now=now)
        path = out / f"{name}-{period.key}.html"
        path.write_text(made.text, "utf-8")
        written.append(path)
    return written
