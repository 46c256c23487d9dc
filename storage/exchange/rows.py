"""What the cells of an imported row mean: times, category, coordinates, reference, status.

Each row is checked on its own here and gives either an `ImportRow` ready to be stored or
the reasons it cannot be (all of them, so that one pass over the file finds everything).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from storage.exchange.columns import unguard_formula
from storage.exchange.sheets import Cell
from storage.kinds import Status
from storage.personal_data import has_personal_data
from storage.tables import Category

# A date without a time is taken as noon: it stays on its day in UTC and in every analysis.
DATE_ONLY_TIME = time(12, 0)
KEY_PREFIX = "import:"  # Observation.draft_key of an imported row; the rest is a sha256
MAX_PLACE, MAX_ORGANISATION = 500, 200
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_REFERENCE = re.compile(r"^EST-(\d{4})-(\d{4,8})$")  # Observation.reference holds 20
_GAP_ADVICE = {"occurred_at": "correct it, or give the moment in UTC in occurred_at_utc"}
_FUTURE_SLACK = timedelta(minutes=5)
T = TypeVar("T")


class RowProblem(Exception):
    """One reason a row cannot be imported, said so that the person can fix the cell."""


class NoSuchLocalTime(RowProblem):
    """A local time in the spring's missing hour."""


@dataclass(frozen=True, slots=True)  # a file's rows wait in memory: no dict for each
class ImportRow:
    """A checked row: everything an Observation needs but its id, reporter and new number."""

    row: int
    key: str
    reference: str | None
    year: int
    number: int | None  # None: a new number is given in `year`
    category_id: int
    occurred_at: datetime  # UTC
    reported_at: datetime  # UTC
    latitude: float | None
    longitude: float | None
    place: str
    description: str
    organisation: str
    status: Status


