"""Lägesbilder made in a process of their own, which ends as soon as the lägesbild is made.

pandas, statsmodels, scipy and matplotlib (about 200 MiB, and several hundred more while a
tertial of a million observations is analysed) then never stay in the bot, which makes a
lägesbild a few times a month and files reports all day. The daily digest needs none of
them and is made in the calling process.

The bot hands the worker an order on its standard input and reads the digest from its
standard output, both pickled (both ends are this program; nothing else writes there).
A worker that fails says why on its standard error, which comes back in the exception.

    python -m digests.worker < order.pickle > digest.pickle
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.digest import Digest, Digester
from digests.periods import Period
from digests.render import Format
from digests.sources import Sources
from storage.database.engine import make_engine
from storage.kinds import DigestKind
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.tables import utcnow
from storage.visibility import GroupFilter

# The package's root, so that the worker imports this very copy of estbot (a source tree,
# a benchmark's sys.path) and not only an installed one.
ROOT = Path(__file__).resolve().parents[1]
LAST_WORDS = 2000  # characters of the worker's standard error kept in the exception


class WorkerFailed(RuntimeError):
    """The worker process ended without a digest."""


@dataclass(frozen=True)
class Order:
    """Everything the worker needs: where the data is, and which digest to make."""

    database_url: str = field(repr=False)  # may hold a password
    tz: ZoneInfo
    gazetteer: Gazetteer
    areas: Areas | None
    templates_dir: Path | None
    period: Period
    language: str
    fmt: Format
    area: str | None
    seen_by: GroupFilter | None
    with_charts: bool
    now: datetime | None


class DigestWorker(Digester):
    """A Digester that makes lägesbilder in a worker process (see the module's docstring);
    blocking, like Digester: the bot calls it from a thread.

    One worker at a time: lägesbilder asked for by several groups at once wait for each
    other rather than each take the libraries' memory. `environment` is the worker's (the
    caller leaves out what it need not know, such as the bot's token)."""

    def __init__(
        self, sources: Sources, templates_dir: Path | None = None, timeout_s: float = 900.0,
        environment: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(sources, templates_dir)
        self.templates_dir = templates_dir
        self.timeout_s = timeout_s
        self.environment = dict(os.environ if environment is None else environment)
        self._one_at_a_time = threading.Lock()

    def make(
        self,
        period: Period,
        *,
        language: str,
        fmt: Format,
        area: str | None = None,
        seen_by: GroupFilter | None = None,
        with_charts: bool = True,
        now: datetime | None = None,
    ) -> Digest:
        """As `Digester.make`; a lägesbild comes from a worker process."""
        if period.kind is DigestKind.DAILY:
            return super().make(
                period, language=language, fmt=fmt, area=area, seen_by=seen_by, now=now
            )
        order = Order(
            database_url=self.sources.engine.url.render_as_string(hide_password=False),
            tz=self.sources.tz,
            gazetteer=self.sources.gazetteer,
            areas=self.sources.areas,
            templates_dir=self.templates_dir,
            period=period,
            language=language,
            fmt=fmt,
            area=area,
            seen_by=seen_by,
            with_charts=with_charts,
            now=now or utcnow(),  # this process's clock, which tests control, not the worker's
        )
        with self._one_at_a_time:
            return run_order(order, self.timeout_s, self.environment)


def run_order(order: Order, timeout_s: float, environment: Mapping[str, str]) -> Digest:
    """Make the order's digest in a new process and return it."""
    path = os.pathsep.join(p for p in (str(ROOT), environment.get("PYTHONPATH")) if p)
    try:
        done = subprocess.run(
            # -P: not the current directory first on the path, but this copy (PYTHONPATH)
            [sys.executable, "-P", "-m", "digests.worker"],
            input=pickle.dumps(order),
            capture_output=True,
            timeout=timeout_s,
            env={**environment, "PYTHONPATH": path},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed it
        raise WorkerFailed(f"no lägesbild after {timeout_s:.0f} s") from exc
    said = done.stderr.decode("utf-8", "replace")[-LAST_WORDS:]
    if done.returncode != 0:
        raise WorkerFailed(f"the worker ended with {done.returncode}:\n{said}")
    try:
        digest = pickle.loads(done.stdout)  # noqa: S301 - our own worker's answer
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError) as exc:
        raise WorkerFailed(f"the worker's answer could not be read ({exc}):\n{said}") from exc
    if not isinstance(digest, Digest):
        raise WorkerFailed(f"the worker answered {type(digest).__name__}, not a digest")
    return digest


def carry_out(order: Order) -> Digest:
    """In the worker: make the digest the order asks for."""
    engine = make_engine(order.database_url)
    try:
        sources = Sources(engine, order.tz, order.gazetteer, order.areas)
        return Digester(sources, order.templates_dir).make(
            order.period, language=order.language, fmt=order.fmt, area=order.area,
            seen_by=order.seen_by, with_charts=order.with_charts, now=order.now,
        )  # fmt: skip
    finally:
        engine.dispose()


def main() -> int:
    # The answer goes to the real standard output; everything else that writes there (a
    # library's print, C code) goes to standard error instead, and cannot spoil it.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    order = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the bot that started us
    if not isinstance(order, Order):
        print(f"not an order: {type(order).__name__}", file=sys.stderr)
        return 2
    answer.write(pickle.dumps(carry_out(order)))
    answer.flush()
    return 0


if __name__ == "__main__":  # the module's own copy, so that pickled orders match its classes
    from digests.worker import main as worker_main

    raise SystemExit(worker_main())
