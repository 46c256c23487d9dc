"""When things happen: observations by weekday and hour in local time, and the time
windows with the most, which is what a night-walk (nattvandring) schedule should cover."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

WINDOW_HOURS = 3
HOURS_IN_WEEK = 7 * 24


@dataclass(frozen=True)
class TimeWindow:
    """A stretch of hours starting on a weekday (0 is Monday), possibly past midnight."""

    weekday: int
    start_hour: int
    hours: int
    count: int
    share: float  # of all observations in the period

    @property
    def end_hour(self) -> int:
        return (self.start_hour + self.hours) % 24


def weekday_hour(frame: pd.DataFrame, tz: ZoneInfo) -> np.ndarray:
    """A 7 × 24 matrix of counts: rows Monday…Sunday, columns hours 0–23, local time."""
    matrix = np.zeros((7, 24), dtype=np.int64)
    if frame.empty:
        return matrix
    local = frame["occurred_at"].dt.tz_convert(tz)
    slots = local.dt.day_of_week.to_numpy() * 24 + local.dt.hour.to_numpy()
    counts = np.bincount(slots, minlength=HOURS_IN_WEEK)
    return counts.reshape(7, 24)


def top_windows(matrix: np.ndarray, count: int = 5, hours: int = WINDOW_HOURS) -> list[TimeWindow]:
    """The busiest windows of `hours` consecutive hours, not overlapping, busiest first.

    The week wraps around: Sunday 23–02 runs into Monday night.
    """
    flat = matrix.reshape(-1)
    total = int(flat.sum())
    if total == 0:
        return []
    sums = np.array([flat.take(range(i, i + hours), mode="wrap").sum() for i in range(flat.size)])
    taken = np.zeros(flat.size, dtype=bool)
    windows: list[TimeWindow] = []
    for start in np.argsort(-sums, kind="stable"):
        hours_of = [(int(start) + i) % flat.size for i in range(hours)]
        if len(windows) == count or sums[start] == 0:
            break
        if taken[hours_of].any():
            continue
        taken[hours_of] = True
        weekday, hour = divmod(int(start), 24)
        windows.append(TimeWindow(weekday, hour, hours, int(sums[start]), sums[start] / total))
    return windows
