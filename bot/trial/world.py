"""The world `estbot try` starts: a local Bot API server, the real bot, a small organisation.

The bot is built by :func:`bot.application.build_application`, as `estbot run` builds it,
and polls the server in :mod:`bot.trial.fake_telegram` on 127.0.0.1. The player, a coordinator
and the coordinators' group are set up through the bot itself (``/start <invite>``,
``/koppla``), so the real registration and linking run.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from telegram.ext import Application

from bot.application import build_application
from bot.settings import Settings
from bot.trial.fake_telegram.people import SimGroup, SimUser
from bot.trial.fake_telegram.server import LocalTelegram, running
from storage.database.engine import transaction
from storage.database.handled_updates import last_handled_update
from storage.kinds import Role
from storage.people.access import create_invite

ORGANISATION = "Kvarnby kommun"
GROUP_TITLE = "Trygghetssamordning Kvarnby"
GROUP_ID = -1001000000001
PLAYER_ID = 1001
COORDINATOR_ID = 1002
SETTLE_QUIET_S = 0.5  # the bot made no request for this long: it is done with the step
SETTLE_TIMEOUT_S = 20.0


class SetupFailed(Exception):
    """The bot did not register the player or link the group; the message says what it said."""


@dataclass
class TrialWorld:
    """Everything the terminal chat talks to."""

    telegram: LocalTelegram
    app: Application[Any, Any, Any, Any, Any, Any]
    settings: Settings
    player: SimUser
    group: SimGroup
    role: Role

    async def quiet(self) -> bool:
        """Whether the bot is done for now (without waiting long for it)."""
        try:
            await self.telegram.idle(quiet=SETTLE_QUIET_S, timeout=2 * SETTLE_QUIET_S)
        except AssertionError:
            return False
        return True

    async def settle(self) -> bool:
        """Wait until the bot has handled everything and went quiet; False if it is still
        busy after a while (what it did so far is shown all the same)."""
        try:
            await self.telegram.idle(quiet=SETTLE_QUIET_S, timeout=SETTLE_TIMEOUT_S)
        except AssertionError:
            return False
        return True


def made_up_token() -> str:
    """A token of the shape @BotFather gives, valid only for this run's local server."""
    return f"{10**9 + secrets.randbelow(9 * 10**9)}:{secrets.token_urlsafe(27)}"


@asynccontextmanager
async def trial_world(base: Settings, role: Role) -> AsyncIterator[TrialWorld]:
    """Start the server and the bot, set up the organisation; stop everything on exit."""
    token = made_up_token()
    async with LocalTelegram(token=token, bot_username="estbot_try_bot") as telegram:
        settings = base.model_copy(
            update={
                "telegram_bot_token": SecretStr(token),
                "telegram_api_base_url": telegram.base_url,
                "telegram_api_file_url": telegram.file_url,
                "geocoder": "none",  # no internet here: typed names come from the bundled places
            }
        )
        app = build_application(settings)
        with transaction(app.bot_data["services"].engine) as session:
            telegram.continue_after(last_handled_update(session=session))
        try:
            async with running(app):
                if app.post_init is not None:  # as run_polling does after initialize()
                    await app.post_init(app)
                try:
                    yield await _populate(telegram, app, settings, role)
                finally:
                    if app.post_stop is not None:
                        await app.post_stop(app)
        finally:
            app.bot_data["services"].engine.dispose()


async def _populate(
    telegram: LocalTelegram, app: Application[Any, Any, Any, Any, Any, Any], settings: Settings,
    role: Role,
) -> TrialWorld:  # fmt: skip
    language = settings.language
    player = telegram.user(
        PLAYER_ID, "Anna", last_name="Berg", username="anna_berg", language_code=language
    )
    coordinator = player
    if role != Role.COORDINATOR:
        coordinator = telegram.user(
            COORDINATOR_ID, "Erik", last_name="Ek", username="erik_ek", language_code=language
        )
        await _register(telegram, coordinator, _invite(app, Role.COORDINATOR))
    await _register(telegram, player, _invite(app, role))
    group = telegram.group(GROUP_ID, GROUP_TITLE)
    await group.send(coordinator, "/koppla" if language == "sv" else "/link")
    await telegram.idle(quiet=SETTLE_QUIET_S, timeout=SETTLE_TIMEOUT_S)
    if not any(_text(m) for m in group.messages):
        raise SetupFailed(f"the bot did not answer /koppla in the group: {group.describe()}")
    return TrialWorld(telegram, app, settings, player, group, role)


def _invite(app: Application[Any, Any, Any, Any, Any, Any], role: Role) -> str:
    engine = app.bot_data["services"].engine
    with transaction(engine) as session:
        created, _ = create_invite(session=session, organisation_name=ORGANISATION, role=role)
        return created.code


async def _register(telegram: LocalTelegram, person: SimUser, code: str) -> None:
    await person.send(f"/start {code}")
    await telegram.idle(quiet=SETTLE_QUIET_S, timeout=SETTLE_TIMEOUT_S)
    answers = [_text(m) for m in person.messages]
    if not any(ORGANISATION in answer for answer in answers):
        raise SetupFailed(f"the bot did not register {person.user['first_name']}: {answers}")


def _text(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")
