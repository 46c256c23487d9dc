"""Reading a file of police figures: `month;crime_type;area;count`, or with the Swedish
headers `månad;brottstyp;område;antal`, separated by `;` or `,`, with or without a BOM.

The whole file is checked before anything is stored: `read_police_file` returns every row
or raises `PoliceFileError` naming every bad row (as numbered in a spreadsheet, the header
being row 1) and what is wrong with it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from storage.police.figures import FigureRow

COLUMNS = {  # our name: the header names accepted for it (lower case, `_` for spaces)
    "month": ("month", "månad", "manad", "period"),
    "crime_type": ("crime_type", "crime", "brottstyp", "brottskategori", "brott"),
    "area": ("area", "område", "omrade", "region"),
    "count": ("count", "antal", "number", "anmälda_brott", "anmalda_brott"),
}
MONTH_NAMES = {
    name: number
    for names in (
        "januari februari mars april maj juni juli augusti september oktober november december",
        "january february march april may june july august september october november december",
        "jan feb mar apr maj jun jul aug sep okt nov dec",
        "jan feb mar apr may jun jul aug sept oct nov dec",
    )
    for number, name in enumerate(names.split(), start=1)
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")  # 2026-10, 2026-10-01
_SCB = re.compile(r"^(\d{4})\s*[mM](\d{1,2})$")  # 2026M10, as SCB and BRÅ's tables write it
_WORDS = re.compile(r"^([^\W\d]+)\.?\s+(\d{4})$")  # okt 2026, oktober 2026, Oct. 2026
_SPACES = re.compile(r"[\s\u00a0\u202f]")  # 1 234 with a (no-break) space
MAX_ERRORS = 200  # a wrong file would otherwise print thousands of lines


class PoliceFileError(ValueError):
    """The file cannot be imported: `problems` lists what is wrong, row by row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_police_file(path: Path) -> list[FigureRow]:
    """The checked rows of a police figures file; raises PoliceFileError (every bad row)
    or OSError (the file cannot be read)."""
    return parse_police_text(_decode(path.read_bytes()))


def parse_police_text(text: str) -> list[FigureRow]:
    """The checked rows of the text of a police figures file (see the module's docstring)."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in ";\t," if d in header_line), ";")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    # (line number, cells) of the lines that hold anything: blank ones (often at the end)
    # are not rows; a line number is the row's number in a spreadsheet
    records = [(reader.line_num, record) for record in reader if any(c.strip() for c in record)]
    if not records:
        raise PoliceFileError(["The file is empty: give a header row and one row a month."])
    positions = _positions(records[0][1])
    rows: list[FigureRow] = []
    problems: list[str] = []
    seen: dict[tuple[date, str, str], int] = {}
    for number, record in records[1:]:
        row, wrong = _row(record, positions)
        if row is not None and row.key in seen:
            wrong = [f"the same month, crime type and area as row {seen[row.key]}"]
        if wrong:
            problems.append(f"row {number}: {'; '.join(wrong)}")
        elif row is not None:
            seen[row.key] = number
            rows.append(row)
    if problems:
        shown = problems[:MAX_ERRORS]
        if len(problems) > MAX_ERRORS:
            shown.append(f"… and {len(problems) - MAX_ERRORS} more bad rows")
        raise PoliceFileError(shown)
    if not rows:
        raise PoliceFileError(["The file has a header but no rows."])
    return rows


def parse_month(text: str) -> date:
    """The first day of a month written `2026-10`, `2026-10-01`, `2026M10` or `okt 2026`;
    raises ValueError."""
    text = text.strip()
    if match := _ISO.match(text):
        if match[3] is not None and int(match[3]) != 1:
            raise ValueError(f"{text!r} is not a month: give it as {match[1]}-{int(match[2]):02d}")
        year, month = int(match[1]), int(match[2])
    elif match := _SCB.match(text):
        year, month = int(match[1]), int(match[2])
    elif (match := _WORDS.match(text)) and match[1].lower() in MONTH_NAMES:
        year, month = int(match[2]), MONTH_NAMES[match[1].lower()]
    else:
        raise ValueError(f"{text!r} is not a month: write 2026-10 or okt 2026")
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(f"{text!r} is not a month: write 2026-10 or okt 2026")
    return date(year, month, 1)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel on Windows saves "CSV" in Windows-1252
        return data.decode("cp1252", errors="replace")


def _positions(header: list[str]) -> dict[str, int]:
    names = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in header]
    positions: dict[str, int] = {}
    for column, accepted in COLUMNS.items():
        found = next((i for i, name in enumerate(names) if name in accepted), None)
        if found is not None:
            positions[column] = found
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise PoliceFileError(
            [
                f"The header row lacks {', '.join(missing)}. It should be "
                "month;crime_type;area;count (or månad;brottstyp;område;antal); "
                f"it is: {';'.join(header)}"
            ]
        )
    return positions


def _row(record: list[str], positions: dict[str, int]) -> tuple[FigureRow | None, list[str]]:
    cells = {
        column: record[i].strip() if i < len(record) else "" for column, i in positions.items()
    }
    wrong: list[str] = [f"{column} is empty" for column, value in cells.items() if not value]
    month: date | None = None
    count: int | None = None
    if cells["month"]:
        try:
            month = parse_month(cells["month"])
        except ValueError as error:
            wrong.append(str(error))
    if cells["count"]:
        digits = _SPACES.sub("", cells["count"])
        if digits.isdecimal():
            count = int(digits)
        else:
            wrong.append(f"count {cells['count']!r} is not a whole number of 0 or more")
    for column in ("crime_type", "area"):
        if len(cells[column]) > 200:
            wrong.append(f"{column} is longer than 200 characters")
    if wrong or month is None or count is None:
        return None, wrong
    return FigureRow(month, cells["crime_type"], cells["area"], count), []
