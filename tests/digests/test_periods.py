"""Periods and schedule slots: keys, bounds, lengths across the summer-time changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.periods import (
    FORTNIGHT_ANCHOR,
    Period,
    latest_complete,
    parse_period,
    period_containing,
)
from digests.schedule import latest_slot
from storage.kinds import DigestKind

TZ = ZoneInfo("Europe/Stockholm")
HOUR = 1 / 24
# 2026: summer time starts Sunday 29 March at 01:00 UTC (02:00 CET → 03:00 CEST) and ends
# Sunday 25 October at 01:00 UTC (03:00 CEST → 02:00 CET).
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=TZ)  # a Sunday, in winter time


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def at(text: str) -> datetime:
    """Local time from "2026-11-22" or "2026-11-22 07:59"."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def bounds(period: Period) -> tuple[str, datetime, datetime]:
    return period.key, period.start_utc, period.end_utc


# --- period_containing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "key", "start", "end"),
    [
        (DigestKind.DAILY, "2026-11-22", "2026-11-22", "2026-11-22", "2026-11-23"),
        (DigestKind.WEEK, "2026-11-22", "2026-W47", "2026-11-16", "2026-11-23"),
        (DigestKind.WEEK, "2026-11-16", "2026-W47", "2026-11-16", "2026-11-23"),
        # 1 January 2027 is a Friday of ISO week 53 of 2026
        (DigestKind.WEEK, "2027-01-01", "2026-W53", "2026-12-28", "2027-01-04"),
        (DigestKind.WEEK, "2026-01-01", "2026-W01", "2025-12-29", "2026-01-05"),
        (DigestKind.FORTNIGHT, "2026-11-22", "2026-11-16+14d", "2026-11-16", "2026-11-30"),
        (DigestKind.FORTNIGHT, "2026-11-29", "2026-11-16+14d", "2026-11-16", "2026-11-30"),
        (DigestKind.FORTNIGHT, "2026-11-30", "2026-11-30+14d", "2026-11-30", "2026-12-14"),
        (DigestKind.FORTNIGHT, "2024-01-01", "2024-01-01+14d", "2024-01-01", "2024-01-15"),
        (DigestKind.MONTHLY, "2026-10-31", "2026-10", "2026-10-01", "2026-11-01"),
        (DigestKind.MONTHLY, "2026-12-01", "2026-12", "2026-12-01", "2027-01-01"),
        (DigestKind.MONTHLY, "2028-02-29", "2028-02", "2028-02-01", "2028-03-01"),
        (DigestKind.TERTIAL, "2026-04-30", "2026-T1", "2026-01-01", "2026-05-01"),
        (DigestKind.TERTIAL, "2026-05-01", "2026-T2", "2026-05-01", "2026-09-01"),
        (DigestKind.TERTIAL, "2026-12-31", "2026-T3", "2026-09-01", "2027-01-01"),
        (DigestKind.YEARLY, "2026-07-04", "2026", "2026-01-01", "2027-01-01"),
    ],
)
def test_period_containing_keys_and_bounds(
    kind: DigestKind, day: str, key: str, start: str, end: str
) -> None:
    period = period_containing(kind, date.fromisoformat(day), TZ)
    assert period.kind is kind
    assert period.key == key
    assert period.start == at(start)
    assert period.end == at(end)
    assert period.start.time() == time(0) and period.end.time() == time(0)
    assert period.start <= at(day) < period.end
    assert not period.partial
    assert period.last_day == date.fromisoformat(end) - timedelta(days=1)


def test_fortnights_start_every_second_monday_from_the_anchor() -> None:
    day = date(2025, 6, 1)
    for _ in range(120):
        period = period_containing(DigestKind.FORTNIGHT, day, TZ)
        first = period.start.date()
        assert first.weekday() == 0
        assert (first - FORTNIGHT_ANCHOR).days % 14 == 0
        assert period.key == f"{first.isoformat()}+14d"
        assert first <= day < period.end.date()
        day += timedelta(days=5)


