"""`estbot export` as an operator runs it: a real process on a real database (SQLite and
PostgreSQL), the file it writes, what it says, and the audit log entry."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.kinds import AuditAction
from storage.tables import AuditEntry
from tests.cli.test_digest_cli import estbot
from tests.storage.export_world import TZ, everything, seed_export_world


def test_export_writes_the_chosen_observations_and_logs_who_exported_what(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    seed_export_world(engine, tmp_path / "data")
    env = {"ESTBOT_DATABASE_URL": database_url, "ESTBOT_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "ut" / "oktober.csv"
    done = estbot(
        "export", "--format", "csv", "--from", "2026-10-05", "--to", "2026-10-25",
        "--category", "Klotter", "--category", "vandalism", "--status", "new",
        "--status", "assessed", "--out", str(out), cwd=tmp_path, **env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    start = datetime.combine(date(2026, 10, 5), time(0), tzinfo=TZ)
    end = datetime.combine(date(2026, 10, 26), time(0), tzinfo=TZ)  # the 25th, whole
    plain, _, _ = everything(engine)
    expected = {
        r.reference for r in plain
        if start <= r.occurred_at < end and r.code in ("graffiti", "vandalism")
        and r.status in ("new", "assessed")
    }  # fmt: skip
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    assert expected and {row["reference"] for row in rows} == expected
    assert done.stdout.strip() == f"Wrote {len(expected)} observations to {out}"
    with transaction(engine) as session:
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORT)
        ).all()
    assert (entry.action, entry.actor, entry.user_id, entry.rows) == (
        AuditAction.EXPORT, "cli", None, len(expected),
    )  # fmt: skip
    assert entry.target == (
        "export csv from 2026-10-05 to 2026-10-25 category=Klotter,vandalism status=new,assessed"
    )
    filters = entry.detail["filters"]
    assert entry.detail["format"] == "csv" and filters["categories"] == ["graffiti", "vandalism"]
    assert filters["statuses"] == ["new", "assessed"] and filters["out"] == str(out)


def test_export_geojson_counts_the_unplaced_and_unknown_names_list_the_valid_ones(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    seed_export_world(engine, tmp_path / "data")
    env = {"ESTBOT_DATABASE_URL": database_url}
    plain, _, _ = everything(engine)
    out = tmp_path / "karta.geojson"
    done = estbot("export", "--format", "geojson", "--out", str(out), cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    features = json.loads(out.read_text("utf-8"))["features"]
    unplaced = sum(1 for r in plain if not r.placed)
    assert unplaced and len(features) == len(plain) - unplaced
    assert done.stdout.splitlines() == [
        f"Wrote {len(features)} observations to {out}",
        f"{unplaced} observations without coordinates were left out",
    ]

    unknown = [("--category", "klottr", "graffiti"), ("--area", "Mitt", "Centrum"),
               ("--status", "open", "closed")]  # fmt: skip
    for option, wrong, listed in unknown:
        refused = estbot("export", "--format", "csv", option, wrong, "--out", "x.csv",
                         cwd=tmp_path, **env)  # fmt: skip
        said = " ".join(refused.stderr.split())
        assert refused.returncode == 2 and wrong in said and listed in said, refused.stderr
    refused = estbot("export", "--format", "pdf", "--out", "x.pdf", cwd=tmp_path, **env)
    assert refused.returncode == 2 and "csv, xlsx, geojson" in refused.stderr
    refused = estbot("export", "--format", "csv", "--from", "2026-10-09", "--to", "2026-10-01",
                     "--out", "x.csv", cwd=tmp_path, **env)  # fmt: skip
    assert refused.returncode == 2 and "before" in refused.stderr
    assert not (tmp_path / "x.csv").exists()
