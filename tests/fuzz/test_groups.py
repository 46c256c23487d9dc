"""Generated updates in groups: the coordinators' linked group and a group never linked.

Walks of up to eight actions, each by one of four people (a coordinator, two reporters of
two organisations, a stranger) in one of the two groups: every group command with wrong or
missing arguments, replies to the bot's cards and questions, real, stale and forged button
presses on cards, interventions and settings, the bot removed and added back, and the
hostile texts, media, edits, channel posts and bots of the private tests.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, Cast
from tests.fuzz.strategies import Action, Forge, group_actions

EXAMPLES = int(os.environ.get("ESTBOT_FUZZ_EXAMPLES", "50"))
# (who, action): who indexes Cast.people, the linked group's people first
walks = st.lists(st.tuples(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5, 7]), group_actions),
                 min_size=1, max_size=8)  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(FUZZ, max_examples=EXAMPLES)
@given(walk=walks)
# Bugs found, kept: a language button pressed by someone without an invite, in a group,
# crashed the handler (it assumed a registered member).
@example(walk=[(3, Forge("lang:sv"))])
async def test_groups_on_sqlite(group_cast: Cast, walk: list[tuple[int, Action]]) -> None:
    for who, action in walk:
        await group_cast.driver.act(group_cast.people[who], action)
