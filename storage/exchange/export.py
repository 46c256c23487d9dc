"""The rows of an export (`estbot export`, /export): observations with their counts and
linked interventions, and the interventions themselves, chosen by a filter.

A handful of queries whatever the number of rows: counts come from grouped subqueries,
photo files and intervention links from one query each over the same filtered ids. The
observations are streamed (a server-side cursor on PostgreSQL, `fetchmany` on SQLite), so
a million of them are written while they are read, in the memory of a batch; the
interventions, a few hundred, are read at once. The rows are plain dataclasses;
digests/exports.py writes them as CSV, XLSX or GeoJSON.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.kinds import InterventionStatus, Status
from storage.tables import (
    Category,
    Comment,
    Intervention,
    InterventionLink,
    Observation,
    Organisation,
    Photo,
)


@dataclass(frozen=True)
class ExportFilter:
    """Which observations an export holds; an empty tuple means no restriction."""

    start: datetime | None = None  # occurred at or after (aware)
    end: datetime | None = None  # occurred before (aware, exclusive)
    categories: tuple[str, ...] = ()  # category codes
    areas: tuple[str, ...] = ()  # area names, as stored
    statuses: tuple[Status, ...] = ()
    organisation_ids: tuple[int, ...] = ()  # a coordinators' group's filter
    urgent_only: bool = False  # likewise
    # From a coordinators' group: only the interventions recorded in that group.
    chat_id: int | None = None

    @property
    def narrowed(self) -> bool:
        """Whether more than the time span restricts the observations: then the
        interventions are only those acting on the exported observations."""
        restricted = self.categories, self.areas, self.statuses, self.organisation_ids
        return any(restricted) or self.urgent_only

    def describe(self) -> dict[str, Any]:
        """The filter as plain values, for the audit log."""
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "categories": list(self.categories), "areas": list(self.areas),
            "statuses": [str(s) for s in self.statuses],
            "organisation_ids": list(self.organisation_ids), "urgent_only": self.urgent_only,
            "chat_id": self.chat_id,
        }  # fmt: skip


_STATUS_OF = {status.value: status for status in Status}  # a dict is faster than Status(value)


@dataclass(slots=True)  # not frozen: a frozen class's __init__ was a tenth of an export's time
class ObservationRow:
    """One observation as exported (times aware, in UTC)."""

    id: int
    reference: str
    occurred_at: datetime
    reported_at: datetime
    category: str
    category_label_sv: str
    category_label_en: str
    place: str
    latitude: float | None
    longitude: float | None
    area: str | None
    description: str
    organisation: str
    status: Status
    photos: int
    comments: int
    photo_files: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()  # "#3 Mer belysning"

    def category_label(self, language: str) -> str:
        return self.category_label_en if language == "en" else self.category_label_sv


@dataclass(frozen=True)
class InterventionRow:
    """One intervention (insats) as exported."""

    number: int
    what: str
    owner: str
    status: InterventionStatus
    follow_up_on: date | None
    evaluation: str
    place: str
    latitude: float | None
    longitude: float | None
    created_at: datetime
    updated_at: datetime
    observations: tuple[str, ...] = ()  # the references it acts on

    @property
    def title(self) -> str:
        """How an observation's row names it."""
        return f"#{self.number} {self.what}"


@dataclass(frozen=True)
class Export:
    """The observations (a list, or a stream read while the session is open) and the
    interventions of an export."""

    observations: Iterable[ObservationRow]
    interventions: list[InterventionRow] = field(default_factory=list)


