"""Exports as files: CSV for Excel and for `estbot import`, XLSX with a sheet of
observations and one of interventions, GeoJSON for a map (QGIS, uMap, ArcGIS).

The columns are storage/exchange/columns.py's; times are shown in the municipality's time zone,
with the UTC time beside them in CSV and GeoJSON (the autumn hour is ambiguous locally).

Files are written while the rows are read, to a binary file: a million observations take
the memory of a batch, not of the file. XLSX uses openpyxl's write-only mode (its widths
come from the first rows) and continues on a second sheet past Excel's 1,048,576 rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digests.words import Words
from storage.exchange.columns import (
    CSV_ENCODING,
    LIST_SEPARATOR,
    OBSERVATION_COLUMNS,
    ExcelSwedish,
    guard_formula,
)  # fmt: skip
from storage.exchange.export import Export, InterventionRow, ObservationRow

if TYPE_CHECKING:  # openpyxl (30 MiB) is loaded when a workbook is written
    from openpyxl import Workbook

INTERVENTION_COLUMNS: tuple[str, ...] = (
    "number", "what", "owner", "status", "follow_up_on", "evaluation", "place",
    "latitude", "longitude", "created_at", "updated_at", "observations",
)  # fmt: skip
LOCAL_MINUTES = "%Y-%m-%d %H:%M"
EXCEL_DATETIME = "yyyy-mm-dd hh:mm"
EXCEL_DATE = "yyyy-mm-dd"
WIDEST = 60  # characters: a long description wraps in its cell rather than a mile-wide column
WIDTH_SAMPLE = 1000  # rows read before a sheet's column widths are set (write-only mode)
EXCEL_ROWS = 1_048_576  # per sheet, the header included


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"


@dataclass(frozen=True)
class Written:
    """What a file holds: how many observations, how many were left out (GeoJSON: those
    without a usable point), and how many interventions (XLSX)."""

    rows: int
    left_out: int = 0
    interventions: int = 0


@dataclass(frozen=True)
class Rendered:
    """A file made in memory from an export: its bytes, and as `Written`."""

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


def write_export(fmt: ExportFormat, export: Export, style: Style, out: IO[bytes]) -> Written:
    """Write the export as a file of the format, reading its rows as it goes."""
    if fmt is ExportFormat.CSV:
        return write_csv(export.observations, style, out)
    if fmt is ExportFormat.XLSX:
        return write_xlsx(export, style, out)
    return write_geojson(export.observations, style, out)


def render_export(fmt: ExportFormat, export: Export, style: Style) -> Rendered:
    """The export as a file of the format, in memory (for a few rows)."""
    out = io.BytesIO()
    written = write_export(fmt, export, style, out)
    return Rendered(out.getvalue(), written.rows, written.left_out)


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


def write_csv(rows: Iterable[ObservationRow], style: Style, out: IO[bytes]) -> Written:
    """UTF-8 with BOM, `;`-separated, a header row (storage/exchange/columns.py)."""
    text = io.TextIOWrapper(out, encoding=CSV_ENCODING, newline="", write_through=False)
    writer = csv.writer(text, dialect=ExcelSwedish)
    writer.writerow(OBSERVATION_COLUMNS)
    count, cells = 0, _csv_cells(style)
    for row in rows:
        writer.writerow(cells(row))
        count += 1
    text.flush()
    text.detach()  # the caller's file stays open
    return Written(count)


def _csv_cells(style: Style) -> Callable[[ObservationRow], list[str]]:
    """One observation's CSV cells, in OBSERVATION_COLUMNS' order: the same values as
    `observation_values` and `_text` give, made directly (a million rows spent 4 of
    every 5 seconds building and reading back those dicts). What a person typed is
    guarded against being read as a formula; numbers and times are not typed text."""
    tz, language, data_dir = style.tz, style.language, style.data_dir

    def cells(row: ObservationRow) -> list[str]:
        occurred, occurred_utc, reported = _times(row, tz)
        return [
            guard_formula(row.reference),
            occurred,
            occurred_utc,
            reported,
            guard_formula(row.category),
            guard_formula(row.category_label(language)),
            guard_formula(row.place),
            "" if row.latitude is None else str(row.latitude),
            "" if row.longitude is None else str(row.longitude),
            guard_formula(row.area or ""),
            guard_formula(row.description),
            guard_formula(row.organisation),
            row.status.value,
            str(row.photos),
            guard_formula(LIST_SEPARATOR.join(_relative(p, data_dir) for p in row.photo_files)),
            str(row.comments),
            guard_formula(LIST_SEPARATOR.join(row.interventions)),
        ]

    return cells


def _times(row: ObservationRow, tz: ZoneInfo) -> tuple[str, str, str]:
    """occurred_at (local, to the minute), occurred_at_utc and reported_at as text: what
    `_text` makes of `observation_values`' times, made directly."""
    return (
        row.occurred_at.astimezone(tz).isoformat(" ", "minutes")[:16],
        row.occurred_at.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z",
        row.reported_at.astimezone(tz).isoformat(" ", "minutes")[:16],
    )


def csv_bytes(rows: Iterable[ObservationRow], style: Style) -> bytes:
    """The CSV in memory (for a few rows)."""
    out = io.BytesIO()
    write_csv(rows, style, out)
    return out.getvalue()


