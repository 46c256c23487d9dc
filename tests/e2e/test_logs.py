"""What the bot logs: never the token, nothing people wrote at INFO, the update id on every
line written while an update is handled."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging
from bot.trial.fake_telegram.people import SimGroup, SimUser
from tests.e2e.conftest import KVARNPARKEN, TOKEN, World, jpeg
from tests.e2e.helpers import forge_press, send_report, text

SECRET_WORDS = "Hemligt-Kvarnbyklotter-4711"
LINE = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) +(?P<name>[\w.]+)(?P<update> update=\d+)?: ")


@pytest.fixture
def everything_logged() -> Iterator[io.StringIO]:
    """The bot's own logging set-up (as `estbot run` makes it), at DEBUG, into a buffer."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    configure_logging("DEBUG", [TOKEN], out)
    yield out
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_day_of_work_logs_no_token_no_description_at_info_and_update_ids(
    world: World,
    everything_logged: io.StringIO,
    anna: SimUser,
    group: SimGroup,
) -> None:
    await world.restart()  # start-up and shutdown lines too
    await anna.send_photo(jpeg(), caption=SECRET_WORDS)
    await anna.next_message()
    await anna.press("🎨 Klotter")
    await anna.next_message()
    await anna.send_location(*KVARNPARKEN)
    await anna.wait_for(lambda m: "När hände det" in text(m))
    await anna.press("Nu")
    await send_report(anna, await anna.wait_for(lambda m: "Sammanfattning" in text(m)))
    await group.wait_for(lambda m: SECRET_WORDS in text(m), timeout=10)
    forge_press(anna, "garbage:\x00\xff")
    await world.telegram.idle(anna.id, quiet=0.5, timeout=5)
    await world.stop()
    lines = everything_logged.getvalue().splitlines()

    assert lines, "the bot logged nothing at DEBUG"
    assert not [line for line in lines if TOKEN in line or TOKEN.split(":")[1] in line]
    parsed = [(match, line) for line in lines if (match := LINE.match(line))]
    loud = [line for match, line in parsed if match["level"] != "DEBUG"]
    assert not [line for line in loud if SECRET_WORDS in line]
    filed = [line for line in loud if "observation EST-" in line and "filed" in line]
    assert len(filed) == 1 and " update=" in filed[0], filed
    # every answer to Anna is part of handling one of her updates, and says which
    answers = [
        line for _, line in parsed
        if "Calling Bot API endpoint" in line and f"'chat_id': {anna.id}," in line
        or "`answerCallbackQuery` with" in line
    ]  # fmt: skip
    assert len(answers) >= 8 and all(" update=" in line for line in answers), [
        line[:120] for line in answers if " update=" not in line
    ]
