"""Exports as files: CSV for Excel and for `estbot import`, XLSX with a sheet of
observations and one of interventions, GeoJSON for a map (QGIS, uMap, ArcGIS).

The columns are storage/exchange/columns.py's; times are shown in the municipality's time zone,
with the UTC time beside them in CSV and GeoJSON (the autumn hour is ambiguous locally).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from digests.words import Words
from storage.exchange.columns import (
    CSV_ENCODING,
    LIST_SEPARATOR,
    OBSERVATION_COLUMNS,
    ExcelSwedish,
    guard_formula,
)  # fmt: skip
from storage.exchange.export import Export, InterventionRow, ObservationRow

INTERVENTION_COLUMNS: tuple[str, ...] = (
    "number", "what", "owner", "status", "follow_up_on", "evaluation", "place",
    "latitude", "longitude", "created_at", "updated_at", "observations",
)  # fmt: skip
LOCAL_MINUTES = "%Y-%m-%d %H:%M"
EXCEL_DATETIME = "yyyy-mm-dd hh:mm"
EXCEL_DATE = "yyyy-mm-dd"
WIDEST = 60  # characters: a long description wraps in its cell rather than a mile-wide column


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"


@dataclass(frozen=True)
class Rendered:
    """A file made from an export: its bytes, how many observations it holds, and how many
    were left out (GeoJSON: those without a usable point)."""

    data: bytes
    rows: int
    left_out: int = 0


@dataclass(frozen=True)
class Style:
    """How values are shown: the time zone, the language of labels and sheet names, and
    the directory photo paths are given relative to."""

    tz: ZoneInfo
    language: str = "sv"
    data_dir: Path | None = None


def render_export(fmt: ExportFormat, export: Export, style: Style) -> Rendered:
    """The export as a file of the format."""
    if fmt is ExportFormat.CSV:
        return Rendered(csv_bytes(export.observations, style), len(export.observations))
    if fmt is ExportFormat.XLSX:
        return Rendered(xlsx_bytes(export, style), len(export.observations))
    return geojson_bytes(export.observations, style)


def observation_values(row: ObservationRow, style: Style) -> dict[str, Any]:
    """One observation as typed values by column: naive local datetimes, numbers, text."""
    return {
        "reference": row.reference,
        "occurred_at": _local(row.occurred_at, style.tz),
        "occurred_at_utc": row.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reported_at": _local(row.reported_at, style.tz),
        "category": row.category,
        "category_label": row.category_label(style.language),
        "place": row.place,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "area": row.area or "",
        "description": row.description,
        "organisation": row.organisation,
        "status": row.status.value,
        "photos": row.photos,
        "photo_files": LIST_SEPARATOR.join(_relative(p, style.data_dir) for p in row.photo_files),
        "comments": row.comments,
        "interventions": LIST_SEPARATOR.join(row.interventions),
    }


def intervention_values(row: InterventionRow, style: Style) -> dict[str, Any]:
    """One intervention as typed values by column."""
    return {
        "number": row.number, "what": row.what, "owner": row.owner, "status": row.status.value,
        "follow_up_on": row.follow_up_on, "evaluation": row.evaluation, "place": row.place,
        "latitude": row.latitude, "longitude": row.longitude,
        "created_at": _local(row.created_at, style.tz),
        "updated_at": _local(row.updated_at, style.tz),
        "observations": LIST_SEPARATOR.join(row.observations),
    }  # fmt: skip


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """Naive local time to the minute, as Excel and people read it."""
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _relative(path: str, data_dir: Path | None) -> str:
    """A stored file's path relative to ESTBOT_DATA_DIR where it lies under it."""
    if data_dir is None:
        return Path(path).as_posix()
    for stored, base in ((Path(path), data_dir), (Path(path).resolve(), data_dir.resolve())):
        if stored.is_relative_to(base):
            return stored.relative_to(base).as_posix()
    return Path(path).as_posix()


def _text(value: Any) -> str:
    """A value as CSV and GeoJSON write it: times to the minute, dots in numbers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(LOCAL_MINUTES)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(rows: Iterable[ObservationRow], style: Style) -> bytes:
    """UTF-8 with BOM, `;`-separated, a header row (storage/exchange/columns.py)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect=ExcelSwedish)
    writer.writerow(OBSERVATION_COLUMNS)
    for row in rows:
        values = observation_values(row, style)
        writer.writerow(guard_formula(_text(values[column])) for column in OBSERVATION_COLUMNS)
    return out.getvalue().encode(CSV_ENCODING)


def xlsx_bytes(export: Export, style: Style) -> bytes:
    """A workbook with the observations and the interventions, each sheet with a bold,
    frozen header row with filters, real dates and numbers, and readable widths."""
    words = Words(style.language)
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    _sheet(
        book.create_sheet(words("sheet_observations")), OBSERVATION_COLUMNS,
        [observation_values(row, style) for row in export.observations],
    )  # fmt: skip
    _sheet(
        book.create_sheet(words("sheet_interventions")), INTERVENTION_COLUMNS,
        [intervention_values(row, style) for row in export.interventions],
    )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(column) for column in columns]
    for values in rows:
        sheet.append([values[column] for column in columns])
        for index, column in enumerate(columns):
            widths[index] = max(widths[index], _shown_width(values[column]))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # typed text such as "=HYPERLINK(…)" stays text
                cell.data_type = "s"
            elif isinstance(cell.value, datetime):
                cell.number_format = EXCEL_DATETIME
            elif isinstance(cell.value, date):
                cell.number_format = EXCEL_DATE
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDEST) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"


def _shown_width(value: Any) -> int:
    if isinstance(value, datetime):
        return len(EXCEL_DATETIME)
    return len(_text(value))


def usable_point(latitude: float | None, longitude: float | None) -> bool:
    """A WGS84 point a map can show: both given, finite and within range."""
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def geojson_bytes(rows: Iterable[ObservationRow], style: Style) -> Rendered:
    """An RFC 7946 FeatureCollection of Points ([longitude, latitude], WGS84, no `crs`);
    the other columns are each feature's properties. Observations without a usable point
    are left out, and counted."""
    features, left_out = [], 0
    for row in rows:
        if not usable_point(row.latitude, row.longitude):
            left_out += 1
            continue
        assert row.latitude is not None and row.longitude is not None
        values = observation_values(row, style)
        properties = {
            column: value if isinstance(value, int) else _text(value)
            for column, value in values.items()
            if column not in ("latitude", "longitude")
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row.longitude, row.latitude]},
                "properties": properties,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    data = json.dumps(collection, ensure_ascii=False, indent=1, allow_nan=False)
    return Rendered(data.encode("utf-8"), len(features), left_out)
