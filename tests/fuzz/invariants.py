"""What must hold in the database after every update, whatever was sent.

Observations
 1. every observation has a unique reference `EST-<year>-<number, 4+ digits>` that agrees
    with its year and number, and no number is above the year's counter;
 2. its category and reporter exist; its description is 3-2000 characters; it did not happen
    after it was reported; its coordinates, if any, are on the globe;
 3. a confirmation (`duplicate_of`) points at another, existing observation;
 4. each draft key was filed at most once, and no draft still holds a filed draft's key.
Drafts
 5. at most one draft per person, keys unique, the person exists;
 6. no step points at missing data: a step past PLACE has a category and a place (a
    report begun with a position or photo gets its category after the place), past
    DESCRIPTION a description, and the summary has everything; a category exists;
    PLACE_CHOICE and PLACE_CONFIRM have places pending (one to confirm); WHEN_WINDOW has a day;
 7. a description is 3-2000 characters; a time is not in the future; coordinates on the
    globe; `photo_count` is the number of its photos, at most 10.
Photos, outbox, the groups' records
 8. every photo belongs to exactly one draft, observation or comment, and its file exists;
 9. outbox rows, posted messages, comments, status changes and intervention links point at
    observations (and interventions) that exist;
10. an observation's status is the last status a coordinator set on it or on the
    observation it confirms (if any was set: a change on the original carries over);
11. a linked group has no unlink time; a chat is linked at most once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, String, case, cast, func, literal, or_, select
from sqlalchemy import union_all as union

from storage.kinds import Step
from storage.reports.drafts import DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from storage.tables import (
    Category,
    Comment,
    CoordinatorGroup,
    Draft,
    Intervention,
    InterventionLink,
    Observation,
    Outbox,
    Photo,
    PostedMessage,
    ReferenceCounter,
    StatusChange,
    User,
    utcnow,
)

REFERENCE = re.compile(r"EST-(\d{4})-(\d{4,})")
SLACK = timedelta(seconds=5)  # clocks of the bot and the test are the same, give or take
AFTER_PLACE = {Step.DESCRIPTION, Step.WHEN, Step.WHEN_WINDOW, Step.SUMMARY, Step.EDIT_MENU}
AFTER_DESCRIPTION = {Step.WHEN, Step.WHEN_WINDOW, Step.SUMMARY, Step.EDIT_MENU}
COMPLETE = {Step.SUMMARY, Step.EDIT_MENU}


def table(model: Any) -> Any:
    return model.__table__


OBS, DRAFT, PHOTO, GROUP = table(Observation), table(Draft), table(Photo), table(CoordinatorGroup)
CATEGORY, USER, COUNTER = table(Category), table(User), table(ReferenceCounter)


def on_globe(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return latitude is None and longitude is None
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def _off_globe(t: Any) -> Any:
    lat, lon = t.c.latitude, t.c.longitude
    return or_(lat.is_(None) != lon.is_(None), lat < -90, lat > 90, lon < -180, lon > 180)


def _found(what: str, detail: Any, *where: Any, group_by: Any = None, having: Any = None) -> Any:
    """Rows (what, detail) that break an invariant: the database does the looking."""
    query = select(literal(what).label("what"), cast(detail, String).label("detail"))
    query = query.where(*where) if where else query
    if group_by is not None:
        query = query.group_by(group_by).having(having)
    return query


def _violations() -> Any:
    """One query for every invariant SQL can say, and the numbers that tell Python whether
    its own checks need to run again."""
    owners = sum(case((c.is_not(None), 1), else_=0) for c in (PHOTO.c.draft_id,
                 PHOTO.c.observation_id, PHOTO.c.comment_id))  # fmt: skip
    draft_photos = select(func.count()).where(PHOTO.c.draft_id == DRAFT.c.id).scalar_subquery()
    parts = [
        _found("reference used twice", OBS.c.reference, group_by=OBS.c.reference,
               having=func.count() > 1),
        _found("draft filed twice", OBS.c.draft_key, OBS.c.draft_key.is_not(None),
               group_by=OBS.c.draft_key, having=func.count() > 1),
        select(literal("number above its year's counter"), cast(OBS.c.reference, String))
        .select_from(OBS.outerjoin(COUNTER, COUNTER.c.year == OBS.c.year))
        .where(or_(COUNTER.c.year.is_(None), OBS.c.number > COUNTER.c.last_number)),
        _found("observation with a bad field", OBS.c.reference, or_(
            func.length(OBS.c.description) < DESCRIPTION_MIN,
            func.length(OBS.c.description) > DESCRIPTION_MAX,
            OBS.c.occurred_at > OBS.c.reported_at, _off_globe(OBS),
            OBS.c.duplicate_of_id == OBS.c.id,
            OBS.c.category_id.not_in(select(CATEGORY.c.id)),
            OBS.c.reporter_id.not_in(select(USER.c.id)))),
        _found("draft holds a filed key", DRAFT.c.id, DRAFT.c.key.in_(select(OBS.c.draft_key))),
        _found("draft's photo_count is wrong", DRAFT.c.id, or_(
            DRAFT.c.photo_count != draft_photos, DRAFT.c.photo_count > MAX_PHOTOS)),
        _found("draft of nobody or of an unknown category", DRAFT.c.id, or_(
            DRAFT.c.user_id.not_in(select(USER.c.id)),
            DRAFT.c.category_code.not_in(select(CATEGORY.c.code)))),
        _found("photo not of exactly one draft, observation, comment", PHOTO.c.id, owners != 1),
        _found("photo file", PHOTO.c.path).distinct(),  # photos of the same image share one
        _found("chat linked twice", GROUP.c.chat_id, group_by=GROUP.c.chat_id,
               having=func.count() > 1),
        _found("group active but unlinked", GROUP.c.chat_id, GROUP.c.active,
               GROUP.c.unlinked_at.is_not(None)),
        _found("newest observation", func.coalesce(func.max(OBS.c.id), 0)),
        _found("status changes", func.count(table(StatusChange).c.id)),
    ]  # fmt: skip
    targets = {"observation_id": OBS.c.id, "intervention_id": table(Intervention).c.id}
    for model in (Outbox, PostedMessage, Comment, StatusChange, InterventionLink, Photo):
        for name, target in targets.items():
            if name in table(model).c:
                column = table(model).c[name]
                what = f"{model.__name__}.{name} points nowhere"
                parts.append(
                    _found(what, column, column.is_not(None), column.not_in(select(target)))
                )
    return union(*parts)


class Invariants:
    """Checks the invariants after each case in two queries (three when something new
    was filed or a status set): what SQL can say is asked of the database in one go."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.query = _violations()
        self.observations = 0  # the newest observation already checked in Python
        self.status_changes = 0

    def broken(self) -> list[str]:
        """Every invariant that does not hold, said in a line each; [] when all hold."""
        problems: list[str] = []
        with self.engine.connect() as c:
            for what, detail in c.execute(self.query).all():
                if what == "photo file":
                    if not Path(detail).exists():
                        problems.append(f"photo file {detail} is gone")
                elif what == "newest observation":
                    if int(detail) > self.observations:
                        problems += self._new_observations(c)
                        problems += self._statuses(c)
                elif what == "status changes":
                    if int(detail) != self.status_changes:
                        self.status_changes = int(detail)
                        problems += self._statuses(c)
                else:
                    problems.append(f"{what}: {detail}")
            problems += [f"draft {d.id} at {d.step}: {gap}"
                         for d in c.execute(select(DRAFT)).all() for gap in _gaps(d)]  # fmt: skip
        return problems

    def _new_observations(self, c: Connection) -> list[str]:
        problems = []
        new = select(OBS.c.id, OBS.c.reference, OBS.c.year, OBS.c.number).where(
            OBS.c.id > self.observations
        )
        for o in c.execute(new).all():
            match = REFERENCE.fullmatch(o.reference)
            if match is None or (int(match[1]), int(match[2])) != (o.year, o.number):
                problems.append(f"observation {o.reference}: reference ≠ {o.year}/{o.number}")
            self.observations = max(self.observations, o.id)
        return problems

    def _statuses(self, c: Connection) -> list[str]:
        latest: dict[int, tuple[Any, int, Any]] = {}
        for row in c.execute(select(table(StatusChange))).all():
            key = (row.changed_at, row.id, row.status)
            latest[row.observation_id] = max(latest.get(row.observation_id, key), key)
        if not latest:
            return []
        problems = []
        rows = c.execute(select(OBS.c.id, OBS.c.reference, OBS.c.status, OBS.c.duplicate_of_id))
        for o in rows.all():
            candidates = [latest[i] for i in (o.id, o.duplicate_of_id) if i in latest]
            if candidates and o.status != max(candidates)[2]:
                problems.append(f"{o.reference}: status {o.status}, last set {max(candidates)[2]}")
        return problems


