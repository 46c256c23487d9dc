"""Lägesbilder made in a worker process: the same lägesbild as made here, the heavy
libraries never in the caller, and a worker that fails says why."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digests.digest import Digester
from digests.periods import latest_complete
from digests.sources import Sources
from digests.worker import DigestWorker, WorkerFailed
from storage.kinds import DigestKind
from tests.digests.conftest import NOW, TZ
from tests.support.heavy import HEAVY


def test_the_worker_makes_the_same_lagesbild_as_this_process(town: Sources) -> None:
    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    here = Digester(town).make(period, language="sv", fmt="telegram", now=NOW)
    there = DigestWorker(town).make(period, language="sv", fmt="telegram", now=NOW)
    assert "Månadslägesbild oktober 2026" in there.text
    assert there.text == here.text and there.messages == here.messages
    assert [c.title for c in there.charts] == [c.title for c in here.charts]
    assert len(there.charts) == 4 and all(c.png.startswith(b"\x89PNG") for c in there.charts)


def test_a_lagesbild_made_after_midnight_says_the_local_day(town: Sources) -> None:
    """23:30 UTC on 22 November is 00:30 on the 23rd in Stockholm: the day shown is the 23rd."""
    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    made = DigestWorker(town).make(period, language="sv", fmt="telegram", now=late)
    assert "(per 23 nov)" in made.text and "22 nov" not in made.text


def test_a_worker_that_fails_says_why(town: Sources, tmp_path: Path) -> None:
    (tmp_path / "lagesbild.telegram.j2").write_text("{{ no_such_thing.attribute }}", "utf-8")
    worker = DigestWorker(town, templates_dir=tmp_path)
    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    with pytest.raises(WorkerFailed, match="no_such_thing"):
        worker.make(period, language="sv", fmt="telegram", now=NOW)


def test_the_caller_never_loads_the_heavy_libraries(town: Sources) -> None:
    """In a fresh process (this one has them from other tests): a lägesbild through the
    worker, then the caller's modules."""
    url = town.engine.url.render_as_string(hide_password=False)
    probe = f"""
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from digests.periods import latest_complete
from digests.sources import Sources
from digests.worker import DigestWorker
from storage.database.engine import make_engine
from storage.kinds import DigestKind
from storage.places.gazetteer import Gazetteer
tz = ZoneInfo("Europe/Stockholm")
now = datetime.fromisoformat({NOW.isoformat()!r})
worker = DigestWorker(Sources(make_engine({url!r}), tz, Gazetteer.from_csv()))
made = worker.make(latest_complete(DigestKind.MONTHLY, now, tz), language="en",
                   fmt="telegram", now=now)
print(json.dumps([made.text[:200], len(made.charts), sorted(sys.modules)]))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=180, check=True
    )
    head, charts, modules = json.loads(done.stdout)
    assert "Monthly" in head and charts == 4
    assert sorted({name.split(".")[0] for name in modules} & set(HEAVY)) == []
