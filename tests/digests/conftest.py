"""Shared by the digests' tests: a demo town in a real database, on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digests.sources import Sources
from storage.demo.town import populate_demo
from storage.places.areas import Areas
from storage.places.gazetteer import Gazetteer
from storage.setup import open_database

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 9, tzinfo=TZ)  # the demo town's observations end here


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
