"""`estbot purge`, `estbot audit` and `estbot mydata`: privacy work from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from bot.cli.common import open_engine, read_settings
from storage.database.engine import transaction
from storage.kinds import AuditAction
from storage.people.access import find_user
from storage.people.audit import audit_entries, record_audit
from storage.people.mydata import personal_data
from storage.people.retention import cutoff_before, months_before, remove_photo_files
from storage.people.retention import purge as purge_before
from storage.tables import utcnow


def purge(
    older_than: Annotated[
        str | None,
        typer.Option(
            help="36m, 2y or 400d: observations filed before then go; default: "
            "ESTBOT_RETENTION_MONTHS"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="count only; delete nothing")] = False,
) -> None:
    """Delete old observations with their comments, photos and history, and stale drafts."""
    settings = read_settings()
    purge_old(open_engine(settings), older_than, settings.retention_months, dry_run)


def audit(
    limit: Annotated[int, typer.Option(min=1, help="how many entries")] = 50,
    action: Annotated[AuditAction | None, typer.Option(help="only this kind")] = None,
) -> None:
    """The audit log: who listed or exported observations, changed a status, purged."""
    show_audit(open_engine(read_settings()), limit, action)


def mydata(
    who: Annotated[int, typer.Argument(help="the person's Telegram id (see: estbot users)")],
    out: Annotated[Path | None, typer.Option(help="the JSON file to write; default: print")] = None,
) -> None:
    """Everything stored about one person, as JSON (what /minadata gives them in the bot)."""
    settings = read_settings()
    write_mydata(open_engine(settings), who, out, settings.language)


def purge_old(
    engine: Engine, older_than: str | None, retention_months: int | None, dry_run: bool
) -> None:
    """Delete what is older than `older_than` (or the retention setting) and say what went."""
    now = utcnow()
    try:
        if older_than is not None:
            cutoff = cutoff_before(older_than, now)
        elif retention_months is not None:
            cutoff = months_before(now, retention_months)
        else:
            raise ValueError(
                "give --older-than (e.g. 36m, 2y, 400d) or set ESTBOT_RETENTION_MONTHS"
            )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--older-than") from None
    with Session(engine, expire_on_commit=False) as session:
        report = purge_before(session=session, cutoff=cutoff, now=now)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    removed = 0 if dry_run else remove_photo_files(report.files)
    verb = "Would delete" if dry_run else "Deleted"
    typer.echo(f"{verb} observations filed before {cutoff:%Y-%m-%d %H:%M} UTC, and stale drafts:")
    for line in report.lines():
        typer.echo(f"  {line}")
    if not dry_run:
        typer.echo(f"  files removed from disk: {removed}")


def show_audit(engine: Engine, limit: int, action: AuditAction | None) -> None:
    """Print the latest audit entries, newest first."""
    with transaction(engine) as session:
        entries = audit_entries(session=session, limit=limit, action=action)
    if not entries:
        typer.echo("The audit log is empty.")
        return
    for entry in entries:
        who = f"user {entry.user_id}" if entry.user_id is not None else entry.actor
        rows = "" if entry.rows is None else f"  rows={entry.rows}"
        typer.echo(
            f"{entry.at:%Y-%m-%d %H:%M:%S}  {who:<12} {entry.action.value:<14} {entry.target}{rows}"
        )


def write_mydata(engine: Engine, who: int, out: Path | None, language: str) -> None:
    """Everything stored about one person (by Telegram id), as JSON: for someone who asks
    the municipality for an extract and can no longer use /minadata themselves."""
    with transaction(engine) as session:
        user = find_user(session=session, telegram_id=who)
        if user is None or user.id is None:
            typer.echo(f"No user with Telegram id {who}. See: estbot users", err=True)
            raise typer.Exit(1)
        document = personal_data(session=session, user_id=user.id, language=language)
        record_audit(
            session=session, action=AuditAction.PERSONAL_DATA, target=f"user {user.id}",
            rows=len(document["observations"]),
        )  # fmt: skip
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", "utf-8")
    typer.echo(str(out))
