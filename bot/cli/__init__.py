"""The `estbot` command: run the bot, invite staff, list and revoke users."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine

from bot.cli.imports import import_app
from bot.logs import RedactSecrets, configure_logging
from bot.settings import Settings
from storage.coordination.groups import organisations
from storage.database.engine import transaction
from storage.exchange.imports import is_import_reporter
from storage.kinds import AuditAction, Role
from storage.people.access import create_invite, list_users, set_hide_names
from storage.people.audit import record_audit
from storage.people.revoke import AmbiguousUser, revoke_user
from storage.setup import open_database

app = typer.Typer(
    help="estbot: safety observations from field staff, and the situation pictures made of them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold the token
)
log = logging.getLogger("estbot")

_DURATION = re.compile(r"^(\d+)\s*([dhw])$")


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"Configuration error in {field}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def _database(settings: Settings) -> Engine:
    try:
        engine, _ = open_database(settings.resolved_database_url, settings.categories_file)
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    return engine


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


@app.command()
def run(
    webhook: Annotated[
        bool | None,
        typer.Option("--webhook/--polling", help="Telegram posts updates to this process"),
    ] = None,
    listen: Annotated[str | None, typer.Option(help="webhook: the address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="webhook: the port to listen on")] = None,
    url: Annotated[
        str | None, typer.Option(help="webhook: the public address Telegram posts to")
    ] = None,
    secret_token: Annotated[
        str | None,
        typer.Option(help="webhook: refuse requests without it (better in the environment)"),
    ] = None,
) -> None:
    """Start the bot: long polling, or a webhook worker (--webhook). Needs TELEGRAM_BOT_TOKEN."""
    given = {
        "webhook": webhook, "webhook_listen": listen, "webhook_port": port,
        "webhook_url": url, "webhook_secret_token": secret_token,
    }  # fmt: skip
    settings = _settings(**{key: value for key, value in given.items() if value is not None})
    configure_logging(settings.log_level, [settings.token or "", settings.secret_token or ""])
    if not settings.token:
        typer.echo(
            "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and put it in .env.",
            err=True,
        )
        raise typer.Exit(2)
    if settings.webhook and not (settings.webhook_url and settings.secret_token):
        typer.echo(
            "Webhook mode needs ESTBOT_WEBHOOK_URL (--url) and "
            "ESTBOT_WEBHOOK_SECRET_TOKEN (--secret-token).",
            err=True,
        )
        raise typer.Exit(2)
    from telegram.error import InvalidToken, NetworkError

    from bot.application import build_application, worker_name
    from bot.webhook import ALLOWED_UPDATES, WebhookConfig, run_webhook

    try:
        application = build_application(settings)
    except (OSError, ValueError) as error:
        typer.echo(f"Configuration error: {error}", err=True)
        raise typer.Exit(2) from None
    mode = f"webhook on port {settings.webhook_port}" if settings.webhook else "polling"
    log.info(
        "estbot starting: database %s, language %s, %s",
        _safe_url(settings), settings.language, mode,
    )  # fmt: skip
    try:
        if settings.webhook:
            config = WebhookConfig(
                listen=settings.webhook_listen, port=settings.webhook_port,
                url=settings.webhook_url or "", secret_token=settings.secret_token or "",
            )  # fmt: skip
            engine = application.bot_data["services"].engine
            run_webhook(application, config, engine, worker_name(settings))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        typer.echo("Telegram refused TELEGRAM_BOT_TOKEN. Check it with @BotFather.", err=True)
        raise typer.Exit(2) from None
    except NetworkError as error:
        reason = RedactSecrets([settings.token or ""]).redact(str(error))
        typer.echo(
            f"Cannot reach the Bot API at {settings.telegram_api_base_url}: {reason}", err=True
        )
        raise typer.Exit(3) from None
    except OSError as error:  # the port is taken, say
        typer.echo(f"Cannot listen on {settings.webhook_listen}:{settings.webhook_port}: {error}")
        raise typer.Exit(2) from None


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.resolved_database_url).render_as_string(hide_password=True)


@app.command()
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
    settings = _settings()
    valid_for = parse_duration(expires) if expires else None
    with transaction(_database(settings)) as session:
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


@app.command()
def users() -> None:
    """List registered users with organisation, role and status."""
    settings = _settings()
    with transaction(_database(settings)) as session:
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


@app.command()
def revoke(who: Annotated[str, typer.Argument(help="Telegram id or @username")]) -> None:
    """Remove a user's access at once (their open draft is dropped too)."""
    settings = _settings()
    try:
        with transaction(_database(settings)) as session:
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


