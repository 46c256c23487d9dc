"""Categories: read from a TOML or YAML file and kept in the database."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from storage.tables import Category

DEFAULT_CATEGORIES = "categories.toml"


@dataclass(frozen=True)
class CategorySpec:
    code: str
    label_sv: str
    label_en: str
    emoji: str
    urgent: bool


def read_category_file(path: Path | None = None) -> list[CategorySpec]:
    """Categories from a file (`[[category]]` tables in TOML, or a `category:` list in YAML)."""
    if path is None:
        text = resources.files("storage").joinpath("data", DEFAULT_CATEGORIES).read_text("utf-8")
        raw: dict[str, Any] = tomllib.loads(text)
    elif path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # optional: only needed for YAML files

        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    else:
        raw = tomllib.loads(path.read_text("utf-8"))
    entries = raw.get("category") or raw.get("categories") or []
    specs = [_spec(entry, index) for index, entry in enumerate(entries, start=1)]
    codes = [spec.code for spec in specs]
    if not specs:
        raise ValueError(f"no categories in {path or DEFAULT_CATEGORIES}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"category codes must be unique: {codes}")
    return specs


def _spec(entry: dict[str, Any], index: int) -> CategorySpec:
    try:
        code = str(entry["code"]).strip()
        label_sv = str(entry["sv"]).strip()
    except KeyError as exc:
        raise ValueError(f"category {index} needs {exc.args[0]!r}") from exc
    # The code travels in button data, which Telegram limits to 64 bytes.
    if not (code.isascii() and code.replace("_", "").isalnum()) or len(code) > 40:
        raise ValueError(f"category code {code!r}: a-z, 0-9 and _ only, at most 40")
    return CategorySpec(
        code=code,
        label_sv=label_sv,
        label_en=str(entry.get("en") or label_sv).strip(),
        emoji=str(entry.get("emoji") or "").strip(),
        urgent=bool(entry.get("urgent", False)),
    )


def sync_categories(*, session: Session, specs: list[CategorySpec]) -> None:
    """Make the table match the file: add and update; hide what the file no longer has."""
    existing = {category.code: category for category in session.exec(select(Category)).all()}
    for position, spec in enumerate(specs):
        category = existing.pop(spec.code, None) or Category(
            code=spec.code, label_sv="", label_en=""
        )
        category.label_sv, category.label_en = spec.label_sv, spec.label_en
        category.emoji, category.urgent = spec.emoji, spec.urgent
        category.position, category.active = position, True
        session.add(category)
    for category in existing.values():
        category.active = False
        session.add(category)
    session.flush()


def active_categories(*, session: Session) -> list[Category]:
    """The categories offered to reporters, in the file's order."""
    return list(
        session.exec(
            select(Category).where(col(Category.active)).order_by(col(Category.position))
        ).all()
    )


def all_categories(*, session: Session) -> list[Category]:
    """Every category, hidden ones too (old observations use them), in the file's order."""
    return list(session.exec(select(Category).order_by(col(Category.position))).all())
