"""storage.places.areas.Areas: which area a point lies in, and what a GeoJSON file must hold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from storage.places.areas import Areas

SQUARE = [[[15.0, 59.0], [15.1, 59.0], [15.1, 59.1], [15.0, 59.1], [15.0, 59.0]]]


def feature(properties: dict[str, Any] | None, geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def polygon(coordinates: list[Any] = SQUARE) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": coordinates}


@pytest.fixture(scope="module")
def areas() -> Areas:
    return Areas.from_geojson()


def test_example_areas(areas: Areas) -> None:
    assert areas.names == ["Centrum", "Norr", "Söder", "Väster", "Öster"]
    assert areas.find("  norr ") is areas.areas[1]
    assert areas.find("Nowhere") is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "name"),
    [
        (59.127, 15.145, "Centrum"),  # Kvarnby torg
        (59.135, 15.130, "Norr"),
        (59.120, 15.150, "Söder"),
        (59.120, 15.130, "Väster"),
        (59.127, 15.155, "Öster"),
        (59.124, 15.145, "Centrum"),  # on the Centrum–Söder border: the first listed
        (59.000, 15.000, None),  # outside every area
        (59.141, 15.145, None),  # just north of Norr
        (None, 15.145, None),
        (59.127, None, None),
    ],
)
def test_area_of(
    areas: Areas, latitude: float | None, longitude: float | None, name: str | None
) -> None:
    assert areas.area_of(latitude, longitude) == name


def test_areas_of_agrees_with_area_of(areas: Areas) -> None:
    rng = np.random.default_rng(11)
    lats = rng.uniform(59.11, 59.145, 300)
    lons = rng.uniform(15.12, 15.165, 300)
    found = areas.areas_of(lats, lons)
    assert found == [areas.area_of(lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    assert None in found and set(found) - {None} == set(areas.names)


def test_areas_of_small_cases(areas: Areas) -> None:
    assert areas.areas_of(np.array([59.127, 59.0, 59.124]), np.array([15.145, 15.0, 15.145])) == [
        "Centrum",
        None,
        "Centrum",
    ]
    assert areas.areas_of([59.135], [15.13]) == ["Norr"]
    assert areas.areas_of(np.array([]), np.array([])) == []


def test_no_areas_find_nothing() -> None:
    empty = Areas.from_mapping(collection())
    assert empty.names == []
    assert empty.area_of(59.127, 15.145) is None
    assert empty.areas_of([59.127], [15.145]) == [None]


def test_from_mapping_reads_names_and_multipolygons() -> None:
    multi = {
        "type": "MultiPolygon",
        "coordinates": [SQUARE, [[[16, 60], [16.1, 60], [16, 60.1], [16, 60]]]],
    }
    areas = Areas.from_mapping(
        collection(feature({"namn": " Gamla stan "}, polygon()), feature({"NAME": "Ön"}, multi))
    )
    assert areas.names == ["Gamla stan", "Ön"]
    assert areas.area_of(59.05, 15.05) == "Gamla stan"
    assert areas.area_of(60.02, 16.02) == "Ön"
    assert len(areas.areas[1].outlines()) == 2
    assert areas.areas[0].outlines() == [[tuple(c) for c in SQUARE[0]]]


@pytest.mark.parametrize("properties", [None, {}, {"name": ""}, {"name": "   "}, {"id": 3}])
def test_from_mapping_rejects_a_feature_without_a_name(properties: dict[str, Any] | None) -> None:
    data = collection(feature({"name": "A"}, polygon()), feature(properties, polygon()))
    with pytest.raises(ValueError, match="feature 2 has no 'name' property"):
        Areas.from_mapping(data)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [15.05, 59.05]},
        {"type": "LineString", "coordinates": [[15.0, 59.0], [15.1, 59.1]]},
        # a bow tie: a polygon, but not a valid one
        polygon([[[15.0, 59.0], [15.1, 59.1], [15.1, 59.0], [15.0, 59.1], [15.0, 59.0]]]),
    ],
)
def test_from_mapping_rejects_a_non_polygon(geometry: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="'A' is not a valid \\(Multi\\)Polygon"):
        Areas.from_mapping(collection(feature({"name": "A"}, geometry)))


@pytest.mark.parametrize("geometry", [None, {}])
def test_from_mapping_rejects_a_feature_without_a_geometry(
    geometry: dict[str, Any] | None,
) -> None:
    with pytest.raises(ValueError):
        Areas.from_mapping(collection(feature({"name": "A"}, geometry)))


@pytest.mark.parametrize(
    "data",
    [
        {"type": "Feature", "features": []},
        {"type": "FeatureCollection"},
        {"type": "FeatureCollection", "features": {}},
        {},
    ],
)
def test_from_mapping_rejects_what_is_not_a_feature_collection(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="expected a GeoJSON FeatureCollection"):
        Areas.from_mapping(data)


def test_from_mapping_rejects_duplicate_names() -> None:
    data = collection(feature({"name": "A"}, polygon()), feature({"name": "A"}, polygon()))
    with pytest.raises(ValueError, match="unique"):
        Areas.from_mapping(data)
