"""`estbot export`: observations (and interventions) as CSV, XLSX or GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from bot.settings import Settings
from digests.exports import ExportFormat, Style, render_export
from storage.database.engine import transaction
from storage.exchange.export import ExportFilter, export_rows
from storage.exchange.filters import (
    UnknownChoice,
    choose_areas,
    choose_categories,
    choose_statuses,
)
from storage.people.audit import record_export
from storage.places.areas import Areas
from storage.setup import open_database

FORMATS = [fmt.value for fmt in ExportFormat]


@dataclass(frozen=True)
class Asked:
    """The command line's options, as typed."""

    fmt: str
    out: Path
    first: str | None = None
    last: str | None = None
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    language: str | None = None


def export(settings: Settings, asked: Asked) -> None:
    """Write the observations the filters choose to a file, and log it in the audit log."""
    if asked.fmt not in FORMATS:
        raise typer.BadParameter(f"use {', '.join(FORMATS)}", param_hint="--format")
    fmt = ExportFormat(asked.fmt)
    language = asked.language or settings.language
    if language not in ("sv", "en"):
        raise typer.BadParameter("use sv or en", param_hint="--language")
    start, end = _span(asked.first, asked.last, settings.tz)
    try:
        engine, _ = open_database(settings.resolved_database_url, settings.categories_file)
        configured = Areas.from_geojson(settings.areas_file).names if settings.areas_file else []
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    with transaction(engine) as session:
        try:
            chosen = ExportFilter(
                start=start, end=end,
                categories=choose_categories(session=session, wanted=asked.categories),
                areas=choose_areas(session=session, wanted=asked.areas, configured=configured),
                statuses=choose_statuses(asked.statuses),
            )  # fmt: skip
        except UnknownChoice as unknown:
            raise typer.BadParameter(str(unknown), param_hint=f"--{unknown.what}") from None
        export = export_rows(session=session, chosen=chosen)
    style = Style(settings.tz, language, settings.data_dir)
    rendered = render_export(fmt, export, style)
    asked.out.parent.mkdir(parents=True, exist_ok=True)
    asked.out.write_bytes(rendered.data)
    with transaction(engine) as session:
        record_export(
            session=session, what=_target(fmt, asked), rows=rendered.rows, fmt=fmt.value,
            filters=chosen.describe() | {"out": str(asked.out)},
        )  # fmt: skip
    extra = f" and {len(export.interventions)} interventions" if fmt is ExportFormat.XLSX else ""
    typer.echo(f"Wrote {rendered.rows} observations{extra} to {asked.out}")
    if rendered.left_out:
        typer.echo(f"{rendered.left_out} observations without coordinates were left out")


def _span(
    first: str | None, last: str | None, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """Local midnight of the first day, and local midnight after the last (inclusive)."""
    start = _day(first, "--from")
    end = _day(last, "--to")
    if start and end and end < start:
        raise typer.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    return (
        datetime.combine(start, time(0), tzinfo=tz) if start else None,
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz) if end else None,
    )


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-10-01", param_hint=option
        ) from None


def _target(fmt: ExportFormat, asked: Asked) -> str:
    """What the audit log says was exported, in a line."""
    parts = [f"export {fmt.value}"]
    parts += [f"from {asked.first}"] if asked.first else []
    parts += [f"to {asked.last}"] if asked.last else []
    for name, values in (("category", asked.categories), ("area", asked.areas),
                         ("status", asked.statuses)):  # fmt: skip
        if values:
            parts.append(f"{name}={','.join(values)}")
    return " ".join(parts)
