"""Local times of an imported row to UTC: the hour-by-hour shortcut gives what converting
each time there and back gives, in zones whose clocks change by an hour or by half of one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.exchange.rows import NoSuchLocalTime, RowReader

ZONES = ["Europe/Stockholm", "Australia/Lord_Howe", "America/St_Johns", "Asia/Kathmandu"]


def there_and_back(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The plain way: the first reading of the local time, or None where it does not exist."""
    utc = naive.replace(tzinfo=tz).astimezone(UTC)
    return utc if utc.astimezone(tz).replace(tzinfo=None) == naive else None


@pytest.mark.parametrize("zone", ZONES)
@given(minutes=st.integers(0, 2 * 366 * 24 * 60), seconds=st.integers(0, 59))
def test_every_local_time_as_the_plain_conversion_gives_it(
    zone: str, minutes: int, seconds: int
) -> None:
    tz = ZoneInfo(zone)
    naive = datetime(2026, 1, 1) + timedelta(minutes=minutes, seconds=seconds)
    reader = RowReader([], tz, datetime(2030, 1, 1, tzinfo=UTC))
    expected = there_and_back(naive, tz)
    if expected is None:
        with pytest.raises(NoSuchLocalTime):
            reader._from_local(naive, "occurred_at", str(naive))
    else:
        assert reader._from_local(naive, "occurred_at", str(naive)) == expected


@pytest.mark.parametrize("zone", ZONES)
def test_every_minute_around_the_changes(zone: str) -> None:
    """The nights the clocks change, minute by minute (the draws above may miss them)."""
    tz = ZoneInfo(zone)
    reader = RowReader([], tz, datetime(2030, 1, 1, tzinfo=UTC))
    moment, end, checked = datetime(2026, 1, 1), datetime(2027, 1, 1), 0
    while moment < end:
        if (
            moment.replace(tzinfo=tz).utcoffset()
            != (moment + timedelta(hours=3)).replace(tzinfo=tz).utcoffset()
        ):
            for minute in range(0, 6 * 60):
                naive = moment + timedelta(minutes=minute)
                expected = there_and_back(naive, tz)
                try:
                    got = reader._from_local(naive, "occurred_at", str(naive))
                except NoSuchLocalTime:
                    got = None
                assert got == expected, naive
                checked += 1
        moment += timedelta(hours=3)
    assert checked > 0 or zone == "Asia/Kathmandu"  # Nepal keeps one offset all year
