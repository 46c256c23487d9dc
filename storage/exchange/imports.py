"""`estbot import observations`: a spreadsheet of observations checked as a whole, then
stored in one transaction, once.

A file with any bad row changes nothing. Each row has a key (a sha256 of what makes it the
same observation) kept in `Observation.draft_key`, so importing a file again adds only what
is new. Imported rows are reported by an inactive placeholder person of their organisation,
"Import", whose Telegram id is minus the organisation's id: Telegram's user ids are
positive, so no one can ever sign in as it, and nothing is ever sent to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.exchange.planned import FirstRowOfKey, PlannedRows
from storage.exchange.rows import ImportRow, RowReader
from storage.exchange.sheets import Sheet
from storage.kinds import AuditAction, PlaceSource, Role
from storage.people.access import find_user, get_or_create_organisation
from storage.people.audit import record_audit
from storage.places.areas import Areas
from storage.references import format_reference
from storage.tables import Category, Observation, ReferenceCounter, User, utcnow

SOURCE = "import"  # Observation.source of an imported row
IMPORT_REPORTER_NAME = "Import"
_CHUNK = 500  # rows per IN (...) query and per INSERT
_OBSERVATION_TABLE: Table = Observation.__table__  # type: ignore[attr-defined]


@dataclass
class ImportPlan:
    """What importing a file would do: the new rows, how many are there already, and the
    problems (row number, reason) that refuse the whole file."""

    new: PlannedRows = field(default_factory=PlannedRows)
    already: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_import_reporter(user: User) -> bool:
    """The placeholder that imported observations are reported by (not a person)."""
    return user.telegram_id < 0


def plan_import(
    *, session: Session, sheet: Sheet, tz: ZoneInfo, now: datetime | None = None
) -> ImportPlan:
    """Check every row of the sheet while it is read, against each other and the database;
    writes nothing."""
    categories = list(session.exec(select(Category).order_by(col(Category.position))).all())
    reader = RowReader(categories, tz, now or utcnow())
    plan = ImportPlan(notes=list(sheet.notes))
    keys = FirstRowOfKey(plan.new)
    references: dict[int, int] = {}  # a given reference (year, number) → the first row with it
    for number, cells in sheet.rows:
        read = reader.read(number, cells)
        if isinstance(read, list):
            plan.problems.append((number, "; ".join(read)))
            continue
        earlier = keys.get(read.key)
        if earlier is not None:
            plan.problems.append((number, f"repeats row {earlier}; remove one"))
            continue
        given = None if read.number is None else read.year * 10**9 + read.number
        if given is not None and given in references:
            earlier = references[given]
            plan.problems.append((number, f"reference {read.reference} is in row {earlier} too"))
            continue
        keys.add(read.key, plan.new.append(read))
        if given is not None:
            references[given] = number
    del keys, references
    _sort_out_existing(session, plan)
    plan.problems.sort()
    return plan


def _sort_out_existing(session: Session, plan: ImportPlan) -> None:
    """Rows stored already (by key, or by reference with the same time and category) count
    as there; a reference that another observation holds is a problem. A chunk at a time."""
    rows = plan.new
    for start in range(0, rows.count_read(), _CHUNK):
        indices = range(start, min(start + _CHUNK, rows.count_read()))
        keys = set(_existing(session, col(Observation.draft_key), [rows.key(i) for i in indices]))
        given = {i: reference for i in indices if (reference := rows.reference(i))}
        holders = {
            found.reference: found for found in _existing_observations(session, [*given.values()])
        }
        for index in indices:
            holder = holders.get(given[index]) if index in given else None
            if rows.key(index) in keys:
                plan.already += 1
            elif holder is None:
                continue
            elif _same_event(holder, rows.get(index)):
                plan.already += 1  # e.g. an export of this very database
            else:
                plan.problems.append(
                    (
                        rows.row_number(index),
                        f"reference {given[index]} belongs to another observation already; "
                        "leave it empty to get a new one",
                    )  # fmt: skip
                )
            rows.drop(index)


def _same_event(stored: Observation, row: ImportRow) -> bool:
    """The stored observation with the row's reference is the row's: the same category, and
    the same time to the minute (an export gives minutes; the bot stored microseconds)."""
    close = abs(stored.occurred_at - row.occurred_at) < timedelta(minutes=1)
    return close and stored.category_id == row.category_id


def _existing(session: Session, column: Any, values: list[str]) -> Iterable[str]:
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        yield from session.exec(select(column).where(column.in_(chunk))).all()


def _existing_observations(session: Session, references: Sequence[str]) -> list[Observation]:
    found: list[Observation] = []
    for start in range(0, len(references), _CHUNK):
        chunk = references[start : start + _CHUNK]
        query = select(Observation).where(col(Observation.reference).in_(chunk))
        found.extend(session.exec(query).all())
    return found


def write_import(
    *,
    session: Session,
    plan: ImportPlan,
    tz: ZoneInfo,
    areas: Areas | None = None,
    source_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store the plan's new rows in the caller's transaction, with the audit entry; returns
    how many were stored. Cards are not posted: these are past events, not news."""
    if plan.problems:
        raise ValueError("a plan with problems is not written")
    reporters = {name: _import_reporter(session, name) for name in plan.new.organisations()}
    numbers = _numbers(session, plan.new.years_and_numbers())
    for rows in plan.new.chunks(_CHUNK):  # a chunk's values at a time, not the file's
        found_areas = _areas(areas, rows) if areas else [None] * len(rows)
        values = [
            _values(row, _number_of(row, numbers), reporters[row.organisation], area)
            for row, area in zip(rows, found_areas, strict=True)
        ]
        # Core, not the ORM's bulk insert: the rows need nothing of the ORM, and it was half
        # the time of writing them
        session.connection().execute(insert(_OBSERVATION_TABLE), values)
        if progress is not None:
            progress(len(values))
    record_audit(
        session=session, action=AuditAction.IMPORT, target=f"observations from {source_name}",
        rows=len(plan.new), detail={"already_there": plan.already},
    )  # fmt: skip
    session.flush()
    return len(plan.new)


