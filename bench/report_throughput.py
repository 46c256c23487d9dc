"""Benchmark: N people each file M reports through the whole conversation, over HTTP.

The bot runs as a real process (`estbot run`, on a fresh SQLite database) against the fake
Bot API server; simulated people wait for the bot's answer before their next action:
/rapport, category, shared position, description, "Nu", "Skicka" (six actions a report).

  saturated  everyone acts as soon as answered: reports per second
  paced      an offered load of half the bare bot's saturated rate: latency from an
             update's arrival at the server to the bot's first call for that chat
  --limits   the burst with Telegram's limits kept (estbot as shipped, the bare bot with
             PTB's AIORateLimiter): per action, the first answer and the answer the person
             waited for, p50 / p99 / max side by side, the unanswered, and estbot's peak RSS

Both with the server answering at once and with 50 ms added to every Bot API answer, and
the same for a bare bot (bench/bare_bot.py) on the same harness. Prints figures; not a test.

  python bench/report_throughput.py [--users 100] [--reports 3] [--latencies 0,50] [--limits]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.trial.fake_telegram.bot_api import public  # noqa: E402
from storage.database.engine import transaction  # noqa: E402
from storage.people.access import get_or_create_organisation  # noqa: E402
from storage.setup import open_database  # noqa: E402
from storage.tables import User  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

TOKEN = "123456789:BENCHtokenBENCHtokenBENCH_abcdef"
KVARNPARKEN = (59.1262, 15.1418)
SPOTS = itertools.count()  # each shared position a place of its own, see spot()
JSON = dict[str, Any]
FIRST_USER = 100_000


class BenchTelegram(FakeTelegram):
    """The fake server with one waiter per chat, so a hundred waiting people cost nothing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.waiters: dict[int, asyncio.Future[JSON]] = {}

    def _send(self, params: JSON, content: JSON) -> JSON:
        message = super()._send(params, content)
        waiter = self.waiters.pop(message["chat"]["id"], None)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)
        return message

    def expect(self, chat_id: int) -> asyncio.Future[JSON]:
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self.waiters[chat_id] = future
        return future


def spot() -> tuple[float, float]:
    """A new point for each report, about 130 m from the others (a grid of 20 × 20 around
    Kvarnparken, inside the municipality): the bot asks whether a report of the same
    category within 100 m is the same thing, and the whole burst at one point would turn
    every report after the first into that question instead of a filed observation."""
    number = next(SPOTS) % 400
    return KVARNPARKEN[0] + (number % 20 - 10) * 0.0012, KVARNPARKEN[1] + (
        number // 20 - 10
    ) * 0.0025


@dataclass
class Person:
    server: BenchTelegram
    user_id: int
    last: JSON | None = None
    update_ids: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    waited_s: list[float] = field(default_factory=list)  # from the action to its answer
    unanswered: int = 0

    @property
    def user(self) -> JSON:
        return {"id": self.user_id, "is_bot": False, "first_name": f"P{self.user_id}"}

    async def act(self, action: str) -> None:
        answer = self.server.expect(self.user_id)
        self.actions.append(action if action != "press" else f"press:{len(self.actions) % 6}")
        chat = {"id": self.user_id, "type": "private", "first_name": f"P{self.user_id}"}
        if action == "press":
            self._press()
        else:
            latitude, longitude = spot() if action == "location" else KVARNPARKEN
            content = {
                "/rapport": {
                    "text": "/rapport",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
                },
                "location": {
                    "location": {
                        "latitude": latitude,
                        "longitude": longitude,
                        "horizontal_accuracy": 12.0,
                    }
                },
                "text": {"text": "Klotter på väggen vid lekplatsen, svart sprayfärg"},
            }[action]
            self.update_ids.append(self.server.post_message(chat, self.user, content)[1])
        started = time.monotonic()
        try:
            self.last = await asyncio.wait_for(answer, ANSWER_WITHIN_S)
        except TimeoutError:
            self.unanswered += 1  # counted; the person goes on as one would, with what they have
            self.server.waiters.pop(self.user_id, None)
            return
        self.waited_s.append(time.monotonic() - started)

    def _press(self) -> None:
        message = self.last or {}
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or [
            [{"callback_data": "bench"}]
        ]
        query = {
            "id": self.server.register_callback(self.user_id, self.user_id),
            "from": self.user,
            "chat_instance": f"ci{self.user_id}",
            "message": public(message),
            "data": rows[0][0]["callback_data"],
        }
        self.update_ids.append(self.server.inject({"callback_query": query}))


