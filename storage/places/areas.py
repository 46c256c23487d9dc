"""Areas: the municipality's named districts, from an optional GeoJSON file of polygons.

Each observation gets the name of the area it lies in when it is filed, so that a
lägesbild can be made for one area and totals can be given per area. Without a file there
are no areas, and everything else works as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from shapely import STRtree, points
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

EXAMPLE_AREAS = "kvarnby_areas.geojson"
NAME_KEYS = ("name", "namn", "NAME", "Name")


@dataclass(frozen=True)
class Area:
    """A named area and its outline."""

    name: str
    geometry: BaseGeometry

    def outlines(self) -> list[list[tuple[float, float]]]:
        """The exterior rings as (longitude, latitude) pairs, for drawing."""
        parts = getattr(self.geometry, "geoms", [self.geometry])
        return [[(x, y) for x, y in part.exterior.coords] for part in parts]


class Areas:
    """Named polygons, searched by point."""

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self._tree = STRtree([area.geometry for area in areas])

    @classmethod
    def from_geojson(cls, path: Path | None = None) -> Areas:
        """Read a GeoJSON FeatureCollection of (Multi)Polygons, each with a `name` property;
        without a path, the example areas of the fictional town Kvarnby."""
        if path is None:
            text = example_areas_text()
        else:
            text = Path(path).read_text("utf-8-sig")
        return cls.from_mapping(json.loads(text), source=str(path or EXAMPLE_AREAS))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "GeoJSON") -> Areas:
        """Areas from parsed GeoJSON."""
        features = data.get("features") if data.get("type") == "FeatureCollection" else None
        if not isinstance(features, list):
            raise ValueError(f"{source}: expected a GeoJSON FeatureCollection")
        areas = []
        for index, feature in enumerate(features, start=1):
            properties = feature.get("properties") or {}
            name = next((str(properties[k]).strip() for k in NAME_KEYS if properties.get(k)), "")
            if not name:
                raise ValueError(f"{source}: feature {index} has no 'name' property")
            try:
                geometry = shape(feature.get("geometry") or {})
            except (AttributeError, KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{source}: area {name!r} has no usable geometry") from exc
            if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
                raise ValueError(f"{source}: area {name!r} is not a valid (Multi)Polygon")
            areas.append(Area(name, geometry))
        names = [area.name for area in areas]
        if len(set(names)) != len(names):
            raise ValueError(f"{source}: area names must be unique")
        return cls(areas)

    @property
    def names(self) -> list[str]:
        return [area.name for area in self.areas]

    def find(self, name: str) -> Area | None:
        """An area by its name, ignoring case."""
        wanted = name.strip().casefold()
        return next((a for a in self.areas if a.name.casefold() == wanted), None)

    def area_of(self, latitude: float | None, longitude: float | None) -> str | None:
        """The name of the area the point lies in (the first listed, where areas overlap)."""
        if latitude is None or longitude is None:
            return None
        hits = self._tree.query(Point(longitude, latitude), predicate="intersects")
        return self.areas[int(min(hits))].name if len(hits) else None

    def areas_of(self, latitudes: Any, longitudes: Any) -> list[str | None]:
        """`area_of` for many points at once (arrays of equal length)."""
        found: list[str | None] = [None] * len(latitudes)
        point_index, area_index = self._tree.query(
            points(longitudes, latitudes), predicate="intersects"
        )
        for p, a in sorted(zip(point_index.tolist(), area_index.tolist(), strict=True)):
            if found[p] is None:
                found[p] = self.areas[a].name
        return found


def example_areas_text() -> str:
    """The GeoJSON of the example areas of Kvarnby, as shipped in the package."""
    return resources.files("storage").joinpath("data", EXAMPLE_AREAS).read_text("utf-8")
