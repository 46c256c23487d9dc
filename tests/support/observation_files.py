"""Spreadsheets of observations for the import tests: CSV in any dialect, XLSX, and an
export of a database in the shared column format (storage/exchange.py).

`export_csv` is a stand-in for `estbot export` until that is built: it writes what
COLUMNS.md says an export holds. Swap its body for the real exporter and every round-trip
test then checks the real thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import col, select

from storage.engine import transaction
from storage.exchange import CSV_ENCODING, OBSERVATION_COLUMNS, ExcelSwedish
from storage.models import Category, Observation, Organisation

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
    """Every observation as `estbot export` writes it (see the module docstring)."""
    with transaction(engine) as session:
        rows = session.exec(
            select(Observation, Category, Organisation)
            .join(Category, col(Observation.category_id) == col(Category.id))
            .join(Organisation, col(Observation.organisation_id) == col(Organisation.id))
            .order_by(col(Observation.reference))
        ).all()
    with path.open("w", encoding=CSV_ENCODING, newline="") as out:
        writer = csv.writer(out, dialect=ExcelSwedish)
        writer.writerow(OBSERVATION_COLUMNS)
        for observation, category, organisation in rows:
            values = _exported(observation, category, organisation, tz)
            writer.writerow([values[name] for name in OBSERVATION_COLUMNS])
    return path


def _exported(
    observation: Observation, category: Category, organisation: Organisation, tz: ZoneInfo
) -> dict[str, str]:
    def local(when: datetime) -> str:
        return f"{when.astimezone(tz):%Y-%m-%d %H:%M}"

    def number(value: float | None) -> str:
        return "" if value is None else repr(value)

    return {
        "reference": observation.reference,
        "occurred_at": local(observation.occurred_at),
        "occurred_at_utc": f"{observation.occurred_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "reported_at": local(observation.reported_at),
        "category": category.code,
        "category_label": category.label_sv,
        "place": observation.place_name or observation.place_text,
        "latitude": number(observation.latitude),
        "longitude": number(observation.longitude),
        "area": observation.area or "",
        "description": observation.description,
        "organisation": organisation.name,
        "status": observation.status.value,
        "photos": "0",
        "photo_files": "",
        "comments": "0",
        "interventions": "",
    }


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of an exported CSV file, by column."""
    with path.open(encoding=CSV_ENCODING, newline="") as source:
        return list(csv.DictReader(source, dialect=ExcelSwedish))


def local_cell(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A real Excel time cell (no zone: the sheet's times are local)."""
    return datetime(year, month, day, hour, minute)


def date_cell(year: int, month: int, day: int) -> date:
    return date(year, month, day)
