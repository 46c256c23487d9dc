"""Reading a spreadsheet for `estbot import observations`: CSV or XLSX into rows of cells.

Only the reading: which sheet, which delimiter, which encoding, and which row number a person
sees in their spreadsheet (the header is row 1). What the cells mean is `storage/exchange/rows.py`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

from storage.exchange.columns import IMPORTED_COLUMNS, OBSERVATION_COLUMNS, REQUIRED_COLUMNS

Cell = str | int | float | datetime | date | None
SHEET_NAMES = ("observationer", "observations")  # else the first sheet


class FileProblem(Exception):
    """A file that cannot be read as observations at all (not one bad row: the whole file)."""


@dataclass
class Sheet:
    """The rows of a file by column name, each with its row number as the spreadsheet shows
    it, and notes worth telling the person (an unknown column, a guessed encoding).

    The rows are read from the file while they are iterated, once: a file of a million rows
    is never in memory at once. The file stays open from its header to its last row (one
    handle, so a file saved anew meanwhile is not read half old, half new)."""

    rows: Iterable[tuple[int, dict[str, Cell]]]
    notes: list[str] = field(default_factory=list)


Records = Iterator[tuple[int, Sequence[Cell]]]  # the rows below the header, read once


def read_sheet(path: Path) -> Sheet:
    """The header of a .csv or .xlsx file checked, its rows to be read; raises FileProblem
    when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileProblem(f"{path.name}: give a .csv or .xlsx file")
    with ExitStack() as opened:  # closed here if the header is refused, else by the rows
        try:
            reading = _xlsx_rows if suffix == ".xlsx" else _csv_rows
            header, records, notes = reading(path, opened)
        except OSError as error:
            raise FileProblem(f"cannot read {path}: {error.strerror or error}") from None
        sheet = _by_column(header, records, notes)  # a refused header: the file closes here
        return Sheet(_owning(opened.pop_all(), sheet.rows), sheet.notes)


T = TypeVar("T")


def _owning(opened: ExitStack, rows: Iterable[T]) -> Iterator[T]:
    """The rows, closing the file after the last (or when abandoned)."""
    with opened:
        try:
            yield from rows
        except UnicodeDecodeError:  # the encoding was checked: the file changed since
            raise FileProblem("the file changed while it was read; import it again") from None


def _by_column(header: list[Cell], records: Records, notes: list[str]) -> Sheet:
    names = [str(name or "").strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise FileProblem(
            f"the header (row 1) lacks the column(s) {', '.join(missing)}; the columns are "
            "described in the README under 'Data in and out'"
        )
    counted = Counter(name for name in names if name)
    twice = sorted(name for name, times in counted.items() if times > 1)
    if twice:
        raise FileProblem(f"the header names {', '.join(twice)} more than once")
    known = IMPORTED_COLUMNS | set(OBSERVATION_COLUMNS)
    unknown = [name for name in names if name and name not in known]
    if unknown:
        notes.append(f"ignored the unknown column(s): {', '.join(unknown)}")
    wanted = [(index, name) for index, name in enumerate(names) if name in IMPORTED_COLUMNS]
    return Sheet(_by_name(records, wanted), notes)


def _by_name(
    records: Records, wanted: list[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, Cell]]]:
    """The wanted cells of each row by column name; empty rows left out."""
    for number, cells in records:
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue  # spreadsheets end in empty rows
        size = len(cells)
        yield number, {name: cells[i] if i < size else None for i, name in wanted}


def _csv_rows(path: Path, opened: ExitStack) -> tuple[list[Cell], Records, list[str]]:
    raw = opened.enter_context(path.open("rb"))
    encoding, notes = _encoding(raw)
    text = opened.enter_context(io.TextIOWrapper(raw, encoding=encoding, newline=""))
    first_line = text.readline()
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise FileProblem("the file is empty; it needs a header row and a row per observation")
    # Row numbers are records, as the spreadsheet counts them (a cell may hold a line break).
    return list[Cell](header), enumerate(reader, start=2), notes


def _encoding(raw: IO[bytes]) -> tuple[str, list[str]]:
    """UTF-8 (with or without a byte order mark), else Windows-1252, said in a note; the
    file is checked in pieces, never read whole, and left at its start."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        raw.seek(0)
        try:
            while piece := raw.read(1 << 20):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        raw.seek(0)
        if encoding == "utf-8-sig":
            return encoding, []
        return encoding, [
            "the file is not UTF-8: read it as Windows-1252 (older Excel); check that å, ä "
            "and ö came out right, or save it as 'CSV UTF-8' next time"
        ]
    raise FileProblem("the file is not UTF-8 text; save it from Excel as 'CSV UTF-8', or as .xlsx")


def _xlsx_rows(path: Path, opened: ExitStack) -> tuple[list[Cell], Records, list[str]]:
    """The observations sheet (by name, else the first) of a workbook."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError) as error:
        raise FileProblem(
            f"not a readable .xlsx file ({error}); save it again from Excel"
        ) from None
    opened.callback(workbook.close)
    named = [s for s in workbook.worksheets if s.title.strip().lower() in SHEET_NAMES]
    sheet = named[0] if named else workbook.worksheets[0]
    first = sheet.min_row or 1
    header = next(sheet.iter_rows(min_row=first, max_row=first), None)
    if header is None:
        raise FileProblem(f"the sheet {sheet.title!r} is empty")
    rows = sheet.iter_rows(min_row=first + 1)
    records = (
        (number, [_xlsx_value(cell) for cell in row])
        for number, row in enumerate(rows, start=first + 1)
    )
    return [_xlsx_value(cell) for cell in header], records, []


def _xlsx_value(cell: object) -> Cell:
    """A cell's value; a date cell whose format shows no time is a date (Excel keeps every
    date as a datetime at midnight)."""
    value: Cell = getattr(cell, "value", None)
    shown = str(getattr(cell, "number_format", "") or "").lower()
    if not isinstance(value, datetime):
        return value
    if value.microsecond:  # a day's fraction in floating point: 21:29:59.999 is 21:30
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    if value.time() == datetime.min.time() and "h" not in shown:
        return value.date()
    return value
