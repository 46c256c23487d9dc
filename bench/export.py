"""Benchmark: `estbot export` of 1,000,000 observations in every format, against the floor.

The floor is a plain `csv.writer` over the observation table, 10,000 rows at a time, with
nothing of estbot in between: the least any CSV export of those rows can cost. Each run is
its own process, timed (wall clock, and CPU from wait4, which a shared machine disturbs
less) and measured (peak RSS) here. Goals (issue 15): CSV and GeoJSON ≤ 2 × the floor's
time (judged on CPU time) and ≤ 150 MiB; XLSX ≤ 400 MiB. Prints figures; not a test.

  python bench/export.py [--observations 1000000] [--db PATH] [--formats csv,geojson,xlsx]

The database is bench/lagesbild.py's (made once, about a minute, kept at --db).
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=TZ)
GOALS = {"csv": (2.0, 150), "geojson": (2.0, 150), "xlsx": (None, 400)}  # × floor, MiB


def floor(database: Path, out: Path) -> None:
    """The plain write: every row of the table through csv.writer, 10,000 at a time."""
    connection = sqlite3.connect(database)
    cursor = connection.execute("SELECT * FROM observation ORDER BY occurred_at, id")
    with out.open("w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(column[0] for column in cursor.description)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)
    connection.close()


# The child reports its own peak (VmHWM of its memory after exec): wait4's ru_maxrss
# would include this process's size at the fork.
PEAK = """
import atexit, os, runpy, sys
def peak():
    with open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__") if sys.argv[0].endswith(".py") else \
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds, CPU seconds (user and system, from wait4: steadier than the wall clock on
    a shared machine) and peak RSS (MiB) of `python <script or module> args…` to its end."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", PEAK, *command], env=env | {"BENCH_PEAK_FILE": peak.name},
            cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            raise SystemExit(f"{command} failed with {child.returncode}")
        return seconds, usage.ru_utime + usage.ru_stime, int(peak.read()) / 1024


def ensure_database(path: Path, observations: int) -> None:
    if path.exists():
        return
    from storage.demo.town import populate_demo
    from storage.places.areas import Areas
    from storage.places.gazetteer import Gazetteer
    from storage.setup import open_database

    engine, _ = open_database(f"sqlite:///{path}")
    start = time.perf_counter()
    populate_demo(
        engine=engine, now=NOW, tz=TZ, observations=observations, years=3,
        areas=Areas.from_geojson(), gazetteer=Gazetteer.from_csv(),
    )  # fmt: skip
    engine.dispose()
    print(f"wrote {observations:,} observations in {time.perf_counter() - start:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/estbot-bench-lagesbild.db"))
    parser.add_argument("--formats", default="csv,geojson,xlsx")
    parser.add_argument(
        "--floor", nargs=2, type=Path, metavar=("DB", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.floor:
        floor(*args.floor)
        return 0
    ensure_database(args.db, args.observations)
    rows = sqlite3.connect(args.db).execute("SELECT count(*) FROM observation").fetchone()[0]
    env = {**os.environ, "ESTBOT_DATABASE_URL": f"sqlite:///{args.db}",
           "ESTBOT_LOG_LEVEL": "WARNING"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="estbot-bench-export-") as tmp:
        env["ESTBOT_DATA_DIR"] = tmp
        out = Path(tmp) / "floor.csv"
        floor_s, floor_cpu, floor_mib = measured(
            [str(Path(__file__)), "--floor", str(args.db), str(out)], env
        )
        print(f"{rows:,} observations; measured {datetime.now(UTC):%Y-%m-%d}")
        print(f"floor    {floor_s:6.1f} s  cpu {floor_cpu:6.1f} s  {floor_mib:5.0f} MiB  "
              f"{out.stat().st_size / 1e6:6.0f} MB  (csv.writer over the table)")  # fmt: skip
        for fmt in args.formats.split(","):
            target = Path(tmp) / f"export.{fmt}"
            command = ["bot.cli", "export", "--format", fmt, "--out", str(target)]
            seconds, cpu, mib = measured(command, env)
            times, memory = GOALS[fmt]
            met = (times is None or cpu <= times * floor_cpu) and mib <= memory
            goal = (f"≤ {times:.0f} × floor and " if times else "") + f"≤ {memory} MiB"
            size = target.stat().st_size / 1e6
            verdict = "met" if met else "MISSED"
            print(f"{fmt:8} {seconds:6.1f} s  cpu {cpu:6.1f} s  {mib:5.0f} MiB  {size:6.0f} MB"
                  f"  ratio {seconds / floor_s:4.2f} (cpu {cpu / floor_cpu:4.2f})"
                  f"  (goal {goal}, on cpu: {verdict})")  # fmt: skip
            target.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
