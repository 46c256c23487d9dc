"""The rows an import plans to store, kept in columns: every row comes back as it went in,
and keys are told apart exactly, also when their first 64 bits agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from storage.exchange.planned import FirstRowOfKey, PlannedRows
from storage.exchange.rows import KEY_PREFIX, ImportRow
from storage.kinds import Status

HEX = "0123456789abcdef"
keys = st.text(HEX, min_size=57, max_size=57).map(lambda tail: KEY_PREFIX + tail)
moments = st.integers(0, 2_000_000_000_000_000).map(
    lambda micros: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
)
places = st.sampled_from(["", "Kvarnparken", "Södra gången", "Hos 📍 torget"])
points = st.one_of(st.just((None, None)), st.tuples(st.floats(-90, 90), st.floats(-180, 180)))


@st.composite
def import_rows(draw: st.DrawFn) -> ImportRow:
    number = draw(st.one_of(st.none(), st.integers(1, 99_999_999)))
    year = draw(st.integers(1990, 2100))
    latitude, longitude = draw(points)
    return ImportRow(
        row=draw(st.integers(2, 2_000_000)),
        key=draw(keys),
        reference=None if number is None else f"EST-{year}-{number:04d}",
        year=year,
        number=number,
        category_id=draw(st.integers(1, 40)),
        occurred_at=draw(moments),
        reported_at=draw(moments),
        latitude=latitude,
        longitude=longitude,
        place=draw(places),
        description=draw(st.text(max_size=200)),
        organisation=draw(st.sampled_from(["Kvarnby kommun", "Polisen", "Kvarnbyhem AB"])),
        status=draw(st.sampled_from(list(Status))),
    )


@given(st.lists(import_rows(), max_size=40), st.sets(st.integers(0, 39)), st.integers(1, 7))
def test_rows_come_back_as_they_went_in_less_the_dropped(
    rows: list[ImportRow], dropped: set[int], size: int
) -> None:
    planned = PlannedRows()
    for index, row in enumerate(rows):
        assert planned.append(row) == index
    for index in dropped:
        if index < len(rows):
            planned.drop(index)
    kept = [row for index, row in enumerate(rows) if index not in dropped]
    chunks = list(planned.chunks(size))
    assert [row for chunk in chunks for row in chunk] == kept == list(planned)
    assert all(0 < len(chunk) <= size for chunk in chunks)
    assert len(planned) == len(kept) and planned.count_read() == len(rows)
    assert list(planned.years_and_numbers()) == [(r.year, r.number) for r in kept]
    assert planned.organisations() == sorted({r.organisation for r in kept})


def test_keys_alike_in_their_first_64_bits_are_told_apart() -> None:
    same_start = KEY_PREFIX + "0" * 16
    first, second = same_start + "a" * 41, same_start + "b" * 41
    planned = PlannedRows()
    seen = FirstRowOfKey(planned)
    template = ImportRow(
        row=2, key=first, reference=None, year=2026, number=None, category_id=1,
        occurred_at=datetime(2026, 3, 14, 20, 30, tzinfo=UTC),
        reported_at=datetime(2026, 3, 14, 20, 30, tzinfo=UTC), latitude=None, longitude=None,
        place="", description="x", organisation="Polisen", status=Status.NEW,
    )  # fmt: skip
    assert seen.get(first) is None
    seen.add(first, planned.append(template))
    assert seen.get(first) == 2 and seen.get(second) is None
    seen.add(second, planned.append(replace(template, row=7, key=second)))
    assert (seen.get(first), seen.get(second)) == (2, 7)
    assert seen.get(same_start + "c" * 41) is None
