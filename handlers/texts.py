"""The message catalogues: every text the bot says, one TOML file per language."""

from __future__ import annotations

import html
import tomllib
from functools import cache
from importlib import resources
from string import Formatter
from typing import Any

LANGUAGES = ("sv", "en")


class Html(str):
    """Text that is already safe Telegram HTML and must not be escaped again."""


@cache
def catalogue(language: str) -> dict[str, str]:
    """All texts of one language, by key."""
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    source = resources.files("handlers").joinpath("locales", f"{language}.toml")
    return tomllib.loads(source.read_text("utf-8"))


def placeholders(text: str) -> set[str]:
    """The names a text fills in, e.g. {"reference"}."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class Texts:
    """The texts of one language; values filled in are escaped unless they are `Html`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._texts = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> Html:
        text = self._texts[key]
        if "emergency" in placeholders(text) and "emergency" not in values:
            values["emergency"] = Html(self._texts["emergency"])
        safe = {name: _safe(value) for name, value in values.items()}
        return Html(text.format(**safe))

    def plain(self, key: str) -> str:
        """A text as it stands, for button labels (which are not HTML)."""
        return self._texts[key]

    def all_values(self, key: str) -> set[str]:
        """The text of a key in every language: a button typed back may be in any of them."""
        return {catalogue(language)[key] for language in LANGUAGES}


def _safe(value: Any) -> str:
    if isinstance(value, Html):
        return value
    return html.escape(str(value), quote=False)
