"""Retention: deleting observations older than the municipality keeps them, and stale drafts.

An observation goes with everything that points at it: its comments, status history,
photos (rows and, once nothing else uses them, files), the outbox rows and posted-message
rows about it, and its links to interventions. Reports that confirmed it as the same thing
stay (they are younger, else they would go too) and stand alone from then on.

Interventions are kept, only unlinked: an insats is the municipality's own measure at a
place (more lighting, a night walk), not a report about people, holds no reporter's
description, and its follow-up and evaluation are what later lägesbilder learn from.

Police figures (storage/police/figures.py) are not touched either: monthly counts per crime type
and area, aggregated by the police, about no one in particular.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Delete, Update, delete, or_, update
from sqlmodel import Session, col, select

from storage.kinds import AuditAction
from storage.people.audit import CLI, record_audit
from storage.reports.drafts import discard_draft
from storage.tables import (
    Comment,
    Draft,
    InterventionLink,
    Observation,
    Outbox,
    Photo,
    PostedMessage,
    StatusChange,
    utcnow,
)

STALE_DRAFT_AGE = timedelta(days=30)
# The order a report is printed in.
KINDS = (
    "observations", "comments", "status_changes", "photos", "photo_files", "outbox",
    "posted_messages", "intervention_links", "confirmations_unlinked", "drafts",
)  # fmt: skip

_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


def cutoff_before(age: str, now: datetime) -> datetime:
    """The moment `age` before `now`: `36m` (months), `2y`, `400d` or `8w`.

    Months and years go by the calendar (31 March less one month is 28 or 29 February).
    Raises ValueError for anything else.
    """
    match = _AGE.match(age.lower())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{age!r}: use a number and d, w, m or y, e.g. 36m, 2y or 400d")
    amount, unit = int(match[1]), match[2]
    if unit == "d":
        return now - timedelta(days=amount)
    if unit == "w":
        return now - timedelta(weeks=amount)
    return months_before(now, amount * 12 if unit == "y" else amount)


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day at most)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    following = datetime(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return now.replace(year=year, month=month + 1, day=min(now.day, last_day))


@dataclass
class PurgeReport:
    """What a purge deleted, by kind, and the photo files to remove once it is committed."""

    cutoff: datetime | None
    counts: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return any(self.counts.values())

    def lines(self) -> list[str]:
        """ "observations: 12" for every kind, in a fixed order."""
        return [f"{kind}: {self.counts[kind]}" for kind in KINDS]


def purge(
    *,
    session: Session,
    cutoff: datetime | None,
    now: datetime | None = None,
    draft_age: timedelta = STALE_DRAFT_AGE,
    actor: str = CLI,
) -> PurgeReport:
    """Delete observations filed before `cutoff` (none when it is None) with everything
    pointing at them, outbox rows older than that, and drafts untouched for `draft_age`.

    Nothing is removed from disk here: the caller commits, then removes `report.files`
    (remove_photo_files), so a rollback never leaves rows whose photos are gone. A dry run
    is the same call, rolled back.
    """
    now = now or utcnow()
    report = PurgeReport(cutoff)
    paths: list[str] = []
    if cutoff is not None:
        paths += _purge_observations(session, cutoff, report.counts)
    for draft in session.exec(select(Draft).where(Draft.updated_at < now - draft_age)).all():
        paths += discard_draft(session=session, draft=draft)
        report.counts["drafts"] += 1
    report.files = _unused(session, paths)
    report.counts["photo_files"] = len(report.files)
    if report.anything or actor == CLI:
        record_audit(
            session=session, action=AuditAction.PURGE, actor=actor, now=now,
            target=f"before {cutoff:%Y-%m-%d %H:%M} UTC" if cutoff else "stale drafts",
            rows=report.counts["observations"] + report.counts["drafts"],
            detail={kind: report.counts[kind] for kind in KINDS},
        )  # fmt: skip
    return report


def _purge_observations(session: Session, cutoff: datetime, counts: Counter[str]) -> list[str]:
    """Delete the observations filed before `cutoff`, dependants first; their photo paths."""
    old = select(col(Observation.id)).where(col(Observation.reported_at) < cutoff)
    comments = select(col(Comment.id)).where(col(Comment.observation_id).in_(old))
    photos = or_(col(Photo.observation_id).in_(old), col(Photo.comment_id).in_(comments))
    paths = list(session.exec(select(Photo.path).where(photos)).all())
    counts["photos"] += _delete(session, delete(Photo).where(photos))
    for name, statement in (
        ("comments", delete(Comment).where(col(Comment.observation_id).in_(old))),
        ("status_changes", delete(StatusChange).where(col(StatusChange.observation_id).in_(old))),
        ("outbox", delete(Outbox).where(col(Outbox.observation_id).in_(old))),
        ("posted_messages",
         delete(PostedMessage).where(col(PostedMessage.observation_id).in_(old))),
        ("intervention_links",
         delete(InterventionLink).where(col(InterventionLink.observation_id).in_(old))),
    ):  # fmt: skip
        counts[name] += _delete(session, statement)
    counts["confirmations_unlinked"] += _delete(
        session,
        update(Observation)
        .where(col(Observation.duplicate_of_id).in_(old), col(Observation.reported_at) >= cutoff)
        .values(duplicate_of_id=None),
    )
    # within the purged ones too, so that no row points at another deleted in the same go
    session.execute(
        update(Observation)
        .where(col(Observation.duplicate_of_id).in_(old))
        .values(duplicate_of_id=None)
    )
    counts["observations"] += _delete(
        session, delete(Observation).where(col(Observation.reported_at) < cutoff)
    )
    # cards, notices and digests delivered long ago still hold their texts
    counts["outbox"] += _delete(session, delete(Outbox).where(col(Outbox.created_at) < cutoff))
    return paths


def _delete(session: Session, statement: Delete | Update) -> int:
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _unused(session: Session, paths: list[str]) -> list[str]:
    """The paths no photo row refers to any more (the same file may serve several rows)."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    used = set(session.exec(select(Photo.path).where(col(Photo.path).in_(wanted))).all())
    return [path for path in wanted if path not in used]


def remove_photo_files(paths: list[str]) -> int:
    """Delete photo files from disk (after the purge was committed); how many were there."""
    removed = 0
    for path in paths:
        target = Path(path)
        if target.exists():
            target.unlink(missing_ok=True)
            removed += 1
    return removed
