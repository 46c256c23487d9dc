"""Typed places through geopy's Nominatim against a fake Nominatim: cache and rate limit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from storage.kinds import PlaceSource
from storage.places.gazetteer import BoundingBox, Gazetteer
from storage.places.geocoding import GeocoderConfig, Locator
from storage.setup import open_database
from tests.support.fake_geocoder import FakeGeocoder

BOX = BoundingBox.parse("59.05,15.00,59.20,15.30")


def locator(tmp_path: Path, domain: str, min_delay: float) -> Locator:
    engine, _ = open_database(f"sqlite:///{tmp_path / 'geo.db'}")
    config = GeocoderConfig(domain, "http", "estbot-tests", "se", min_delay, 2.0)
    return Locator(engine=engine, gazetteer=Gazetteer.from_csv(), bbox=BOX, geocoder=config)


async def test_requests_keep_the_minimum_delay_and_answers_are_cached(tmp_path: Path) -> None:
    async with FakeGeocoder() as fake:
        fake.add("Storgatan 1", 59.127, 15.144, display_name="Storgatan 1, Kvarnby")
        fake.add("Storgatan 2", 59.128, 15.145, display_name="Storgatan 2, Kvarnby")
        places = locator(tmp_path, fake.base, min_delay=0.4)
        began = time.monotonic()
        first = await asyncio.to_thread(places.search, "Storgatan 1")
        second = await asyncio.to_thread(places.search, "Storgatan 2")
        assert time.monotonic() - began >= 0.4, "Nominatim's policy: at most one request a second"
        again = await asyncio.to_thread(places.search, "storgatan 1")
        assert len(fake.requests) == 2 and again == first
        assert first[0].source is PlaceSource.GEOCODER and first[0].name == "Kvarnby torg"
        assert second[0].latitude == 59.128


async def test_gazetteer_first_and_outage_gives_nothing(tmp_path: Path) -> None:
    async with FakeGeocoder() as fake:
        places = locator(tmp_path, fake.base, min_delay=0.0)
        assert (await asyncio.to_thread(places.search, "Biblioteket"))[
            0
        ].source is PlaceSource.GAZETTEER
        assert fake.requests == []
        fake.fail_next(status=503, times=3)
        assert await asyncio.to_thread(places.search, "Okänd väg 9") == []
        fake.add("Okänd väg 9", 59.1, 15.1)
        found = await asyncio.to_thread(places.search, "Okänd väg 9")
        assert found and found[0].latitude == 59.1, "a failure is not cached"
