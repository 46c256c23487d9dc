"""The prefixes of callback data: which handler a pressed inline button goes to.

Each kind of inline button starts its callback data with a prefix of its own, by which the
registry routes it (the report conversation's buttons go to the catch-all handler, last);
one list, so that two features never pick the same prefix. Telegram hands back at most 64
bytes, so the prefixes are short.
"""

from __future__ import annotations

REPORT = "r"  # the report conversation's buttons (handlers/report/keyboards.py)
CARD = "o"  # the status and intervention buttons on a card in a coordinators' group
INTERVENTION = "i"  # an intervention's buttons in a coordinators' group
GROUP_SETTINGS = "g"  # a group's /installningar pages
NOTICES = "n"  # one's own notices, /installningar in private
LANGUAGE = "lang"  # the language choice of /sprak


def data(prefix: str, *parts: object) -> str:
    """The callback data of a button: its prefix and parts, joined by colons."""
    return ":".join((prefix, *(str(part) for part in parts)))


def pattern(prefix: str) -> str:
    """The pattern a CallbackQueryHandler routes a prefix's buttons by."""
    return rf"^{prefix}:"
