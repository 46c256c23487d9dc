"""`estbot digest` and `estbot demo`: lägesbilder from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import typer

from bot.settings import Settings
from digests.digest import Digester
from digests.lagesbild import Sources
from digests.periods import latest_complete, parse_period
from storage.database.engine import transaction
from storage.demo.town import populate_demo
from storage.kinds import AuditAction, DigestKind
from storage.people.audit import CLI, record_audit
from storage.places.areas import EXAMPLE_AREAS, Areas, example_areas_text
from storage.places.gazetteer import Gazetteer
from storage.setup import open_database

KINDS = {kind.value: kind for kind in DigestKind}


def _sources(settings: Settings, url: str | None = None) -> Sources:
    try:
        engine, _ = open_database(url or settings.resolved_database_url, settings.categories_file)
        areas = Areas.from_geojson(settings.areas_file) if settings.areas_file else None
        gazetteer = Gazetteer.from_csv(settings.gazetteer_file)
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    return Sources(engine, settings.tz, gazetteer, areas)


def digest(
    settings: Settings,
    kind: str,
    period: str | None,
    area: str | None,
    fmt: Literal["html", "md", "telegram"],
    out: Path | None,
    language: str | None,
) -> None:
    """Write one digest to a file (or print it)."""
    if kind not in KINDS:
        raise typer.BadParameter(f"kind must be one of {', '.join(KINDS)}", param_hint="--kind")
    sources = _sources(settings)
    if area is not None and (sources.areas is None or sources.areas.find(area) is None):
        known = ", ".join(sources.areas.names) if sources.areas else "none (ESTBOT_AREAS_FILE)"
        raise typer.BadParameter(f"unknown area {area!r}; areas: {known}", param_hint="--area")
    now = datetime.now(UTC)
    try:
        chosen = (
            parse_period(period, KINDS[kind], now, settings.tz)
            if period
            else latest_complete(KINDS[kind], now, settings.tz)
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    if chosen.kind is not KINDS[kind]:
        raise typer.BadParameter(
            f"{period} is a {chosen.kind.value} period, not {kind}", param_hint="--period"
        )
    found = sources.areas.find(area) if (area and sources.areas) else None
    made = Digester(sources, settings.templates_dir).make(
        chosen, language=language or settings.language, fmt=fmt,
        area=found.name if found else None,
    )  # fmt: skip
    with transaction(sources.engine) as session:  # a lägesbild lists observations in bulk
        record_audit(
            session=session, action=AuditAction.LISTING, actor=CLI,
            target=f"digest {chosen.kind.value} {chosen.key}" + (f" {area}" if area else ""),
            detail={"kind": chosen.kind.value, "period": chosen.key, "format": fmt,
                    "area": found.name if found else None, "out": str(out) if out else None},
        )  # fmt: skip
    text = "\n\n".join(made.messages) if fmt == "telegram" else made.text
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    typer.echo(str(out))


def demo(settings: Settings, out: Path, observations: int, seed: int) -> None:
    """A demo database for Kvarnby, then its latest monthly lägesbild and tertial analysis."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "estbot-demo.db"
    database.unlink(missing_ok=True)
    areas_file = out / EXAMPLE_AREAS
    areas_file.write_text(example_areas_text(), encoding="utf-8")
    sources = _sources(settings, f"sqlite:///{database.as_posix()}")
    sources = Sources(sources.engine, sources.tz, Gazetteer.from_csv(), Areas.from_geojson())
    now = datetime.now(UTC)
    typer.echo(f"Writing {observations} observations for the fictional town Kvarnby …")
    facts = populate_demo(
        engine=sources.engine, now=now, tz=settings.tz, observations=observations, seed=seed,
        areas=sources.areas, gazetteer=sources.gazetteer,
    )  # fmt: skip
    digester = Digester(sources, settings.templates_dir)
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
    typer.echo(f"Planted hot spots: {', '.join(facts.hot_spots)}; rising: {facts.rising_category}")
    typer.echo(f"Database: {database}  (ESTBOT_DATABASE_URL=sqlite:///{database.resolve()})")
    for path in written:
        typer.echo(str(path.resolve()))