@pytest.mark.parametrize(
    ("kind", "day", "days"),
    [
        (DigestKind.MONTHLY, date(2026, 10, 1), 31 + HOUR),  # the October night has 25 hours
        (DigestKind.MONTHLY, date(2026, 3, 1), 31 - HOUR),  # the March night has 23 hours
        (DigestKind.MONTHLY, date(2026, 11, 1), 30.0),
        (DigestKind.MONTHLY, date(2028, 2, 1), 29.0),
        (DigestKind.WEEK, AUTUMN, 7 + HOUR),
        (DigestKind.WEEK, SPRING, 7 - HOUR),
        (DigestKind.FORTNIGHT, AUTUMN, 14 + HOUR),
        (DigestKind.TERTIAL, date(2026, 1, 1), 120 - HOUR),
        (DigestKind.TERTIAL, date(2026, 5, 1), 123.0),
        (DigestKind.TERTIAL, date(2026, 9, 1), 122 + HOUR),
        (DigestKind.YEARLY, date(2026, 1, 1), 365.0),  # the two changes cancel
        (DigestKind.YEARLY, date(2028, 1, 1), 366.0),
    ],
)
def test_days_count_real_hours(kind: DigestKind, day: date, days: float) -> None:
    assert period_containing(kind, day, TZ).days == pytest.approx(days, abs=1e-9)


def test_daily_period_across_the_summer_time_nights_keeps_one_key() -> None:
    autumn = period_containing(DigestKind.DAILY, AUTUMN, TZ)
    assert bounds(autumn) == ("2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert autumn.days == pytest.approx(25 / 24)
    spring = period_containing(DigestKind.DAILY, SPRING, TZ)
    assert bounds(spring) == ("2026-03-29", utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert spring.days == pytest.approx(23 / 24)
    # every moment of the long night falls in the one period with the one key
    moment = utc(2026, 10, 24, 22)
    while moment < utc(2026, 10, 25, 23):
        day = moment.astimezone(TZ).date()
        assert period_containing(DigestKind.DAILY, day, TZ).key == "2026-10-25"
        moment += timedelta(minutes=15)


# --- latest_complete ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key", "start", "end"),
    [
        (DigestKind.WEEK, "2026-W46", date(2026, 11, 9), date(2026, 11, 16)),
        (DigestKind.FORTNIGHT, "2026-11-02+14d", date(2026, 11, 2), date(2026, 11, 16)),
        (DigestKind.MONTHLY, "2026-10", date(2026, 10, 1), date(2026, 11, 1)),
        (DigestKind.TERTIAL, "2026-T2", date(2026, 5, 1), date(2026, 9, 1)),
        (DigestKind.YEARLY, "2025", date(2025, 1, 1), date(2026, 1, 1)),
    ],
)
def test_latest_complete(kind: DigestKind, key: str, start: date, end: date) -> None:
    period = latest_complete(kind, NOW, TZ)
    assert (period.kind, period.key, period.partial) == (kind, key, False)
    assert period.start == local(start.year, start.month, start.day)
    assert period.end == local(end.year, end.month, end.day)
    assert period.end <= NOW


def test_latest_complete_daily_is_the_24_hours_up_to_now() -> None:
    period = latest_complete(DigestKind.DAILY, NOW.astimezone(UTC), TZ)
    assert bounds(period) == ("2026-11-22", utc(2026, 11, 21, 9), utc(2026, 11, 22, 9))
    # at 07:00 on the autumn Sunday the "24 hours" are 25 real hours, named by that day
    autumn = latest_complete(DigestKind.DAILY, utc(2026, 10, 25, 6), TZ)
    assert bounds(autumn) == ("2026-10-25", utc(2026, 10, 24, 5), utc(2026, 10, 25, 6))
    assert autumn.days == pytest.approx(25 / 24)


def test_latest_complete_at_the_boundary() -> None:
    assert latest_complete(DigestKind.MONTHLY, local(2026, 11, 1), TZ).key == "2026-10"
    assert latest_complete(DigestKind.MONTHLY, local(2026, 10, 31, 23, 59), TZ).key == "2026-09"
    assert latest_complete(DigestKind.YEARLY, local(2027, 1, 1), TZ).key == "2026"
    assert latest_complete(DigestKind.TERTIAL, local(2027, 1, 1), TZ).key == "2026-T3"
    # the boundary is local midnight, not UTC midnight: 23:30 UTC on 31 Oct is 1 Nov here
    assert latest_complete(DigestKind.MONTHLY, utc(2026, 10, 31, 23, 30), TZ).key == "2026-10"


# --- parse_period ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("manad", DigestKind.MONTHLY, "2026-10"),
        ("månad", DigestKind.MONTHLY, "2026-10"),
        ("month", DigestKind.MONTHLY, "2026-10"),
        ("  MANAD ", DigestKind.MONTHLY, "2026-10"),
        ("tertial", DigestKind.TERTIAL, "2026-T2"),
        ("ar", DigestKind.YEARLY, "2025"),
        ("år", DigestKind.YEARLY, "2025"),
        ("year", DigestKind.YEARLY, "2025"),
        ("vecka", DigestKind.WEEK, "2026-W46"),
        ("week", DigestKind.WEEK, "2026-W46"),
        ("14d", DigestKind.FORTNIGHT, "2026-11-02+14d"),
        ("fortnight", DigestKind.FORTNIGHT, "2026-11-02+14d"),
        ("dag", DigestKind.DAILY, "2026-11-22"),
        ("", DigestKind.FORTNIGHT, "2026-11-02+14d"),  # nothing typed: the last fortnight
    ],
)
def test_parse_kind_words_give_the_latest_complete_period(
    text: str, kind: DigestKind, key: str
) -> None:
    period = parse_period(text, None, NOW, TZ)
    assert (period.kind, period.key, period.partial) == (kind, key, False)
    assert period == latest_complete(kind, NOW, TZ)


