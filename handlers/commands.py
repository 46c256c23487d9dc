"""Every command the bot answers: its names (Swedish first, then English), where it is
answered, its description in that chat's command menu, and the handler.

registry.py registers one CommandHandler per row, and the command menus are made from the
same rows, in their order: a command cannot be in a menu without being answered there.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, filters

from handlers import access, show
from handlers.group import chat, exports, interventions, lagesbilder, settings
from handlers.private import notices
from handlers.private.mine import mine
from handlers.private.mydata import my_data
from handlers.report import conversation

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


class Chats(StrEnum):
    PRIVATE = "private"
    GROUP = "group"

    @property
    def messages(self) -> filters.BaseFilter:
        """The messages (not edits) of this kind of chat."""
        chat_type = filters.ChatType.PRIVATE if self is Chats.PRIVATE else filters.ChatType.GROUPS
        return chat_type & filters.UpdateType.MESSAGE


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]
    callback: Callback
    chats: Chats
    menu: str | None = None  # the catalogue key of its description; None: not in the menu


P, G = Chats.PRIVATE, Chats.GROUP
COMMANDS = (
    # in private, in the order of the menu
    Command(("rapport", "report"), conversation.start_report, P, "cmd_rapport"),
    Command(("mina", "mine"), mine, P, "cmd_mina"),
    Command(("avbryt", "cancel"), conversation.cancel, P, "cmd_avbryt"),
    Command(("hjalp", "help"), access.help_command, P, "cmd_hjalp"),
    Command(("installningar", "settings"), notices.notice_settings, P, "cmd_installningar"),
    Command(("visa", "show"), show.show, P, "cmd_visa"),
    Command(("sprak", "language"), access.language_command, P, "cmd_sprak"),
    Command(("minadata", "mydata"), my_data, P, "cmd_minadata"),
    Command(("start",), access.start, P),  # what an invite link sends
    # in a coordinators' group, in the order of the menu
    Command(("koppla", "link"), chat.link, G, "cmd_koppla"),
    Command(("visa", "show"), show.show, G, "cmd_visa"),
    Command(("insats", "intervention"), interventions.record, G, "cmd_insats"),
    Command(("insatser", "interventions"), interventions.list_open, G, "cmd_insatser"),
    Command(("lagesbild", "situation"), lagesbilder.lagesbild, G, "cmd_lagesbild"),
    Command(("exportera", "export"), exports.export, G, "cmd_export"),
    Command(("installningar", "settings"), settings.group_settings, G, "cmd_installningar_group"),
    Command(("koppla_bort", "unlink"), chat.unlink, G, "cmd_koppla_bort"),
)


def menu(chats: Chats) -> list[tuple[str, str, str]]:
    """The command menu of a kind of chat: (Swedish name, English name, description key)."""
    return [
        (command.names[0], command.names[-1], command.menu)
        for command in COMMANDS
        if command.chats is chats and command.menu is not None
    ]
