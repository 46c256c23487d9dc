from __future__ import annotations

from pathlib import Path

import pytest

from storage.places.gazetteer import BoundingBox, Gazetteer, normalise


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_csv()


def test_exact_name_and_alias_match_alone(gazetteer: Gazetteer) -> None:
    assert [p.name for p in gazetteer.search("Kvarnparken")] == ["Kvarnparken"]
    assert [p.name for p in gazetteer.search("torget")] == ["Kvarnby torg"]
    assert [p.name for p in gazetteer.search("  KVARNPARKEN ")] == ["Kvarnparken"]


def test_partial_name_gives_several_choices_at_most_five(gazetteer: Gazetteer) -> None:
    names = [p.name for p in gazetteer.search("skola")]
    assert "Ekbackens skola" in names and len(names) <= 5
    parks = [p.name for p in gazetteer.search("park")]
    assert {"Kvarnparken", "Stationsparken", "Hagaparken"} <= set(parks) and len(parks) <= 5


def test_typo_still_matches(gazetteer: Gazetteer) -> None:
    assert gazetteer.search("Kvarnparkn")[0].name == "Kvarnparken"
    assert gazetteer.search("Vattentornett")[0].name == "Vattentornet"


def test_unknown_text_matches_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.search("Storgatan 14") == []
    assert gazetteer.search("x") == []


def test_swedish_letters_stay_distinct() -> None:
    assert normalise("Återvinning  Norr!") == "återvinning norr"
    assert normalise("Åby") != normalise("Aby")


def test_nearest_place_by_geodesic_distance(gazetteer: Gazetteer) -> None:
    nearest = gazetteer.nearest(59.1263, 15.1420)
    assert nearest is not None and nearest.place.name == "Kvarnparken"
    assert 5 < nearest.distance_m < 30


def test_csv_from_operator_with_bom_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "\ufeffname,latitude,longitude,kind,aliases\n"
        "Kumla torg,59.1277,15.1434,square,Torget|Stortorget\n",
        "utf-8",
    )
    found = Gazetteer.from_csv(path).search("stortorget")
    assert [p.name for p in found] == ["Kumla torg"]


def test_bounding_box_parse_and_contains() -> None:
    box = BoundingBox.parse("59.05,15.00,59.20,15.30")
    assert box.contains(59.12, 15.14)
    assert not box.contains(57.7, 11.97)
    with pytest.raises(ValueError):
        BoundingBox.parse("59.2,15.0,59.05,15.3")
    with pytest.raises(ValueError):
        BoundingBox.parse("nonsense")