@app.command()
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
    settings = _settings()
    with transaction(_database(settings)) as session:
        if hide_names is None:
            found = next((o for o in organisations(session=session) if o.name == name), None)
        else:
            found = set_hide_names(session=session, organisation_name=name, hide=hide_names)
        if found is None:
            typer.echo(f"No organisation {name!r}. See: estbot users", err=True)
            raise typer.Exit(1)
        shown = "hidden" if found.hide_names else "shown"
    typer.echo(f"{found.name}: reporters' names are {shown} on cards.")


@app.command("digest")
def digest_command(
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
    from bot.cli import reports as digest_commands

    if fmt not in ("html", "md", "telegram"):
        raise typer.BadParameter("use html, md or telegram", param_hint="--format")
    settings = _settings()
    configure_logging(settings.log_level, [settings.token or ""])
    digest_commands.digest(settings, kind, period, area, fmt, out, language)  # type: ignore[arg-type]


@app.command("export")
def export_command(
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
    from bot.cli.data import Asked, export

    asked = Asked(
        fmt=fmt, out=out, first=first, last=last, categories=tuple(category or ()),
        areas=tuple(area or ()), statuses=tuple(status or ()), language=language,
    )  # fmt: skip
    export(_settings(), asked)


@app.command()
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
    from bot.cli.privacy import purge_command

    settings = _settings()
    purge_command(_database(settings), older_than, settings.retention_months, dry_run)


@app.command()
def audit(
    limit: Annotated[int, typer.Option(min=1, help="how many entries")] = 50,
    action: Annotated[AuditAction | None, typer.Option(help="only this kind")] = None,
) -> None:
    """The audit log: who listed or exported observations, changed a status, purged."""
    from bot.cli.privacy import audit_command

    audit_command(_database(_settings()), limit, action)


@app.command()
def mydata(
    who: Annotated[int, typer.Argument(help="the person's Telegram id (see: estbot users)")],
    out: Annotated[Path | None, typer.Option(help="the JSON file to write; default: print")] = None,
) -> None:
    """Everything stored about one person, as JSON (what /minadata gives them in the bot)."""
    from bot.cli.privacy import mydata_command

    settings = _settings()
    mydata_command(_database(settings), who, out, settings.language)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="where the demo database and reports go")] = Path(
        "estbot-demo"
    ),
    observations: Annotated[int, typer.Option(min=100)] = 5000,
    seed: Annotated[int, typer.Option()] = 2026,
) -> None:
    """A demo for the fictional town Kvarnby: two years of observations, then its latest
    monthly lägesbild and tertial analysis as HTML. Needs no Telegram."""
    from bot.cli import reports as digest_commands

    settings = _settings()
    configure_logging(settings.log_level, [settings.token or ""])
    digest_commands.demo(settings, out, observations, seed)


@app.command("try")
def try_command(
    role: Annotated[str, typer.Option(help="play a reporter or a coordinator")] = "reporter",
    database_url: Annotated[
        str | None, typer.Option(help="keep the session in this database (default: throwaway)")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="keep the database and photos here (default: throwaway)")
    ] = None,
    language: Annotated[str | None, typer.Option(help="sv or en")] = None,
) -> None:
    """Chat with the real bot in this terminal, without a bot token: file a report and see
    the coordinators' group receive it. Needs no Telegram and no internet."""
    import tempfile

    from bot.trial.chat import start_trial

    if role not in ("reporter", "coordinator"):
        raise typer.BadParameter("use reporter or coordinator", param_hint="--role")
    with tempfile.TemporaryDirectory(prefix="estbot-try-") as temp:
        given = {"database_url": database_url, "language": language}
        settings = _settings(
            _env_file=None,  # an operator's .env may name the real database: not for a trial
            telegram_bot_token=None,
            data_dir=data_dir or Path(temp) / "data",
            **{key: value for key, value in given.items() if value is not None},
        )
        kept = data_dir is not None or settings.database_url is not None
        code = start_trial(settings, Role(role), Path(temp), kept=kept)
    raise typer.Exit(code)


app.add_typer(import_app, name="import")

db_app = typer.Typer(help="The database schema: where it is, and bringing it up to date.")
app.add_typer(db_app, name="db")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision (exit 1 if it is behind the code)."""
    from bot.cli import db as db_commands

    db_commands.current(_settings())


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="the revision to go to")] = "head",
) -> None:
    """Bring the database to the newest schema (`estbot run` does this when it starts)."""
    from bot.cli import db as db_commands

    settings = _settings()
    configure_logging(settings.log_level, [settings.token or ""])
    db_commands.upgrade(settings, revision)


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="what the migration does")],
) -> None:
    """For developers: write a new migration for what the models add; read it, then commit."""
    from bot.cli import db as db_commands

    db_commands.revision(message)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