def _number_of(row: ImportRow, numbers: dict[int, list[int]]) -> int:
    """The row's number in its year: the one its reference gives, else the next new one."""
    return row.number if row.number is not None else numbers[row.year].pop()


def _values(row: ImportRow, number: int, reporter: User, area: str | None) -> dict[str, Any]:
    has_point = row.latitude is not None
    return {
        "reference": row.reference or format_reference(row.year, number),
        "year": row.year,
        "number": number,
        "category_id": row.category_id,
        "occurred_at": row.occurred_at,
        "reported_at": row.reported_at,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "place_text": row.place,
        "place_name": "",
        "place_distance_m": None,
        "place_source": PlaceSource.PIN if has_point else PlaceSource.TEXT,
        "area": area,
        "description": row.description,
        "reporter_id": reporter.id,
        "organisation_id": reporter.organisation_id,
        "status": row.status,
        "source": SOURCE,
        "duplicate_of_id": None,
        "draft_key": row.key,
    }


def _areas(areas: Areas, rows: list[ImportRow]) -> list[str | None]:
    """The area of each row, found all at once; a row without coordinates has none."""
    nan = float("nan")  # an empty point, inside no area
    latitudes = [nan if row.latitude is None else row.latitude for row in rows]
    longitudes = [nan if row.longitude is None else row.longitude for row in rows]
    return areas.areas_of(latitudes, longitudes) if rows else []


def _import_reporter(session: Session, organisation_name: str) -> User:
    """The organisation's placeholder reporter, created (with the organisation) on first use."""
    organisation = get_or_create_organisation(session=session, name=organisation_name)
    assert organisation.id is not None
    found = find_user(session=session, telegram_id=-organisation.id)
    if found is not None:
        return found
    user = User(
        telegram_id=-organisation.id, full_name=IMPORT_REPORTER_NAME,
        organisation_id=organisation.id, role=Role.REPORTER, active=False,
        notify_status=False, notify_comments=False,
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def _numbers(session: Session, rows: Iterable[tuple[int, int | None]]) -> dict[int, list[int]]:
    """New reference numbers per year for the rows without a reference (to be popped), after
    moving each year's counter past the references the file gives, so that reports filed
    later never take one of them. The counter rows stay locked until commit."""
    wanted: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)
    for year, number in rows:
        if number is None:
            wanted[year] += 1
        else:
            given[year] = max(given[year], number)
    dialect = session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    numbers: dict[int, list[int]] = {}
    for year in sorted(set(wanted) | set(given)):
        session.execute(
            upsert(ReferenceCounter)
            .values(year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        counter = col(ReferenceCounter.last_number)
        session.execute(
            update(ReferenceCounter)
            .where(col(ReferenceCounter.year) == year, counter < given[year])
            .values(last_number=given[year])
        )
        last = session.execute(
            update(ReferenceCounter)
            .where(col(ReferenceCounter.year) == year)
            .values(last_number=counter + wanted[year])
            .returning(counter)
        ).scalar_one()
        numbers[year] = list(range(last, last - wanted[year], -1))
    return numbers
