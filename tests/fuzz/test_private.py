"""Generated updates in private chats, at every step of the report conversation.

Walks of up to eight actions by one of five people (two reporters of two organisations, a
coordinator, a revoked person, a stranger): the right answer for the step now and then, so
that walks get deep, and otherwise hostile texts, wrong kinds of message, odd coordinates,
forged and stale buttons, commands with wrong arguments, edits, channel posts and bots.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, Cast
from tests.fuzz.strategies import Action, Command, Long, private_actions

EXAMPLES = int(os.environ.get("ESTBOT_FUZZ_EXAMPLES", "50"))
walks = st.lists(private_actions, min_size=1, max_size=8)
people = st.sampled_from([0, 0, 1, 2, 2, 3, 4])  # mostly registered people


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(FUZZ, max_examples=EXAMPLES)
@given(who=people, walk=walks)
# Bugs found, kept: /visa echoed any argument back whole, past Telegram's 4096 characters.
@example(who=0, walk=[Command("visa", Long("x", 5000))])
async def test_private_chat_on_sqlite(private_cast: Cast, who: int, walk: list[Action]) -> None:
    for action in walk:
        await private_cast.driver.act(private_cast.people[who], action)
