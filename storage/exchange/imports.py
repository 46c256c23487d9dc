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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

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


@dataclass
class ImportPlan:
    """What importing a file would do: the new rows, how many are there already, and the
    problems (row number, reason) that refuse the whole file."""

    new: list[ImportRow] = field(default_factory=list)
    already: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def is_import_reporter(user: User) -> bool:
    """The placeholder that imported observations are reported by (not a person)."""
    return user.telegram_id < 0


def plan_import(
    *, session: Session, sheet: Sheet, tz: ZoneInfo, now: datetime | None = None
) -> ImportPlan:
    """Check every row of the sheet, against each other and the database; writes nothing."""
    categories = list(session.exec(select(Category).order_by(col(Category.position))).all())
    reader = RowReader(categories, tz, now or utcnow())
    plan = ImportPlan(notes=list(sheet.notes))
    good: list[ImportRow] = []
    first_of_key: dict[str, int] = {}
    first_of_reference: dict[str, int] = {}
    for number, cells in sheet.rows:
        read = reader.read(number, cells)
        if isinstance(read, list):
            plan.problems.append((number, "; ".join(read)))
            continue
        if read.key in first_of_key:
            plan.problems.append((number, f"repeats row {first_of_key[read.key]}; remove one"))
            continue
        if read.reference is not None and read.reference in first_of_reference:
            earlier = first_of_reference[read.reference]
            plan.problems.append((number, f"reference {read.reference} is in row {earlier} too"))
            continue
        first_of_key[read.key] = number
        if read.reference is not None:
            first_of_reference[read.reference] = number
        good.append(read)
    _sort_out_existing(session, good, plan)
    plan.problems.sort()
    return plan


def _sort_out_existing(session: Session, rows: list[ImportRow], plan: ImportPlan) -> None:
    """Rows stored already (by key, or by reference with the same time and category) count
    as there; a reference that another observation holds is a problem."""
    keys = set(_existing(session, col(Observation.draft_key), [row.key for row in rows]))
    references = {
        found.reference: found
        for found in _existing_observations(session, [r.reference for r in rows if r.reference])
    }
    for row in rows:
        holder = references.get(row.reference) if row.reference else None
        if row.key in keys:
            plan.already += 1
        elif holder is None:
            plan.new.append(row)
        elif _same_event(holder, row):
            plan.already += 1  # e.g. an export of this very database
        else:
            plan.problems.append(
                (
                    row.row,
                    f"reference {row.reference} belongs to another observation already; "
                    "leave it empty to get a new one",
                )  # fmt: skip
            )


def _same_event(stored: Observation, row: ImportRow) -> bool:
    """The stored observation with the row's reference is the row's: the same category, and
    the same time to the minute (an export gives minutes; the bot stored microseconds)."""
    close = abs(stored.occurred_at - row.occurred_at) < timedelta(minutes=1)
    return close and stored.category_id == row.category_id


def _existing(session: Session, column: Any, values: list[str]) -> Iterable[str]:
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        yield from session.exec(select(column).where(column.in_(chunk))).all()


def _existing_observations(session: Session, references: list[str | None]) -> list[Observation]:
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
    reporters = {name: _import_reporter(session, name) for name in _organisations(plan.new)}
    numbers = _numbers(session, plan.new)
    found_areas = _areas(areas, plan.new) if areas else []
    values: list[dict[str, Any]] = []
    for index, row in enumerate(plan.new):
        reporter = reporters[row.organisation]
        number = row.number if row.number is not None else numbers[row.year].pop()
        values.append(_values(row, number, reporter, found_areas[index] if areas else None))
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        session.execute(insert(Observation), chunk)
        if progress is not None:
            progress(len(chunk))
    record_audit(
        session=session, action=AuditAction.IMPORT, target=f"observations from {source_name}",
        rows=len(values), detail={"already_there": plan.already},
    )  # fmt: skip
    session.flush()
    return len(values)


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


def _organisations(rows: list[ImportRow]) -> list[str]:
    return sorted({row.organisation for row in rows})


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


def _numbers(session: Session, rows: list[ImportRow]) -> dict[int, list[int]]:
    """New reference numbers per year for the rows without a reference (to be popped), after
    moving each year's counter past the references the file gives, so that reports filed
    later never take one of them. The counter rows stay locked until commit."""
    wanted: dict[int, int] = defaultdict(int)
    given: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.number is None:
            wanted[row.year] += 1
        else:
            given[row.year] = max(given[row.year], row.number)
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