OPTIONS = argparse.Namespace(by_action=False, profile=None, limits=False)
ANSWER_WITHIN_S = 60.0
REPORT = ["/rapport", "press", "location", "text", "press", "press"]


@dataclass
class Run:
    bot: str
    latency_ms: int
    mode: str
    reports: int
    seconds: float
    latencies_ms: list[float]
    bot_cpu_s: float
    waited_ms: list[float] = field(default_factory=list)
    unanswered: int = 0
    peak_mib: float = float("nan")

    @property
    def rate(self) -> float:
        return self.reports / self.seconds

    def percentile(self, q: float, values: list[float] | None = None) -> float:
        values = self.latencies_ms if values is None else values
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prepare_estbot_database(directory: Path, users: int) -> str:
    url = f"sqlite:///{directory / 'estbot.db'}"
    engine, _ = open_database(url)
    with transaction(engine) as session:
        organisation = get_or_create_organisation(session=session, name="Bench kommun")
        for index in range(users):
            session.add(
                User(
                    telegram_id=FIRST_USER + index,
                    full_name=f"P{index}",
                    organisation_id=organisation.id,
                )
            )
    engine.dispose()
    return url


async def start_bot(
    kind: str, server: BenchTelegram, directory: Path, users: int
) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "TELEGRAM_API_FILE_URL": server.file_url}  # fmt: skip
    if kind == "estbot":
        env |= {
            "ESTBOT_DATABASE_URL": prepare_estbot_database(directory, users),
            "ESTBOT_DATA_DIR": str(directory),
            "ESTBOT_LOG_LEVEL": "WARNING",
            "ESTBOT_GEOCODER": "none",
        }
        if not OPTIONS.limits:  # no limit on private replies while measuring the bot itself
            env["ESTBOT_RATE_LIMIT_OVERALL"] = "0"
        command = [sys.executable, "-m", "bot.cli", "run"]
    else:
        command = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
        if OPTIONS.limits:
            env["BARE_RATE_LIMITER"] = "aio"
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=directory)
    deadline = time.monotonic() + 60
    while not server.calls_for("getUpdates"):
        if time.monotonic() > deadline or process.returncode is not None:
            raise RuntimeError(f"{kind} did not start")
        await asyncio.sleep(0.05)
    return process


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def stop_bot(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()


def peak_mib(pid: int) -> float:
    """The process's peak resident memory so far (Linux VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def people_run(
    server: BenchTelegram, users: int, reports: int, interval: float | None
) -> tuple[float, list[Person]]:
    people = [Person(server, FIRST_USER + index) for index in range(users)]

    async def live(person: Person) -> None:
        if interval:
            await asyncio.sleep(random.uniform(0, interval))
        for _ in range(reports):
            for action in REPORT:
                started = time.monotonic()
                await person.act(action)
                if interval:
                    await asyncio.sleep(max(0.0, started + interval - time.monotonic()))

    began = time.monotonic()
    await asyncio.gather(*(live(person) for person in people))
    if OPTIONS.by_action:
        by: dict[str, list[float]] = {}
        for person in people:
            for uid, action in zip(person.update_ids, person.actions, strict=True):
                value = server.first_answer_latency(uid)
                if value is not None:
                    by.setdefault(action, []).append(1000 * value)
        for action, values in by.items():
            values.sort()
            p50, p99 = values[len(values) // 2], values[int(0.99 * (len(values) - 1))]
            print(f"    {action:<10} first answer p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    return time.monotonic() - began, people


async def measure(
    kind: str, latency_ms: int, mode: str, users: int, reports: int, paced_rate: float | None
) -> Run:
    with tempfile.TemporaryDirectory(prefix="estbot-bench-") as tmp:
        server = BenchTelegram(token=TOKEN, bot_username="estbot_bench_bot")
        await server.start()
        process = await start_bot(kind, server, Path(tmp), users)
        server.latency = latency_ms / 1000
        try:
            interval = None
            if mode == "paced":
                assert paced_rate is not None
                interval = users / (
                    paced_rate * len(REPORT)
                )  # seconds between one person's actions
            cpu_before, harness_before = cpu_seconds(process.pid), time.process_time()
            if kind == "estbot" and OPTIONS.profile:  # py-spy must be installed
                spy = [
                    "py-spy", "record", "--pid", str(process.pid), "--format", "raw",
                    "--rate", "400", "--output", OPTIONS.profile, "--duration", "8",
                ]  # fmt: skip
                await asyncio.create_subprocess_exec(*spy)
            seconds, people = await people_run(server, users, reports, interval)
            cpu = cpu_seconds(process.pid) - cpu_before
            peak = peak_mib(process.pid)
            if OPTIONS.by_action:
                harness = time.process_time() - harness_before
                print(f"    harness CPU {100 * harness / seconds:.0f}% of a core", flush=True)
        finally:
            server.latency = 0
            await stop_bot(process)
            await server.stop()
        if kind == "estbot":  # a report that ends in a question instead is not one filed
            filed = (
                sqlite3.connect(Path(tmp) / "estbot.db")
                .execute("SELECT count(*) FROM observation")
                .fetchone()[0]
            )
            print(f"    estbot filed {filed} of {users * reports} reports", flush=True)
    latencies = [server.first_answer_latency(uid) for p in people for uid in p.update_ids]
    measured = [1000 * value for value in latencies if value is not None]
    waited = [1000 * value for person in people for value in person.waited_s]
    unanswered = sum(person.unanswered for person in people)
    return Run(kind, latency_ms, mode, users * reports, seconds, measured, cpu, waited,
               unanswered, peak)  # fmt: skip


def show_limits(bare: Run, ours: Run) -> list[str]:
    """The burst with the limits kept, the two bots side by side; the verdict lines."""
    print(f"{'':>30}{'bare + AIORateLimiter':>27}{'estbot':>27}")
    for name, of in (("first answer", "latencies_ms"), ("answer waited for", "waited_ms")):
        cells = []
        for run in (bare, ours):
            values = getattr(run, of)
            cells.append(f"{run.percentile(0.5, values):7.0f} {run.percentile(0.99, values):7.0f}"
                         f" {max(values, default=float('nan')):7.0f}")  # fmt: skip
        print(f"{name + ' p50 / p99 / max ms':>30}   {cells[0]}   {cells[1]}")
    print(f"{'reports/s':>30}{bare.rate:27.1f}{ours.rate:27.1f}")
    print(f"{'unanswered within 60 s':>30}{bare.unanswered:27d}{ours.unanswered:27d}")
    print(f"{'peak RSS MiB':>30}{bare.peak_mib:27.0f}{ours.peak_mib:27.0f}")
    p99, bare_p99 = ours.percentile(0.99, ours.waited_ms), bare.percentile(0.99, bare.waited_ms)
    most = max(ours.waited_ms, default=float("inf"))
    fair = p99 <= 1.1 * bare_p99 and most <= 2 * p99 and ours.unanswered == 0
    lean = ours.peak_mib <= 120
    return [
        f"{ours.latency_ms:>3} ms, limits kept: answer waited for p99 {p99:.0f} ms against the"
        f" bare bot's {bare_p99:.0f} ms, max {most:.0f} ms, {ours.unanswered} unanswered"
        f" (goal p99 ≤ 1.1 × bare, max ≤ 2 × p99, none unanswered: {'met' if fair else 'MISSED'})",
        f"{ours.latency_ms:>3} ms, limits kept: estbot's peak RSS {ours.peak_mib:.0f} MiB"
        f" (goal ≤ 120 MiB: {'met' if lean else 'MISSED'})",
    ]


def show(run: Run) -> None:
    actions = run.reports * len(REPORT)
    figures = (
        f"{run.rate:8.1f} reports/s ({run.rate * len(REPORT):7.1f} actions/s,"
        f" bot CPU {1000 * run.bot_cpu_s / actions:5.2f} ms/action)"
    )
    if run.mode == "paced":
        figures += (
            f"  first answer p50 {run.percentile(0.5):6.1f} ms  p95 {run.percentile(0.95):6.1f} ms"
            f"  p99 {run.percentile(0.99):6.1f} ms  (n={len(run.latencies_ms)})"
        )
    print(f"{run.bot:>7} {run.latency_ms:>3} ms {run.mode:<9} {figures}", flush=True)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--reports", type=int, default=3)
    parser.add_argument(
        "--latencies", default="0,50", help="added Bot API latency in ms, comma-separated"
    )
    parser.add_argument(
        "--paced-rate", type=float, default=None,
        help="offered reports/s for the paced runs (default: half the bare bot's saturated rate)",
    )  # fmt: skip
    parser.add_argument(
        "--only-estbot-paced", action="store_true", help="one paced estbot run, to compare changes"
    )
    parser.add_argument(
        "--by-action", action="store_true", help="latency per kind of action, and harness CPU"
    )
    parser.add_argument("--profile", metavar="FILE", help="py-spy raw profile of estbot (8 s)")
    parser.add_argument(
        "--limits", action="store_true",
        help="the burst with Telegram's limits kept, against the bare bot with AIORateLimiter",
    )  # fmt: skip
    args = parser.parse_args(namespace=OPTIONS)
    print(
        f"{args.users} people × {args.reports} reports × {len(REPORT)} actions;"
        " each bot in its own process",
        flush=True,
    )
    verdicts: list[str] = []
    for latency in (int(value) for value in args.latencies.split(",")):
        if args.limits:
            bare = await measure("bare", latency, "saturated", args.users, args.reports, None)
            ours = await measure("estbot", latency, "saturated", args.users, args.reports, None)
            verdicts += show_limits(bare, ours)
            continue
        if args.only_estbot_paced:  # for comparing changes at one fixed load
            show(
                await measure("estbot", latency, "paced", args.users, args.reports, args.paced_rate)
            )
            continue
        bare = await measure("bare", latency, "saturated", args.users, args.reports, None)
        show(bare)
        ours = await measure("estbot", latency, "saturated", args.users, args.reports, None)
        show(ours)
        paced_rate = args.paced_rate or bare.rate / 2
        bare_paced = await measure("bare", latency, "paced", args.users, args.reports, paced_rate)
        show(bare_paced)
        ours_paced = await measure("estbot", latency, "paced", args.users, args.reports, paced_rate)
        show(ours_paced)
        ratio = ours.rate / bare.rate
        p99 = ours_paced.percentile(0.99)
        verdicts.append(
            f"{latency:>3} ms: throughput ratio {ratio:.2f}"
            f" (target ≥ 0.60: {'met' if ratio >= 0.6 else 'MISSED'}); "
            f"paced p99 {p99:.1f} ms at {paced_rate:.1f} reports/s offered "
            f"(target ≤ {100 + latency} ms: {'met' if p99 <= 100 + latency else 'MISSED'})"
        )
    print("\n".join(["", *verdicts]))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
