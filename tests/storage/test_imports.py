"""Importing observations from spreadsheets: checked as a whole, stored once, on SQLite and
PostgreSQL, from real CSV and XLSX files."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from storage.coordination.statuses import change_status
from storage.database.engine import transaction
from storage.exchange.imports import ImportPlan, plan_import, write_import
from storage.exchange.sheets import FileProblem, read_sheet
from storage.kinds import AuditAction, Role, Status
from storage.people.access import member_and_draft
from storage.places.areas import Areas
from storage.reports.observations import next_reference_number
from storage.tables import (
    AuditEntry,
    Category,
    Observation,
    Organisation,
    Outbox,
    ReferenceCounter,
    User,
)
from tests.factories import make_user, seed_categories
from tests.support.observation_files import date_cell, local_cell, write_csv, write_xlsx

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def row(**overrides: Any) -> dict[str, Any]:
    """A good row, as a person would type it into a spreadsheet."""
    fields: dict[str, Any] = {
        "occurred_at": "2026-03-14 21:30",
        "category": "vandalism",
        "latitude": "59.1262",
        "longitude": "15.1418",
        "place": "Kvarnparken",
        "description": "Krossad ruta i busskuren",
        "organisation": "Kvarnby kommun",
    }
    return {**fields, **overrides}


@pytest.fixture
def db(engine: Engine) -> Engine:
    with transaction(engine) as session:
        seed_categories(session)
    return engine


def run_import(engine: Engine, path: Path, areas: Areas | None = None) -> ImportPlan:
    """What `estbot import observations` does: plan, and write the plan if it has no problems."""
    with transaction(engine) as session:
        plan = plan_import(session=session, sheet=read_sheet(path), tz=TZ, now=NOW)
        if not plan.problems:
            write_import(session=session, plan=plan, tz=TZ, areas=areas, source_name=path.name)
    return plan


def stored(engine: Engine) -> list[tuple[Observation, str]]:
    with transaction(engine) as session:
        rows = session.exec(
            select(Observation, Category.code)
            .join(Category, col(Observation.category_id) == col(Category.id))
            .order_by(col(Observation.id))
        ).all()
    return [(observation, code) for observation, code in rows]


def count(session: Session, table: Any) -> int:
    return len(session.exec(select(table)).all())


def test_a_bad_file_changes_nothing_and_names_every_bad_row(db: Engine, tmp_path: Path) -> None:
    rows = [
        row(),  # 2: good
        row(category="unicorns"),  # 3
        row(occurred_at="2026-03-29 02:30"),  # 4: the clocks jump from 02:00 to 03:00
        row(longitude=""),  # 5
        row(latitude="95"),  # 6
        row(occurred_at="14/3/2026"),  # 7
        row(occurred_at="2027-01-01 10:00"),  # 8
        row(reference="ABC-1"),  # 9
        row(status="done"),  # 10
        row(description="Ring 070-123 45 67"),  # 11
        row(organisation=" "),  # 12
        row(),  # 13: the same as row 2
        row(occurred_at="", category=""),  # 14: two reasons at once
        row(reference="EST-2026-0007"),  # 15
        row(reference="est-2026-0007", description="another"),  # 16: the same reference
    ]
    plan = run_import(db, write_csv(tmp_path / "bad.csv", rows))
    reasons = dict(plan.problems)
    assert sorted(reasons) == list(range(3, 15)) + [16]
    expected = {
        3: "category 'unicorns' is unknown", 4: "does not exist in Europe/Stockholm",
        5: "both latitude and longitude", 6: "latitude 95.0 is not between -90 and 90",
        7: "'14/3/2026' is not a time", 8: "is in the future",
        9: "not like EST-2026-0042", 10: "status 'done' is unknown",
        11: "personnummer or phone number", 12: "organisation is empty", 13: "repeats row 2",
        14: "occurred_at is empty; category is empty", 16: "EST-2026-0007 is in row 15 too",
    }  # fmt: skip
    for number, fragment in expected.items():
        assert fragment in reasons[number], (number, reasons[number])
    with transaction(db) as session:
        assert [count(session, t) for t in (Observation, Organisation, User)] == [0, 0, 0]
        assert count(session, ReferenceCounter) == count(session, AuditEntry) == 0


def test_a_second_import_adds_nothing_and_given_references_move_the_counter(
    db: Engine, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "obs.csv",
        [row(reference="EST-2026-0100"), row(description="Ny"), row(category="graffiti")],
    )
    first = run_import(db, path)
    assert (len(first.new), first.already) == (3, 0)
    again = run_import(db, path)
    assert (len(again.new), again.already, again.problems) == (0, 3, [])
    observations = stored(db)
    assert [o.reference for o, _ in observations] == [
        "EST-2026-0100", "EST-2026-0101", "EST-2026-0102",
    ]  # fmt: skip
    assert {o.source for o, _ in observations} == {"import"}
    with transaction(db) as session:
        assert next_reference_number(session=session, year=2026) == 103  # the bot goes on
        reporter = session.get_one(User, observations[0][0].reporter_id)
        organisation = session.get_one(Organisation, reporter.organisation_id)
        audit = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert (reporter.full_name, reporter.active, reporter.telegram_id) == (
        "Import", False, -(organisation.id or 0),
    )  # fmt: skip
    assert not (reporter.notify_status or reporter.notify_comments)
    assert [(a.action, a.rows, a.detail) for a in audit] == [
        (AuditAction.IMPORT, 3, {"already_there": 0}),
        (AuditAction.IMPORT, 0, {"already_there": 3}),
    ]


def test_a_reference_held_by_another_observation_is_refused(db: Engine, tmp_path: Path) -> None:
    run_import(db, write_csv(tmp_path / "one.csv", [row(reference="EST-2026-0001")]))
    other = row(reference="EST-2026-0001", occurred_at="2026-05-01 10:00")
    plan = run_import(db, write_csv(tmp_path / "two.csv", [other]))
    assert plan.problems == [(2, plan.problems[0][1])]
    assert "EST-2026-0001 belongs to another observation" in plan.problems[0][1]


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(";", True), (";", False), (",", True), (",", False)]
)
def test_csv_with_either_delimiter_with_or_without_bom(
    db: Engine, tmp_path: Path, delimiter: str, bom: bool
) -> None:
    text = 'Klotter på väggen; "tag", igen\noch en rad till'
    rows = [row(latitude="59,1262", longitude="15,1418", description=text, place="Åvägen")]
    plan = run_import(db, write_csv(tmp_path / "o.csv", rows, delimiter=delimiter, bom=bom))
    assert plan.problems == [] and plan.notes == []
    [(observation, _)] = stored(db)
    assert (observation.latitude, observation.longitude) == (59.1262, 15.1418)
    assert (observation.description, observation.place_text) == (text, "Åvägen")
    assert observation.occurred_at == datetime(2026, 3, 14, 20, 30, tzinfo=UTC)


def test_old_excel_csv_is_read_as_windows_1252_and_said_so(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "old.csv", [row(description="Skräp på ängen")], encoding="cp1252")
    plan = run_import(db, path)
    assert plan.problems == [] and "Windows-1252" in plan.notes[0]
    assert stored(db)[0][0].description == "Skräp på ängen"


def test_xlsx_with_real_times_dates_and_numbers_from_its_observations_sheet(
    db: Engine, tmp_path: Path
) -> None:
    rows = [
        row(occurred_at=local_cell(2026, 7, 1, 22, 15), latitude=59.1262, longitude=15.1418),
        row(occurred_at=date_cell(2026, 1, 10), latitude=None, longitude=None, place="Torget"),
        row(occurred_at="2026-02-03T07:05", extra="ignored"),
    ]
    path = write_xlsx(tmp_path / "obs.xlsx", rows, sheet="Observationer", before="Läs mig")
    plan = run_import(db, path, areas=Areas.from_geojson())
    assert plan.problems == [] and plan.notes == ["ignored the unknown column(s): extra"]
    observations = [o for o, _ in stored(db)]
    assert [o.occurred_at for o in observations] == [
        datetime(2026, 7, 1, 20, 15, tzinfo=UTC),  # summer time
        datetime(2026, 1, 10, 11, 0, tzinfo=UTC),  # a date alone is noon, local time
        datetime(2026, 2, 3, 6, 5, tzinfo=UTC),
    ]
    assert [o.area for o in observations] == ["Centrum", None, "Centrum"]
    assert [o.place_source.value for o in observations] == ["pin", "text", "pin"]


def test_category_by_code_or_swedish_or_english_label(db: Engine, tmp_path: Path) -> None:
    names = ["vandalism", "KLOTTER", "skadegörelse", "Suspected drug dealing", " Graffiti "]
    rows = [row(category=name, description=f"nr {i}") for i, name in enumerate(names)]
    assert run_import(db, write_csv(tmp_path / "c.csv", rows)).problems == []
    assert [code for _, code in stored(db)] == [
        "vandalism", "graffiti", "vandalism", "drugs", "graffiti",
    ]  # fmt: skip


def test_the_autumn_hour_is_told_apart_by_occurred_at_utc(db: Engine, tmp_path: Path) -> None:
    rows = [
        row(occurred_at="2026-10-25 02:30", occurred_at_utc="2026-10-25T00:30:00Z"),
        row(occurred_at="2026-10-25 02:30", occurred_at_utc="2026-10-25T01:30:00Z"),
        row(occurred_at="2026-10-25 02:30", description="no UTC: the first 02:30"),
        row(occurred_at="2026-03-29 02:30", occurred_at_utc="2026-03-29T01:30:00Z"),
    ]
    assert run_import(db, write_csv(tmp_path / "dst.csv", rows)).problems == []
    assert [o.occurred_at.hour for o, _ in stored(db)] == [0, 1, 0, 1]
    wrong = [row(occurred_at="2026-10-25 02:30", occurred_at_utc="2026-10-25T05:00:00Z")]
    plan = run_import(db, write_csv(tmp_path / "wrong.csv", wrong))
    assert "are different times" in dict(plan.problems)[2]


def test_five_thousand_rows_are_stored_in_one_transaction(db: Engine, tmp_path: Path) -> None:
    rows = [
        row(occurred_at=f"2026-{1 + i % 10:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}",
            description=f"Observation {i}")
        for i in range(5000)
    ]  # fmt: skip
    path = write_csv(tmp_path / "large.csv", rows)
    commits: list[object] = []

    def count_commit(connection: object) -> None:
        commits.append(connection)

    event.listen(db, "commit", count_commit)
    started = time.monotonic()
    plan = run_import(db, path, areas=Areas.from_geojson())
    elapsed = time.monotonic() - started
    event.remove(db, "commit", count_commit)
    assert plan.problems == [] and len(plan.new) == 5000
    assert len(commits) == 1, "one transaction"
    assert elapsed < 60, f"{elapsed:.1f} s"
    observations = stored(db)
    assert len(observations) == 5000 and observations[-1][0].reference == "EST-2026-5000"
    assert all(o.area == "Centrum" for o, _ in observations)
    assert run_import(db, path).already == 5000


def test_the_import_reporter_is_never_sent_anything_and_cannot_sign_in(
    db: Engine, tmp_path: Path
) -> None:
    run_import(db, write_csv(tmp_path / "one.csv", [row()]))
    [(observation, _)] = stored(db)
    assert observation.id is not None
    with transaction(db) as session:
        coordinator = make_user(session, role=Role.COORDINATOR)
        assert coordinator.id is not None
        reporter = session.get_one(User, observation.reporter_id)
        changed = change_status(
            session=session, observation_id=observation.id, status=Status.RESOLVED,
            by_user_id=coordinator.id,
        )  # fmt: skip
        kinds = [item.kind for item in session.exec(select(Outbox)).all()]
        assert member_and_draft(session=session, telegram_id=reporter.telegram_id) is None
    assert changed.changed and kinds == []  # no notice to the placeholder (and no cards)


def test_references_that_do_not_fit_are_refused(db: Engine, tmp_path: Path) -> None:
    rows = [row(reference="EST-2026-123456789"), row(reference="EST-2026-0000", place="B"),
            row(reported_at="2026-03-29 02:15", place="C")]  # fmt: skip
    reasons = dict(run_import(db, write_csv(tmp_path / "r.csv", rows)).problems)
    assert "not like EST-2026-0042" in reasons[2] and "not like EST-2026-0042" in reasons[3]
    assert reasons[4].startswith("reported_at '2026-03-29 02:15' does not exist")
    assert reasons[4].endswith("that night); correct it")


def test_the_rows_come_from_the_file_as_it_was_opened(tmp_path: Path) -> None:
    """Read through one handle, from the header to the last row: a file saved anew (a new
    file put in its place, as Excel saves) meanwhile is not read half old, half new."""
    path = write_csv(tmp_path / "a.csv", [row(place=f"P{n}") for n in range(300)])
    sheet = read_sheet(path)
    swapped = write_csv(tmp_path / "b.csv", [row(place="other", description="x")])
    swapped.replace(path)
    places = [cells["place"] for _, cells in sheet.rows]
    assert places == [f"P{n}" for n in range(300)]


def test_a_file_changed_in_place_while_read_is_refused_not_misread(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row(place=f"P{n}") for n in range(300)])
    sheet = read_sheet(path)  # the encoding is checked now: UTF-8
    with path.open("r+b") as file:  # then bytes that are not UTF-8, far past the header
        file.seek(-40, 2)
        file.write(b"\xff\xfe\xff")
    with pytest.raises(FileProblem, match="changed while it was read"):
        list(sheet.rows)