def write_xlsx(
    export: Export, style: Style, out: IO[bytes], *, per_sheet: int = EXCEL_ROWS - 1
) -> Written:
    """A workbook with the observations and the interventions, each sheet with a bold,
    frozen header row with filters, real dates and numbers, and readable widths; past
    Excel's row limit the observations go on in a second sheet ("Observationer 2")."""
    from openpyxl import Workbook

    words = Words(style.language)
    book = Workbook(write_only=True)
    observations: Iterator[dict[str, Any]] = (
        observation_values(row, style) for row in export.observations
    )
    count, part = 0, 1
    while True:
        title = words("sheet_observations") + (f" {part}" if part > 1 else "")
        written = _sheet(book, title, OBSERVATION_COLUMNS,
                         itertools.islice(observations, per_sheet))  # fmt: skip
        count += written
        following = next(observations, None) if written == per_sheet else None
        if following is None:
            break
        observations, part = itertools.chain([following], observations), part + 1
    interventions = [intervention_values(row, style) for row in export.interventions]
    _sheet(book, words("sheet_interventions"), INTERVENTION_COLUMNS, iter(interventions))
    book.save(out)
    return Written(count, interventions=len(interventions))


def _sheet(
    book: Workbook, title: str, columns: Sequence[str], rows: Iterator[dict[str, Any]]
) -> int:
    """One sheet, written as the rows come; its widths from the first rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Any: a write-only sheet gets column_dimensions and auto_filter in _setup(), unseen by mypy
    sheet: Any = book.create_sheet(title)
    first = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = [len(column) for column in columns]
    for values in first:
        for index, column in enumerate(columns):
            widths[index] = max(widths[index], _shown_width(values[column]))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDEST) + 2
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for values in itertools.chain(first, rows):
        sheet.append([_cell(sheet, values[column], WriteOnlyCell) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def _cell(sheet: Any, value: Any, make: Any) -> Any:
    """A value as a cell: dates with their format, text never a formula."""
    if isinstance(value, str):
        if not value.startswith("="):
            return value
        cell = make(sheet, value)
        cell.data_type = "s"  # typed text such as "=HYPERLINK(…)" stays text
        return cell
    if isinstance(value, datetime | date):
        cell = make(sheet, value)
        cell.number_format = EXCEL_DATETIME if isinstance(value, datetime) else EXCEL_DATE
        return cell
    return value


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


def write_geojson(rows: Iterable[ObservationRow], style: Style, out: IO[bytes]) -> Written:
    """An RFC 7946 FeatureCollection of Points ([longitude, latitude], WGS84, no `crs`),
    a feature a line; the other columns are each feature's properties. Observations
    without a usable point are left out, and counted."""
    out.write(b'{"type": "FeatureCollection", "features": [\n')
    count, left_out, properties = 0, 0, _geojson_properties(style)
    for row in rows:
        if not usable_point(row.latitude, row.longitude):
            left_out += 1
            continue
        # the feature's frame written directly, its properties by json: the same document
        # as json.dumps of the whole feature, in half the time
        line = (
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": '
            f'[{row.longitude!r}, {row.latitude!r}]}}, "properties": '
            f"{json.dumps(properties(row), ensure_ascii=False, allow_nan=False)}}}"
        )
        out.write((",\n" + line if count else line).encode("utf-8"))
        count += 1
    out.write(b"\n]}\n")
    return Written(count, left_out)


def _geojson_properties(style: Style) -> Callable[[ObservationRow], dict[str, str | int]]:
    """One observation's GeoJSON properties: every column but the coordinates, as text
    (the counts as numbers), the same values as the CSV's without the formula guard."""
    tz, language, data_dir = style.tz, style.language, style.data_dir

    def properties(row: ObservationRow) -> dict[str, str | int]:
        occurred, occurred_utc, reported = _times(row, tz)
        return {
            "reference": row.reference,
            "occurred_at": occurred,
            "occurred_at_utc": occurred_utc,
            "reported_at": reported,
            "category": row.category,
            "category_label": row.category_label(language),
            "place": row.place or "",
            "area": row.area or "",
            "description": row.description or "",
            "organisation": row.organisation,
            "status": row.status.value,
            "photos": row.photos,
            "photo_files": LIST_SEPARATOR.join(_relative(p, data_dir) for p in row.photo_files),
            "comments": row.comments,
            "interventions": LIST_SEPARATOR.join(row.interventions),
        }

    return properties


def geojson_bytes(rows: Iterable[ObservationRow], style: Style) -> Rendered:
    """The GeoJSON in memory (for a few rows)."""
    out = io.BytesIO()
    written = write_geojson(rows, style, out)
    return Rendered(out.getvalue(), written.rows, written.left_out)


def fit_upload(file: IO[bytes], name: str, limit: int) -> tuple[IO[bytes], str] | None:
    """The file (read from its start) as it may be uploaded: itself within `limit` bytes,
    else zipped under `name`.zip, or None when even the zip is larger."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size <= limit:
        return file, name
    packed = tempfile.TemporaryFile()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            shutil.copyfileobj(file, member, 1 << 20)
    if packed.tell() > limit:
        packed.close()
        return None
    packed.seek(0)
    return packed, f"{name}.zip"
