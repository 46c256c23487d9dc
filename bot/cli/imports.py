"""`estbot import ...`: data brought in from files, one command per kind of data
(observations, police figures). `bot.cli` adds this sub-app under the name `import`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from bot.settings import Settings
from storage.database.engine import transaction
from storage.exchange.imports import ImportPlan, plan_import, write_import
from storage.exchange.sheets import FileProblem, read_sheet
from storage.places.areas import Areas
from storage.setup import open_database

import_app = typer.Typer(
    help="Bring data in from files: observations from spreadsheets or another tool, and the "
    "police's monthly figures.",
    no_args_is_help=True,
)
PROGRESS_FROM = 1000  # rows; smaller files are written before a bar would be seen


def _settings() -> Settings:
    from bot.cli import _settings as settings  # one way to read settings and report errors

    return settings()


@import_app.command("police")
def import_police_command(
    file: Annotated[
        Path,
        typer.Argument(help="CSV: month;crime_type;area;count (or månad;brottstyp;område;antal)"),
    ],
) -> None:
    """Crimes reported to the police per month, crime type and area, for the lägesbild.

    Importing the same file again adds nothing; a corrected file updates the counts.
    """
    from bot.cli import _database
    from bot.cli.police import import_police

    import_police(file, _database(_settings()))


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
    settings = _settings()
    try:
        sheet = read_sheet(file)
    except FileProblem as problem:
        typer.echo(f"Cannot import {file}: {problem}", err=True)
        raise typer.Exit(1) from None
    try:
        areas = Areas.from_geojson(settings.areas_file) if settings.areas_file else None
        engine, _ = open_database(settings.resolved_database_url, settings.categories_file)
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None
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
            with typer.progressbar(
                length=len(plan.new),
                label="Importing",
                # stdout keeps only the summary; a bar only on a terminal, never into a file
                hidden=len(plan.new) < PROGRESS_FROM or not sys.stderr.isatty(),
                file=sys.stderr,
            ) as bar:
                stored = write_import(
                    session=session, plan=plan, tz=settings.tz, areas=areas,
                    source_name=file.name, progress=bar.update,
                )  # fmt: skip
    except IntegrityError:
        typer.echo(
            "Another import or a report stored the same rows at the same moment; nothing was "
            "imported. Run the import again: rows already there are skipped.",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(_summary(stored, plan.already, ""))


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
