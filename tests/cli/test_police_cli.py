"""`estbot import police` as an operator runs it: a real process on a real database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.tables import PoliceFigure
from tests.cli.test_digest_cli import estbot

POLICE_FILE = """\ufeffmånad;brottstyp;område;antal
2026-09;Skadegörelse;Centrum;14
2026-09;Narkotikabrott;Söder;6
okt 2026;Skadegörelse;Centrum;11
okt 2026;Narkotikabrott;Söder;3
"""


def counts(engine: Engine) -> dict[tuple[str, str, str], int]:
    with transaction(engine) as session:
        rows = session.exec(select(PoliceFigure)).all()
    return {(f"{r.month:%Y-%m}", r.crime_type, r.area): r.count for r in rows}


def test_import_police_then_again_then_a_bad_file_then_a_corrected_one(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    env = {"ESTBOT_DATABASE_URL": database_url, "ESTBOT_DATA_DIR": str(tmp_path / "data")}
    figures = tmp_path / "polisen.csv"
    figures.write_text(POLICE_FILE, "utf-8")

    first = estbot("import", "police", str(figures), cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("4 rows: 4 new, 0 updated, 0 unchanged")
    assert counts(engine)[("2026-10", "Skadegörelse", "Centrum")] == 11

    again = estbot("import", "police", str(figures), cwd=tmp_path, **env)
    assert again.stdout.strip().endswith("4 rows: 0 new, 0 updated, 4 unchanged")

    bad = tmp_path / "fel.csv"
    bad.write_text(
        POLICE_FILE.replace("Centrum;11", "Centrum;elva").replace("2026-09;N", "2026-9x;N")
        + "2026-11;Rån;Norr;2\n",
        "utf-8",
    )
    refused = estbot("import", "police", str(bad), cwd=tmp_path, **env)
    assert refused.returncode == 1
    assert "nothing imported, 2 bad rows" in refused.stderr
    assert "row 3: '2026-9x' is not a month" in refused.stderr
    assert "row 4: count 'elva' is not a whole number" in refused.stderr
    assert len(counts(engine)) == 4  # the good row 6 was not stored either

    corrected = tmp_path / "rättad.csv"
    corrected.write_text(POLICE_FILE.replace("Centrum;11", "Centrum;12"), "utf-8")
    done = estbot("import", "police", str(corrected), cwd=tmp_path, **env)
    assert done.stdout.strip().endswith("4 rows: 0 new, 1 updated, 3 unchanged")
    assert counts(engine)[("2026-10", "Skadegörelse", "Centrum")] == 12

    missing = estbot("import", "police", str(tmp_path / "nope.csv"), cwd=tmp_path, **env)
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
