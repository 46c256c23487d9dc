"""The export files as the programs that read them see them: the CSV through the csv
module (as Swedish Excel splits it), the XLSX through openpyxl, the GeoJSON against the
structure RFC 7946 asks for (checked here by hand: no extra dependency for it)."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import create_engine

from digests.exports import (
    INTERVENTION_COLUMNS,
    ExportFormat,
    Style,
    _csv_cells,
    _text,
    fit_upload,
    geojson_bytes,
    observation_values,
    render_export,
    write_xlsx,
)
from storage.database.engine import transaction
from storage.database.schema import upgrade_database
from storage.exchange.columns import OBSERVATION_COLUMNS, guard_formula
from storage.exchange.export import Export, ExportFilter, export_rows
from tests.storage.export_world import TZ, seed_export_world


def seeded_export(tmp_path: Path) -> tuple[Export, Style]:
    engine = create_engine(f"sqlite:///{tmp_path / 'estbot.db'}")
    upgrade_database(engine)
    seed_export_world(engine, tmp_path / "data")
    with transaction(engine) as session:
        export = export_rows(session=session, chosen=ExportFilter())
    engine.dispose()
    return export, Style(TZ, "sv", tmp_path / "data")


def test_the_csv_is_utf8_with_a_bom_semicolons_and_a_header_as_the_exchange_columns(
    tmp_path: Path,
) -> None:
    export, style = seeded_export(tmp_path)
    data = render_export(ExportFormat.CSV, export, style).data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == OBSERVATION_COLUMNS and len(rows) == len(export.observations)
    first, source = rows[0], export.observations[0]
    assert first["reference"] == source.reference
    assert first["occurred_at"] == source.occurred_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    assert datetime.fromisoformat(first["occurred_at_utc"]) == source.occurred_at.replace(
        microsecond=0
    )
    assert first["occurred_at_utc"].endswith("Z")
    assert "förskolan, åäö" in first["description"] and first["organisation"] in (
        "Kvarnby kommun", "Kvarnbyhem",
    )  # fmt: skip
    with_photos = next(r for r in rows if int(r["photos"]) > 1)
    files = with_photos["photo_files"].split(" | ")
    assert len(files) == int(with_photos["photos"]) and files[0].startswith("photos/p")
    placed = next(r for r in rows if r["latitude"])
    assert float(placed["latitude"]) > 59 and "." in placed["latitude"]
    assert any(r["interventions"].startswith("#") for r in rows)


def test_the_workbook_has_both_sheets_with_real_datetimes_numbers_and_a_frozen_bold_header(
    tmp_path: Path,
) -> None:
    export, style = seeded_export(tmp_path)
    for language, sheets in (("sv", ["Observationer", "Insatser"]),
                             ("en", ["Observations", "Interventions"])):  # fmt: skip
        data = render_export(ExportFormat.XLSX, export, replace(style, language=language)).data
        book = load_workbook(io.BytesIO(data))
        assert book.sheetnames == sheets
    observations, interventions = book.worksheets
    header = [cell.value for cell in observations[1]]
    assert tuple(header) == OBSERVATION_COLUMNS
    assert tuple(c.value for c in interventions[1]) == INTERVENTION_COLUMNS
    assert observations.max_row == len(export.observations) + 1
    assert interventions.max_row == len(export.interventions) + 1
    assert all(cell.font.bold for cell in observations[1])
    assert observations.freeze_panes == "A2" and observations.auto_filter.ref
    column = {name: index for index, name in enumerate(header)}
    for row, source in zip(observations.iter_rows(min_row=2), export.observations, strict=True):
        occurred = row[column["occurred_at"]]
        assert isinstance(occurred.value, datetime) and occurred.value.tzinfo is None
        assert occurred.value == source.occurred_at.astimezone(TZ).replace(
            tzinfo=None, second=0, microsecond=0
        )
        assert occurred.number_format == "yyyy-mm-dd hh:mm"
        assert isinstance(row[column["reported_at"]].value, datetime)
        for count in ("photos", "comments"):
            assert type(row[column[count]].value) is int
        latitude = row[column["latitude"]].value
        assert latitude is None or isinstance(latitude, float)
        assert row[column["category_label"]].value == source.category_label_en
    widths = {letter: observations.column_dimensions[letter].width for letter in "ABK"}
    assert widths == {"A": len("EST-2026-0001") + 2, "B": len("yyyy-mm-dd hh:mm") + 2,
                      "K": max(len(r.description) for r in export.observations) + 2}  # fmt: skip
    long = Export([replace(export.observations[0], description="ord " * 200)], [])
    book = load_workbook(io.BytesIO(render_export(ExportFormat.XLSX, long, style).data))
    assert book.worksheets[0].column_dimensions["K"].width == 62  # capped: it wraps instead
    typed = Export([replace(export.observations[0], description='=HYPERLINK("http://x")')], [])
    book = load_workbook(io.BytesIO(render_export(ExportFormat.XLSX, typed, style).data))
    assert book.worksheets[0]["K2"].data_type == "s"  # what a reporter typed is no formula
    assert isinstance(interventions.cell(2, 1).value, int)
    assert isinstance(interventions.cell(2, INTERVENTION_COLUMNS.index("created_at") + 1).value,
                      datetime)  # fmt: skip


def rfc7946_problems(document: Any) -> list[str]:
    """What keeps a document from being an RFC 7946 FeatureCollection of Points."""
    problems = []
    if document.get("type") != "FeatureCollection" or not isinstance(document["features"], list):
        return ["not a FeatureCollection with a features array"]
    if "crs" in document:
        problems.append("a crs member (RFC 7946 section 4 removed it)")
    for index, feature in enumerate(document["features"]):
        geometry = feature.get("geometry") or {}
        if feature.get("type") != "Feature" or not isinstance(feature.get("properties"), dict):
            problems.append(f"feature {index}: not a Feature with properties")
        position = geometry.get("coordinates")
        if geometry.get("type") != "Point" or not isinstance(position, list) or len(position) != 2:
            problems.append(f"feature {index}: not a Point of two numbers")
            continue
        longitude, latitude = position
        if not all(isinstance(v, float | int) and math.isfinite(v) for v in position):
            problems.append(f"feature {index}: coordinates not finite numbers")
        elif not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            problems.append(f"feature {index}: coordinates out of range")
    return problems


def test_the_geojson_is_a_valid_feature_collection_of_points_lon_lat_without_the_unplaced(
    tmp_path: Path,
) -> None:
    export, style = seeded_export(tmp_path)
    odd = export.observations[0]
    broken = [replace(odd, latitude=float("nan")), replace(odd, latitude=91.0),
              replace(odd, longitude=None)]  # fmt: skip
    rendered = geojson_bytes([*export.observations, *broken], style)
    document = json.loads(rendered.data)
    assert rfc7946_problems(document) == []
    placed = [r for r in export.observations if r.latitude is not None]
    unplaced = len(export.observations) - len(placed)
    assert unplaced > 0 and rendered.left_out == unplaced + len(broken)
    assert rendered.rows == len(document["features"]) == len(placed)
    feature, source = document["features"][0], placed[0]
    assert feature["geometry"]["coordinates"] == [source.longitude, source.latitude]
    properties = feature["properties"]
    assert set(properties) == set(OBSERVATION_COLUMNS) - {"latitude", "longitude"}
    assert properties["reference"] == source.reference and type(properties["photos"]) is int
    point = {"type": "Point", "coordinates": [15.1, 95.0]}
    wrong = {"type": "FeatureCollection", "crs": {},
             "features": [{"type": "Feature", "properties": {}, "geometry": point}]}  # fmt: skip
    assert rfc7946_problems(wrong) == [
        "a crs member (RFC 7946 section 4 removed it)",
        "feature 0: coordinates out of range",
    ]  # the check itself can fail
    assert datetime.fromisoformat(properties["occurred_at_utc"]).tzinfo == UTC


def test_past_the_rows_of_a_sheet_the_observations_go_on_in_a_second_one_never_an_empty_third(
    tmp_path: Path,
) -> None:
    export, style = seeded_export(tmp_path)
    rows = list(export.observations)
    for per_sheet, expected in ((len(rows) - 1, [len(rows) - 1, 1]), (len(rows), [len(rows)])):
        out = io.BytesIO()
        written = write_xlsx(Export(iter(rows), export.interventions), style, out,
                             per_sheet=per_sheet)  # fmt: skip
        book = load_workbook(io.BytesIO(out.getvalue()))
        sheets = ["Observationer", "Observationer 2"][: len(expected)] + ["Insatser"]
        assert book.sheetnames == sheets and written.rows == len(rows)
        assert [sheet.max_row - 1 for sheet in book.worksheets[:-1]] == expected
        last = book.worksheets[len(expected) - 1]
        assert last.cell(last.max_row, 1).value == rows[-1].reference  # in order, none lost
        assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)


def test_a_file_too_large_to_upload_is_zipped_and_one_too_large_even_zipped_is_refused() -> None:
    text = ("EST-2026-0001;Klotter på gaveln\n" * 4000).encode()
    small = fit_upload(io.BytesIO(text), "a.csv", len(text))
    assert small is not None and small[1] == "a.csv" and small[0].read() == text
    zipped = fit_upload(io.BytesIO(text), "a.csv", len(text) - 1)
    assert zipped is not None and zipped[1] == "a.csv.zip"
    with zipfile.ZipFile(zipped[0]) as archive:
        assert archive.namelist() == ["a.csv"] and archive.read("a.csv") == text
    noise = random.Random(7).randbytes(100_000)  # does not compress
    assert fit_upload(io.BytesIO(noise), "a.csv", 99_999) is None


def test_the_csv_cells_are_the_values_every_other_format_shows(tmp_path: Path) -> None:
    export, style = seeded_export(tmp_path)
    first = export.observations[0]
    odd = [replace(first, description='=HYPERLINK("http://x")', place="+46 vid porten"),
           replace(first, latitude=None, longitude=None, area=None)]  # fmt: skip
    cells = _csv_cells(style)
    for row in [*export.observations, *odd]:
        values = observation_values(row, style)
        assert cells(row) == [guard_formula(_text(values[c])) for c in OBSERVATION_COLUMNS]
