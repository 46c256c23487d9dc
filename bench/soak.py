"""Benchmark: the fault and kill scenarios of issue 5, against `estbot run` as a real process.

  faults  people file 500 reports while one Bot API call in ten fails at random (429 with
          retry_after, 500, 502, an answer a second late, a dropped connection)
  kills   people keep reporting while the bot is SIGKILLed at random moments (50 times),
          and started again after each

Both on a fresh database with a linked coordinators' group (no group limit, so that each
observation gets a card of its own) whose daily digest falls due during the run. Prints,
per scenario: reports attempted, confirmed, stored, duplicates, lost; cards expected and
delivered, and cards posted twice (a SIGKILL after posting a card and before recording it
makes it go again: no Bot API client can avoid that); digests expected and delivered;
kills; injected faults; drafts checked and corrupted. Not a test.

  python bench/soak.py [--scenario both] [--people 50] [--reports 500] [--kills 50]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from sqlalchemy import Engine  # noqa: E402

from bot.trial.fake_telegram.people import SimGroup, SimUser  # noqa: E402
from storage.database.engine import transaction  # noqa: E402
from storage.kinds import DigestKind, Role  # noqa: E402
from storage.people.access import get_or_create_organisation  # noqa: E402
from storage.setup import open_database  # noqa: E402
from storage.tables import DigestSubscription, User  # noqa: E402
from tests.support.fake_telegram import DROP, SLOW, FakeTelegram  # noqa: E402
from tests.support.field_staff import Filing, Reporter  # noqa: E402
from tests.support.tally import (  # noqa: E402
    digest_made,
    draft_problems,
    tally,
    waiting_deliveries,
)

TOKEN = "123456789:SOAKtokenSOAKtokenSOAKtoken_abcdef"
TZ = ZoneInfo("Europe/Stockholm")
FIRST_USER, COORDINATOR, GROUP = 300_000, 299_999, -1001000000777
FAULTS = (429, 500, 502, SLOW, DROP)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, format="JPEG")
    return out.getvalue()


class Bot:
    """`estbot run` in a process of its own, started again after each kill."""

    def __init__(self, server: FakeTelegram, directory: Path, url: str) -> None:
        self.server = server
        self.env = {
            **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_FILE_URL": server.file_url, "ESTBOT_DATABASE_URL": url,
            "ESTBOT_DATA_DIR": str(directory), "ESTBOT_LOG_LEVEL": "WARNING",
            "ESTBOT_GEOCODER": "none", "ESTBOT_RATE_LIMIT_GROUP": "0",
            "ESTBOT_DIGEST_CHECK_INTERVAL": "1", "ESTBOT_DELIVERY_POLL": "0.5",
        }  # fmt: skip
        self.directory = directory
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0
        self.drafts_checked = 0  # drafts looked at while the bot lay dead
        self.draft_problems: list[str] = []

    async def start(self) -> None:
        """Start and wait until it polls for updates."""
        began = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=self.env, cwd=self.directory
        )
        while not any(call.at > began for call in self.server.calls_for("getUpdates")[-3:]):
            if self.process.returncode is not None:
                raise RuntimeError(f"estbot exited with {self.process.returncode} at start")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed, no offset confirmed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


def prepare(url: str, people: int) -> Engine:
    """The schema, one organisation, its reporters and a coordinator."""
    engine, _ = open_database(url)
    with transaction(engine) as session:
        organisation = get_or_create_organisation(session=session, name="Soak kommun")
        assert organisation.id is not None
        for index in range(people):
            session.add(User(telegram_id=FIRST_USER + index, full_name=f"P{index}",
                             organisation_id=organisation.id))  # fmt: skip
        session.add(User(telegram_id=COORDINATOR, full_name="Erik Ek",
                         organisation_id=organisation.id, role=Role.COORDINATOR))  # fmt: skip
    return engine


async def link_group(server: FakeTelegram, engine: Engine, digest_in_s: float) -> SimGroup:
    """/koppla in a group; its daily digest is due `digest_in_s` seconds from now or so."""
    coordinator = server.user(COORDINATOR, "Erik")
    group = server.group(GROUP, "Trygghetssamordning")
    await group.send(coordinator, "/koppla")
    await group.wait_for(lambda m: "Gruppen är kopplad" in str(m.get("text")), 30)
    at = (datetime.now(TZ) + timedelta(seconds=digest_in_s + 60)).strftime("%H:%M")
    with transaction(engine) as session:
        session.add(DigestSubscription(chat_id=GROUP, kind=DigestKind.DAILY, at=at,
                                       since=datetime.now(TZ) - timedelta(minutes=1),
                                       quiet_days=True))  # fmt: skip  # sent even if empty
    return group


def reporters(server: FakeTelegram, people: int, patience: float) -> list[Reporter]:
    users: list[SimUser] = [server.user(FIRST_USER + n, f"P{n}") for n in range(people)]
    return [Reporter(user, patience=patience) for user in users]


async def file_reports(person: Reporter, number: int, more: asyncio.Event | int) -> list[Filing]:
    """Reports one after another: `more` of them, or while the event is not set."""
    filings: list[Filing] = []
    while (len(filings) < more) if isinstance(more, int) else not more.is_set():
        index = len(filings)
        picture = photo() if (number + index) % 3 == 0 else None
        filings.append(await person.file(f"r{index}-p{number}", picture))
    return filings


async def killer(bot: Bot, engine: Engine, kills: int, done: asyncio.Event) -> None:
    """Kill the bot at random moments of its run and start it again, `kills` times; each
    time, before the restart, check every draft as the kill left it."""
    try:
        for _ in range(kills):
            await asyncio.sleep(random.uniform(0.2, 3.0))
            await bot.kill()
            checked, problems = draft_problems(engine)
            bot.drafts_checked += checked
            bot.draft_problems += problems
            await bot.start()
    finally:
        done.set()


async def run(scenario: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="estbot-soak-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'estbot.db'}"
        engine = prepare(url, args.people)
        async with FakeTelegram(token=TOKEN, bot_username="estbot_soak_bot") as server:
            bot = Bot(server, Path(tmp), url)
            await bot.start()
            began = time.monotonic()
            try:
                filings = await drive(scenario, args, server, bot, engine)
                reporting = time.monotonic() - began
                await settle(server, engine, deadline=time.monotonic() + 180)
            finally:
                await bot.stop()
            seconds = time.monotonic() - began
            figures = tally(engine, server, GROUP, filings)
            drafts, corrupted = draft_problems(engine)
            drafts += bot.drafts_checked
            corrupted += bot.draft_problems
        engine.dispose()
    print(f"\n{scenario}: {seconds:.0f} s ({reporting:.0f} s of reports), {args.people} people")
    for line in figures.lines():
        print(f"  {line}")
    print(f"  kills: {bot.kills}")
    print(f"  injected faults: {sum(server.injected.values())} {dict(server.injected)}")
    print(f"  drafts checked (after each kill, and at the end): {drafts}, corrupted: "
          f"{len(corrupted)} {corrupted[:3]}")  # fmt: skip
    print(f"  problems: {figures.problems() or 'none'}", flush=True)


async def drive(
    scenario: str, args: argparse.Namespace, server: FakeTelegram, bot: Bot, engine: Engine
) -> list[Filing]:
    people = reporters(server, args.people, patience=10.0 if scenario == "faults" else 25.0)
    await link_group(server, engine, digest_in_s=30)
    if scenario == "faults":
        server.fault_rate(args.fault_rate, codes=FAULTS, seed=args.seed)
        each = -(-args.reports // args.people)
        runs = await asyncio.gather(*(file_reports(p, n, each) for n, p in enumerate(people)))
        server.fault_rate(0)
    else:
        done = asyncio.Event()
        async with asyncio.TaskGroup() as tasks:  # a bot that does not start ends it all
            tasks.create_task(killer(bot, engine, args.kills, done))
            reporting = [tasks.create_task(file_reports(p, n, done)) for n, p in enumerate(people)]
        runs = [task.result() for task in reporting]
    return [filing for run in runs for filing in run]


async def settle(server: FakeTelegram, engine: Engine, deadline: float) -> None:
    """Until the digest is made and every delivery is done (or the deadline passed)."""
    while time.monotonic() < deadline:
        if digest_made(engine, GROUP) and not waiting_deliveries(engine):
            break
        await asyncio.sleep(0.5)
    await server.idle(quiet=2.0, timeout=60)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["faults", "kills", "both"], default="both")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--reports", type=int, default=500, help="in the fault scenario")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite)")
    args = parser.parse_args()
    random.seed(args.seed)
    for scenario in ("faults", "kills") if args.scenario == "both" else (args.scenario,):
        await run(scenario, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
