"""`estbot import observations` as an operator runs it: a real process on a real database
(SQLite and PostgreSQL), its output read as a person (or a script) reads it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.tables import Observation, Organisation
from tests.cli.test_digest_cli import estbot
from tests.support.observation_files import local_cell, write_csv, write_xlsx


def stored(engine: Engine) -> tuple[int, int]:
    """How many observations and organisations there are."""
    with transaction(engine) as session:
        observations = len(session.exec(select(Observation.id)).all())
        return observations, len(session.exec(select(Organisation.id)).all())


def test_a_bad_file_is_refused_with_every_bad_row_and_nothing_stored(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    env = {"ESTBOT_DATABASE_URL": database_url, "ESTBOT_DATA_DIR": str(tmp_path)}
    good = {
        "occurred_at": local_cell(2026, 5, 1, 20, 0), "category": "Klotter",
        "organisation": "Kvarnby kommun", "latitude": 59.1262, "longitude": 15.1418,
    }  # fmt: skip
    rows = [good, {**good, "category": "ufo"}, good, {**good, "latitude": None}]
    path = write_xlsx(tmp_path / "rapporter.xlsx", rows)

    refused = estbot("import", "observations", str(path), cwd=tmp_path, **env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "Nothing was imported: 3 rows of rapporter.xlsx cannot be imported. Correct them and "
        "import the file again.",
        "  row 3: category 'ufo' is unknown; use a code (vandalism, graffiti, littering, drugs, "
        "public_drinking, disorder, unsafe_place, vehicles, fire, break_in, theft, "
        "threat_violence, other) or label",
        "  row 4: repeats row 2; remove one",
        "  row 5: give both latitude and longitude, or neither",
    ]
    assert stored(engine) == (0, 0)

    no_header = write_csv(tmp_path / "fel.csv", [{"when": "2026-05-01", "what": "graffiti"}])
    unusable = estbot("import", "observations", str(no_header), cwd=tmp_path, **env)
    assert unusable.returncode == 1
    assert "lacks the column(s) occurred_at, category, organisation" in unusable.stderr


def test_a_large_file_imports_once_and_the_output_is_clean_without_a_terminal(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    env = {"ESTBOT_DATABASE_URL": database_url, "ESTBOT_DATA_DIR": str(tmp_path)}
    rows = [
        {"occurred_at": f"2026-04-{1 + i % 30:02d} {i % 24:02d}:{i % 60:02d}",
         "category": "littering", "place": "Skolgården", "description": f"Skräp {i}",
         "organisation": "Kvarnby kommun", "extra": "x"}
        for i in range(1200)
    ]  # fmt: skip
    path = write_csv(tmp_path / "skrap.csv", rows, delimiter=",", bom=False)

    checked = estbot("import", "observations", str(path), "--dry-run", cwd=tmp_path, **env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == f"{path} is good: 1 200 would be imported, 0 already there.\n"
    assert stored(engine) == (0, 0)

    done = estbot("import", "observations", str(path), cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "1 200 imported, 0 already there.\n"
    # no progress bar drawn into a pipe: the note, nothing else
    assert done.stderr == "Note: ignored the unknown column(s): extra\n"
    assert stored(engine) == (1200, 1)

    again = estbot("import", "observations", str(path), cwd=tmp_path, **env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "0 imported, 1 200 already there.\n"
    assert stored(engine) == (1200, 1)

    people = estbot("users", cwd=tmp_path, **env).stdout.splitlines()
    assert len(people) == 2 and people[1].split()[-1] == "import"
    log = estbot("audit", "--action", "import", cwd=tmp_path, **env).stdout.splitlines()
    assert len(log) == 2
    assert "observations from skrap.csv  rows=0" in log[0]
    assert "observations from skrap.csv  rows=1200" in log[1]
