"""Generated updates in private chats, at every step of the report conversation.

Walks of up to eight actions by one of five people (two reporters of two organisations, a
coordinator, a revoked person, a stranger): the right answer for the step now and then, so
that walks get deep, and otherwise hostile texts, wrong kinds of message, odd coordinates,
forged and stale buttons, commands with wrong arguments, edits, channel posts and bots.

Most cases run on SQLite; a smaller share runs the same walks on PostgreSQL.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, Cast, scaled
from tests.fuzz.strategies import Action, Command, Location, Long, private_actions

walks = st.lists(private_actions, min_size=1, max_size=8)
people = st.sampled_from([0, 0, 1, 2, 2, 3, 4])  # mostly registered people


async def walk(cast: Cast, who: int, actions: list[Action]) -> None:
    for action in actions:
        await cast.driver.act(cast.people[who], action)


@pytest.mark.fuzz_cases(scaled(2500))
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(FUZZ, max_examples=scaled(700))
@given(who=people, actions=walks)
# Bugs found, kept: /visa echoed any argument back whole, past Telegram's 4096 characters.
@example(who=0, actions=[Command("visa", Long("x", 5000))])
async def test_private_chat_on_sqlite(private_cast: Cast, who: int, actions: list[Action]) -> None:
    await walk(private_cast, who, actions)


@pytest.mark.fuzz_cases(scaled(350))
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@settings(FUZZ, max_examples=scaled(100))
@given(who=people, actions=walks)
# Bugs found, kept: a venue whose title and address together passed 500 characters did not
# fit PostgreSQL's place_text column (SQLite does not check lengths).
@example(who=0, actions=[Location(59.13, 15.14, venue=Long("🎨", 300))])
async def test_private_chat_on_postgresql(
    private_cast: Cast, who: int, actions: list[Action]
) -> None:
    await walk(private_cast, who, actions)
