"""`estbot import police FILE.csv`: the police's monthly figures, beside the observations."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import Engine

from storage.database.engine import transaction
from storage.police.figures import import_police_figures
from storage.police.file import PoliceFileError, read_police_file


def import_police(file: Path, engine: Engine) -> None:
    """Check the whole file, then store it: new rows added, changed counts updated. A file
    with any bad row stores nothing and exits 1, naming every bad row."""
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