@pytest.mark.parametrize(
    ("text", "kind", "key", "start", "end"),
    [
        ("2026-10", DigestKind.MONTHLY, "2026-10", local(2026, 10, 1), local(2026, 11, 1)),
        ("2026-3", DigestKind.MONTHLY, "2026-03", local(2026, 3, 1), local(2026, 4, 1)),
        ("2026-T1", DigestKind.TERTIAL, "2026-T1", local(2026, 1, 1), local(2026, 5, 1)),
        ("2025-t3", DigestKind.TERTIAL, "2025-T3", local(2025, 9, 1), local(2026, 1, 1)),
        ("2026-W46", DigestKind.WEEK, "2026-W46", local(2026, 11, 9), local(2026, 11, 16)),
        ("2026-w1", DigestKind.WEEK, "2026-W01", local(2025, 12, 29), local(2026, 1, 5)),
        ("2025", DigestKind.YEARLY, "2025", local(2025, 1, 1), local(2026, 1, 1)),
        ("2026-11-09", DigestKind.DAILY, "2026-11-09", local(2026, 11, 9), local(2026, 11, 10)),
    ],
)
def test_parse_period_names(
    text: str, kind: DigestKind, key: str, start: datetime, end: datetime
) -> None:
    period = parse_period(text, None, NOW, TZ)
    assert (period.kind, period.key, period.partial) == (kind, key, False)
    assert (period.start, period.end) == (start, end)


def test_parse_a_day_with_a_kind_gives_the_period_containing_it() -> None:
    week = parse_period("2026-11-11", DigestKind.WEEK, NOW, TZ)
    assert week.key == "2026-W46"
    fortnight = parse_period("2026-11-09", DigestKind.FORTNIGHT, NOW, TZ)
    assert (fortnight.key, fortnight.start, fortnight.end) == (
        "2026-11-02+14d",
        local(2026, 11, 2),
        local(2026, 11, 16),
    )
    month = parse_period("2026-10-25", DigestKind.MONTHLY, NOW, TZ)
    assert month.key == "2026-10"


