"""The rows an import will store, kept in columns rather than as an object per row: numbers
in arrays, descriptions as UTF-8 in one buffer, places and organisations (which repeat) as
numbers into a list of each. 200,000 checked rows wait for the write in a fraction of the
memory that as many `ImportRow`s would take, and no small object is left behind per row,
so the memory of the file's reading is given back.

Rows come back as `ImportRow`s, a chunk at a time, when they are written.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from storage.exchange.rows import KEY_PREFIX, ImportRow
from storage.kinds import Status
from storage.references import format_reference

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATUSES = list(Status)
_NONE = -1  # no number: a new one is given


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


class PlannedRows:
    """Checked rows in the order read; a row found to be stored already is dropped."""

    def __init__(self) -> None:
        self._row = array("q")
        self._keys = bytearray()
        self._key_width = 0
        self._year = array("i")
        self._number = array("q")
        self._category = array("q")
        self._occurred = array("q")
        self._reported = array("q")
        self._latitude = array("d")
        self._longitude = array("d")
        self._status = bytearray()
        self._kept = bytearray()
        self._place = _Repeated()
        self._organisation = _Repeated()
        self._description = bytearray()
        self._description_ends = array("q")
        self._dropped = 0

    def append(self, row: ImportRow) -> int:
        """Keep the row; returns its index."""
        key = row.key.encode("ascii")
        self._key_width = self._key_width or len(key)
        if len(key) != self._key_width:  # row_key gives one width; anything else is a bug
            raise ValueError(f"a key of {len(key)} characters among keys of {self._key_width}")
        self._row.append(row.row)
        self._keys += key
        self._year.append(row.year)
        self._number.append(_NONE if row.number is None else row.number)
        self._category.append(row.category_id)
        self._occurred.append(_micros(row.occurred_at))
        self._reported.append(_micros(row.reported_at))
        self._latitude.append(math.nan if row.latitude is None else row.latitude)
        self._longitude.append(math.nan if row.longitude is None else row.longitude)
        self._status.append(_STATUSES.index(row.status))
        self._kept.append(1)
        self._place.append(row.place)
        self._organisation.append(row.organisation)
        self._description += row.description.encode("utf-8")
        self._description_ends.append(len(self._description))
        return len(self._row) - 1

    def drop(self, index: int) -> None:
        """The row is not to be stored after all."""
        if self._kept[index]:
            self._kept[index] = 0
            self._dropped += 1

    def key(self, index: int) -> str:
        width = self._key_width
        return self._keys[index * width : (index + 1) * width].decode("ascii")

    def row_number(self, index: int) -> int:
        return self._row[index]

    def reference(self, index: int) -> str | None:
        number = self._number[index]
        return None if number == _NONE else format_reference(self._year[index], number)

    def description(self, index: int) -> str:
        start = self._description_ends[index - 1] if index else 0
        return self._description[start : self._description_ends[index]].decode("utf-8")

    def __len__(self) -> int:
        """How many rows are kept."""
        return len(self._row) - self._dropped

    def count_read(self) -> int:
        """How many rows were appended, kept or dropped."""
        return len(self._row)

    def get(self, index: int) -> ImportRow:
        """The row at `index` (kept or dropped), whole again."""
        number = self._number[index]
        latitude, longitude = self._latitude[index], self._longitude[index]
        return ImportRow(
            row=self._row[index],
            key=self.key(index),
            reference=self.reference(index),
            year=self._year[index],
            number=None if number == _NONE else number,
            category_id=self._category[index],
            occurred_at=_EPOCH + timedelta(microseconds=self._occurred[index]),
            reported_at=_EPOCH + timedelta(microseconds=self._reported[index]),
            latitude=None if math.isnan(latitude) else latitude,
            longitude=None if math.isnan(longitude) else longitude,
            place=self._place[index],
            description=self.description(index),
            organisation=self._organisation[index],
            status=_STATUSES[self._status[index]],
        )

    def chunks(self, size: int) -> Iterator[list[ImportRow]]:
        """The kept rows, in order, `size` at a time."""
        chunk: list[ImportRow] = []
        for index in range(len(self._row)):
            if self._kept[index]:
                chunk.append(self.get(index))
                if len(chunk) == size:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def __iter__(self) -> Iterator[ImportRow]:
        for chunk in self.chunks(1000):
            yield from chunk

    def years_and_numbers(self) -> Iterator[tuple[int, int | None]]:
        """The year and given number (None: a new one) of each kept row, in order."""
        for year, number, kept in zip(self._year, self._number, self._kept, strict=True):
            if kept:
                yield year, None if number == _NONE else number

    def organisations(self) -> list[str]:
        """The organisations of the kept rows, by name."""
        return sorted({self._organisation[i] for i in range(len(self._row)) if self._kept[i]})


class FirstRowOfKey:
    """The first row of each key among the planned rows, in a fraction of the memory of a
    dict of the keys: a key is a sha256, and its first 64 bits tell keys apart (two keys
    that agree in them are told apart by the whole key, kept by the planned rows)."""

    def __init__(self, rows: PlannedRows) -> None:
        self._rows = rows
        self._short: dict[int, int] = {}  # 64 bits → index of the row in `rows`
        self._more: dict[str, int] = {}  # keys whose 64 bits an earlier key has too

    @staticmethod
    def _bits(key: str) -> int:
        return int(key[len(KEY_PREFIX) : len(KEY_PREFIX) + 16], 16)

    def get(self, key: str) -> int | None:
        """The row number of the first row with this key, if any."""
        index = self._short.get(self._bits(key))
        if index is not None and self._rows.key(index) != key:
            index = self._more.get(key)
        return None if index is None else self._rows.row_number(index)

    def add(self, key: str, index: int) -> None:
        first = self._short.setdefault(self._bits(key), index)
        if first != index:
            self._more[key] = index


class _Repeated:
    """A column of texts that repeat: each text once, and a number for each row."""

    def __init__(self) -> None:
        self._texts: list[str] = []
        self._numbers: dict[str, int] = {}
        self._rows = array("l")

    def append(self, text: str) -> None:
        number = self._numbers.setdefault(text, len(self._texts))
        if number == len(self._texts):
            self._texts.append(text)
        self._rows.append(number)

    def __getitem__(self, index: int) -> str:
        return self._texts[self._rows[index]]
