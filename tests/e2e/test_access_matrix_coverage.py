"""The access matrix has a row for everything the bot answers: every command where it is
registered (in private, in groups) and every callback prefix, read from the real
Application that handlers/registry.py builds, so a new command or button cannot be
added without deciding who may use it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import Chat, Message, Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler

from handlers import callbacks
from handlers.commands import Chats, menu
from handlers.registry import register_handlers
from handlers.report import buttons
from tests.e2e.test_access_matrix import ACTIONS, TABLE

PLACES = {"private": Chat(1, Chat.PRIVATE), "group": Chat(-2, Chat.SUPERGROUP)}
# Conversation buttons with no row of their own: they pass the same two gates as the rows
# "r: own draft: cat", "…: send", "…: cancel" and "…: mask" (on_button's private_member,
# then storage.reports.drafts.require_draft's key and step), and only move one's own draft along.
# A new conversation button must get a row, or be added here on purpose.
SAME_GATE_AS_THEIR_ROWS = {"pick", "keep", "notplace", "when", "day", "win", "edit", "field",
                           "resume", "restart"}  # fmt: skip


def registered() -> list[BaseHandler]:  # type: ignore[type-arg]
    app = Application.builder().token("1:not-a-token").build()
    register_handlers(app)
    return [handler for handlers in app.handlers.values() for handler in handlers]


def commands_by_place() -> dict[str, set[frozenset[str]]]:
    """Place -> the command handlers (their names, e.g. {"visa", "show"}) that answer there."""
    found: dict[str, set[frozenset[str]]] = {place: set() for place in PLACES}
    for handler in registered():
        if not isinstance(handler, CommandHandler):
            continue
        for place, chat in PLACES.items():
            message = Message(1, datetime.now(UTC), chat, text=f"/{min(handler.commands)}")
            if handler.filters.check_update(Update(1, message=message)):
                found[place].add(handler.commands)
    return found


def rows_by_place() -> dict[str, set[str]]:
    """Place -> the commands the matrix's rows send there ("/visa someone else's" -> visa)."""
    rows: dict[str, set[str]] = {place: set() for place in PLACES}
    for action in ACTIONS:
        command = re.match(r"/(\w+)", action.name)
        if command:
            rows[action.where].add(command.group(1))
    return rows


def test_every_command_has_a_row_where_it_is_answered() -> None:
    commands, rows = commands_by_place(), rows_by_place()
    missing = [
        f"/{'/'.join(sorted(names))} in {place}"
        for place, handlers in commands.items()
        for names in handlers
        if not names & rows[place]
    ]
    assert not missing, f"commands without a row in the access matrix: {missing}"


def test_every_command_in_the_menus_is_registered_there() -> None:
    commands = commands_by_place()
    for place, listed in (("private", menu(Chats.PRIVATE)), ("group", menu(Chats.GROUP))):
        answered = set().union(*commands[place])
        assert {name for sv, en, _ in listed for name in (sv, en)} <= answered, place


def test_every_callback_prefix_and_conversation_button_has_a_row() -> None:
    prefixes = {
        handler.pattern.pattern.removeprefix("^")
        if isinstance(handler.pattern, re.Pattern)
        else f"{callbacks.REPORT}:"  # the catch-all: the report conversation's buttons
        for handler in registered()
        if isinstance(handler, CallbackQueryHandler)
    }
    assert f"{callbacks.REPORT}:" in prefixes and "o:" in prefixes  # the walk found them
    missing = [prefix for prefix in prefixes if not any(row.startswith(prefix) for row in TABLE)]
    conversation = set(buttons.BUTTON_STEPS) | set(buttons.BUTTONS)
    rows = {row.rsplit(": ", 1)[-1] for row in TABLE if row.startswith(f"{callbacks.REPORT}:")}
    missing += [f"{callbacks.REPORT}: {action}"
                for action in sorted(conversation - rows - SAME_GATE_AS_THEIR_ROWS)]  # fmt: skip
    assert not missing, f"buttons without a row in the access matrix: {missing}"
    assert not SAME_GATE_AS_THEIR_ROWS - conversation, "a button listed here no longer exists"
