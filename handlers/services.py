"""Long-lived services the handlers use, built once at start-up and reached through one accessor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from telegram.ext import ContextTypes

from handlers.texts import Texts
from storage.access import Member
from storage.engine import transaction
from storage.geocoding import Locator
from storage.models import Category

T = TypeVar("T")
MEMBER_KEY = "estbot.member"


@dataclass
class Services:
    """What the bot needs beyond Telegram: the database, places, time zone, language, files."""

    engine: Engine
    locator: Locator
    tz: ZoneInfo
    language: str
    photo_dir: Path
    categories: list[Category]

    async def db(self, operation: Callable[..., T], /, **kwargs: Any) -> T:
        """Run one storage operation in its own transaction, off the event loop."""
        return await asyncio.to_thread(self._run, operation, kwargs)

    def _run(self, operation: Callable[..., T], kwargs: dict[str, Any]) -> T:
        with transaction(self.engine) as session:
            return operation(session=session, **kwargs)

    async def blocking(self, function: Callable[..., T], /, *args: Any) -> T:
        """Run blocking work (a geocoding request, image processing) off the event loop."""
        return await asyncio.to_thread(function, *args)

    def texts_for(self, who: Member | None) -> Texts:
        return Texts((who.language if who and who.language else None) or self.language)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services of the running application."""
    found = context.application.bot_data.get("services")
    if not isinstance(found, Services):
        raise RuntimeError("services are set up in post_init before any update is handled")
    return found


def current_member(context: ContextTypes.DEFAULT_TYPE) -> Member | None:
    """The registered person behind the update being handled (set by the gate)."""
    found = context.user_data.get(MEMBER_KEY) if context.user_data is not None else None
    return found if isinstance(found, Member) else None


def texts(context: ContextTypes.DEFAULT_TYPE) -> Texts:
    """The texts in the language of the person being answered."""
    return services(context).texts_for(current_member(context))
