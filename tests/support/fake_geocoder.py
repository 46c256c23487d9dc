"""A fake Nominatim server (``/search`` and ``/reverse``) for geopy in tests.

Use it as ``Nominatim(domain=geocoder.base, scheme="http", user_agent="...")``.
"""

from __future__ import annotations

import asyncio
import math
import socket
from typing import Any

from aiohttp import web

JSON = dict[str, Any]
LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright"


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular approximation; plenty for "is it near" checks."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def _in_viewbox(place: JSON, viewbox: str) -> bool:
    lon1, lat1, lon2, lat2 = (float(part) for part in viewbox.split(","))
    lat, lon = float(place["lat"]), float(place["lon"])
    return min(lat1, lat2) <= lat <= max(lat1, lat2) and min(lon1, lon2) <= lon <= max(lon1, lon2)


class FakeGeocoder:
    """Answers geopy's Nominatim requests from places registered with :meth:`add`."""

    def __init__(self, *, reverse_radius_m: float = 1000.0) -> None:
        self.places: list[tuple[str, JSON]] = []
        self.requests: list[dict[str, str]] = []
        self.latency = 0.0
        self.reverse_radius_m = reverse_radius_m
        self.port = 0
        self._failures: list[int] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> FakeGeocoder:
        """Start listening on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/search", self._search)
        app.router.add_get("/reverse", self._reverse)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Shut the server down."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeGeocoder:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base(self) -> str:
        """``127.0.0.1:PORT``, the ``domain`` for geopy's Nominatim."""
        return f"127.0.0.1:{self.port}"

    def add(
        self,
        query: str,
        lat: float,
        lon: float,
        *,
        display_name: str | None = None,
        address: JSON | None = None,
        country_code: str = "se",
        **extra: Any,
    ) -> JSON:
        """Register a result for queries matching ``query`` (case-insensitive containment
        either way); several results per query are fine. Returns the raw result dict."""
        place_id = 100_000 + len(self.places)
        place: JSON = {
            "place_id": place_id,
            "licence": LICENCE,
            "osm_type": "node",
            "osm_id": place_id,
            "lat": f"{lat:.7f}",
            "lon": f"{lon:.7f}",
            "class": "place",
            "type": "house",
            "place_rank": 30,
            "importance": 0.1,
            "addresstype": "place",
            "name": query.split(",")[0].strip(),
            "display_name": display_name or query,
            "boundingbox": [
                f"{lat - 0.0005:.7f}",
                f"{lat + 0.0005:.7f}",
                f"{lon - 0.0005:.7f}",
                f"{lon + 0.0005:.7f}",
            ],
            "address": {**(address or {}), "country_code": country_code},
            **extra,
        }
        self.places.append((query.strip().lower(), place))
        return place

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP ``status`` (an outage)."""
        self._failures.extend([status] * times)

    def matches(self, query: str) -> list[JSON]:
        """The registered results a search for ``query`` finds, in registration order."""
        q = query.strip().lower()
        return [place for key, place in self.places if key in q or q in key]

    async def _guard(self, request: web.Request) -> dict[str, str] | web.Response:
        params = dict(request.query)
        self.requests.append(params)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self._failures:
            status = self._failures.pop(0)
            return web.Response(status=status, text=f"fake outage (HTTP {status})")
        return params

    async def _search(self, request: web.Request) -> web.Response:
        params = await self._guard(request)
        if isinstance(params, web.Response):
            return params
        places = self.matches(params.get("q", ""))
        if codes := params.get("countrycodes"):
            wanted = codes.lower().split(",")
            places = [p for p in places if p["address"]["country_code"] in wanted]
        if params.get("viewbox") and params.get("bounded") == "1":
            places = [p for p in places if _in_viewbox(p, params["viewbox"])]
        limit = int(params.get("limit", 10))
        return web.json_response([self._shape(p, params) for p in places[:limit]])

    async def _reverse(self, request: web.Request) -> web.Response:
        params = await self._guard(request)
        if isinstance(params, web.Response):
            return params
        lat, lon = float(params["lat"]), float(params["lon"])
        near = sorted(
            (_distance_m(lat, lon, float(p["lat"]), float(p["lon"])), i, p)
            for i, (_, p) in enumerate(self.places)
        )
        if not near or near[0][0] > self.reverse_radius_m:
            return web.json_response({"error": "Unable to geocode"})
        return web.json_response(self._shape(near[0][2], params))

    @staticmethod
    def _shape(place: JSON, params: dict[str, str]) -> JSON:
        if params.get("addressdetails") == "1":
            return dict(place)
        return {key: value for key, value in place.items() if key != "address"}