class RowReader:
    """Checks rows against the categories and the time zone."""

    def __init__(self, categories: list[Category], tz: ZoneInfo, now: datetime) -> None:
        self.tz, self.now = tz, now
        self.categories: dict[str, Category] = {}
        for category in categories:
            for name in (category.code, category.label_sv, category.label_en):
                self.categories.setdefault(name.strip().casefold(), category)
        self.codes = ", ".join(c.code for c in categories if c.active)

    def read(self, row: int, cells: dict[str, Cell]) -> ImportRow | list[str]:
        """The row as an ImportRow, or every reason it cannot be imported."""
        problems: list[str] = []
        occurred = _checked(problems, self._occurred_at, cells)
        reported = _checked(problems, self._local_or_none, cells, "reported_at")
        category = _checked(problems, self._category, _text(cells.get("category")))
        point = _checked(problems, _coordinates, cells.get("latitude"), cells.get("longitude"))
        reference = _checked(problems, _reference, _text(cells.get("reference")))
        status = _checked(problems, _status, _text(cells.get("status")))
        place, description = _text(cells.get("place")), _text(cells.get("description"))
        organisation = " ".join(_text(cells.get("organisation")).split())
        if not organisation:
            problems.append("organisation is empty")
        elif len(organisation) > MAX_ORGANISATION:
            problems.append(f"organisation is longer than {MAX_ORGANISATION} characters")
        if len(place) > MAX_PLACE:
            problems.append(f"place is longer than {MAX_PLACE} characters")
        if has_personal_data(description):
            problems.append(
                "description holds a personnummer or phone number; mask it (ÅÅMMDD-XXXX)"
            )
        if problems:
            return problems
        assert occurred is not None and category is not None and category.id is not None
        assert point is not None and reference is not None and status is not None
        year, number = reference[1] or (occurred.astimezone(self.tz).year, None)
        return ImportRow(
            row=row,
            key=row_key(
                reference[0], occurred, category.code, point, place, description, organisation
            ),  # fmt: skip
            reference=reference[0],
            year=year,
            number=number,
            category_id=category.id,
            occurred_at=occurred,
            reported_at=reported or occurred,
            latitude=point[0],
            longitude=point[1],
            place=place,
            description=description,
            organisation=organisation,
            status=status,
        )

    def _occurred_at(self, cells: dict[str, Cell]) -> datetime:
        utc = _utc_or_none(cells.get("occurred_at_utc"))
        try:
            local = self._local_or_none(cells, "occurred_at")
        except NoSuchLocalTime:
            if utc is None:
                raise
            local = None  # occurred_at_utc wins, and says which moment was meant
        if utc is None and local is None:
            raise RowProblem("occurred_at is empty")
        if local is not None and utc is not None and not self._agree(cells, local, utc):
            raise RowProblem(
                f"occurred_at {_cell_text(cells['occurred_at'])} and occurred_at_utc "
                f"{_cell_text(cells['occurred_at_utc'])} are different times; correct one "
                "of them, or empty occurred_at_utc"
            )
        when = utc or local
        assert when is not None
        if when > self.now + _FUTURE_SLACK:
            shown = when.astimezone(self.tz)
            raise RowProblem(f"occurred_at {shown:%Y-%m-%d %H:%M} is in the future")
        return when

    def _agree(self, cells: dict[str, Cell], local: datetime, utc: datetime) -> bool:
        """occurred_at says the same as occurred_at_utc, to the minute (or the day, for a
        date alone); in the autumn's repeated hour either reading of the local time will do."""
        shown = utc.astimezone(self.tz).replace(tzinfo=None, second=0)
        if _date_only(cells.get("occurred_at")):
            return shown.date() == local.astimezone(self.tz).date()
        return shown == local.astimezone(self.tz).replace(tzinfo=None, second=0)

    def _local_or_none(self, cells: dict[str, Cell], column: str) -> datetime | None:
        """A local time (ESTBOT_TIMEZONE) unless it carries an offset, as UTC."""
        value = cells.get(column)
        if isinstance(value, datetime):
            return self._from_local(value.replace(microsecond=0), column, value)
        if isinstance(value, date):  # a date cell without a time
            return self._from_local(datetime.combine(value, DATE_ONLY_TIME), column, value)
        text = _text(value)
        if not text:
            return None
        parsed = _parse_time(text, column)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        if _date_only(text):
            parsed = datetime.combine(parsed.date(), DATE_ONLY_TIME)
        return self._from_local(parsed, column, value)

    def _from_local(self, naive: datetime, column: str, shown: Cell) -> datetime:
        offset = _steady_offset(self.tz, naive.year, naive.month, naive.day, naive.hour)
        if offset is not None:  # all but the hours of a change: no gap, no repeat
            return (naive - offset).replace(tzinfo=UTC)
        local = naive.replace(tzinfo=self.tz)  # fold 0: the first of the autumn's two hours
        utc = local.astimezone(UTC)
        if utc.astimezone(self.tz).replace(tzinfo=None) != naive:
            raise NoSuchLocalTime(
                f"{column} {_cell_text(shown)} does not exist in {self.tz.key} (the clocks "
                f"jump forward that night); {_GAP_ADVICE.get(column, 'correct it')}"
            )
        return utc

    def _category(self, text: str) -> Category:
        if not text:
            raise RowProblem("category is empty")
        found = self.categories.get(text.casefold())
        if found is None:
            raise RowProblem(f"category {text!r} is unknown; use a code ({self.codes}) or label")
        return found


def row_key(
    reference: str | None,
    occurred_at: datetime,
    category: str,
    point: tuple[float | None, float | None],
    place: str,
    description: str,
    organisation: str,
) -> str:
    """The row's idempotency key: the same observation gives the same key on every import
    (the same reference, time, category, place, text and organisation)."""
    latitude, longitude = (None if v is None else round(v, 6) for v in point)
    normal = "\x1f".join(
        str(part)
        for part in (
            reference or "",
            occurred_at.astimezone(UTC).isoformat(),
            category,
            latitude,
            longitude,
            " ".join(place.split()),
            description.strip(),
            organisation.casefold(),
        )  # fmt: skip
    )
    return KEY_PREFIX + hashlib.sha256(normal.encode()).hexdigest()[: 64 - len(KEY_PREFIX)]


