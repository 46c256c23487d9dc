"""Personal identity numbers and phone numbers in free text: finding and masking them.

A description is posted to the coordinators' group chats and kept for years, so it must
not carry a person's personnummer or phone number. Detection is deliberately strict, so
that reference numbers (EST-2026-0042), dates, times, years and amounts pass untouched:

- a personnummer or samordningsnummer (the day plus 60) needs a real calendar date and a
  correct Luhn check digit: YYMMDD-NNNN, YYMMDD+NNNN (over 100), YYMMDDNNNN, YYYYMMDD-NNNN
  or YYYYMMDDNNNN;
- a phone number needs the shape Swedish numbers are written in (070-123 45 67,
  +46 70 123 45 67, 08-123 456 78, 0701234567) and 8-10 digits in national form, ten for
  a mobile number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PersonalData(StrEnum):
    PERSONAL_NUMBER = "personal_number"  # personnummer or samordningsnummer
    PHONE = "phone"


@dataclass(frozen=True)
class Finding:
    kind: PersonalData
    start: int
    end: int
    text: str


MASK_PERSONAL_NUMBER = "ÅÅMMDD-XXXX"
MASK_PHONE = "[telefonnummer]"

_PERSONAL_NUMBER = re.compile(
    r"(?<![\w+\-/.,])(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+]?)(?P<tail>\d{4})(?![\w\-])"
)
# The area code (with its 0, or after +46 without it), then the subscriber's number as
# one block or in groups of two or three digits, as Swedish numbers are written.
_PHONE = re.compile(
    r"(?<![\w+\-/.,:])"
    r"(?:(?P<international>(?:\+|00)46)[ \-]?(?:\(0\)[ ]?)?(?P<area_i>[1-9]\d{0,2})"
    r"|\(?(?P<area_n>0[1-9]\d{0,2})\)?)"
    r"(?:[ ]?[\-/][ ]?|[ ])?"
    r"(?P<subscriber>\d{5,8}|\d{2,3}(?:[ \-]\d{2,3}){1,3})"
    r"(?![\w\-]|[.,:]\d)"
)
_MOBILE_PREFIXES = ("070", "072", "073", "076", "079")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum over a string of digits (the last one is the check digit)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _real_date(years: Iterable[int], month: int, day: int) -> bool:
    for year in years:
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _is_personal_number(match: re.Match[str]) -> bool:
    century, yy = match["century"], int(match["yy"])
    month, day = int(match["mm"]), int(match["dd"])
    if day > 60:  # a samordningsnummer: the day of birth plus 60
        day -= 60
    if century is not None and match["sep"] == "+":
        return False  # '+' belongs to the ten-digit form only
    years = [int(century) * 100 + yy] if century is not None else [1900 + yy, 2000 + yy]
    if century is not None and century not in ("18", "19", "20"):
        return False
    if not _real_date(years, month, day):
        return False
    return luhn_valid(match["yy"] + match["mm"] + match["dd"] + match["tail"])


def _is_phone(match: re.Match[str]) -> bool:
    area = match["area_n"] or f"0{match['area_i']}"
    national = area + re.sub(r"\D", "", match["subscriber"])
    if national.startswith("07"):
        return national[:3] in _MOBILE_PREFIXES and len(national) == 10
    return 8 <= len(national) <= 10


def find_personal_data(text: str) -> list[Finding]:
    """Personal identity numbers and phone numbers in `text`, in order, never overlapping."""
    found = [
        Finding(PersonalData.PERSONAL_NUMBER, m.start(), m.end(), m.group())
        for m in _PERSONAL_NUMBER.finditer(text)
        if _is_personal_number(m)
    ]
    taken = [(f.start, f.end) for f in found]
    for m in _PHONE.finditer(text):
        overlaps = any(m.start() < end and start < m.end() for start, end in taken)
        if not overlaps and _is_phone(m):
            found.append(Finding(PersonalData.PHONE, m.start(), m.end(), m.group()))
    return sorted(found, key=lambda finding: finding.start)


def has_personal_data(text: str | None) -> bool:
    """Whether the text holds a personal identity number or a phone number."""
    return bool(text) and bool(find_personal_data(text or ""))


def mask_personal_data(
    text: str, *, personal_number: str = MASK_PERSONAL_NUMBER, phone: str = MASK_PHONE
) -> str:
    """The text with every personal identity number and phone number replaced by a mask."""
    masks = {PersonalData.PERSONAL_NUMBER: personal_number, PersonalData.PHONE: phone}
    out, position = [], 0
    for finding in find_personal_data(text):
        out.append(text[position : finding.start])
        out.append(masks[finding.kind])
        position = finding.end
    out.append(text[position:])
    return "".join(out)
