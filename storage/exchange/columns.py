"""What `estbot export` writes and `estbot import observations` reads: one column list, so
that an export is a valid import file (the round trip keeps every column import carries).

The README's "Data in and out" section documents each column for people.
"""

from __future__ import annotations

import csv

# In this order in every export. Import reads the columns it knows by name and ignores the
# rest: category_label, area (recomputed from the coordinates), photos, photo_files,
# comments and interventions do not travel.
OBSERVATION_COLUMNS: tuple[str, ...] = (
    "reference",
    "occurred_at",  # local time (ESTBOT_TIMEZONE)
    "occurred_at_utc",  # ISO 8601 with Z: the local time is ambiguous in the autumn hour
    "reported_at",  # local time
    "category",  # the code
    "category_label",
    "place",
    "latitude",
    "longitude",
    "area",
    "description",
    "organisation",
    "status",
    "photos",
    "photo_files",
    "comments",
    "interventions",
)
IMPORTED_COLUMNS = frozenset(
    "reference occurred_at occurred_at_utc reported_at category place latitude longitude "
    "description organisation status".split()
)
REQUIRED_COLUMNS = ("occurred_at", "category", "organisation")
LIST_SEPARATOR = " | "  # several photo files or interventions in one cell
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8, so å, ä and ö come out right


class ExcelSwedish(csv.excel):
    """Swedish Excel splits on `;`: its decimal separator is the comma."""

    delimiter = ";"


# A CSV cell beginning with one of these is a formula to Excel: a report typed as
# "=HYPERLINK(…)" would run in the coordinator's spreadsheet. The export puts an apostrophe
# before such text (OWASP's advice on CSV injection) and the import takes it off again, so
# the round trip keeps the text as it was typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
