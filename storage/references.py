"""References of observations (EST-2026-0042): made of a year and a number, and read back."""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"^(?:EST[-\s]?)?(\d{4})[-\s](\d{1,6})$", re.IGNORECASE)


def format_reference(year: int, number: int) -> str:
    """`EST-2026-0042`: the year and a running number, at least four digits."""
    return f"EST-{year}-{number:04d}"


def parse_reference(text: str) -> str | None:
    """ "EST-2026-0042", "est-2026-42" or "2026-42" as `EST-2026-0042`; None if not one."""
    match = _REFERENCE.match(text.strip())
    if match is None:
        return None
    return format_reference(int(match.group(1)), int(match.group(2)))
