"""Self-tests: geopy's real Nominatim geocoder talks to the fake Nominatim server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from geopy.exc import GeocoderServiceError
from geopy.geocoders import Nominatim
from geopy.location import Location

from tests.support.fake_geocoder import FakeGeocoder


@pytest.fixture
async def geocoder() -> AsyncIterator[FakeGeocoder]:
    async with FakeGeocoder() as fake:
        fake.add(
            "Storgatan 1, Kvarnby",
            59.121,
            15.142,
            display_name="Storgatan 1, 123 45 Kvarnby, Sverige",
            address={"road": "Storgatan", "house_number": "1", "town": "Kvarnby"},
        )
        fake.add("Storgatan 1, Kvarnby", 59.122, 15.143, display_name="Storgatan 1 (andra)")
        fake.add("Kvarnparken", 59.130, 15.150)
        fake.add("Storgatan 1, Oslo", 59.91, 10.75, country_code="no")
        yield fake


@pytest.fixture
def nominatim(geocoder: FakeGeocoder) -> Iterator[Nominatim]:
    with Nominatim(
        domain=geocoder.base, scheme="http", user_agent="estbot-tests", timeout=5
    ) as client:
        yield client


async def ask(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a blocking geopy call off the event loop (the fake server lives on the loop)."""
    return await asyncio.to_thread(method, *args, **kwargs)


def _one(result: object) -> Location:
    assert isinstance(result, Location)
    return result


async def test_search_with_options(geocoder: FakeGeocoder, nominatim: Nominatim) -> None:
    found = _one(
        await ask(
            nominatim.geocode,
            "Storgatan 1, Kvarnby",
            country_codes="se",
            addressdetails=True,
            language="sv",
            viewbox=[(59.0, 15.0), (59.3, 15.3)],
            bounded=True,
        )
    )
    assert (found.latitude, found.longitude) == (59.121, 15.142)
    assert found.address == "Storgatan 1, 123 45 Kvarnby, Sverige"
    assert found.raw["address"]["road"] == "Storgatan"
    request = geocoder.requests[-1]
    assert request["q"] == "Storgatan 1, Kvarnby" and request["countrycodes"] == "se"
    assert request["accept-language"] == "sv" and request["bounded"] == "1"
    assert request["format"] == "json" and request["limit"] == "1"


async def test_matching_rules(geocoder: FakeGeocoder, nominatim: Nominatim) -> None:
    several = await ask(nominatim.geocode, "storgatan 1", exactly_one=False, country_codes="se")
    assert isinstance(several, list) and len(several) == 2
    longer = _one(await ask(nominatim.geocode, "Kvarnparken, Kvarnby, Sverige"))
    assert longer.latitude == 59.130 and "address" not in longer.raw
    assert await ask(nominatim.geocode, "Storgatan 1", exactly_one=False, limit=10) is not None
    assert len(await ask(nominatim.geocode, "Storgatan 1", exactly_one=False) or []) == 3
    assert await ask(nominatim.geocode, "Storgatan 1, Oslo", country_codes="se") is None
    assert (
        await ask(
            nominatim.geocode, "Storgatan 1, Kvarnby", viewbox=[(60, 16), (61, 17)], bounded=True
        )
        is None
    )
    assert await ask(nominatim.geocode, "Ingenstans") is None


async def test_reverse(geocoder: FakeGeocoder, nominatim: Nominatim) -> None:
    near = _one(await ask(nominatim.reverse, (59.1301, 15.1501), language="sv"))
    assert near.raw["name"] == "Kvarnparken" and "address" in near.raw
    assert await ask(nominatim.reverse, (10.0, 10.0)) is None
    assert geocoder.requests[-1]["lat"] == "10.0"


async def test_outage_and_request_log_for_caches(
    geocoder: FakeGeocoder, nominatim: Nominatim
) -> None:
    geocoder.fail_next(status=503)
    with pytest.raises(GeocoderServiceError):
        await ask(nominatim.geocode, "Kvarnparken")
    cache: dict[str, Location | None] = {}

    async def cached(query: str) -> Location | None:
        if query not in cache:
            cache[query] = _one(await ask(nominatim.geocode, query))
        return cache[query]

    before = len(geocoder.requests)
    assert await cached("Kvarnparken") == await cached("Kvarnparken")
    assert len(geocoder.requests) == before + 1
