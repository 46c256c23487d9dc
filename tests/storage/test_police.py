"""Police figures: reading the file the police or BRÅ share, and importing it again and
again (a corrected file updates the counts, the same file adds nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.police.figures import FigureRow, ImportResult, import_police_figures
from storage.police.file import PoliceFileError, parse_month, read_police_file
from storage.tables import PoliceFigure

GOOD = """month;crime_type;area;count
2026-09;Skadegörelse;Centrum;14
2026-09;Narkotikabrott;Centrum;6
2026-10;Skadegörelse;Centrum;11
2026-10;Narkotikabrott;Söder;3
"""


def write(tmp_path: Path, text: str, name: str = "polis.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def stored(engine: Engine) -> dict[tuple[date, str, str], int]:
    with transaction(engine) as session:
        rows = session.exec(select(PoliceFigure)).all()
    return {(r.month, r.crime_type, r.area): r.count for r in rows}


def import_file(engine: Engine, path: Path) -> ImportResult:
    rows = read_police_file(path)
    with transaction(engine) as session:
        return import_police_figures(session=session, rows=rows)


def test_a_good_file_is_stored_and_importing_it_again_adds_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    first = import_file(engine, path)
    assert first == ImportResult(new=4, updated=0, unchanged=0)
    assert first.line() == "4 rows: 4 new, 0 updated, 0 unchanged"
    assert stored(engine) == {
        (date(2026, 9, 1), "Skadegörelse", "Centrum"): 14,
        (date(2026, 9, 1), "Narkotikabrott", "Centrum"): 6,
        (date(2026, 10, 1), "Skadegörelse", "Centrum"): 11,
        (date(2026, 10, 1), "Narkotikabrott", "Söder"): 3,
    }
    again = import_file(engine, path)
    assert again.line() == "4 rows: 0 new, 0 updated, 4 unchanged"
    assert len(stored(engine)) == 4


def test_a_corrected_file_updates_the_counts_that_changed(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, write(tmp_path, GOOD))
    corrected = GOOD.replace("Centrum;11", "Centrum;12") + "2026-10;Rån;Norr;1\n"
    with transaction(engine) as session:
        before = session.exec(select(PoliceFigure)).all()
    later = max(row.imported_at for row in before) + timedelta(hours=1)  # whatever today is
    rows = read_police_file(write(tmp_path, corrected, "rättad.csv"))
    with transaction(engine) as session:
        result = import_police_figures(session=session, rows=rows, now=later)
    assert result.line() == "5 rows: 1 new, 1 updated, 3 unchanged"
    figures = stored(engine)
    assert figures[(date(2026, 10, 1), "Skadegörelse", "Centrum")] == 12
    assert figures[(date(2026, 10, 1), "Rån", "Norr")] == 1 and len(figures) == 5
    with transaction(engine) as session:
        changed = session.exec(select(PoliceFigure).where(PoliceFigure.count == 12)).one()
    assert changed.imported_at == later
    assert all(row.imported_at < later for row in before)


def test_a_bad_file_names_every_bad_row_and_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    bad = (
        "month;crime_type;area;count\n"
        "2026-09;Skadegörelse;Centrum;14\n"  # row 2 is fine
        "2026-13;Skadegörelse;Centrum;3\n"  # 3: no 13th month
        "2026-09;;Centrum;2\n"  # 4: no crime type
        "2026-09;Rån;Norr;-1\n"  # 5: negative
        "\n"  # 6: blank, skipped
        "sept;Rån;Norr;1\n"  # 7: no year
        "2026-09;Skadegörelse;Centrum;15\n"  # 8: same as row 2
        "2026-09-15;Rån;Norr;4;extra\n"  # 9: a day, not a month
        "2026-10;Rån;Norr;fem\n"  # 10: not a number
    )
    with pytest.raises(PoliceFileError) as raised:
        read_police_file(write(tmp_path, bad))
    problems = raised.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3", "row 4", "row 5", "row 7", "row 8", "row 9", "row 10",
    ]  # fmt: skip
    assert "crime_type is empty" in problems[1]
    assert "not a whole number" in problems[2] and "'-1'" in problems[2]
    assert "same month, crime type and area as row 2" in problems[4]
    assert "give it as 2026-09" in problems[5]
    assert stored(engine) == {}


def test_swedish_headers_commas_a_bom_and_month_names_are_read(tmp_path: Path) -> None:
    text = (
        "\ufeffMånad,Brottstyp,Område,Antal\n"
        "okt 2026,Skadegörelse,Centrum,1 204\n"
        "Oktober 2026,Rån,Centrum,2\n"
        "2026M09,Rån,Centrum,3\n"
        "2026-08-01,Rån,Centrum,0\n"
        'Oct. 2025,"Stöld, snatteri",Centrum,5\n'
    )
    rows = read_police_file(write(tmp_path, text))
    assert rows == [
        FigureRow(date(2026, 10, 1), "Skadegörelse", "Centrum", 1204),
        FigureRow(date(2026, 10, 1), "Rån", "Centrum", 2),
        FigureRow(date(2026, 9, 1), "Rån", "Centrum", 3),
        FigureRow(date(2026, 8, 1), "Rån", "Centrum", 0),
        FigureRow(date(2025, 10, 1), "Stöld, snatteri", "Centrum", 5),
    ]


def test_excel_on_windows_saves_in_windows_1252(tmp_path: Path) -> None:
    text = "månad;brottstyp;område;antal\r\n2026-10;Skadegörelse;Söder;4\r\n"
    (row,) = read_police_file(write(tmp_path, text, encoding="cp1252"))
    assert (row.crime_type, row.area) == ("Skadegörelse", "Söder")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("month;crime_type;area;count\n", "no rows"),
        ("month;type;area;count\n2026-10;Rån;Norr;1\n", "lacks crime_type"),
        ("datum,brott,antal\n", "lacks month, area"),
    ],
)
def test_files_without_rows_or_columns_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(PoliceFileError, match=problem):
        read_police_file(write(tmp_path, text))


def test_months() -> None:
    assert parse_month("2026-1") == date(2026, 1, 1)
    assert parse_month(" maj 2026 ") == date(2026, 5, 1)
    assert parse_month("December 2025") == date(2025, 12, 1)
    for wrong in ("2026", "13 2026", "2026-00", "foo 2026", "2026-02-30"):
        with pytest.raises(ValueError, match="not a month"):
            parse_month(wrong)
