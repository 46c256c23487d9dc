"""Benchmark: lägesbilder from 1,000,000 observations over three years in SQLite.

Prints, for the latest monthly lägesbild and tertial analysis: the time of just reading the
columns the analysis needs for its periods into pandas, the time of the whole lägesbild
(reading, analysis, four charts, HTML rendering), their ratio, and the peak memory of the
process. Targets: each lägesbild ≤ 3 s and ≤ 4 × its read time. Not a test.

  python bench/lagesbild.py [--observations 1000000] [--years 3] [--db PATH] [--runs 3]

The database is made once (about a minute) and kept at --db for later runs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digests import frame  # noqa: E402
from digests.digest import Digester  # noqa: E402
from digests.lagesbild import _weekly  # noqa: E402
from digests.periods import Period, latest_complete  # noqa: E402
from digests.sources import Sources  # noqa: E402
from storage.demo.town import populate_demo  # noqa: E402
from storage.kinds import DigestKind  # noqa: E402
from storage.places.areas import Areas  # noqa: E402
from storage.places.gazetteer import Gazetteer  # noqa: E402
from storage.setup import open_database  # noqa: E402

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=TZ)


def read_only(sources: Sources, period: Period) -> float:
    """What the lägesbild reads: the period's rows, the earlier periods' counts and
    positions, the weekly trend."""
    start = time.perf_counter()
    engine, lookups = sources.engine, frame.read_lookups(sources.engine)
    previous, year_ago = period.previous(), period.year_before()
    frame.read_observations(engine, (period.start_utc, period.end_utc), lookups)
    frame.read_counts(engine, (previous.start_utc, previous.end_utc), lookups)
    frame.read_counts(engine, (year_ago.start_utc, year_ago.end_utc), lookups)
    frame.read_positions(engine, (previous.start_utc, previous.end_utc))
    _weekly(sources, period, None)
    return time.perf_counter() - start


def whole(digester: Digester, period: Period) -> float:
    start = time.perf_counter()
    made = digester.make(period, language="sv", fmt="html", now=NOW)
    assert len(made.charts) == 4 and "<html" in made.text
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/estbot-bench-lagesbild.db"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    fresh = not args.db.exists()
    engine, _ = open_database(f"sqlite:///{args.db}")
    sources = Sources(engine, TZ, Gazetteer.from_csv(), Areas.from_geojson())
    if fresh:
        start = time.perf_counter()
        populate_demo(
            engine=engine, now=NOW, tz=TZ, observations=args.observations, years=args.years,
            areas=sources.areas, gazetteer=sources.gazetteer,
        )  # fmt: skip
        print(f"wrote {args.observations:,} observations in {time.perf_counter() - start:.1f} s")
    digester = Digester(sources)
    whole(digester, latest_complete(DigestKind.MONTHLY, NOW, TZ))  # warm: imports, fonts
    for kind in (DigestKind.MONTHLY, DigestKind.TERTIAL):
        period = latest_complete(kind, NOW, TZ)
        reads = [read_only(sources, period) for _ in range(args.runs)]
        totals = [whole(digester, period) for _ in range(args.runs)]
        read, total = statistics.median(reads), statistics.median(totals)
        print(
            f"{kind.value:8} {period.key:8} read {read:6.3f} s   lägesbild {total:6.3f} s"
            f"   ratio {total / read:4.2f}   (target ≤ 3 s and ≤ 4×: "
            f"{'met' if total <= 3 and total <= 4 * read else 'MISSED'})"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS) {peak_mb:.0f} MB;  measured {datetime.now(UTC):%Y-%m-%d}")


if __name__ == "__main__":
    main()
