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
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from storage.drafts import DESCRIPTION_MAX, DESCRIPTION_MIN, MAX_PHOTOS
from storage.group_models import (
    Comment,
    CoordinatorGroup,
    Intervention,
    InterventionLink,
    Outbox,
    PostedMessage,
    StatusChange,
)
from storage.kinds import Step
from storage.models import Category, Draft, Observation, Photo, ReferenceCounter, User, utcnow

REFERENCE = re.compile(r"EST-(\d{4})-(\d{4,})")
SLACK = timedelta(seconds=5)  # clocks of the bot and the test are the same, give or take
AFTER_PLACE = {Step.DESCRIPTION, Step.WHEN, Step.WHEN_WINDOW, Step.SUMMARY, Step.EDIT_MENU}
AFTER_DESCRIPTION = {Step.WHEN, Step.WHEN_WINDOW, Step.SUMMARY, Step.EDIT_MENU}
COMPLETE = {Step.SUMMARY, Step.EDIT_MENU}


def on_globe(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return latitude is None and longitude is None
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def broken_invariants(engine: Engine) -> list[str]:
    """Every invariant above that does not hold, said in a line each; [] when all hold."""
    with engine.connect() as connection:  # plain rows: a case's check must stay cheap
        rows = {
            model: list(connection.execute(select(model.__table__)).all())  # type: ignore[attr-defined]
            for model in (Observation, Draft, Photo, Category, User, ReferenceCounter, Outbox,
                          PostedMessage, Comment, StatusChange, InterventionLink, Intervention,
                          CoordinatorGroup)
        }  # fmt: skip
    problems = _observations(rows) + _drafts(rows) + _photos(rows) + _records(rows)
    return problems


def _observations(rows: dict[type, list]) -> list[str]:  # type: ignore[type-arg]
    problems: list[str] = []
    observations: list[Observation] = rows[Observation]
    by_id = {o.id: o for o in observations}
    counters = {c.year: c.last_number for c in rows[ReferenceCounter]}
    categories = {c.id for c in rows[Category]}
    users = {u.id for u in rows[User]}
    for ref, n in Counter(o.reference for o in observations).items():
        if n > 1:
            problems.append(f"reference {ref} used {n} times")
    for key, n in Counter(o.draft_key for o in observations if o.draft_key).items():
        if n > 1:
            problems.append(f"draft {key} filed {n} times")
    for o in observations:
        match = REFERENCE.fullmatch(o.reference)
        if match is None or (int(match[1]), int(match[2])) != (o.year, o.number):
            problems.append(f"observation {o.id}: reference {o.reference} ≠ {o.year}/{o.number}")
        if o.number > counters.get(o.year, 0):
            problems.append(f"observation {o.reference}: number above the year's counter")
        if o.category_id not in categories or o.reporter_id not in users:
            problems.append(f"observation {o.reference}: category or reporter missing")
        if not DESCRIPTION_MIN <= len(o.description) <= DESCRIPTION_MAX:
            problems.append(f"observation {o.reference}: description of {len(o.description)}")
        if o.occurred_at > o.reported_at + SLACK:
            problems.append(f"observation {o.reference}: happened after it was reported")
        if not on_globe(o.latitude, o.longitude):
            problems.append(f"observation {o.reference}: off the globe {o.latitude},{o.longitude}")
        if o.duplicate_of_id is not None:
            original = by_id.get(o.duplicate_of_id)
            if original is None or original.id == o.id:
                problems.append(f"observation {o.reference}: confirms a missing observation")
    return problems


def _drafts(rows: dict[type, list]) -> list[str]:  # type: ignore[type-arg]
    problems: list[str] = []
    drafts: list[Draft] = rows[Draft]
    filed = {o.draft_key for o in rows[Observation]}
    codes = {c.code for c in rows[Category]}
    users = {u.id for u in rows[User]}
    photos = Counter(p.draft_id for p in rows[Photo] if p.draft_id is not None)
    for what, counts in (("user", Counter(d.user_id for d in drafts)),
                         ("key", Counter(d.key for d in drafts))):  # fmt: skip
        problems += [f"{n} drafts share {what} {v}" for v, n in counts.items() if n > 1]
    for d in drafts:
        name = f"draft {d.id} at {d.step}"
        if d.user_id not in users:
            problems.append(f"{name}: its person is missing")
        if d.key in filed:
            problems.append(f"{name}: holds the key of a filed draft")
        problems += [f"{name}: {gap}" for gap in _gaps(d, codes)]
        if d.description is not None:
            if not DESCRIPTION_MIN <= len(d.description) <= DESCRIPTION_MAX:
                problems.append(f"{name}: description of {len(d.description)} characters")
        if d.occurred_at is not None and d.occurred_at > utcnow() + SLACK:
            problems.append(f"{name}: happens in the future")
        if not on_globe(d.latitude, d.longitude):
            problems.append(f"{name}: off the globe {d.latitude},{d.longitude}")
        if d.photo_count != photos.get(d.id, 0) or d.photo_count > MAX_PHOTOS:
            problems.append(f"{name}: photo_count {d.photo_count}, photos {photos.get(d.id, 0)}")
    return problems


def _gaps(d: Draft, codes: set[str]) -> list[str]:
    """What the draft's step needs and the draft lacks."""
    gaps = []
    if d.step in AFTER_PLACE and d.category_code is None:  # a position may come first
        gaps.append("no category")
    if d.category_code is not None and d.category_code not in codes:
        gaps.append(f"unknown category {d.category_code!r}")
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
    for place in d.pending or []:
        if not on_globe(place.get("latitude"), place.get("longitude")):
            gaps.append(f"pending place off the globe: {place}")
    return gaps


def _photos(rows: dict[type, list]) -> list[str]:  # type: ignore[type-arg]
    problems = []
    for p in rows[Photo]:
        owners = [p.draft_id, p.observation_id, p.comment_id]
        if sum(owner is not None for owner in owners) != 1:
            problems.append(f"photo {p.id} belongs to {owners} (draft, observation, comment)")
        if not Path(p.path).exists():
            problems.append(f"photo {p.id}: file {p.path} is gone")
    return problems


def _records(rows: dict[type, list]) -> list[str]:  # type: ignore[type-arg]
    problems = []
    observations = {o.id: o for o in rows[Observation]}
    interventions = {i.id for i in rows[Intervention]}
    for model in (Outbox, PostedMessage, Comment, StatusChange, InterventionLink):
        for row in rows[model]:
            observation_id = getattr(row, "observation_id", None)
            intervention_id = getattr(row, "intervention_id", None)
            if observation_id is not None and observation_id not in observations:
                problems.append(f"{model.__name__} {row}: observation {observation_id} missing")
            if intervention_id is not None and intervention_id not in interventions:
                problems.append(f"{model.__name__} {row}: intervention {intervention_id} missing")
    changes: dict[int, list[StatusChange]] = {}
    for change in rows[StatusChange]:
        changes.setdefault(change.observation_id, []).append(change)
    for o in observations.values():
        mine = changes.get(o.id, []) + changes.get(o.duplicate_of_id or -1, [])  # type: ignore[arg-type]
        if mine:
            last = max(mine, key=lambda c: (c.changed_at, c.id or 0))
            if o.status != last.status:
                problems.append(f"{o.reference}: status {o.status}, last set {last.status}")
    groups: list[CoordinatorGroup] = rows[CoordinatorGroup]
    for chat_id, n in Counter(g.chat_id for g in groups).items():
        if n > 1:
            problems.append(f"chat {chat_id} linked {n} times")
    problems += [f"group {g.chat_id}: active but unlinked" for g in groups
                 if g.active and g.unlinked_at is not None]  # fmt: skip
    return problems