def _conditions(chosen: ExportFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if chosen.start is not None:
        found.append(col(Observation.occurred_at) >= chosen.start)
    if chosen.end is not None:
        found.append(col(Observation.occurred_at) < chosen.end)
    if chosen.categories:
        found.append(col(Category.code).in_(chosen.categories))
    if chosen.areas:
        found.append(col(Observation.area).in_(chosen.areas))
    if chosen.statuses:
        found.append(col(Observation.status).in_(chosen.statuses))
    if chosen.organisation_ids:
        found.append(col(Observation.organisation_id).in_(chosen.organisation_ids))
    if chosen.urgent_only:
        found.append(col(Category.urgent).is_(True))
    return found


def _chosen_ids(chosen: ExportFilter) -> Any:
    """The ids of the chosen observations, as a subquery."""
    return (
        select(Observation.id)
        .join(Category, col(Category.id) == col(Observation.category_id))
        .where(*_conditions(chosen))
    )


def export_rows(*, session: Session, chosen: ExportFilter) -> Export:
    """The observations the filter chooses, oldest first, and the interventions that go
    with them: those acting on them, and (unless the filter narrows the observations
    beyond the time span) those recorded in the time span. All in memory: for the few rows
    of a test or a check; files are written from `stream_export`."""
    streamed = stream_export(session=session, chosen=chosen)
    return Export(list(streamed.observations), streamed.interventions)


def stream_export(*, session: Session, chosen: ExportFilter, batch: int = 10_000) -> Export:
    """As `export_rows`, with the observations read `batch` at a time while they are
    consumed: consume them before the session closes."""
    interventions = _interventions(session, chosen)
    titles: dict[str, list[str]] = defaultdict(list)
    for intervention in interventions:
        for reference in intervention.observations:
            titles[reference].append(intervention.title)
    return Export(_observations(session, chosen, titles, batch), interventions)


def _observations(
    session: Session, chosen: ExportFilter, titles: dict[str, list[str]], batch: int
) -> Iterator[ObservationRow]:
    photos = (
        select(col(Photo.observation_id).label("oid"), func.count().label("n"))
        .where(col(Photo.observation_id).is_not(None))
        .group_by(col(Photo.observation_id))
        .subquery()
    )
    comments = (
        select(col(Comment.observation_id).label("oid"), func.count().label("n"))
        .group_by(col(Comment.observation_id))
        .subquery()
    )
    # columns, not entities: a million ORM objects would take longer than writing the file
    query = (
        sa_select(
            col(Observation.id),
            col(Observation.reference),
            col(Observation.occurred_at),
            col(Observation.reported_at),
            col(Category.code),
            col(Category.label_sv),
            col(Category.label_en),
            col(Observation.place_name),
            col(Observation.place_text),
            col(Observation.latitude),
            col(Observation.longitude),
            col(Observation.area),
            col(Observation.description),
            col(Organisation.name),
            col(Observation.status),
            photos.c.n,
            comments.c.n,
        )  # fmt: skip
        .join(Category, col(Category.id) == col(Observation.category_id))
        .join(Organisation, col(Organisation.id) == col(Observation.organisation_id))
        .outerjoin(photos, photos.c.oid == col(Observation.id))
        .outerjoin(comments, comments.c.oid == col(Observation.id))
        .where(*_conditions(chosen))
        .order_by(col(Observation.occurred_at), col(Observation.id))
        .execution_options(yield_per=batch)
    )
    files: dict[int, list[str]] = defaultdict(list)
    for observation_id, path in session.exec(
        select(Photo.observation_id, Photo.path)
        .where(col(Photo.observation_id).in_(_chosen_ids(chosen)))
        .order_by(col(Photo.id))
    ).all():
        files[observation_id or 0].append(path)
    # through Core: the ORM's loading per row took a third of the export's time
    for (
        oid, reference, occurred_at, reported_at, code, label_sv, label_en, place_name,
        place_text, latitude, longitude, area, description, organisation, status,
        photo_count, comment_count,
    ) in session.connection().execute(query):  # fmt: skip
        yield ObservationRow(
            id=oid or 0, reference=reference, occurred_at=occurred_at, reported_at=reported_at,
            category=code, category_label_sv=label_sv, category_label_en=label_en,
            place=place_name or place_text, latitude=latitude, longitude=longitude,
            area=area, description=description, organisation=organisation,
            status=_STATUS_OF[status], photos=int(photo_count or 0),
            comments=int(comment_count or 0), photo_files=tuple(files.get(oid or 0, ())),
            interventions=tuple(titles.get(reference, ())),
        )  # fmt: skip


def _interventions(session: Session, chosen: ExportFilter) -> list[InterventionRow]:
    acting = select(InterventionLink.intervention_id).where(
        col(InterventionLink.observation_id).in_(_chosen_ids(chosen))
    )
    wanted: list[ColumnElement[bool]] = [col(Intervention.id).in_(acting)]
    if not chosen.narrowed:
        in_span: list[ColumnElement[bool]] = []
        if chosen.start is not None:
            in_span.append(col(Intervention.created_at) >= chosen.start)
        if chosen.end is not None:
            in_span.append(col(Intervention.created_at) < chosen.end)
        wanted.append(and_(true(), *in_span))
    conditions = [or_(*wanted)]
    if chosen.chat_id is not None:
        conditions.append(col(Intervention.chat_id) == chosen.chat_id)
    found = session.exec(
        select(Intervention).where(*conditions).order_by(col(Intervention.id))
    ).all()
    references: dict[int, list[str]] = defaultdict(list)
    links = (
        select(InterventionLink.intervention_id, Observation.reference)
        .join(Observation, col(Observation.id) == col(InterventionLink.observation_id))
        .where(
            col(InterventionLink.intervention_id).in_(select(Intervention.id).where(*conditions))
        )
        .order_by(col(Observation.id))
    )
    for intervention_id, reference in session.exec(links).all():
        references[intervention_id].append(reference)
    return [
        InterventionRow(
            number=i.id or 0,
            what=i.what,
            owner=i.owner,
            status=i.status,
            follow_up_on=i.follow_up_on,
            evaluation=i.evaluation or "",
            place=i.place_name,
            latitude=i.latitude,
            longitude=i.longitude,
            created_at=i.created_at,
            updated_at=i.updated_at,
            observations=tuple(references.get(i.id or 0, ())),
        )  # fmt: skip
        for i in found
    ]
