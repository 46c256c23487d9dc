"""Finding a typed place: the municipality's gazetteer first, then a geocoding service.

Answers from the service are cached in the database, so the same address typed again
costs no request (Nominatim's usage policy allows one request a second).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.database.engine import transaction
from storage.kinds import PlaceSource
from storage.places.gazetteer import MAX_CHOICES, BoundingBox, Gazetteer, PlaceValue, normalise
from storage.tables import GeocodeCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeocoderConfig:
    domain: str
    scheme: str
    user_agent: str
    country_codes: str
    min_delay_s: float
    timeout_s: float


class Locator:
    """Turns points and typed text into places with a name a person recognises."""

    def __init__(
        self,
        *,
        engine: Engine,
        gazetteer: Gazetteer,
        bbox: BoundingBox,
        geocoder: GeocoderConfig | None,
        name_radius_m: float = 400.0,
    ) -> None:
        self.engine = engine
        self.gazetteer = gazetteer
        self.bbox = bbox
        self.name_radius_m = name_radius_m
        self.provider = f"nominatim:{geocoder.domain}" if geocoder else "none"
        self._geocode = _make_geocode(geocoder) if geocoder else None
        self._country_codes = geocoder.country_codes if geocoder else ""

    def point(
        self, latitude: float, longitude: float, source: PlaceSource, label: str = ""
    ) -> PlaceValue:
        """A point with the nearest gazetteer name (if one lies within the name radius)."""
        nearest = self.gazetteer.nearest(latitude, longitude)
        name, metres = "", None
        if nearest is not None and nearest.distance_m <= self.name_radius_m:
            name, metres = nearest.place.name, round(nearest.distance_m)
        return PlaceValue(source, label, latitude, longitude, name, metres)

    def inside(self, place: PlaceValue) -> bool:
        """Whether a place lies in the municipality (places without a point count as inside)."""
        if place.latitude is None or place.longitude is None:
            return True
        return self.bbox.contains(place.latitude, place.longitude)

    def search(self, text: str) -> list[PlaceValue]:
        """Places matching typed text, best first, at most five; [] when nothing matched.

        Blocking (a network request at worst): call it off the event loop.
        """
        found = self.gazetteer.search(text)
        if found:
            return [
                PlaceValue(PlaceSource.GAZETTEER, text, p.latitude, p.longitude, p.name, 0)
                for p in found
            ]
        return [self._named(hit, text) for hit in self._geocoded(text)]

    def _named(self, hit: dict[str, object], text: str) -> PlaceValue:
        place = self.point(float(hit["lat"]), float(hit["lon"]), PlaceSource.GEOCODER)  # type: ignore[arg-type]
        label = str(hit.get("display_name") or text)
        return PlaceValue(
            PlaceSource.GEOCODER,
            label,
            place.latitude,
            place.longitude,
            place.name,
            place.distance_m,
        )

    def _geocoded(self, text: str) -> list[dict[str, object]]:
        if self._geocode is None:
            return []
        query = normalise(text)
        with transaction(self.engine) as session:
            cached = session.exec(
                select(GeocodeCache).where(
                    GeocodeCache.provider == self.provider, GeocodeCache.query == query
                )
            ).first()
            if cached is not None:
                return list(cached.results)
        try:
            answers = self._geocode(
                text,
                exactly_one=False,
                limit=MAX_CHOICES,
                country_codes=self._country_codes or None,
                viewbox=[(self.bbox.south, self.bbox.west), (self.bbox.north, self.bbox.east)],
                bounded=False,
            )
        except GeopyError as exc:  # the service is down or slow: the typed text is kept
            log.warning("geocoding failed (%s); keeping the typed place text", type(exc).__name__)
            return []
        results = [
            {"lat": a.latitude, "lon": a.longitude, "display_name": a.address}
            for a in answers or []
        ]
        self._remember(query, results)
        return results

    def _remember(self, query: str, results: list[dict[str, object]]) -> None:
        try:
            with transaction(self.engine) as session:
                session.add(GeocodeCache(provider=self.provider, query=query, results=results))
        except IntegrityError:  # someone else cached the same query meanwhile
            pass


def _make_geocode(config: GeocoderConfig) -> RateLimiter:
    service = Nominatim(
        domain=config.domain,
        scheme=config.scheme,
        user_agent=config.user_agent,
        timeout=config.timeout_s,
    )
    return RateLimiter(
        service.geocode,
        min_delay_seconds=config.min_delay_s,
        max_retries=1,
        error_wait_seconds=min(2.0, config.min_delay_s * 2),
        swallow_exceptions=False,
    )
