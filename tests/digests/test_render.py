"""Telegram messages split at sections and lines, and how numbers and words read."""

from __future__ import annotations

import numpy as np
import pytest
from markupsafe import Markup

from digests.render import SECTION, TELEGRAM_LIMIT, split_messages
from digests.words import MINUS, Words


def section(rng: np.random.Generator, name: str, lines: int, width: int = 60) -> str:
    """A heading and numbered lines of varying length, each line unique."""
    body = [f"• {name}-{i:03d} " + "x" * int(rng.integers(width // 2, width)) for i in range(lines)]
    return "\n".join([f"<b>{name}</b>", *body])


def non_empty_lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.split("\n") if line.strip()]


def test_split_keeps_sections_whole_and_loses_nothing() -> None:
    rng = np.random.default_rng(3)
    sections = [section(rng, f"s{i}", int(rng.integers(3, 60))) for i in range(12)]
    assert all(len(s) <= TELEGRAM_LIMIT for s in sections)
    text = SECTION.join(sections)
    messages = split_messages(text)
    assert len(messages) > 1
    assert all(0 < len(m) <= TELEGRAM_LIMIT for m in messages)
    assert all(m.strip() for m in messages)
    for s in sections:  # each section inside one message, whole
        assert sum(s in m for m in messages) == 1
    assert non_empty_lines(messages) == non_empty_lines(sections)
    # each message is whole sections, joined by a blank line
    joined = [m.split("\n\n") for m in messages]
    assert [part for parts in joined for part in parts] == sections


def test_sections_fill_a_message_before_the_next_begins() -> None:
    a, b, c = ("a" * 1500, "b" * 1500, "c" * 1500)
    assert split_messages(SECTION.join([a, b, c])) == [f"{a}\n\n{b}", c]
    # exactly at the limit: 2000 + 2 + 2094
    d, e = "d" * 2000, "e" * 2094
    assert split_messages(f"{d}{SECTION}{e}") == [f"{d}\n\n{e}"]
    assert split_messages(f"{d}{SECTION}{e}e") == [d, f"{e}e"]
    assert split_messages("x" * TELEGRAM_LIMIT) == ["x" * TELEGRAM_LIMIT]


def test_a_section_longer_than_a_message_is_split_between_lines() -> None:
    rng = np.random.default_rng(5)
    small = section(rng, "intro", 5)
    long = section(rng, "long", 250)  # about 12 000 characters
    tail = section(rng, "tail", 5)
    assert len(long) > 2 * TELEGRAM_LIMIT
    messages = split_messages(SECTION.join([small, long, tail]))
    assert len(messages) >= 3
    assert all(0 < len(m) <= TELEGRAM_LIMIT for m in messages)
    assert non_empty_lines(messages) == non_empty_lines([small, long, tail])
    lines = set(long.split("\n")) | set(small.split("\n")) | set(tail.split("\n"))
    for message in messages:  # split at line boundaries: no line is cut
        assert all(line in lines for line in message.split("\n") if line)
    # the long section starts a message of its own, and its pieces are as full as the
    # lines allow: the next line would not have fitted
    assert messages[0] == small
    assert messages[1].startswith("<b>long</b>\n")
    long_lines = long.split("\n")
    for message, following in zip(messages, messages[1:], strict=False):
        last, first = message.split("\n")[-1], following.split("\n")[0]
        if last in long_lines and first in long_lines:
            assert long_lines.index(first) == long_lines.index(last) + 1
            assert len(message) + 1 + len(first) > TELEGRAM_LIMIT


def test_split_of_little_or_nothing() -> None:
    assert split_messages("") == []
    assert split_messages(f"{SECTION} \n {SECTION}") == []
    assert split_messages(f"\n  one  \n{SECTION}{SECTION}two\n") == ["one\n\ntwo"]
    assert split_messages("only") == ["only"]


def test_a_line_longer_than_a_message_is_shortened_to_valid_text() -> None:
    line = "<b>" + "a&amp;b " * 1000 + "</b>"
    (message,) = split_messages(f"head\n{line}\nfoot")
    assert len(message) <= TELEGRAM_LIMIT
    assert message.startswith("head\na&amp;b a&amp;b")
    assert message.endswith("\nfoot")
    assert "<b>" not in message


def test_split_with_a_smaller_limit() -> None:
    text = SECTION.join(["\n".join(f"line {i}" for i in range(20)), "end"])
    messages = split_messages(text, limit=50)
    assert all(len(m) <= 50 for m in messages)
    assert non_empty_lines(messages) == [f"line {i}" for i in range(20)] + ["end"]


# --- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "en"])
def test_percent(language: str) -> None:
    words = Words(language)
    assert words.percent(-18.2) == f"{MINUS}18 %" == "−18 %"
    assert words.percent(-18.0878) == "−18 %"  # 387 → 317
    assert words.percent(18.6) == "+19 %"
    assert words.percent(0) == "0 %"
    assert words.percent(None) == "–"
    assert words.percent(-1234.4) == ("−1 234 %" if language == "sv" else "−1,234 %")


def test_swedish_numbers_use_a_space_and_a_decimal_comma() -> None:
    sv = Words("sv")
    assert sv.number(1234.5, 1) == "1 234,5"
    assert sv.number(1234567) == "1 234 567"
    assert sv.number(-1234.56, 2) == "−1 234,56"
    assert sv.number(0.05, 2) == "0,05"
    assert sv.p_value(0.0004) == "< 0,001"
    assert sv.p_value(0.0312) == "0,031"


def test_english_numbers() -> None:
    en = Words("en")
    assert en.number(1234.5, 1) == "1,234.5"
    assert en.number(-1234567) == "−1,234,567"
    assert en.p_value(0.0004) == "< 0.001"


def test_an_unknown_language_falls_back_to_swedish() -> None:
    assert Words("de").language == "sv"
    assert Words("de")("near", place="A", distance=5) == Words("sv")("near", place="A", distance=5)


def test_markup_escapes_a_value_once() -> None:
    text = Words("sv", markup=True)("near", place="A&B", distance=10)
    assert isinstance(text, Markup)
    assert str(text) == "nära A&amp;B (10 m)"
    assert "&amp;amp;" not in text
    # a value that is Markup already is kept as it is
    kept = Words("sv", markup=True)("near", place=Markup("A&amp;B"), distance=10)
    assert str(kept) == "nära A&amp;B (10 m)"
    # and markup in a value never gets through
    tag = Words("en", markup=True)("near", place="<b>x</b>", distance=1500)
    assert str(tag) == "near &lt;b&gt;x&lt;/b&gt; (1500 m)"


def test_without_markup_values_are_kept_as_typed() -> None:
    text = Words("en")("near", place="A&B", distance=10)
    assert text == "near A&B (10 m)"
    assert not isinstance(text, Markup)
