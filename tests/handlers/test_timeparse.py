from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.report.timeparse import parse_when, window_time, windows_open

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=TZ)  # a Sunday morning


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "21:30",
            datetime(2026, 11, 21, 21, 30, tzinfo=TZ),
        ),  # bare time later than now: last night
        ("08:15", datetime(2026, 11, 22, 8, 15, tzinfo=TZ)),
        ("8.15", datetime(2026, 11, 22, 8, 15, tzinfo=TZ)),
        ("kl 7", datetime(2026, 11, 22, 7, 0, tzinfo=TZ)),
        ("igår 22:15", datetime(2026, 11, 21, 22, 15, tzinfo=TZ)),
        ("Igår kl. 22.15", datetime(2026, 11, 21, 22, 15, tzinfo=TZ)),
        ("yesterday 22:15", datetime(2026, 11, 21, 22, 15, tzinfo=TZ)),
        ("i förrgår 23:00", datetime(2026, 11, 20, 23, 0, tzinfo=TZ)),
        ("idag 06:00", datetime(2026, 11, 22, 6, 0, tzinfo=TZ)),
        ("2026-11-20 18:00", datetime(2026, 11, 20, 18, 0, tzinfo=TZ)),
        ("20/11 18:00", datetime(2026, 11, 20, 18, 0, tzinfo=TZ)),
        ("20 nov 18:00", datetime(2026, 11, 20, 18, 0, tzinfo=TZ)),
        ("i fredags 21", datetime(2026, 11, 20, 21, 0, tzinfo=TZ)),
        ("28/12 20:00", datetime(2025, 12, 28, 20, 0, tzinfo=TZ)),  # no year: the latest past one
    ],
)
def test_reads_typed_times_in_local_time(typed: str, expected: datetime) -> None:
    assert parse_when(typed, now=NOW, tz=TZ) == expected


@pytest.mark.parametrize("typed", ["", "blah", "25:00", "12:61", "2026-02-30 10:00", "igår 99:00"])
def test_unreadable_times_give_none(typed: str) -> None:
    assert parse_when(typed, now=NOW, tz=TZ) is None


def test_explicit_future_time_is_returned_for_the_caller_to_refuse() -> None:
    moment = parse_when("2026-11-23 10:00", now=NOW, tz=TZ)
    assert moment is not None and moment > NOW


def test_bare_time_after_choosing_yesterday_means_yesterday() -> None:
    assert parse_when("07:00", now=NOW, tz=TZ, default_day="yesterday") == datetime(
        2026, 11, 21, 7, 0, tzinfo=TZ
    )


def test_time_windows_of_today_are_only_those_begun_and_never_in_the_future() -> None:
    assert windows_open("today", now=NOW, tz=TZ) == ["night", "morning"]
    assert len(windows_open("yesterday", now=NOW, tz=TZ)) == 6
    morning = window_time("today", "morning", now=NOW, tz=TZ)
    assert morning == datetime(2026, 11, 22, 8, 0, tzinfo=TZ)
    early = datetime(2026, 11, 22, 6, 30, tzinfo=TZ)
    assert window_time("today", "morning", now=early, tz=TZ) == early


def test_summer_time_change_keeps_the_wall_clock() -> None:
    after_change = datetime(2026, 3, 29, 12, 0, tzinfo=TZ)
    moment = parse_when("igår 22:00", now=after_change, tz=TZ)
    assert moment is not None and moment.utcoffset() is not None
    assert moment.astimezone(ZoneInfo("UTC")).hour == 21  # CET the day before


def test_todays_weekday_name_means_last_week_when_the_time_is_still_to_come() -> None:
    sunday_morning = NOW
    assert parse_when("söndag 22:00", now=sunday_morning, tz=TZ) == datetime(
        2026, 11, 15, 22, 0, tzinfo=TZ
    )
    assert parse_when("söndag 07:00", now=sunday_morning, tz=TZ) == datetime(
        2026, 11, 22, 7, 0, tzinfo=TZ
    )


def test_bare_time_during_the_repeated_autumn_hour_is_the_latest_past_one() -> None:
    utc = ZoneInfo("UTC")
    # 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET. 02:10 CET is 01:10 UTC.
    second_pass = datetime(2026, 10, 25, 1, 10, tzinfo=utc)
    moment = parse_when("02:40", now=second_pass, tz=TZ)
    assert moment is not None and moment.astimezone(utc) == datetime(
        2026, 10, 25, 0, 40, tzinfo=utc
    )


def test_a_time_the_spring_change_skips_is_not_refused_as_future() -> None:
    utc = ZoneInfo("UTC")
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST. 03:10 CEST is 01:10 UTC.
    after = datetime(2026, 3, 29, 1, 10, tzinfo=utc)
    moment = parse_when("02:30", now=after, tz=TZ)
    assert moment is not None and moment.astimezone(utc) <= after
