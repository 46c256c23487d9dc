"""An export is a valid import file: export -> import into an empty database -> export gives
the same rows, and importing an export into its own database adds nothing.

The export is the real exporter (`tests/support/observation_files.export_csv`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import make_engine, transaction
from storage.database.schema import upgrade_database
from storage.exchange.imports import ImportPlan, plan_import, write_import
from storage.exchange.sheets import read_sheet
from storage.places.areas import Areas
from storage.reports.observations import submit_draft
from storage.tables import Observation
from tests.factories import make_complete_draft, make_user, seed_categories
from tests.support.observation_files import export_csv, read_csv, write_csv

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
AREAS = Areas.from_geojson()
FORMULA = '=HYPERLINK("http://x.example";"Folie och fimpar")'  # typed by a reporter


def run_import(engine: Engine, path: Path) -> ImportPlan:
    with transaction(engine) as session:
        plan = plan_import(session=session, sheet=read_sheet(path), tz=TZ, now=NOW)
        assert plan.problems == []
        write_import(session=session, plan=plan, tz=TZ, areas=AREAS, source_name=path.name)
    return plan


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> Iterator[Engine]:
    """A second database to import into (SQLite, whichever backend the first one is)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade_database(engine)
    with transaction(engine) as session:
        seed_categories(session)
    yield engine
    engine.dispose()


def filled(engine: Engine, tmp_path: Path) -> None:
    """Two reports filed in the bot (times to the microsecond) and a spreadsheet's worth."""
    with transaction(engine) as session:
        seed_categories(session)
        anna = make_user(session, organisation="Kvarnby Bostäder")
        assert anna.id is not None
        for hour in (0, 1):  # 02:40 local time, summer time (CEST) and then winter time (CET)
            occurred = datetime(2026, 10, 25, hour, 40, 17, 123456, tzinfo=UTC)
            state = make_complete_draft(session, anna, occurred_at=occurred)
            filed = datetime(2026, 10, 25, 2, 5, 5, 987654, tzinfo=UTC)
            submit_draft(session=session, user_id=anna.id, key=state.key, tz=TZ, areas=AREAS,
                         now=filed)  # fmt: skip
    rows = [
        {"occurred_at": "2026-02-01 08:00", "category": "Nedskräpning", "latitude": "59,127",
         "longitude": "15,145", "place": "Skolgården", "description": FORMULA,
         "organisation": "Kvarnby kommun", "status": "in_progress"},
        {"occurred_at": "2026-02-02", "category": "unsafe_place", "place": "Gångtunneln",
         "description": "Mörkt, lampan trasig", "organisation": "Kvarnby kommun",
         "status": "closed", "reported_at": "2026-02-03 09:15"},
    ]  # fmt: skip
    run_import(engine, write_csv(tmp_path / "sheet.csv", rows))


def test_export_import_export_gives_the_same_rows(
    engine: Engine, empty_sqlite: Engine, tmp_path: Path
) -> None:
    filled(engine, tmp_path)
    first = export_csv(engine, tmp_path / "first.csv", TZ)
    plan = run_import(empty_sqlite, first)
    assert (len(plan.new), plan.already) == (4, 0)
    second = export_csv(empty_sqlite, tmp_path / "second.csv", TZ)
    exported = read_csv(first)
    assert len(exported) == 4 and {row["area"] for row in exported} >= {"Centrum"}
    assert read_csv(second) == exported
    # text Excel would run as a formula is written with an apostrophe and read back without
    assert "'" + FORMULA.replace('"', '""') in first.read_text(encoding="utf-8-sig")
    with transaction(empty_sqlite) as session:
        stored = session.exec(select(Observation.description)).all()
    assert FORMULA in stored
    # each database already holds all of it
    assert (len(run_import(engine, first).new), run_import(engine, second).already) == (0, 4)
    assert run_import(empty_sqlite, second).already == 4
