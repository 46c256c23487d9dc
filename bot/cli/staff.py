"""`estbot invite`, `users`, `revoke` and `org`: who may use the bot, from the command line."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import open_engine, read_settings
from bot.settings import Settings
from storage.coordination.groups import organisations
from storage.database.engine import transaction
from storage.exchange.imports import is_import_reporter
from storage.kinds import AuditAction, Role
from storage.people.access import create_invite, list_users, set_hide_names
from storage.people.audit import record_audit
from storage.people.revoke import AmbiguousUser, revoke_user

_DURATION = re.compile(r"^(\d+)\s*([dhw])$")


def parse_duration(text: str) -> timedelta:
    """`14d`, `36h` or `2w`."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise typer.BadParameter("use a number and d, h or w, e.g. 14d")
    amount, unit = int(match[1]), match[2]
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "w": timedelta(weeks=amount),
    }[unit]


def invite(
    org: Annotated[str, typer.Option("--org", help='The organisation, e.g. "Kumla Bostäder"')],
    role: Annotated[
        Role, typer.Option("--role", help="reporter, coordinator or admin")
    ] = Role.REPORTER,
    uses: Annotated[int, typer.Option("--uses", min=1, help="How many people may use it")] = 1,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Valid for, e.g. 14d, 36h, 2w")
    ] = "14d",
) -> None:
    """Create an invite code (and a deep link when a bot token is set)."""
    settings = read_settings()
    valid_for = parse_duration(expires) if expires else None
    with transaction(open_engine(settings)) as session:
        created, organisation = create_invite(
            session=session, organisation_name=org, role=role, max_uses=uses, valid_for=valid_for
        )
    code = created.code
    typer.echo(f"Invite for {organisation.name} as {role.value}: {code}")
    typer.echo(
        f"Uses: {uses}. "
        + (
            f"Expires: {created.expires_at:%Y-%m-%d %H:%M} UTC."
            if created.expires_at
            else "Never expires."
        )
    )
    username = _bot_username(settings)
    if username:
        typer.echo(f"Link: https://t.me/{username}?start={code}")
    else:
        typer.echo(f"The person sends the bot: /start {code}")


def _bot_username(settings: Settings) -> str | None:
    if not settings.token:
        return None

    from telegram import Bot  # only when a token is set: importing telegram takes a while
    from telegram.error import TelegramError

    async def ask() -> str:
        bot = Bot(settings.token or "", base_url=settings.telegram_api_base_url)
        async with bot:
            return bot.username

    try:
        return asyncio.run(ask())
    except TelegramError as error:
        typer.echo(f"(Could not ask Telegram for the bot's name: {type(error).__name__})", err=True)
        return None


def users() -> None:
    """List registered users with organisation, role and status."""
    settings = read_settings()
    with transaction(open_engine(settings)) as session:
        rows = list_users(session=session)
        record_audit(session=session, action=AuditAction.LISTING, target="users", rows=len(rows))
        if not rows:
            typer.echo("No users yet. Create an invite with: estbot invite --org NAME")
            return
        header = ("telegram id", "username", "name", "organisation", "role")
        typer.echo("{:>12}  {:<20} {:<24} {:<24} {:<11} status".format(*header))
        for user, organisation in rows:
            status = "active" if user.active else "revoked"
            if is_import_reporter(user):
                status = "import"  # the placeholder that imported observations are filed by
            handle = f"@{user.username}" if user.username else "-"
            typer.echo(
                f"{user.telegram_id:>12}  {handle:<20} {user.full_name[:24]:<24} "
                f"{organisation.name[:24]:<24} {user.role.value:<11} {status}"
            )


def revoke(who: Annotated[str, typer.Argument(help="Telegram id or @username")]) -> None:
    """Remove a user's access at once (their open draft is dropped too)."""
    settings = read_settings()
    try:
        with transaction(open_engine(settings)) as session:
            revoked = revoke_user(session=session, who=who)
    except AmbiguousUser as ambiguous:
        typer.echo(f"Several users are {who}: {ambiguous}. Revoke by Telegram id.", err=True)
        raise typer.Exit(1) from None
    if revoked is None:
        typer.echo(f"No user {who}. See: estbot users", err=True)
        raise typer.Exit(1)
    user, unused_photos = revoked
    for path in unused_photos:  # their unsent photos go with the draft
        Path(path).unlink(missing_ok=True)
    typer.echo(f"Revoked {user.full_name or user.telegram_id} ({user.telegram_id}).")


def org(
    name: Annotated[str, typer.Argument(help="The organisation, as in `estbot users`")],
    hide_names: Annotated[
        bool | None,
        typer.Option(
            "--hide-names/--show-names",
            help="Leave out (or show) who reported on the cards in coordinators' groups",
        ),
    ] = None,
) -> None:
    """Show or change an organisation's setting: whether its reporters are named on cards."""
    settings = read_settings()
    with transaction(open_engine(settings)) as session:
        if hide_names is None:
            found = next((o for o in organisations(session=session) if o.name == name), None)
        else:
            found = set_hide_names(session=session, organisation_name=name, hide=hide_names)
        if found is None:
            typer.echo(f"No organisation {name!r}. See: estbot users", err=True)
            raise typer.Exit(1)
        shown = "hidden" if found.hide_names else "shown"
    typer.echo(f"{found.name}: reporters' names are {shown} on cards.")
