"""Places: the municipality's bounding box and its gazetteer of named places.

The gazetteer is a CSV with the columns `name,latitude,longitude` and optional `kind` and
`aliases` (separated by `|`). Typed place names are matched against it before any
geocoding service is asked, and every coordinate is stored with the nearest named place
so that a report reads "vid Kvarnparken" rather than as numbers.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import resources
from pathlib import Path
from typing import Any

from geopy.distance import distance, great_circle

from storage.kinds import PlaceSource

EXAMPLE_GAZETTEER = "kvarnby_places.csv"
MAX_CHOICES = 5


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude rectangle: south, west, north, east."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, text: str) -> BoundingBox:
        """Parse `south,west,north,east` in decimal degrees."""
        try:
            south, west, north, east = (float(part) for part in text.split(","))
        except ValueError as exc:
            raise ValueError("bounding box must be 'south,west,north,east' in degrees") from exc
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise ValueError("bounding box must have south < north and west < east")
        return cls(south, west, north, east)

    def contains(self, latitude: float, longitude: float) -> bool:
        """Whether the point lies inside the box (edges included)."""
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


@dataclass(frozen=True)
class PlaceValue:
    """A place as given by the reporter, ready to be stored on a draft."""

    source: PlaceSource
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    name: str = ""
    distance_m: float | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.value,
            "text": self.text,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "name": self.name,
            "distance_m": self.distance_m,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlaceValue:
        return cls(
            source=PlaceSource(raw["source"]),
            text=raw.get("text") or "",
            latitude=raw.get("latitude"),
            longitude=raw.get("longitude"),
            name=raw.get("name") or "",
            distance_m=raw.get("distance_m"),
        )


@dataclass(frozen=True)
class Place:
    """A named place with coordinates."""

    name: str
    latitude: float
    longitude: float
    kind: str = ""
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class NearestPlace:
    """The named place nearest to a point, and how far away it is."""

    place: Place
    distance_m: float


def normalise(text: str) -> str:
    """Fold case, spacing and punctuation, but keep å, ä and ö distinct from a and o."""
    text = unicodedata.normalize("NFC", text).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(kept.split())


class Gazetteer:
    """The municipality's own named places, searched by name and by distance."""

    def __init__(self, places: list[Place]) -> None:
        self.places = places
        self._keys = [
            (place, [normalise(name) for name in (place.name, *place.aliases)]) for place in places
        ]

    @classmethod
    def from_csv(cls, path: Path | None = None) -> Gazetteer:
        """Load a gazetteer CSV; without a path, the example for the fictional town Kvarnby."""
        if path is None:
            text = resources.files("storage").joinpath("data", EXAMPLE_GAZETTEER).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8-sig")
        rows = csv.DictReader(text.splitlines())
        places = [
            Place(
                name=row["name"].strip(),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                kind=(row.get("kind") or "").strip(),
                aliases=tuple(
                    a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()
                ),
            )
            for row in rows
            if (row.get("name") or "").strip()
        ]
        return cls(places)

    def search(self, query: str, limit: int = MAX_CHOICES) -> list[Place]:
        """Places whose name matches the query, best first.

        An exact name wins alone; otherwise names that start with or contain the query, then
        names that are close in spelling (a typo, a missing å), at most `limit`.
        """
        wanted = normalise(query)
        if len(wanted) < 2:
            return []
        scored: list[tuple[float, Place]] = []
        for place, keys in self._keys:
            score = max(_match_score(wanted, key) for key in keys)
            if score >= 1.0:
                return [place]
            if score > 0:
                scored.append((score, place))
        scored.sort(key=lambda item: (-item[0], item[1].name))
        return [place for _, place in scored[:limit]]

    def nearest(self, latitude: float, longitude: float) -> NearestPlace | None:
        """The nearest named place: ranked on the sphere, measured on the ellipsoid."""
        if not self.places:
            return None
        point = (latitude, longitude)
        best = min(self.places, key=lambda p: great_circle(point, (p.latitude, p.longitude)).km)
        return NearestPlace(best, distance(point, (best.latitude, best.longitude)).meters)


def _match_score(wanted: str, key: str) -> float:
    if wanted == key:
        return 1.0
    if key.startswith(wanted) or f" {wanted}" in f" {key}":
        return 0.9
    if wanted in key:
        return 0.8
    if key in wanted and len(key) >= 4:
        return 0.75
    ratio = SequenceMatcher(None, wanted, key).ratio()
    return ratio if ratio >= 0.8 else 0.0
