from __future__ import annotations

import re

from handlers.texts import LANGUAGES, Texts, catalogue, placeholders


def test_every_language_has_the_same_keys() -> None:
    swedish = set(catalogue("sv"))
    for language in LANGUAGES:
        assert set(catalogue(language)) == swedish, language


def test_every_text_has_the_same_placeholders_in_every_language() -> None:
    for key, text in catalogue("sv").items():
        for language in LANGUAGES:
            assert placeholders(catalogue(language)[key]) == placeholders(text), (language, key)


def test_texts_use_only_telegram_html_tags() -> None:
    allowed = {"b", "i", "code", "u", "s", "a", "pre"}
    for language in LANGUAGES:
        for key, text in catalogue(language).items():
            tags = set(re.findall(r"</?([a-z]+)", text))
            assert tags <= allowed, (language, key, tags)


def test_filled_in_values_are_escaped() -> None:
    text = Texts("sv")("category_chosen", category="<script>&")
    assert "&lt;script&gt;&amp;" in text and "<script>" not in text


def test_emergency_numbers_are_in_both_languages() -> None:
    for language in LANGUAGES:
        line = catalogue(language)["emergency"]
        assert "112" in line and "114 14" in line


def test_place_names_are_escaped_exactly_once() -> None:
    from handlers.labels import place_label
    from storage.kinds import PlaceSource
    from storage.places.gazetteer import PlaceValue

    t = Texts("sv")
    place = PlaceValue(
        PlaceSource.GEOCODER, "Bakgård <3 & Co, Kvarnby", 59.1, 15.1, "Skola & Park", 300
    )
    label = place_label(t, place)
    assert label == "Bakgård <3 & Co, Kvarnby (nära Skola & Park (300 m))"
    shown = t("place_set", place=label)
    assert "Skola &amp; Park" in shown and "&amp;amp;" not in shown and "&lt;3" in shown
