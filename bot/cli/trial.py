"""`estbot try`: the real bot in a terminal chat, with no token and no internet."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import read_settings
from storage.kinds import Role


def try_bot(
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
    from bot.trial.chat import start_trial  # the whole bot, telegram included

    if role not in ("reporter", "coordinator"):
        raise typer.BadParameter("use reporter or coordinator", param_hint="--role")
    with tempfile.TemporaryDirectory(prefix="estbot-try-") as temp:
        given = {"database_url": database_url, "language": language}
        settings = read_settings(
            _env_file=None,  # an operator's .env may name the real database: not for a trial
            telegram_bot_token=None,
            data_dir=data_dir or Path(temp) / "data",
            **{key: value for key, value in given.items() if value is not None},
        )
        kept = data_dir is not None or settings.database_url is not None
        code = start_trial(settings, Role(role), Path(temp), kept=kept)
    raise typer.Exit(code)
