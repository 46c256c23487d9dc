"""`estbot run`: the bot itself, by long polling or as a webhook worker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import configuration_errors, read_settings
from bot.logs import RedactSecrets, configure_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.webhook import AnyApplication

log = logging.getLogger("estbot")


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
    settings = read_settings(**{key: value for key, value in given.items() if value is not None})
    configure_logging(settings.log_level, [settings.token or "", settings.secret_token or ""])
    _check_ready(settings)
    # telegram takes a while to import: only here, so that `estbot --help` stays quick
    from bot.application import build_application

    with configuration_errors():
        application = build_application(settings)
    mode = f"webhook on port {settings.webhook_port}" if settings.webhook else "polling"
    log.info(
        "estbot starting: database %s, language %s, %s",
        _safe_url(settings), settings.language, mode,
    )  # fmt: skip
    _serve(application, settings)


def _check_ready(settings: Settings) -> None:
    """Exit 2 with what to set when the bot could not start."""
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


def _serve(application: AnyApplication, settings: Settings) -> None:
    """Serve until stopped; what Telegram or the network refuse becomes a line and an exit code."""
    from telegram.error import InvalidToken, NetworkError

    from bot.application import worker_name
    from bot.webhook import ALLOWED_UPDATES, WebhookConfig, run_webhook

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
