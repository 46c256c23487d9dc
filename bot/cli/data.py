"""`estbot export` and the `estbot import` sub-app: data out to files and in from them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.cli.common import configuration_errors, open_engine, read_settings
from bot.settings import Settings
from storage.database.engine import transaction
from storage.exchange.export import ExportFilter, stream_export
from storage.exchange.filters import (
    UnknownChoice,
    choose_areas,
    choose_categories,
    choose_statuses,
)
from storage.exchange.imports import ImportPlan, plan_import, write_import
from storage.exchange.sheets import FileProblem, read_sheet
from storage.people.audit import record_export
from storage.places.areas import Areas
from storage.police.figures import import_police_figures
from storage.police.file import PoliceFileError, read_police_file

if TYPE_CHECKING:
    from digests.exports import ExportFormat

# digests.exports brings the renderers (openpyxl among them): imported only by `export`

import_app = typer.Typer(
    help="Bring data in from files: observations from spreadsheets or another tool, and the "
    "police's monthly figures.",
    no_args_is_help=True,
)
PROGRESS_FROM = 1000  # rows; smaller files are written before a bar would be seen


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


def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or geojson")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    first: Annotated[
        str | None, typer.Option("--from", help="the first day, YYYY-MM-DD (local time)")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="the last day, YYYY-MM-DD, the whole day included")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(help="a category's code or label (repeat for several)"),
    ] = None,
    area: Annotated[list[str] | None, typer.Option(help="an area (repeat for several)")] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help="new, assessed, in_progress, resolved or closed (repeatable)"),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="sv or en: labels, sheet names; default ESTBOT_LANGUAGE")
    ] = None,
) -> None:
    """Export observations, e.g. --format xlsx --from 2026-10-01 --to 2026-10-31 --out okt.xlsx."""
    asked = Asked(
        fmt=fmt, out=out, first=first, last=last, categories=tuple(category or ()),
        areas=tuple(area or ()), statuses=tuple(status or ()), language=language,
    )  # fmt: skip
    write_export(read_settings(), asked)


def write_export(settings: Settings, asked: Asked) -> None:
    """Write the observations the filters choose to a file, and log it in the audit log."""
    from digests.exports import ExportFormat, Style, write_export

    formats = [fmt.value for fmt in ExportFormat]
    if asked.fmt not in formats:
        raise typer.BadParameter(f"use {', '.join(formats)}", param_hint="--format")
    fmt = ExportFormat(asked.fmt)
    language = asked.language or settings.language
    if language not in ("sv", "en"):
        raise typer.BadParameter("use sv or en", param_hint="--language")
    start, end = _span(asked.first, asked.last, settings.tz)
    engine = open_engine(settings)
    with configuration_errors():
        configured = Areas.from_geojson(settings.areas_file).names if settings.areas_file else []
    asked.out.parent.mkdir(parents=True, exist_ok=True)
    partial = asked.out.with_name(asked.out.name + ".part")  # never half a file by its name
    style = Style(settings.tz, language, settings.data_dir)
    with transaction(engine) as session:
        chosen = _filter(session, asked, start, end, configured)
        try:
            with partial.open("wb") as out:
                export = stream_export(session=session, chosen=chosen)
                rendered = write_export(fmt, export, style, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(asked.out)
    with transaction(engine) as session:
        record_export(
            session=session, what=_target(fmt, asked), rows=rendered.rows, fmt=fmt.value,
            filters=chosen.describe() | {"out": str(asked.out)},
        )  # fmt: skip
    extra = f" and {rendered.interventions} interventions" if fmt is ExportFormat.XLSX else ""
    typer.echo(f"Wrote {rendered.rows} observations{extra} to {asked.out}")
    if rendered.left_out:
        typer.echo(f"{rendered.left_out} observations without coordinates were left out")


def _filter(
    session: Session,
    asked: Asked,
    start: datetime | None,
    end: datetime | None,
    configured: list[str],
) -> ExportFilter:
    """The filter the options ask for; a category, area or status that does not exist is refused."""
    try:
        return ExportFilter(
            start=start, end=end,
            categories=choose_categories(session=session, wanted=asked.categories),
            areas=choose_areas(session=session, wanted=asked.areas, configured=configured),
            statuses=choose_statuses(asked.statuses),
        )  # fmt: skip
    except UnknownChoice as unknown:
        raise typer.BadParameter(str(unknown), param_hint=f"--{unknown.what}") from None


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


@import_app.command("police")
def import_police(
    file: Annotated[
        Path,
        typer.Argument(help="CSV: month;crime_type;area;count (or månad;brottstyp;område;antal)"),
    ],
) -> None:
    """Crimes reported to the police per month, crime type and area, for the lägesbild.

    Importing the same file again adds nothing; a corrected file updates the counts.
    """
    engine = open_engine(read_settings())
    # the whole file is checked before anything is stored; any bad row stores nothing
    try:
        rows = read_police_file(file)
    except OSError as error:
        typer.echo(f"Cannot read {file}: {error.strerror or error}", err=True)
        raise typer.Exit(1) from None
    except PoliceFileError as error:
        bad = sum(problem.startswith("row ") for problem in error.problems)
        what = f", {bad} bad row{'s' if bad != 1 else ''}" if bad else ""
        typer.echo(f"{file}: nothing imported{what}:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        typer.echo("Correct the file and import it again.", err=True)
        raise typer.Exit(1) from None
    with transaction(engine) as session:
        result = import_police_figures(session=session, rows=rows)
    typer.echo(f"{file}: {result.line()}")


@import_app.command("observations")
def import_observations(
    file: Annotated[
        Path, typer.Argument(help="a .csv (; or , separated) or .xlsx file", dir_okay=False)
    ],
    dry_run: Annotated[bool, typer.Option(help="check the file only; store nothing")] = False,
) -> None:
    """Import observations from a spreadsheet (columns: README, 'Data in and out').

    All rows or none: a file with a bad row is refused with every bad row listed. Each row
    is stored once, however often the file is imported.
    """
    settings = read_settings()
    try:
        sheet = read_sheet(file)
    except FileProblem as problem:
        typer.echo(f"Cannot import {file}: {problem}", err=True)
        raise typer.Exit(1) from None
    with configuration_errors():
        areas = Areas.from_geojson(settings.areas_file) if settings.areas_file else None
    engine = open_engine(settings)
    for note in sheet.notes:
        typer.echo(f"Note: {note}", err=True)
    try:
        with transaction(engine) as session:
            plan = plan_import(session=session, sheet=sheet, tz=settings.tz)
            if plan.problems:
                _refuse(file, plan)
            if dry_run:
                typer.echo(f"{file} is good: {_summary(len(plan.new), plan.already, 'would be')}")
                return
            stored = _store(session, plan, settings.tz, areas, file)
    except FileProblem as problem:  # found while the rows were read
        typer.echo(f"Cannot import {file}: {problem}; nothing was imported", err=True)
        raise typer.Exit(1) from None
    except IntegrityError:
        typer.echo(
            "Another import or a report stored the same rows at the same moment; nothing was "
            "imported. Run the import again: rows already there are skipped.",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(_summary(stored, plan.already, ""))


def _store(
    session: Session, plan: ImportPlan, tz: ZoneInfo, areas: Areas | None, file: Path
) -> int:
    """Write the planned rows, with a progress bar for a big file."""
    with typer.progressbar(
        length=len(plan.new),
        label="Importing",
        # stdout keeps only the summary; a bar only on a terminal, never into a file
        hidden=len(plan.new) < PROGRESS_FROM or not sys.stderr.isatty(),
        file=sys.stderr,
    ) as bar:
        return write_import(
            session=session, plan=plan, tz=tz, areas=areas,
            source_name=file.name, progress=bar.update,
        )  # fmt: skip


def _refuse(file: Path, plan: ImportPlan) -> None:
    count = len(plan.problems)
    typer.echo(
        f"Nothing was imported: {count} row{'s' if count > 1 else ''} of {file.name} "
        f"cannot be imported. Correct {'them' if count > 1 else 'it'} and import the file again.",
        err=True,
    )
    for row, reason in plan.problems:
        typer.echo(f"  row {row}: {reason}", err=True)
    raise typer.Exit(1)


def _summary(new: int, already: int, would: str) -> str:
    verb = f"{would} imported" if would else "imported"
    return f"{_number(new)} {verb}, {_number(already)} already there."


def _number(count: int) -> str:
    """1 200: thousands apart by a space, as Swedish readers write them."""
    return f"{count:,}".replace(",", " ")
