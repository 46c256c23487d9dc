"""Observations by local weekday and hour, and the busiest windows of the week."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from digests.analysis.timeprofile import (
    HOURS_IN_WEEK,
    WINDOW_HOURS,
    TimeWindow,
    top_windows,
    weekday_hour,
)

TZ = ZoneInfo("Europe/Stockholm")
MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


def observed(*moments: str) -> pd.DataFrame:
    return pd.DataFrame({"occurred_at": pd.to_datetime(list(moments), utc=True)})


def cells(matrix: np.ndarray) -> dict[tuple[int, int], int]:
    return {(int(d), int(h)): int(matrix[d, h]) for d, h in zip(*np.nonzero(matrix), strict=True)}


@pytest.mark.parametrize(
    ("moment", "weekday", "hour"),
    [
        # the spring night: 2026-03-29 is a Sunday; 02:00 CET jumps to 03:00 CEST at 01:00 UTC
        ("2026-03-28 22:59", SATURDAY, 23),  # 23:59 CET
        ("2026-03-28 23:30", SUNDAY, 0),  # 00:30 CET
        ("2026-03-29 00:59", SUNDAY, 1),  # 01:59 CET
        ("2026-03-29 01:00", SUNDAY, 3),  # 03:00 CEST: hour 2 does not happen
        ("2026-03-29 22:30", MONDAY, 0),  # 00:30 CEST on Monday
        # the autumn night: 2026-10-25 is a Sunday; 03:00 CEST goes back to 02:00 CET
        ("2026-10-24 21:59", SATURDAY, 23),  # 23:59 CEST
        ("2026-10-24 22:30", SUNDAY, 0),  # 00:30 CEST
        ("2026-10-25 00:30", SUNDAY, 2),  # 02:30 CEST, the first time
        ("2026-10-25 01:30", SUNDAY, 2),  # 02:30 CET, the second time
        ("2026-10-25 02:00", SUNDAY, 3),  # 03:00 CET
        ("2026-10-25 23:30", MONDAY, 0),  # 00:30 CET on Monday
        # plain winter and summer
        ("2026-11-20 20:15", FRIDAY, 21),
        ("2026-07-03 20:15", FRIDAY, 22),
    ],
)
def test_weekday_hour_uses_local_time(moment: str, weekday: int, hour: int) -> None:
    matrix = weekday_hour(observed(moment), TZ)
    assert matrix.shape == (7, 24)
    assert cells(matrix) == {(weekday, hour): 1}


def test_weekday_hour_across_both_nights() -> None:
    matrix = weekday_hour(
        observed(
            "2026-03-28 23:30",
            "2026-03-29 00:59",
            "2026-03-29 01:00",
            "2026-03-29 01:30",
            "2026-10-24 22:30",
            "2026-10-25 00:30",
            "2026-10-25 01:30",
            "2026-10-25 02:00",
        ),
        TZ,
    )
    assert cells(matrix) == {(SUNDAY, 0): 2, (SUNDAY, 1): 1, (SUNDAY, 2): 2, (SUNDAY, 3): 3}
    assert matrix.sum() == 8
    assert matrix.dtype == np.int64


def test_weekday_hour_every_hour_of_a_week() -> None:
    # every UTC hour of the week of the autumn night: 169 local hours, Sunday 02 twice
    hours = pd.date_range("2026-10-19 00:00", periods=7 * 24 + 1, freq="h", tz=TZ)
    frame = pd.DataFrame({"occurred_at": pd.Series(hours).dt.tz_convert("UTC")})
    matrix = weekday_hour(frame, TZ)
    expected = np.ones((7, 24), dtype=np.int64)
    expected[SUNDAY, 2] = 2
    assert (matrix == expected).all()


def test_weekday_hour_of_nothing() -> None:
    empty = pd.DataFrame({"occurred_at": pd.Series([], dtype="datetime64[ns, UTC]")})
    matrix = weekday_hour(empty, TZ)
    assert matrix.shape == (7, 24) and matrix.sum() == 0


def planted_week(seed: int) -> np.ndarray:
    """A light even background and a busy Friday 21–24."""
    rng = np.random.default_rng(seed)
    matrix = rng.poisson(1.0, (7, 24)).astype(np.int64)
    matrix[FRIDAY, 21:24] += [12, 15, 11]
    return matrix


def overlaps(a: TimeWindow, b: TimeWindow) -> bool:
    first = {(a.weekday * 24 + a.start_hour + i) % HOURS_IN_WEEK for i in range(a.hours)}
    second = {(b.weekday * 24 + b.start_hour + i) % HOURS_IN_WEEK for i in range(b.hours)}
    return bool(first & second)


def test_top_windows_finds_the_planted_friday_evening() -> None:
    for seed in range(5):
        matrix = planted_week(seed)
        windows = top_windows(matrix)
        first = windows[0]
        assert (first.weekday, first.start_hour, first.hours, first.end_hour) == (
            FRIDAY,
            21,
            WINDOW_HOURS,
            0,
        )
        assert first.count == int(matrix[FRIDAY, 21:24].sum())
        assert first.share == pytest.approx(first.count / matrix.sum())
        assert len(windows) == 5
        counts = [w.count for w in windows]
        assert counts == sorted(counts, reverse=True)
        for i, a in enumerate(windows):
            assert a.count == sum(
                int(matrix.reshape(-1)[(a.weekday * 24 + a.start_hour + k) % HOURS_IN_WEEK])
                for k in range(a.hours)
            )
            for b in windows[i + 1 :]:
                assert not overlaps(a, b)


def test_top_windows_do_not_overlap_around_busy_hours() -> None:
    matrix = np.zeros((7, 24), dtype=np.int64)
    matrix[2, 10] = 9
    matrix[2, 14] = 5
    # 08–11, 09–12 and 10–13 all hold 9: the earliest is kept, the others overlap it;
    # 12–15 holds the 5 without overlapping 08–11
    windows = top_windows(matrix)
    assert [(w.weekday, w.start_hour, w.end_hour, w.count) for w in windows] == [
        (2, 8, 11, 9),
        (2, 12, 15, 5),
    ]
    # two busy hours next to each other are one window holding both
    matrix[2, 11] = 1
    windows = top_windows(matrix)
    assert [(w.start_hour, w.count) for w in windows] == [(9, 10), (12, 5)]


def test_top_windows_wrap_from_sunday_night_into_monday() -> None:
    matrix = np.zeros((7, 24), dtype=np.int64)
    matrix[SUNDAY, 23] = 5
    matrix[MONDAY, 0] = 6
    matrix[MONDAY, 1] = 4
    (window,) = top_windows(matrix, count=1)
    assert (window.weekday, window.start_hour, window.end_hour, window.count) == (
        SUNDAY,
        23,
        2,
        15,
    )
    assert window.share == 1.0
    assert top_windows(matrix) == [window]  # nothing else is busy


def test_top_windows_of_nothing_is_empty() -> None:
    assert top_windows(np.zeros((7, 24), dtype=np.int64)) == []


def test_top_windows_count_and_hours() -> None:
    matrix = planted_week(1)
    assert len(top_windows(matrix, count=2)) == 2
    (wide,) = top_windows(matrix, count=1, hours=6)
    assert wide.hours == 6
    assert wide.count == max(
        int(np.take(matrix.reshape(-1), range(i, i + 6), mode="wrap").sum())
        for i in range(HOURS_IN_WEEK)
    )