def _checked(problems: list[str], work: Callable[..., T], *args: Any) -> T | None:
    """What `work` gives, or None with its problem added to `problems`."""
    try:
        return work(*args)
    except RowProblem as problem:
        problems.append(str(problem))
        return None


@lru_cache(maxsize=8192)
def _steady_offset(tz: ZoneInfo, year: int, month: int, day: int, hour: int) -> timedelta | None:
    """The UTC offset of every moment in the local hour, or None if the clocks change within
    it (a missing or a repeated hour). A file's rows fall in a few thousand hours: asked once
    each, rather than converting every row there and back."""
    start = datetime(year, month, day, hour, tzinfo=tz)
    end = start.replace(minute=59, second=59, microsecond=999999)
    offsets = {
        moment.utcoffset() for moment in (start, end, *(m.replace(fold=1) for m in (start, end)))
    }
    return offsets.pop() if len(offsets) == 1 else None


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if value.__class__ is str:  # the common case, first
        return unguard_formula(value.strip())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unguard_formula(str(value).strip())


def _cell_text(value: Cell) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else repr(_text(value))


def _parse_time(text: str, column: str) -> datetime:
    if _ISO.match(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise RowProblem(
        f"{column} {text!r} is not a time; write it as 2026-03-14 21:30 (or 2026-03-14)"
    )


def _utc_or_none(value: Cell) -> datetime | None:
    if isinstance(value, datetime):  # a real Excel time has no zone: this column is UTC
        return value.replace(microsecond=0, tzinfo=UTC)
    text = _text(value)
    if not text:
        return None
    parsed = _parse_time(text, "occurred_at_utc")
    if _date_only(text):
        raise RowProblem("occurred_at_utc needs a time, e.g. 2026-10-25T01:30:00Z")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _date_only(value: Cell) -> bool:
    if isinstance(value, datetime):
        return False
    return isinstance(value, date) or len(_text(value)) == 10


def _coordinates(latitude: Cell, longitude: Cell) -> tuple[float | None, float | None]:
    lat, lon = _number(latitude, "latitude"), _number(longitude, "longitude")
    if (lat is None) != (lon is None):
        raise RowProblem("give both latitude and longitude, or neither")
    if lat is not None and not -90 <= lat <= 90:
        raise RowProblem(f"latitude {lat} is not between -90 and 90")
    if lon is not None and not -180 <= lon <= 180:
        raise RowProblem(f"longitude {lon} is not between -180 and 180")
    return lat, lon


def _number(value: Cell, column: str) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _text(value).replace(" ", "")
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise RowProblem(f"{column} {text!r} is not a number (e.g. 59.1262)") from None
    if not math.isfinite(number):
        raise RowProblem(f"{column} {_text(value)!r} is not a number (e.g. 59.1262)")
    return number


def _reference(text: str) -> tuple[str | None, tuple[int, int] | None]:
    if not text:
        return None, None
    match = _REFERENCE.match(text.upper())
    if match is None or int(match[2]) == 0:
        raise RowProblem(
            f"reference {text!r} is not like EST-2026-0042; leave it empty to get a new one "
            "(and put another system's number in the description)"
        )
    year, number = int(match[1]), int(match[2])
    return f"EST-{year}-{number:04d}", (year, number)


def _status(text: str) -> Status:
    if not text:
        return Status.NEW
    try:
        return Status(text.lower())
    except ValueError:
        codes = ", ".join(status.value for status in Status)
        raise RowProblem(f"status {text!r} is unknown; use one of {codes}") from None
