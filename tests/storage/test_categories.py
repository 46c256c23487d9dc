from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.reports.categories import active_categories, read_category_file, sync_categories
from storage.tables import Category


def test_default_file_has_the_thirteen_categories_of_the_issue() -> None:
    specs = read_category_file()
    assert [s.label_sv for s in specs] == [
        "Skadegörelse", "Klotter", "Nedskräpning", "Misstänkt narkotikahantering",
        "Alkohol på allmän plats", "Ordningsstörning / stökig samling", "Otrygg plats",
        "Fordon / motorburen ungdom", "Brand", "Inbrott / intrång", "Stöld / snatteri",
        "Hot / våld", "Övrigt",
    ]  # fmt: skip
    assert all(s.emoji and s.label_en for s in specs)
    assert {s.code for s in specs if s.urgent} == {"fire", "break_in", "threat_violence"}


def test_yaml_and_toml_files_give_the_same_categories(tmp_path: Path) -> None:
    toml = tmp_path / "categories.toml"
    toml.write_text(
        '[[category]]\ncode = "graffiti"\nsv = "Klotter"\nen = "Graffiti"\nemoji = "🎨"\n', "utf-8"
    )
    yaml = tmp_path / "categories.yaml"
    yaml.write_text(
        "category:\n  - code: graffiti\n    sv: Klotter\n    en: Graffiti\n    emoji: 🎨\n", "utf-8"
    )
    assert read_category_file(toml) == read_category_file(yaml)


@pytest.mark.parametrize(
    "body",
    [
        "",  # no categories
        '[[category]]\nsv = "Utan kod"\n',  # no code
        '[[category]]\ncode = "a b"\nsv = "x"\n',  # bad code
        '[[category]]\ncode = "skadegörelse"\nsv = "x"\n',  # not ASCII: too long as button data
        '[[category]]\ncode = "a"\nsv = "x"\n[[category]]\ncode = "a"\nsv = "y"\n',  # duplicate
    ],
)
def test_bad_category_files_are_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(ValueError):
        read_category_file(path)


def test_sync_adds_updates_and_hides_but_never_deletes(engine: Engine, tmp_path: Path) -> None:
    with transaction(engine) as session:
        sync_categories(session=session, specs=read_category_file())
    path = tmp_path / "few.toml"
    path.write_text(
        '[[category]]\ncode = "graffiti"\nsv = "Klotter och tags"\n'
        '[[category]]\ncode = "moped"\nsv = "Mopeder"\nen = "Mopeds"\nurgent = true\n',
        "utf-8",
    )
    with transaction(engine) as session:
        sync_categories(session=session, specs=read_category_file(path))
    with transaction(engine) as session:
        shown = active_categories(session=session)
        everything = session.exec(select(Category)).all()
    assert [(c.code, c.label_sv) for c in shown] == [
        ("graffiti", "Klotter och tags"),
        ("moped", "Mopeder"),
    ]
    assert len(everything) == 14, "hidden categories stay for the observations that use them"
