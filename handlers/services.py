"""Long-lived services the handlers use, built once at start-up and reached through one accessor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from telegram.ext import ContextTypes

from handlers.texts import Texts
from storage.database.engine import transaction
from storage.people.access import Member
from storage.places.areas import Areas
from storage.places.gazetteer import PlaceValue
from storage.places.geocoding import Locator
from storage.reports.drafts import DraftState
from storage.tables import Category, CoordinatorGroup
from storage.visibility import find_group

T = TypeVar("T")
# Waits between tries while SQLite is locked by another writer: about 5 s in all.
LOCKED_PAUSES_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 2.0)
MEMBER_KEY = "estbot.member"
DRAFT_KEY = "estbot.draft"


@dataclass
class Services:
    """What the bot needs beyond Telegram: the database, places, time zone, language, files."""

    engine: Engine
    locator: Locator
    tz: ZoneInfo
    language: str
    photo_dir: Path
    categories: list[Category]
    areas: Areas | None = None  # the operator's named areas, if any
    # Wakes the delivery worker after a commit that put something in the outbox.
    kick_delivery: Callable[[], None] = lambda: None
    follow_up_hour: int = 8  # reminders of interventions due today go out from this hour
    chart_dir: Path = Path("data/charts")  # charts of scheduled digests, until delivered
    # Observations filed longer ago than this are purged every night; None keeps them.
    retention_months: int | None = None
    _geocoding: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="geocoder")
    )

    async def db(self, operation: Callable[..., T], /, **kwargs: Any) -> T:
        """Run one storage operation in its own transaction.

        On the event loop itself: an operation takes about a millisecond, and handing it to
        a thread costs more than that (measured with bench/report_throughput.py: 12 against
        7 ms of CPU per action), because the GIL makes the loop wait for the worker.

        So SQLite waits only a moment for another writer's lock (see bot.application), and
        the rest of the wait is here, off the loop: a loop blocked for seconds would make
        every Bot API request in flight time out, and a card that was posted be posted again.
        """
        for pause in LOCKED_PAUSES_S:
            try:
                with transaction(self.engine) as session:
                    return operation(session=session, **kwargs)
            except OperationalError as error:
                if "database is locked" not in str(error.orig):
                    raise
            await asyncio.sleep(pause)
        with transaction(self.engine) as session:
            return operation(session=session, **kwargs)

    async def remove_files(self, paths: Iterable[str]) -> None:
        """Delete photo files that nothing refers to any more."""
        for path in paths:
            await asyncio.to_thread(Path(path).unlink, missing_ok=True)

    async def find_place(self, text: str) -> list[PlaceValue]:
        """Look up typed text: gazetteer, then the geocoder, in a thread of its own.

        One thread, because the geocoder allows one request a second anyway, and so that
        people typing addresses never hold up photos being processed.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._geocoding, self.locator.search, text)

    async def blocking(self, function: Callable[..., T], /, *args: Any) -> T:
        """Run blocking work (a geocoding request, image processing) off the event loop."""
        return await asyncio.to_thread(function, *args)

    def category(self, code: str | None) -> Category | None:
        """A category by its code (the list is read once at start-up)."""
        return next((c for c in self.categories if c.code == code), None)

    async def db_then_deliver(self, operation: Callable[..., T], /, **kwargs: Any) -> T:
        """`db`, then wake the delivery worker for what the operation put in the outbox."""
        result = await self.db(operation, **kwargs)
        self.kick_delivery()
        return result

    def texts_for_group(self, group: CoordinatorGroup | None) -> Texts:
        """The texts in a coordinators' group's language (the default if it has none)."""
        return Texts((group.language if group else None) or self.language)

    async def texts_for_chat(self, chat_id: int) -> Texts:
        """The texts for a group chat, looked up by its id."""
        return self.texts_for_group(await self.db(find_group, chat_id=chat_id))

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


def current_draft(context: ContextTypes.DEFAULT_TYPE) -> DraftState | None:
    """The sender's draft as it was when this update arrived (set by the gate).

    For deciding what an update means; operations read the draft afresh.
    """
    found = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return found if isinstance(found, DraftState) else None


def texts(context: ContextTypes.DEFAULT_TYPE) -> Texts:
    """The texts in the language of the person being answered."""
    return services(context).texts_for(current_member(context))
