"""`estbot purge`, `estbot mydata`, `estbot users` and `estbot audit` as an operator runs
them: real processes on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import Engine
from sqlmodel import select

from storage.database.engine import transaction
from storage.reports.observations import submit_draft
from storage.reports.photos import store_photo_file
from storage.tables import Observation
from tests.cli.test_digest_cli import estbot
from tests.factories import make_complete_draft, make_user, seed_categories

TZ = ZoneInfo("Europe/Stockholm")


def filed_long_ago_and_lately(engine: Engine, photo_dir: Path) -> tuple[int, Path]:
    """One report filed four years ago with a photo, one filed yesterday; Anna's Telegram id
    and the old photo's file."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    stored = store_photo_file(out.getvalue(), photo_dir)
    now = datetime.now(UTC)
    with transaction(engine) as session:
        seed_categories(session)
        anna = make_user(session, full_name="Anna Andersson")
        assert anna.id is not None
        for when, photo in (
            (now - timedelta(days=4 * 365), True),
            (now - timedelta(days=1), False),
        ):
            state = make_complete_draft(session, anna, occurred_at=when - timedelta(hours=1))
            if photo:
                session.add(stored.as_photo("f1", "u1", draft_id=state.draft.id))
                state.draft.photo_count = 1
            submit_draft(session=session, user_id=anna.id, key=state.key, tz=TZ, now=when)
        return anna.telegram_id, Path(stored.path)


def count_observations(engine: Engine) -> int:
    with transaction(engine) as session:
        return len(session.exec(select(Observation)).all())


def test_purge_dry_run_then_for_real_then_the_audit_log_shows_it(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    anna, photo = filed_long_ago_and_lately(engine, tmp_path / "data" / "photos")
    env = {"ESTBOT_DATABASE_URL": database_url, "ESTBOT_DATA_DIR": str(tmp_path / "data")}

    refused = estbot("purge", cwd=tmp_path, **env)
    assert refused.returncode == 2 and "ESTBOT_RETENTION_MONTHS" in refused.stderr

    dry = estbot("purge", "--older-than", "36m", "--dry-run", cwd=tmp_path, **env)
    assert dry.returncode == 0, dry.stderr
    assert "Would delete" in dry.stdout and "  observations: 1\n" in dry.stdout
    assert "  photo_files: 1\n" in dry.stdout
    assert count_observations(engine) == 2 and photo.exists()

    done = estbot("purge", "--older-than", "36m", cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert "Deleted" in done.stdout and "  observations: 1\n" in done.stdout
    assert "files removed from disk: 1" in done.stdout
    assert count_observations(engine) == 1 and not photo.exists()

    again = estbot("purge", cwd=tmp_path, ESTBOT_RETENTION_MONTHS="36", **env)
    assert again.returncode == 0 and "  observations: 0\n" in again.stdout

    assert estbot("users", cwd=tmp_path, **env).returncode == 0
    extract = estbot("mydata", str(anna), cwd=tmp_path, **env)
    assert extract.returncode == 0, extract.stderr
    document = json.loads(extract.stdout)
    assert document["user"]["name"] == "Anna Andersson" and len(document["observations"]) == 1

    log = estbot("audit", cwd=tmp_path, **env)
    assert log.returncode == 0, log.stderr
    lines = log.stdout.splitlines()
    assert [line.split()[3] for line in lines] == [
        "personal_data", "listing", "purge", "purge",
    ]  # fmt: skip
    assert "users" in lines[1] and "rows=1" in lines[1]
    assert all(line.split()[2] == "cli" for line in lines)
    assert "rows=0" in lines[2] and "rows=1" in lines[3]  # the second purge found nothing
