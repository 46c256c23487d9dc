"""Feeding one update at a time to the running bot, and knowing when it is done with it.

The bot polls the fake Bot API server over HTTP, so "done" is observed from outside: the
server has seen the bot ask for updates past this one (PTB has it in its queue), and PTB's
update queue is joined (`task_done` is called after the handlers, error handler included,
have returned). No sleeping, no quiet periods: a case takes as long as the bot does.

Errors are observed the same way: a logging handler records every exception that reaches
the bot's real error handler (`handlers.errors.on_error`) and every ERROR anything logs.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.trial.fake_telegram.server import Call
from tests.e2e.conftest import World

JSON = dict[str, Any]
TIMEOUT = 10.0
ERROR_HANDLER_LOGGER = "handlers.errors"
# Bot API methods by which the bot answers someone in a chat.
ANSWERS = ("send", "edit", "answercallbackquery", "setmessagereaction")


class ErrorLog(logging.Handler):
    """Every exception that reached the bot's error handler, and every ERROR logged."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.outside: list[logging.LogRecord] = []  # not while a case was being handled
        self.in_case = False

    def emit(self, record: logging.LogRecord) -> None:
        from_error_handler = record.name == ERROR_HANDLER_LOGGER and record.funcName == "on_error"
        if record.levelno >= logging.ERROR or from_error_handler:
            self.records.append(record)
            if not self.in_case:
                self.outside.append(record)

    def describe(self, start: int = 0, records: list[logging.LogRecord] | None = None) -> str:
        lines = []
        for record in (self.records if records is None else records)[start:]:
            lines.append(f"{record.name}.{record.funcName}: {record.getMessage()}")
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                lines.append(f"    {type(error).__name__}: {str(error)[:300]}")
                ours = [f for f in traceback.extract_tb(error.__traceback__)
                        if "/handlers/" in f.filename or "/storage/" in f.filename]  # fmt: skip
                lines += [f"      at {f.filename.rsplit('/', 2)[-2]}/{f.name}:{f.lineno} {f.line}"
                          for f in ours[-3:]]  # fmt: skip
        return "\n".join(lines)


@contextmanager
def recording_errors() -> Iterator[ErrorLog]:
    """An ErrorLog on the root logger; the error handler's INFO lines are let through too."""
    log = ErrorLog()
    root, handler_logger = logging.getLogger(), logging.getLogger(ERROR_HANDLER_LOGGER)
    level = handler_logger.level
    handler_logger.setLevel(logging.INFO)
    root.addHandler(log)
    try:
        yield log
    finally:
        root.removeHandler(log)
        handler_logger.setLevel(level)


@dataclass
class Outcome:
    """What the bot did about one update."""

    update: JSON
    calls: list[Call]
    errors: str = ""
    notes: list[str] = field(default_factory=list)

    def answers_in(self, chat_id: int, query_id: str | None = None) -> list[Call]:
        """The bot's successful calls that answer in the chat (or answer the query)."""
        found = []
        for call in self.calls:
            name = call.method.lower()
            if call.error_code is not None or not name.startswith(ANSWERS):
                continue
            if name == "answercallbackquery":
                if query_id is not None and str(call.params.get("callback_query_id")) == query_id:
                    found.append(call)
            elif call.params.get("chat_id") == chat_id:
                found.append(call)
        return found


class Feeder:
    """Injects updates into the fake Telegram and waits until the bot has handled each."""

    def __init__(self, world: World, errors: ErrorLog) -> None:
        self.world = world
        self.telegram = world.telegram
        self.errors = errors
        self.fed = 0

    async def feed(self, update: JSON) -> Outcome:
        """Inject an update (without update_id); returns what the bot did about it."""
        calls_before, errors_before = len(self.telegram.calls), len(self.errors.records)
        self.errors.in_case = True
        try:
            update_id = self.telegram.inject(update)
            await self.handled(update_id)
        finally:
            self.errors.in_case = False
        self.fed += 1
        return self._outcome(update, calls_before, errors_before)

    async def post(self, chat: JSON, sender: JSON, content: JSON) -> tuple[JSON, Outcome]:
        """A message from `sender` in `chat` (stored, so that replies can point at it)."""
        calls_before, errors_before = len(self.telegram.calls), len(self.errors.records)
        self.errors.in_case = True
        try:
            message, update_id = self.telegram.post_message(chat, sender, content)
            await self.handled(update_id)
        finally:
            self.errors.in_case = False
        self.fed += 1
        return message, self._outcome({"message": message}, calls_before, errors_before)

    async def handled(self, update_id: int) -> None:
        """Wait until PTB took the update in and finished handling everything it took in."""
        telegram = self.telegram
        if not await telegram.wait_until(lambda: telegram.confirmed(update_id), TIMEOUT):
            raise AssertionError(f"update {update_id} was not fetched within {TIMEOUT}s")
        await asyncio.wait_for(self.world.app.update_queue.join(), TIMEOUT)

    def _outcome(self, update: JSON, calls_before: int, errors_before: int) -> Outcome:
        errors = self.errors.describe(errors_before)
        return Outcome(update, self.telegram.calls[calls_before:], errors)
