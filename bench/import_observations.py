"""Benchmark: `estbot import observations` of 200,000 rows, a dry run and the real import,
each into a new empty database, against the floor.

The file is an estbot CSV export of bench/lagesbild.py's database, cut to --rows rows
(descriptions, places, coordinates, statuses and references as the bot writes them). The
floor is a plain `csv.reader` over the same file: the least any import of it can cost.
Each run is its own process, timed and measured (peak RSS, VmHWM) as in bench/export.py.
Goals (issue 15): ≤ 10 s and ≤ 200 MiB. Prints figures; not a test.

  python bench/import_observations.py [--rows 200000] [--db PATH]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.export import ensure_database, measured  # noqa: E402

GOAL_S, GOAL_MIB = 10.0, 200


def floor(path: Path) -> None:
    """The plain read: every record of the file through csv.reader."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        count = sum(1 for _ in csv.reader(file, delimiter=";"))
    print(count)


def cut(whole: Path, out: Path, rows: int) -> int:
    """The header and the first `rows` records of an export, as records (a cell may hold a
    line break)."""
    written = 0
    with (
        whole.open(newline="", encoding="utf-8-sig") as source,
        out.open("w", newline="", encoding="utf-8-sig") as target,
    ):
        writer = csv.writer(target, delimiter=";")
        for number, record in enumerate(csv.reader(source, delimiter=";")):
            if number > rows:
                break
            writer.writerow(record)
            written = number
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/estbot-bench-lagesbild.db"))
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(args.floor)
        return 0
    ensure_database(args.db, 1_000_000)
    with tempfile.TemporaryDirectory(prefix="estbot-bench-import-") as tmp:
        env = {**os.environ, "ESTBOT_DATABASE_URL": f"sqlite:///{args.db}",
               "ESTBOT_DATA_DIR": tmp, "ESTBOT_LOG_LEVEL": "WARNING"}  # fmt: skip
        whole, file = Path(tmp) / "all.csv", Path(tmp) / "observations.csv"
        since = "2026-01-01"  # enough rows for the cut, without exporting all three years
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "export", "--format", "csv", "--from", since,
             "--out", str(whole)], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        rows = cut(whole, file, args.rows)
        whole.unlink()
        size = file.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB of CSV; measured {datetime.now(UTC):%Y-%m-%d}")
        floor_s, floor_cpu, floor_mib = measured([str(Path(__file__)), "--floor", str(file)], env)
        print(f"floor     {floor_s:6.1f} s  cpu {floor_cpu:5.1f} s  {floor_mib:5.0f} MiB"
              "  (csv.reader over the file)")  # fmt: skip
        for label, extra in (("dry run", ["--dry-run"]), ("import", [])):
            fresh = {**env, "ESTBOT_DATABASE_URL": f"sqlite:///{tmp}/{label[:3]}.db"}
            subprocess.run(
                [sys.executable, "-m", "bot.cli", "db", "upgrade"], env=fresh, cwd=ROOT,
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            command = ["bot.cli", "import", "observations", str(file), *extra]
            seconds, cpu, mib = measured(command, fresh)
            met = seconds <= GOAL_S and mib <= GOAL_MIB
            print(f"{label:9} {seconds:6.1f} s  cpu {cpu:5.1f} s  {mib:5.0f} MiB"
                  f"  (goal ≤ {GOAL_S:.0f} s and ≤ {GOAL_MIB} MiB: "
                  f"{'met' if met else 'MISSED'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
