"""Benchmark: the bot's memory while a coordinator asks for a tertial lägesbild of 1,000,000
observations, and after it.

`estbot run` (a real process, against the fake Bot API) on a copy of bench/lagesbild.py's
database; a coordinator's group asks `/lagesbild <tertial>`. The resident memory of the bot
and of every process it started (the lägesbild's worker) is sampled every 20 ms from /proc
until the charts have come, then the bot is watched for five more seconds.

Prints: the bot at rest; the peak of the bot and its worker together (the sum of their
resident sets at one moment), the bot's own peak, and the bot afterwards, against the goals
(issue 15: ≤ 450 MiB together, the bot back under 150 MiB), and the time to the answer.
The reference in the same run is the lägesbild made the old way, in a plain process of its
own (Digester, no bot): its peak is what the bot would have kept. Not a test.

  python bench/lagesbild_memory.py [--db /tmp/estbot-bench-lagesbild.db]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digests.periods import latest_complete  # noqa: E402
from storage.database.engine import transaction  # noqa: E402
from storage.kinds import DigestKind, Role  # noqa: E402
from storage.people.access import get_or_create_organisation  # noqa: E402
from storage.setup import open_database  # noqa: E402
from storage.tables import User  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

TOKEN = "123456789:MEMtokenMEMtokenMEMtokenMEM_abcdef"
TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=TZ)  # bench/lagesbild.py's database ends here
COORDINATOR, GROUP = 299_999, -1001000000555
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):  # gone meanwhile
        return 0.0
    return pages * PAGE / 2**20


def children(pid: int) -> list[int]:
    """Every process below `pid` (the worker, and anything it started)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *children(kid)]
    return found


class Sampler:
    """The bot's and its descendants' resident memory, every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_together = self.peak_bot = self.peak_worker = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            bot = rss_mib(self.pid)
            worker = sum(rss_mib(kid) for kid in children(self.pid))
            self.peak_bot = max(self.peak_bot, bot)
            self.peak_worker = max(self.peak_worker, worker)
            self.peak_together = max(self.peak_together, bot + worker)
            await asyncio.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._task = asyncio.create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()


def reference_peak(url: str, key: str) -> float:
    """The same tertial made in a plain process, as the bot did before: its peak (VmHWM)."""
    probe = f"""
import resource, sys
from zoneinfo import ZoneInfo
from digests.digest import Digester
from digests.periods import parse_period
from digests.sources import Sources
from storage.database.engine import make_engine
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from datetime import datetime
tz = ZoneInfo("Europe/Stockholm")
sources = Sources(make_engine({url!r}), tz, Gazetteer.from_csv(), Areas.from_geojson())
now = datetime.fromisoformat({NOW.isoformat()!r})
made = Digester(sources).make(parse_period({key!r}, None, now, tz), language="sv",
                              fmt="telegram", now=now)
assert len(made.charts) == 4
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return float(done.stdout.split()[-1])


def add_coordinator(url: str) -> None:
    engine, _ = open_database(url)
    with transaction(engine) as session:
        organisation = get_or_create_organisation(session=session, name="Bänk kommun")
        assert organisation.id is not None
        session.add(User(telegram_id=COORDINATOR, full_name="Erik Ek",
                         organisation_id=organisation.id, role=Role.COORDINATOR))  # fmt: skip
    engine.dispose()


async def measure(url: str, directory: Path, key: str) -> dict[str, float]:
    async with FakeTelegram(token=TOKEN, bot_username="estbot_mem_bot") as server:
        env = {
            **os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_FILE_URL": server.file_url, "ESTBOT_DATABASE_URL": url,
            "ESTBOT_DATA_DIR": str(directory), "ESTBOT_LOG_LEVEL": "WARNING",
            "ESTBOT_GEOCODER": "none", "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=directory
        )
        try:
            while not server.calls_for("getUpdates"):
                await asyncio.sleep(0.05)
            erik = server.user(COORDINATOR, "Erik")
            group = server.group(GROUP, "Trygghetssamordning")
            await group.send(erik, "/koppla")
            await group.wait_for(lambda m: "Gruppen är kopplad" in str(m.get("text")), 30)
            await asyncio.sleep(1.0)
            at_rest = rss_mib(bot.pid)
            began = time.monotonic()
            with Sampler(bot.pid) as sampler:
                await group.send(erik, f"/lagesbild {key}")
                await server.wait_until(
                    lambda: sum(bool(m.get("media_group_id")) for m in group.messages) >= 4, 600
                )
                answered = time.monotonic() - began
                await asyncio.sleep(5.0)
            return {
                "at_rest": at_rest, "together": sampler.peak_together,
                "bot_peak": sampler.peak_bot, "worker_peak": sampler.peak_worker,
                "after": rss_mib(bot.pid), "answered_s": answered,
            }  # fmt: skip
        finally:
            bot.terminate()
            await bot.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/estbot-bench-lagesbild.db"))
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} is missing: make it with python bench/lagesbild.py")
    key = latest_complete(DigestKind.TERTIAL, NOW, TZ).key
    with tempfile.TemporaryDirectory(prefix="estbot-mem-") as tmp:
        copy = Path(tmp) / "estbot.db"
        shutil.copyfile(args.db, copy)
        url = f"sqlite:///{copy}"
        add_coordinator(url)
        reference = reference_peak(url, key)
        got = asyncio.run(measure(url, Path(tmp), key))
    print(f"/lagesbild {key} over 1,000,000 observations, answered in {got['answered_s']:.1f} s")
    print(f"  bot at rest                 {got['at_rest']:6.0f} MiB")
    print(f"  bot + worker, peak together {got['together']:6.0f} MiB   goal ≤ 450: "
          f"{'met' if got['together'] <= 450 else 'MISSED'}")  # fmt: skip
    print(f"  bot alone, peak             {got['bot_peak']:6.0f} MiB")
    print(f"  worker, peak                {got['worker_peak']:6.0f} MiB")
    print(f"  bot 5 s after the answer    {got['after']:6.0f} MiB   goal < 150: "
          f"{'met' if got['after'] < 150 else 'MISSED'}")  # fmt: skip
    print(
        f"  reference: the same lägesbild in a plain process, peak {reference:.0f} MiB "
        "(what the bot kept before)"
    )


if __name__ == "__main__":
    main()
