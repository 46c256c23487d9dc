"""When scheduled digests are due: each kind has a slot (a local date and time), and the
digest of a slot covers the period that ended by then.

| kind | slot (default time) | covers |
| daily | every day, 07:00 | the 24 hours before the slot |
| 14d | every second Monday, 08:00 | the two weeks before that Monday |
| monthly | the 1st, 08:00 | the previous month |
| tertial | 1 January, 1 May, 1 September, 08:00 | the previous four months |
| yearly | 2 January, 08:00 | the previous year |

Only the latest slot of each kind counts: after three days of downtime the daily digest
of today is sent once, not three times. What was made is recorded by the period's key,
which depends on the local calendar only, so the change to or from summer time never makes
a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from digests.periods import (
    FORTNIGHT_ANCHOR,
    TERTIAL_FIRST_MONTH,
    Period,
    latest_complete,
    period_containing,
)
from storage.coordination.subscriptions import Subscription, active_subscriptions, already_made
from storage.database.engine import transaction
from storage.kinds import DigestKind
from storage.tables import CoordinatorGroup


@dataclass(frozen=True)
class Due:
    """A digest to make now for a group."""

    group: CoordinatorGroup
    subscription: Subscription
    period: Period
    slot: datetime


def _first_slot_day(kind: DigestKind, today: date) -> date:
    """The day of the slot in the current cycle (which may still be ahead today)."""
    if kind is DigestKind.DAILY:
        return today
    if kind is DigestKind.FORTNIGHT:
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=(monday - FORTNIGHT_ANCHOR).days % 14)
    if kind is DigestKind.MONTHLY:
        return today.replace(day=1)
    if kind is DigestKind.TERTIAL:
        return date(today.year, TERTIAL_FIRST_MONTH[(today.month - 1) // 4 + 1], 1)
    return date(today.year, 1, 2)


def _earlier_slot_day(kind: DigestKind, day: date) -> date:
    """The slot day of the cycle before."""
    if kind is DigestKind.DAILY:
        return day - timedelta(days=1)
    if kind is DigestKind.FORTNIGHT:
        return day - timedelta(days=14)
    if kind is DigestKind.YEARLY:
        return date(day.year - 1, 1, 2)
    return _first_slot_day(kind, day - timedelta(days=1))


def latest_slot(kind: DigestKind, at: time, now: datetime, tz: ZoneInfo) -> tuple[datetime, Period]:
    """The latest slot at or before `now` and the period its digest covers."""
    local = now.astimezone(tz)
    day = _first_slot_day(kind, local.date())
    # compared in UTC: datetimes sharing a tzinfo compare by wall clock, which is wrong in
    # the hour that summer time skips or repeats
    if day > local.date() or datetime.combine(day, at, tzinfo=tz).astimezone(UTC) > now:
        day = _earlier_slot_day(kind, day)
    slot = datetime.combine(day, at, tzinfo=tz)
    if kind is DigestKind.DAILY:
        return slot, latest_complete(kind, slot, tz)
    # the period just ended: for the yearly one (sent 2 January) that is last year
    covered = date(day.year - 1, 12, 31) if kind is DigestKind.YEARLY else day - timedelta(1)
    return slot, period_containing(kind, covered, tz)


def parse_at(text: str) -> time:
    hour, minute = (int(part) for part in text.split(":"))
    return time(hour, minute)


def due_digests(engine: Engine, now: datetime, tz: ZoneInfo) -> list[Due]:
    """Every digest whose slot has come and that was not made yet for its group; a slot
    before the group subscribed is not due (linking today does not fetch last month's)."""
    found = []
    with transaction(engine) as session:
        for group, subscription in active_subscriptions(session=session):
            slot, period = latest_slot(subscription.kind, parse_at(subscription.at), now, tz)
            if slot < subscription.since:
                continue
            if already_made(
                session=session, chat_id=group.chat_id, kind=subscription.kind, period=period.key
            ):
                continue
            found.append(Due(group, subscription, period, slot))
    return found
