"""The digests page of a group's /installningar: which kinds, at what time."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from digests.words import Words
from handlers import callbacks
from handlers.texts import Texts
from storage.coordination.subscriptions import Subscription
from storage.kinds import DigestKind

# g:<action>:<kind> — on/off, an hour earlier, an hour later, quiet days on/off
DIGEST_ACTIONS: dict[str, dict[str, bool | int]] = {
    "dkind": {"toggle": True},
    "dearlier": {"shift_hours": -1},
    "dlater": {"shift_hours": 1},
    "dquiet": {"toggle_quiet": True},
}


def digest_rows(t: Texts, found: Sequence[Subscription]) -> list[list[InlineKeyboardButton]]:
    """A row per kind: its name and time (tap: on/off), then ◀ ▶ to move the time."""
    words = Words(t.language)
    rows = []
    for item in found:
        mark = "✅" if item.enabled else "▫️"
        kind = item.kind.value
        rows.append([
            InlineKeyboardButton(f"{mark} {words.kind(item.kind)} {item.at}"[:60],
                                 callback_data=setting_data("dkind", kind)),
            InlineKeyboardButton("◀", callback_data=setting_data("dearlier", kind)),
            InlineKeyboardButton("▶", callback_data=setting_data("dlater", kind)),
        ])  # fmt: skip
    daily = next((item for item in found if item.kind is DigestKind.DAILY), None)
    if daily is not None:
        mark = "✅" if daily.quiet_days else "▫️"
        label = f"{mark} {t.plain('digest_quiet_days')}"[:60]
        rows.append([InlineKeyboardButton(label, callback_data=setting_data("dquiet", "daily"))])
    return rows


def setting_data(*parts: object) -> str:
    """The callback data of a button on a group's /installningar pages."""
    return callbacks.data(callbacks.GROUP_SETTINGS, *parts)
