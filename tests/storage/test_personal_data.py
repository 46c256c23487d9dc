"""Finding and masking personal identity numbers and phone numbers in descriptions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.personal_data import (
    PersonalData,
    find_personal_data,
    has_personal_data,
    luhn_valid,
    mask_personal_data,
)


def with_check_digit(nine: str) -> str:
    """Nine digits YYMMDDNNN completed with their Luhn check digit."""
    return next(nine + str(d) for d in range(10) if luhn_valid(nine + str(d)))


PNR = with_check_digit("811218987")  # 811218-9876, Skatteverket's example shape
SAMORDNING = with_check_digit("811278987")  # day 18 + 60


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, f.text) for f in find_personal_data(text)]


def test_luhn() -> None:
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")
    assert PNR == "8112189876"


@pytest.mark.parametrize(
    "written",
    [
        f"{PNR[:6]}-{PNR[6:]}",
        PNR,
        f"19{PNR}",
        f"19{PNR[:6]}-{PNR[6:]}",
        f"{PNR[:6]}+{PNR[6:]}",  # over a hundred years old
        f"{SAMORDNING[:6]}-{SAMORDNING[6:]}",
        SAMORDNING,
    ],
)
def test_personal_numbers_are_found(written: str) -> None:
    assert kinds(f"Mannen uppgav pnr {written}, sedan gick han.") == [("personal_number", written)]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # wrong check digit
        "8112189875",
        "811318-9876",  # month 13
        "811232-9870",  # day 32
        "811292-9876",  # samordningsnummer day 92 (32 + 60)
        "1234567890",
        "EST-2026-0042 är samma som EST-2026-0040",
        "2026-01-15 kl 08:30, året 2026",
        "20260115 08:30",
        "ordernummer 4711-20260115-8876",
        "kostade 1 200 kr, 0,5 liter",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    "written",
    [
        "070-123 45 67",
        "070-1234567",
        "0701234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "+46 (0)70 123 45 67",
        "08-123 456 78",
        "08-12 34 56",
        "(08) 123 45 67",
        "031-123 45 67",
        "0171-123 45",
        "019-12 34 56",
    ],
)
def test_phone_numbers_are_found(written: str) -> None:
    assert kinds(f"Ring honom på {written} om det händer igen.") == [("phone", written)]


@pytest.mark.parametrize(
    "text",
    [
        "EST-2026-0042",
        "klockan 08:30, 08.30 eller 08 30",
        "år 2026 och 2025",
        "datum 05 06 2026",
        "Storgatan 12, 702 15 Örebro",
        "070-123 45",  # too short for a mobile number
        "071-123 45 67",  # 071 is not a mobile prefix people are given
        "organisationsnummer 556677-8899",
        "0,5 promille",
    ],
)
def test_no_phone_number_in(text: str) -> None:
    assert [f for f in find_personal_data(text) if f.kind is PersonalData.PHONE] == []


def test_mask_replaces_each_finding() -> None:
    text = f"Kalle {PNR[:6]}-{PNR[6:]} ringde från 070-123 45 67 vid EST-2026-0042 kl 08:30."
    assert mask_personal_data(text) == (
        "Kalle ÅÅMMDD-XXXX ringde från [telefonnummer] vid EST-2026-0042 kl 08:30."
    )
    masked_en = mask_personal_data(text, personal_number="YYMMDD-XXXX", phone="[phone number]")
    assert masked_en == "Kalle YYMMDD-XXXX ringde från [phone number] vid EST-2026-0042 kl 08:30."
    assert not has_personal_data(mask_personal_data(text))


def test_nothing_found_in_nothing() -> None:
    assert not has_personal_data(None)
    assert not has_personal_data("")
    assert mask_personal_data("Klotter på tunneln") == "Klotter på tunneln"


@given(st.dates(date(1900, 1, 1), date(2025, 12, 31)), st.integers(0, 999), st.booleans())
def test_every_valid_personal_number_is_found(born: date, serial: int, coordination: bool) -> None:
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    number = with_check_digit(nine)
    text = f"uppgav {number[:6]}-{number[6:]} till vakten"
    assert [f.kind for f in find_personal_data(text)] == [PersonalData.PERSONAL_NUMBER]
    assert "-XXXX" in mask_personal_data(text)


@given(st.dates(date(2000, 1, 1), date(2030, 12, 31)), st.integers(0, 23), st.integers(0, 59))
def test_dates_and_times_are_never_flagged(day: date, hour: int, minute: int) -> None:
    for text in (
        f"{day.isoformat()} {hour:02d}:{minute:02d}",
        f"{day:%Y%m%d} kl {hour:02d}.{minute:02d}",
        f"{day:%d/%m} {day + timedelta(days=1):%d/%m}",
        f"EST-{day.year}-{minute:04d}",
    ):
        assert find_personal_data(text) == [], text


@given(st.text(max_size=200))
def test_masking_never_leaves_anything_to_find(text: str) -> None:
    masked = mask_personal_data(text)
    assert not has_personal_data(masked)
    if not has_personal_data(text):
        assert masked == text
