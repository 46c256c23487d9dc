"""How a category, a place and a status read, wherever the bot shows them: prompts, cards, /mina."""

from __future__ import annotations

from handlers.texts import Texts
from storage.kinds import PlaceSource, Status
from storage.places.gazetteer import PlaceValue
from storage.tables import Category

NEAR_ENOUGH_M = 75


def category_label(category: Category | None, language: str) -> str:
    if category is None:
        return "–"
    return f"{category.emoji} {category.label(language)}".strip()


def place_label(t: Texts, place: PlaceValue | None) -> str:
    """How a place reads: "vid Kvarnparken", "Storgatan 3 (nära Torget, 120 m)", or the text.

    Plain text (for buttons too); whoever puts it into HTML escapes it, once.
    """
    if place is None:
        return t.plain("place_unknown")
    typed = _short_text(place)
    if place.name:
        distance = round(place.distance_m or 0)
        if distance <= NEAR_ENOUGH_M:
            near = t.plain("place_at").format(name=place.name)
        else:
            near = t.plain("place_near").format(name=place.name, distance=distance)
        return f"{typed} ({near})" if typed and typed != place.name else near
    if typed:
        return typed
    if place.latitude is not None and place.longitude is not None:
        return t.plain("place_coordinates").format(
            latitude=f"{place.latitude:.5f}", longitude=f"{place.longitude:.5f}"
        )
    return t.plain("place_unknown")


def _short_text(place: PlaceValue) -> str:
    if place.source is PlaceSource.GEOCODER:  # "Storgatan 3, Kvarnby, Örebro län, Sverige"
        return ", ".join(part.strip() for part in place.text.split(",")[:2])
    if place.source in (PlaceSource.TEXT, PlaceSource.VENUE, PlaceSource.LAST):
        return place.text
    return ""


def status_label(t: Texts, status: Status) -> str:
    return t.plain(f"status_{status.value}")
