"""Spreadsheets of observations for the import tests: CSV in any dialect, XLSX, and an
export of a database in the shared column format (storage/exchange/columns.py).

`export_csv` is the real exporter (storage/exchange/export.py, digests/exports.py) on a whole
database, as `estbot export --format csv` runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from digests.exports import Style, csv_bytes
from storage.database.engine import transaction
from storage.exchange.columns import CSV_ENCODING, OBSERVATION_COLUMNS, ExcelSwedish
from storage.exchange.export import ExportFilter, export_rows

Row = Mapping[str, Any]


def write_csv(
    path: Path, rows: Sequence[Row], *, delimiter: str = ";", bom: bool = True,
    columns: Sequence[str] | None = None, encoding: str | None = None,
) -> Path:  # fmt: skip
    """A CSV file with a header of `columns` (default: every key of the rows)."""
    header = list(columns or _keys(rows))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in header])
    path.write_bytes(out.getvalue().encode(encoding or ("utf-8-sig" if bom else "utf-8")))
    return path


def write_xlsx(
    path: Path, rows: Sequence[Row], *, sheet: str = "Observationer", before: str | None = None
) -> Path:
    """An .xlsx file; with `before`, an unrelated sheet of that name comes first."""
    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    if before is not None:
        first.title = before
        first.append(["not", "observations"])
        target = workbook.create_sheet(sheet)
    else:
        first.title = sheet
        target = first
    header = _keys(rows)
    target.append(header)
    for row in rows:
        target.append([row.get(name) for name in header])
    workbook.save(path)
    return path


def _keys(rows: Sequence[Row]) -> list[str]:
    return list(dict.fromkeys(name for row in rows for name in row)) or list(OBSERVATION_COLUMNS)


def export_csv(engine: Engine, path: Path, tz: ZoneInfo) -> Path:
    """Every observation, written by the real exporter as `estbot export --format csv`."""
    with transaction(engine) as session:
        export = export_rows(session=session, chosen=ExportFilter())
    path.write_bytes(csv_bytes(export.observations, Style(tz=tz)))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of an exported CSV file, by column."""
    with path.open(encoding=CSV_ENCODING, newline="") as source:
        return list(csv.DictReader(source, dialect=ExcelSwedish))


def local_cell(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A real Excel time cell (no zone: the sheet's times are local)."""
    return datetime(year, month, day, hour, minute)


def date_cell(year: int, month: int, day: int) -> date:
    return date(year, month, day)
