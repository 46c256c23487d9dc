"""`estbot try`: chat with the real bot in a terminal, as a staff member, without a bot token.

Each line the player types becomes one update for the bot (see :mod:`bot.trial.commands`);
after the bot has gone quiet, what it sent to the private chat and to the coordinators'
group is printed (see :mod:`bot.trial.screen`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.logs import configure_logging
from bot.settings import Settings
from bot.trial.commands import (
    HELP,
    Local,
    Press,
    Problem,
    Say,
    SayInGroup,
    SendPhoto,
    SharePosition,
    parse_line,
)
from bot.trial.screen import Shown, words
from bot.trial.world import GROUP_TITLE, ORGANISATION, SetupFailed, TrialWorld, trial_world
from storage.kinds import Role

PROMPTS = {"sv": "du> ", "en": "you> "}
LATE_CHECK_S = 1.0  # how often to look for what the bot sent while the player types


def start_trial(
    settings: Settings, role: Role, temp: Path, *, kept: bool, out: TextIO = sys.stdout
) -> int:
    """Run the session until the player leaves; the exit code. The bot's log goes to a
    file in ``temp``, so that the chat stays readable."""
    log_file = temp / "estbot.log"
    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    out.write(
        f"Starting the bot on a local Telegram stand-in (127.0.0.1) …\n"
        f"Database: {where} ({'kept' if kept else 'thrown away at exit'}). Log: {log_file}\n"
    )
    out.flush()
    with log_file.open("a", encoding="utf-8") as log_stream:
        configure_logging("INFO", [], stream=log_stream)  # the made-up token is redacted too
        logging.captureWarnings(True)
        if sys.stdin.isatty():
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())
        try:
            asyncio.run(_session(settings, role, out, kept))
        except KeyboardInterrupt:
            out.write("\nBye.\n")
        except SetupFailed as failed:
            out.write(f"The set-up went wrong: {failed}. The log is in {log_file}.\n")
            return 1
        except (OSError, ValueError) as error:
            out.write(f"Configuration error: {error}\n")
            return 2
    return 0


async def _session(settings: Settings, role: Role, out: TextIO, kept: bool) -> None:
    async with trial_world(settings, role) as world:
        shown = _screen(world, out)
        _greet(world, out)
        shown.forget_all(but=world.player)  # the setup's chatter, not the player's welcome
        shown.show_new()
        while True:
            line = await _line_meanwhile(world, shown, PROMPTS.get(settings.language, "you> "))
            if line is None:
                out.write("\n")
                break
            if not await _step(world, shown, line, out):
                break
    out.write("Bye." if kept else "Bye. The session's database is thrown away.")
    out.write("\n")


def _screen(world: TrialWorld, out: TextIO) -> Shown:
    language = world.settings.language
    coordinator = world.role == Role.COORDINATOR
    return Shown(
        [
            (world.player, words(language, "bot"), True),
            (world.group, f"{words(language, 'group')}: {GROUP_TITLE}", coordinator),
        ],
        out,
        language,
        ansi=out.isatty(),
    )


def _greet(world: TrialWorld, out: TextIO) -> None:
    role = "a coordinator" if world.role == Role.COORDINATOR else "a staff member (reporter)"
    group = "you are in it" if world.role == Role.COORDINATOR else "Erik Ek, a coordinator, is"
    start = "/rapport" if world.settings.language == "sv" else "/report"
    out.write(
        f"estbot try: you are Anna Berg, {role} of {ORGANISATION}, chatting with the real bot.\n"
        f'The coordinators\' group "{GROUP_TITLE}" is linked ({group}).\n'
        f"Start a report with {start}. Press a button with #1, #2 …; /hjälp lists the rest.\n\n"
    )
    out.flush()


async def _step(world: TrialWorld, shown: Shown, line: str, out: TextIO) -> bool:
    """Act on one line; False when the player leaves."""
    action = await asyncio.to_thread(parse_line, line)
    if isinstance(action, Local):
        if action.what == "quit":
            return False
        if action.what == "help":
            out.write(HELP + "\n")
        elif action.what == "buttons":
            shown.show_buttons()
        else:
            await world.settle()
            shown.show_new()
        return True
    if isinstance(action, Problem):
        out.write(f"! {action.message}\n")
        return True
    if not await _act(world, shown, action, out):
        return True
    if not await world.settle():
        out.write("(the bot is still busy; press Enter in a moment to see the rest)\n")
    shown.show_new()
    return True


async def _act(
    world: TrialWorld, shown: Shown, action: Say | SayInGroup | Press | SharePosition | SendPhoto,
    out: TextIO,
) -> bool:  # fmt: skip
    """Send the update; False (with a message) if there was nothing to send."""
    player = world.player
    if isinstance(action, Say):
        await player.send(action.text)
    elif isinstance(action, SharePosition):
        await player.send_location(action.latitude, action.longitude)
    elif isinstance(action, SendPhoto):
        await player.send_photo(
            action.data, action.caption, width=action.width, height=action.height
        )
    elif isinstance(action, SayInGroup):
        if world.role != Role.COORDINATOR:
            out.write("! Only a coordinator speaks in the group: estbot try --role coordinator\n")
            return False
        await world.group.send(player, action.text)
    else:
        return await _press(world, shown, action, out)
    return True


async def _press(world: TrialWorld, shown: Shown, press: Press, out: TextIO) -> bool:
    button = (shown.keys if press.keyboard else shown.buttons).get(press.number)
    if button is None:
        name = f"k{press.number}" if press.keyboard else f"#{press.number}"
        out.write(f"! There is no button {name} now. /knappar shows the ones there are.\n")
        return False
    if button.message_id is None:  # the reply keyboard: pressing it sends its text
        if button.request_location:
            out.write("! On a phone this shares your position; here: /plats 59.1262 15.1418\n")
            return False
        out.write(f"→ {button.label}\n")
        await world.player.send(button.label)
        return True
    if button.url:
        out.write(f"! This button opens {button.url} in a browser.\n")
        return False
    message = world.telegram.current_message(button.chat.id, button.message_id)
    buttons = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
    if not any(b.get("callback_data") == button.callback_data for row in buttons for b in row):
        out.write(
            "! That button is gone (its message changed). /knappar shows the ones there are.\n"
        )
        return False
    out.write(f"→ [{button.label}]\n")
    data = str(button.callback_data)
    if button.chat.id == world.group.id:
        await world.group.press(world.player, data, message)
    else:
        await world.player.press(data, message)
    return True


async def _line_meanwhile(world: TrialWorld, shown: Shown, prompt: str) -> str | None:
    """The next line typed. Meanwhile what the bot sends late (a card the outbox delivers
    after the step seemed done, a reminder) is printed when it comes, then the prompt again."""
    reading = asyncio.ensure_future(_read_line(prompt))
    while True:
        done, _ = await asyncio.wait({reading}, timeout=LATE_CHECK_S)
        if done:
            return reading.result()
        if await world.quiet() and shown.show_new():
            shown.out.write(prompt)
            shown.out.flush()


async def _read_line(prompt: str) -> str | None:
    """One line from standard input without holding up the bot; None at its end (Ctrl-D).

    A daemon thread reads it, so that leaving never waits for a line that will not come."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except (EOFError, OSError, ValueError):
            line = None
        loop.call_soon_threadsafe(_settle_future, answer, line)

    threading.Thread(target=read, name="estbot-try-input", daemon=True).start()
    return await answer


def _settle_future(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)
