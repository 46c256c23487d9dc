"""Reading a spreadsheet for `estbot import observations`: CSV or XLSX into rows of cells.

Only the reading: which sheet, which delimiter, which encoding, and which row number a person
sees in their spreadsheet (the header is row 1). What the cells mean is `storage/exchange/rows.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from storage.exchange.columns import IMPORTED_COLUMNS, OBSERVATION_COLUMNS, REQUIRED_COLUMNS

Cell = str | int | float | datetime | date | None
SHEET_NAMES = ("observationer", "observations")  # else the first sheet


class FileProblem(Exception):
    """A file that cannot be read as observations at all (not one bad row: the whole file)."""


@dataclass
class Sheet:
    """The rows of a file by column name, each with its row number as the spreadsheet shows
    it, and notes worth telling the person (an unknown column, a guessed encoding)."""

    rows: list[tuple[int, dict[str, Cell]]]
    notes: list[str] = field(default_factory=list)


def read_sheet(path: Path) -> Sheet:
    """The rows of a .csv or .xlsx file; raises FileProblem when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileProblem(f"{path.name}: give a .csv or .xlsx file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileProblem(f"cannot read {path}: {error.strerror or error}") from None
    if suffix == ".xlsx":
        header, rows, notes = _xlsx_rows(data)
    else:
        header, rows, notes = _csv_rows(data)
    return _by_column(header, rows, notes)


def _by_column(header: list[Cell], rows: list[tuple[int, list[Cell]]], notes: list[str]) -> Sheet:
    names = [str(name or "").strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise FileProblem(
            f"the header (row 1) lacks the column(s) {', '.join(missing)}; the columns are "
            "described in the README under 'Data in and out'"
        )
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise FileProblem(f"the header names {', '.join(twice)} more than once")
    known = IMPORTED_COLUMNS | set(OBSERVATION_COLUMNS)
    unknown = [name for name in names if name and name not in known]
    if unknown:
        notes.append(f"ignored the unknown column(s): {', '.join(unknown)}")
    sheet = Sheet([], notes)
    for number, cells in rows:
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue  # spreadsheets end in empty rows
        values = {
            name: cells[index] if index < len(cells) else None
            for index, name in enumerate(names)
            if name in IMPORTED_COLUMNS
        }
        sheet.rows.append((number, values))
    return sheet


def _csv_rows(data: bytes) -> tuple[list[Cell], list[tuple[int, list[Cell]]], list[str]]:
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem(
                "the file is not UTF-8 text; save it from Excel as 'CSV UTF-8', or as .xlsx"
            ) from None
        notes.append(
            "the file is not UTF-8: read it as Windows-1252 (older Excel); check that å, ä "
            "and ö came out right, or save it as 'CSV UTF-8' next time"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not records:
        raise FileProblem("the file is empty; it needs a header row and a row per observation")
    # Row numbers are records, as the spreadsheet counts them (a cell may hold line breaks).
    rows = [(number, list[Cell](cells)) for number, cells in enumerate(records[1:], start=2)]
    return list[Cell](records[0]), rows, notes


def _xlsx_rows(data: bytes) -> tuple[list[Cell], list[tuple[int, list[Cell]]], list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            f"not a readable .xlsx file ({error}); save it again from Excel"
        ) from None
    try:
        named = [s for s in workbook.worksheets if s.title.strip().lower() in SHEET_NAMES]
        sheet = named[0] if named else workbook.worksheets[0]
        first = sheet.min_row or 1
        records = [[_xlsx_value(cell) for cell in row] for row in sheet.iter_rows()]
    finally:
        workbook.close()
    if not records:
        raise FileProblem(f"the sheet {sheet.title!r} is empty")
    rows = [(number, cells) for number, cells in enumerate(records[1:], start=first + 1)]
    return records[0], rows, []


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
