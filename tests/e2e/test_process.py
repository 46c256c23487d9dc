"""`estbot run` as a real process: SIGKILL mid-draft loses nothing; no token in the log."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bot.trial.fake_telegram.people import SimUser
from storage.kinds import Role
from tests.e2e.conftest import KVARNPARKEN, TOKEN, World
from tests.e2e.helpers import buttons, file_report, text
from tests.e2e.processes import estbot_process


async def test_sigkill_at_every_step_loses_nothing(world: World, tmp_path: Path) -> None:
    await world.stop()  # the in-process bot steps aside for the real process
    log: list[bytes] = []
    anna: SimUser = world.telegram.user(7001, "Anna", username="anna")
    steps = [
        (lambda: anna.send(f"/start {world.invite()}"), "Välkommen"),
        (lambda: anna.send("/rapport"), "Vad har du sett"),
        (lambda: anna.press("🎨 Klotter"), "Var?"),
        (lambda: anna.send_location(*KVARNPARKEN), "Beskriv"),
        (lambda: anna.send("Klotter på transformatorstationen"), "När hände det"),
        (lambda: anna.press("Nu"), "Sammanfattning"),
        (lambda: anna.press("✅ Skicka"), "Tack!"),
    ]
    for act, expected in steps:
        async with estbot_process(world, tmp_path, log, ESTBOT_LOG_LEVEL="DEBUG") as process:
            await act()
            reply = await anna.next_message(timeout=30)
            assert expected in text(reply), (expected, text(reply))
            process.kill()  # SIGKILL: no clean shutdown, no confirmed offset
            await process.wait()
    async with estbot_process(world, tmp_path, log, ESTBOT_LOG_LEVEL="DEBUG"):
        await world.telegram.idle(anna.id, quiet=1.5, timeout=30)
    stored = world.observations()
    assert len(stored) == 1 and stored[0].description == "Klotter på transformatorstationen"
    assert len([m for m in anna.messages if "Tack!" in text(m)]) == 1
    output = b"".join(log).decode()
    assert "estbot starting" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_a_bad_api_address_is_reported_without_the_token(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "localhost:8081/bot",  # no scheme: aiohttp names the whole URL
        "ESTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "ESTBOT_LOG_LEVEL": "DEBUG",
    }
    process = await asyncio.create_subprocess_exec(
        "estbot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 3
    assert b"Cannot reach the Bot API" in output
    assert TOKEN.encode() not in output and TOKEN.split(":")[1].encode() not in output


async def test_a_card_waiting_at_a_sigkill_is_posted_once_after_the_restart(
    world: World, tmp_path: Path
) -> None:
    erik = await world.member(Role.COORDINATOR, first_name="Erik")
    group = await world.linked_group(erik, -1001000000050)
    await world.stop()
    log: list[bytes] = []
    anna = world.telegram.user(7002, "Anna", username="anna2")
    world.telegram.fail("sendMessage", chat_id=group.id, times=10_000, code=502)  # Telegram down
    async with estbot_process(world, tmp_path, log, ESTBOT_LOG_LEVEL="DEBUG") as process:
        await anna.send(f"/start {world.invite()}")
        await anna.next_message(timeout=30)
        reference = await file_report(anna)
        await world.telegram.wait_until(
            lambda: any(c.error_code == 502 for c in world.telegram.calls_for("sendMessage")), 10
        )
        process.kill()
        await process.wait()
    assert not any(reference in text(m) for m in group.messages)
    world.telegram.clear_faults()
    async with estbot_process(world, tmp_path, log, ESTBOT_LOG_LEVEL="DEBUG"):
        await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)), timeout=30)
        await world.telegram.idle(group.id, quiet=1.5, timeout=30)
    assert sum(reference in text(m) and bool(buttons(m)) for m in group.messages) == 1