def test_parse_the_day_of_the_long_night() -> None:
    period = parse_period("2026-10-25", None, NOW, TZ)
    assert bounds(period) == ("2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))


def test_parse_a_fortnight_key_without_a_kind() -> None:
    period = parse_period("2026-11-02+14d", None, NOW, TZ)
    assert (period.kind, period.key) == (DigestKind.FORTNIGHT, "2026-11-02+14d")


@pytest.mark.parametrize(
    "text",
    [
        "foo",
        "manader",
        "2026-13",
        "2026-00",
        "2026-T4",
        "2026-T0",
        "2025-W53",
        "2026-W54",
        "2026-02-30",
        "26-10",
        "2026/10",
        "2026-10-1",
        "-1",
        "2026-W",
        "T3",
    ],
)
def test_parse_invalid_input_raises(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_period(text, None, NOW, TZ)


@pytest.mark.parametrize("text", ["2026-12", "2027", "2027-T1", "2026-W48", "2026-11-23"])
def test_parse_a_period_not_begun_raises(text: str) -> None:
    with pytest.raises(ValueError, match="has not begun"):
        parse_period(text, None, NOW, TZ)


# --- partial periods ---------------------------------------------------------------------


def test_a_running_period_is_cut_at_now() -> None:
    period = parse_period("2026-11", None, NOW, TZ)
    assert (period.kind, period.key, period.partial) == (DigestKind.MONTHLY, "2026-11", True)
    assert (period.start, period.end) == (local(2026, 11, 1), NOW)
    assert period.days == pytest.approx(21 + 10 / 24)
    year = parse_period("2026", None, NOW, TZ)
    assert (year.key, year.partial, year.end) == ("2026", True, NOW)
    today = parse_period("2026-11-22", None, NOW, TZ)
    assert (today.key, today.partial, today.start, today.end) == (
        "2026-11-22",
        True,
        local(2026, 11, 22),
        NOW,
    )
    # a period that has ended is not cut
    whole = period_containing(DigestKind.MONTHLY, date(2026, 10, 1), TZ)
    assert whole.up_to(NOW) is whole


def test_the_previous_of_a_partial_period_has_the_same_length_just_before() -> None:
    now = local(2026, 12, 15, 12)
    period = parse_period("2026-12", None, now, TZ)
    previous = period.previous()
    assert previous.end == period.start
    assert previous.start == local(2026, 11, 16, 12)
    assert previous.days == pytest.approx(period.days) == pytest.approx(14.5)
    assert previous.kind is DigestKind.MONTHLY and previous.partial
    assert previous.key == "2026-12-"


def test_the_previous_of_a_partial_period_across_the_autumn_night() -> None:
    period = parse_period("2026-11", None, NOW, TZ)
    previous = period.previous()
    assert previous.end == period.start
    # as many local days and hours just before: 21 days 10 hours on the wall clock ...
    assert previous.start == local(2026, 10, 10, 14)
    assert previous.end - previous.start == period.end - period.start
    # ... which took one real hour more, as the October night has 25 hours
    assert previous.days == pytest.approx(period.days + HOUR)


def test_year_before_of_a_partial_month_is_the_same_days_a_year_earlier() -> None:
    earlier = parse_period("2026-11", None, NOW, TZ).year_before()
    assert (earlier.key, earlier.partial) == ("2025-11", True)
    assert (earlier.start, earlier.end) == (local(2025, 11, 1), local(2025, 11, 22, 10))


# --- previous and year_before ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "key"),
    [
        (DigestKind.DAILY, date(2026, 10, 26), "2026-10-25"),
        (DigestKind.DAILY, date(2026, 1, 1), "2025-12-31"),
        (DigestKind.WEEK, date(2026, 1, 1), "2025-W52"),
        (DigestKind.WEEK, date(2027, 1, 6), "2026-W53"),
        (DigestKind.FORTNIGHT, date(2026, 11, 16), "2026-11-02+14d"),
        (DigestKind.MONTHLY, date(2026, 1, 15), "2025-12"),
        (DigestKind.MONTHLY, date(2026, 3, 31), "2026-02"),
        (DigestKind.TERTIAL, date(2026, 2, 1), "2025-T3"),
        (DigestKind.TERTIAL, date(2026, 9, 1), "2026-T2"),
        (DigestKind.YEARLY, date(2026, 6, 1), "2025"),
    ],
)
def test_previous(kind: DigestKind, day: date, key: str) -> None:
    period = period_containing(kind, day, TZ)
    previous = period.previous()
    assert (previous.kind, previous.key, previous.partial) == (kind, key, False)
    assert previous.end == period.start
    assert previous.start < previous.end


def test_previous_daily_across_the_long_night_is_25_hours() -> None:
    previous = period_containing(DigestKind.DAILY, date(2026, 10, 26), TZ).previous()
    assert bounds(previous) == ("2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))


@pytest.mark.parametrize(
    ("kind", "day", "key", "start"),
    [
        # weeks, fortnights and days go back 52 weeks, so that weekdays line up
        (DigestKind.WEEK, date(2026, 11, 11), "2025-W46", date(2025, 11, 10)),
        (DigestKind.FORTNIGHT, date(2026, 11, 16), "2025-11-17+14d", date(2025, 11, 17)),
        (DigestKind.DAILY, date(2026, 11, 22), "2025-11-23", date(2025, 11, 23)),
        (DigestKind.MONTHLY, date(2026, 10, 5), "2025-10", date(2025, 10, 1)),
        (DigestKind.MONTHLY, date(2028, 2, 29), "2027-02", date(2027, 2, 1)),
        (DigestKind.TERTIAL, date(2026, 9, 1), "2025-T3", date(2025, 9, 1)),
        (DigestKind.YEARLY, date(2026, 1, 1), "2025", date(2025, 1, 1)),
    ],
)
def test_year_before(kind: DigestKind, day: date, key: str, start: date) -> None:
    period = period_containing(kind, day, TZ)
    earlier = period.year_before()
    assert (earlier.kind, earlier.key) == (kind, key)
    assert earlier.start == local(start.year, start.month, start.day)
    if kind in (DigestKind.WEEK, DigestKind.FORTNIGHT, DigestKind.DAILY):
        assert earlier.start.weekday() == period.start.weekday()
        assert earlier.days == pytest.approx(period.days)
    if kind is DigestKind.FORTNIGHT:  # still a fortnight of the schedule
        assert (earlier.start.date() - FORTNIGHT_ANCHOR).days % 14 == 0


# --- latest_slot ---------------------------------------------------------------------------

EIGHT = time(8, 0)


@pytest.mark.parametrize(
    ("kind", "now", "slot", "key"),
    [
        # daily: before and after the slot on the slot day
        (DigestKind.DAILY, "2026-11-22 07:59", "2026-11-21 08:00", "2026-11-21"),
        (DigestKind.DAILY, "2026-11-22 08:00", "2026-11-22 08:00", "2026-11-22"),
        (DigestKind.DAILY, "2026-11-22 23:59", "2026-11-22 08:00", "2026-11-22"),
        (DigestKind.DAILY, "2027-01-01 00:30", "2026-12-31 08:00", "2026-12-31"),
        (DigestKind.DAILY, "2027-01-01 09:00", "2027-01-01 08:00", "2027-01-01"),
        # fortnights: every second Monday (16 Nov 2026 is one, 23 Nov is not)
        (DigestKind.FORTNIGHT, "2026-11-16 07:59", "2026-11-02 08:00", "2026-10-19+14d"),
        (DigestKind.FORTNIGHT, "2026-11-16 08:00", "2026-11-16 08:00", "2026-11-02+14d"),
        (DigestKind.FORTNIGHT, "2026-11-29 23:00", "2026-11-16 08:00", "2026-11-02+14d"),
        (DigestKind.FORTNIGHT, "2027-01-01 12:00", "2026-12-28 08:00", "2026-12-14+14d"),
        (DigestKind.FORTNIGHT, "2027-01-02 12:00", "2026-12-28 08:00", "2026-12-14+14d"),
        # monthly: the 1st
        (DigestKind.MONTHLY, "2026-11-01 07:59", "2026-10-01 08:00", "2026-09"),
        (DigestKind.MONTHLY, "2026-11-01 08:00", "2026-11-01 08:00", "2026-10"),
        (DigestKind.MONTHLY, "2027-01-01 07:00", "2026-12-01 08:00", "2026-11"),
        (DigestKind.MONTHLY, "2027-01-01 08:00", "2027-01-01 08:00", "2026-12"),
        (DigestKind.MONTHLY, "2027-01-02 12:00", "2027-01-01 08:00", "2026-12"),
        # tertial: 1 January, 1 May, 1 September
        (DigestKind.TERTIAL, "2027-01-01 07:59", "2026-09-01 08:00", "2026-T2"),
        (DigestKind.TERTIAL, "2027-01-01 08:00", "2027-01-01 08:00", "2026-T3"),
        (DigestKind.TERTIAL, "2027-01-02 12:00", "2027-01-01 08:00", "2026-T3"),
        (DigestKind.TERTIAL, "2026-05-01 08:00", "2026-05-01 08:00", "2026-T1"),
        (DigestKind.TERTIAL, "2026-08-31 23:00", "2026-05-01 08:00", "2026-T1"),
        # yearly: 2 January
        (DigestKind.YEARLY, "2027-01-01 12:00", "2026-01-02 08:00", "2025"),
        (DigestKind.YEARLY, "2027-01-02 07:59", "2026-01-02 08:00", "2025"),
        (DigestKind.YEARLY, "2027-01-02 08:00", "2027-01-02 08:00", "2026"),
        (DigestKind.YEARLY, "2027-12-31 23:00", "2027-01-02 08:00", "2026"),
    ],
)
def test_latest_slot_at_eight(kind: DigestKind, now: str, slot: str, key: str) -> None:
    found, period = latest_slot(kind, EIGHT, at(now), TZ)
    assert found == at(slot)
    assert found.astimezone(UTC) <= at(now).astimezone(UTC)
    assert (period.kind, period.key) == (kind, key)
    assert period.end.astimezone(UTC) <= found.astimezone(UTC)
    # the same answer from UTC
    assert latest_slot(kind, EIGHT, at(now).astimezone(UTC), TZ) == (found, period)


@pytest.mark.parametrize(
    ("now", "key", "hours"),
    [
        (utc(2026, 10, 25, 6, 59), "2026-10-24", 24),  # 07:59 CET, before the slot
        (utc(2026, 10, 25, 7, 0), "2026-10-25", 25),  # 08:00 CET: the long night
        (utc(2026, 3, 29, 5, 59), "2026-03-28", 24),  # 07:59 CEST
        (utc(2026, 3, 29, 6, 0), "2026-03-29", 23),  # 08:00 CEST: the short night
    ],
)
def test_latest_daily_slot_at_eight_on_the_change_days(now: datetime, key: str, hours: int) -> None:
    slot, period = latest_slot(DigestKind.DAILY, EIGHT, now, TZ)
    assert slot.astimezone(UTC) <= now
    assert slot.astimezone(TZ).time() == EIGHT
    assert period.key == key and period.end == slot
    assert period.days == pytest.approx(hours / 24)


def _is_slot_day(kind: DigestKind, day: date) -> bool:
    """The schedule of digests/schedule.py's docstring, written out independently."""
    if kind is DigestKind.DAILY:
        return True
    if kind is DigestKind.FORTNIGHT:
        return day.weekday() == 0 and (day - date(2024, 1, 1)).days % 14 == 0
    if kind is DigestKind.MONTHLY:
        return day.day == 1
    if kind is DigestKind.TERTIAL:
        return day.day == 1 and day.month in (1, 5, 9)
    return (day.month, day.day) == (1, 2)


@pytest.mark.parametrize("kind", [k for k in DigestKind if k.scheduled])
def test_latest_slot_is_the_last_slot_at_or_before_now(kind: DigestKind) -> None:
    now = utc(2025, 12, 20, 0, 17)
    while now < utc(2027, 2, 1):
        slot, period = latest_slot(kind, EIGHT, now, TZ)
        local_now = now.astimezone(TZ)
        assert slot.astimezone(UTC) <= now
        assert slot.time() == EIGHT and _is_slot_day(kind, slot.date())
        # no slot day after it up to now, except today's if its time has not come
        day = slot.date() + timedelta(days=1)
        while day <= local_now.date():
            if _is_slot_day(kind, day):
                assert day == local_now.date() and local_now.time() < EIGHT, (kind, now, slot)
            day += timedelta(days=1)
        # the period just ended by the slot's day
        assert period.end.astimezone(UTC) <= slot.astimezone(UTC)
        if kind is not DigestKind.DAILY:
            assert period.previous().end == period.start
            assert period_containing(kind, period.start.date(), TZ) == period
        now += timedelta(hours=7, minutes=3)


# slot 02:30: on 29 March it does not exist (02:00 CET → 03:00 CEST), on 25 October it
# happens twice (02:30 CEST, then 02:30 CET)
HALF_PAST_TWO = time(2, 30)


@pytest.mark.parametrize(
    ("now", "slot_day"),
    [
        (utc(2026, 3, 28, 23, 30), date(2026, 3, 28)),  # 00:30 CET
        (utc(2026, 3, 29, 0, 59), date(2026, 3, 28)),  # 01:59 CET
        (utc(2026, 3, 29, 1, 30), date(2026, 3, 29)),  # 03:30 CEST
        (utc(2026, 3, 29, 10), date(2026, 3, 29)),
        (utc(2026, 10, 24, 23, 0), date(2026, 10, 24)),  # 01:00 CEST
        (utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),  # 02:30 CEST, the first one
        (utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),  # 02:30 CET, the second one
        (utc(2026, 10, 25, 2, 0), date(2026, 10, 25)),  # 03:00 CET
    ],
)
def test_latest_daily_slot_at_half_past_two_on_the_change_days(
    now: datetime, slot_day: date
) -> None:
    slot, period = latest_slot(DigestKind.DAILY, HALF_PAST_TWO, now, TZ)
    assert slot.astimezone(UTC) <= now
    assert slot.date() == slot_day
    assert period.key == slot_day.isoformat()


def test_latest_slot_in_the_spring_gap_is_not_in_the_future() -> None:
    now = utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    slot, _ = latest_slot(DigestKind.DAILY, HALF_PAST_TWO, now, TZ)
    assert slot.astimezone(UTC) <= now


def test_latest_slot_in_the_autumn_fold_does_not_go_back() -> None:
    now = utc(2026, 10, 25, 1, 0)  # 02:00 CET, the second pass through 02:00–03:00
    slot, period = latest_slot(DigestKind.DAILY, HALF_PAST_TWO, now, TZ)
    assert slot.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    assert period.key == "2026-10-25"


def _walk_daily_keys(at: time, start: datetime) -> list[str]:
    """The daily keys seen calling latest_slot every 30 minutes for a week, each slot
    checked on the way."""
    keys: list[str] = []
    now = start
    while now < start + timedelta(days=7):
        slot, period = latest_slot(DigestKind.DAILY, at, now, TZ)
        assert slot.astimezone(UTC) <= now, (now, slot)
        assert period.key == slot.date().isoformat()
        if not keys or keys[-1] != period.key:
            keys.append(period.key)
        now += timedelta(minutes=30)
    return keys


def _consecutive_days(keys: list[str]) -> list[str]:
    first, last = date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


@pytest.mark.parametrize("start", [utc(2026, 3, 25), utc(2026, 10, 21)])
def test_daily_keys_over_a_week_around_a_change_at_eight(start: datetime) -> None:
    keys = _walk_daily_keys(EIGHT, start)
    assert keys == _consecutive_days(keys)  # one key per day, none twice, none skipped
    assert len(keys) == 8


@pytest.mark.parametrize("start", [utc(2026, 3, 25), utc(2026, 10, 21)])
def test_daily_keys_over_a_week_around_a_change_at_half_past_two(start: datetime) -> None:
    keys = _walk_daily_keys(HALF_PAST_TWO, start)
    assert keys == _consecutive_days(keys)
