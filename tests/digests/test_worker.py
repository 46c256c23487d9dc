"""Lägesbilder made in a worker process: the same lägesbild as made here, the heavy
libraries never in the caller, and a worker that fails says why."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from digests.digest import Digester
from digests.periods import latest_complete
from digests.sources import Sources
from digests.worker import DigestWorker, WorkerFailed
from storage.demo.town import populate_demo
from storage.kinds import DigestKind
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.setup import open_database
from tests.bot.test_lean_start import HEAVY

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=TZ)


@pytest.fixture
def town(database_url: str) -> Iterator[Sources]:
    engine, _ = open_database(database_url)
    sources = Sources(engine, TZ, Gazetteer.from_csv(), Areas.from_geojson())
    populate_demo(
        engine=engine, now=NOW, tz=TZ, observations=400, areas=sources.areas,
        gazetteer=sources.gazetteer,
    )  # fmt: skip
    yield sources
    engine.dispose()


def test_the_worker_makes_the_same_lagesbild_as_this_process(town: Sources) -> None:
    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    here = Digester(town).make(period, language="sv", fmt="telegram", now=NOW)
    there = DigestWorker(town).make(period, language="sv", fmt="telegram", now=NOW)
    assert "Månadslägesbild oktober 2026" in there.text
    assert there.text == here.text and there.messages == here.messages
    assert [c.title for c in there.charts] == [c.title for c in here.charts]
    assert len(there.charts) == 4 and all(c.png.startswith(b"\x89PNG") for c in there.charts)


def test_the_interventions_observations_are_read_in_one_query_per_list(town: Sources) -> None:
    """The demo's open interventions (and the one evaluated in October) get their
    observations in one query per list, however many there are, not one each."""
    ran: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append(statement)

    period = latest_complete(DigestKind.MONTHLY, NOW, TZ)
    event.listen(town.engine, "before_cursor_execute", note)
    try:
        made = Digester(town).make(period, language="sv", fmt="telegram", now=NOW)
    finally:
        event.remove(town.engine, "before_cursor_execute", note)
    assert "Insatser att följa upp" in made.text and "Insatser utvärderade" in made.text
    assert sum("interventionlink" in sql and sql.startswith("SELECT") for sql in ran) == 2


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
from storage.setup import open_database
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