def _gaps(d: Any) -> list[str]:
    """What the draft's step needs and the draft lacks."""
    gaps = []
    if d.step in AFTER_PLACE and d.category_code is None:  # a position may come first
        gaps.append("no category")
    if d.step in AFTER_PLACE and d.place_source is None:
        gaps.append("no place")
    if d.step in AFTER_DESCRIPTION and d.description is None:
        gaps.append("no description")
    if d.step in COMPLETE and (d.occurred_at is None or d.category_code is None):
        gaps.append("summary without a time or category")
    if d.step == Step.PLACE_CHOICE and not d.pending:
        gaps.append("no places to choose from")
    if d.step == Step.PLACE_CONFIRM and len(d.pending or []) != 1:
        gaps.append(f"{len(d.pending or [])} places to confirm")
    if d.step == Step.WHEN_WINDOW and d.when_day not in ("today", "yesterday"):
        gaps.append(f"window of day {d.when_day!r}")
    if d.description is not None and not DESCRIPTION_MIN <= len(d.description) <= DESCRIPTION_MAX:
        gaps.append(f"description of {len(d.description)} characters")
    if d.occurred_at is not None and d.occurred_at > utcnow() + SLACK:
        gaps.append("happens in the future")
    if not on_globe(d.latitude, d.longitude):
        gaps.append(f"off the globe {d.latitude},{d.longitude}")
    for place in d.pending or []:
        if not on_globe(place.get("latitude"), place.get("longitude")):
            gaps.append(f"pending place off the globe: {place}")
    return gaps
