"""Purging old observations with everything that points at them, on SQLite (foreign keys
on) and PostgreSQL; ages like 36m, 2y and 400d."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from storage.coordination.groups import link_group
from storage.coordination.interventions import record_intervention
from storage.coordination.statuses import add_comment, change_status
from storage.database.engine import transaction
from storage.kinds import AuditAction, Posted, Role, Status
from storage.people.retention import cutoff_before, months_before, purge, remove_photo_files
from storage.reports.drafts import start_draft
from storage.reports.observations import submit_draft
from storage.reports.photos import StoredFile, store_photo_file
from storage.tables import (
    AuditEntry,
    Comment,
    Draft,
    Intervention,
    InterventionLink,
    Observation,
    Outbox,
    Photo,
    PostedMessage,
    StatusChange,
    User,
)
from tests.factories import make_complete_draft, make_user, seed_categories

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
LONG_AGO = datetime(2022, 5, 10, 9, 0, tzinfo=UTC)  # more than 36 months before NOW
CHAT = -1001000000001


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ("36m", datetime(2023, 11, 22, 8, 0, tzinfo=UTC)),
        ("2y", datetime(2024, 11, 22, 8, 0, tzinfo=UTC)),
        ("400d", NOW - timedelta(days=400)),
        ("8w", NOW - timedelta(weeks=8)),
        (" 1M ", datetime(2026, 10, 22, 8, 0, tzinfo=UTC)),
    ],
)
def test_ages(age: str, expected: datetime) -> None:
    assert cutoff_before(age, NOW) == expected


@pytest.mark.parametrize("age", ["36", "m", "3x", "-2y", "0m", "", "1.5y"])
def test_ages_that_mean_nothing_are_refused(age: str) -> None:
    with pytest.raises(ValueError, match="e.g. 36m"):
        cutoff_before(age, NOW)


def test_months_go_by_the_calendar() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2024, 3, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


def picture(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="JPEG")
    return out.getvalue()


def file_observation(
    session: Session, user: User, when: datetime, photo: StoredFile | None = None
) -> Observation:
    """A report filed at `when`, with a photo if given."""
    assert user.id is not None
    with time_machine.travel(when, tick=False):
        state = make_complete_draft(session, user, occurred_at=when - timedelta(hours=1))
        if photo is not None:
            session.add(photo.as_photo(f"f-{photo.sha256[:8]}", "u", draft_id=state.draft.id))
            state.draft.photo_count = 1
            session.add(state.draft)
        filed = submit_draft(session=session, user_id=user.id, key=state.key, tz=TZ, now=when)
    return filed.observation


@dataclass
class Scene:
    old: int  # an old observation with everything pointing at it
    old_confirmation: int  # an old report that said "same as" the old one
    young: int  # a recent report that confirmed the old one, sharing its photo file
    intervention: int
    files: dict[str, Path]


def build_scene(engine: Engine, photo_dir: Path) -> Scene:
    files = {name: store_photo_file(picture(c), photo_dir) for name, c in (
        ("shared", "red"), ("comment", "blue"), ("stale_draft", "green"), ("fresh_draft", "white"),
    )}  # fmt: skip
    with transaction(engine) as session:
        seed_categories(session)
        anna = make_user(session, full_name="Anna")
        erik = make_user(session, full_name="Erik", role=Role.COORDINATOR)
        stale, fresh = make_user(session, full_name="Sven"), make_user(session, full_name="Fia")
        assert anna.id and erik.id and stale.id and fresh.id
        link_group(session=session, chat_id=CHAT, thread_id=None, title="Samordning",
                   linked_by_id=erik.id, language=None, now=LONG_AGO)  # fmt: skip
        old = file_observation(session, anna, LONG_AGO, files["shared"])
        confirmation = file_observation(session, anna, LONG_AGO + timedelta(hours=2))
        young = file_observation(session, anna, NOW - timedelta(days=3), files["shared"])
        assert old.id and confirmation.id and young.id
        for report in (confirmation, young):
            report.duplicate_of_id = old.id
            session.add(report)
        with time_machine.travel(LONG_AGO + timedelta(days=1), tick=False):
            change_status(session=session, observation_id=old.id, status=Status.IN_PROGRESS,
                          by_user_id=erik.id)  # fmt: skip
            add_comment(session=session, observation_id=old.id, author_id=erik.id,
                        text="Elektriker beställd", chat_id=CHAT, message_id=7,
                        photo=("fc", "uc", files["comment"]))  # fmt: skip
        session.add(PostedMessage(chat_id=CHAT, message_id=5, role=Posted.CARD,
                                  observation_id=old.id, created_at=LONG_AGO))  # fmt: skip
        insats = record_intervention(session=session, what="Bättre belysning", chat_id=CHAT,
                                     thread_id=None, by_user_id=erik.id,
                                     observation_ids=(old.id, young.id), now=LONG_AGO)  # fmt: skip
        with time_machine.travel(NOW - timedelta(days=40), tick=False):
            start_draft(session=session, user_id=stale.id, description="halvfärdig")
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            start_draft(session=session, user_id=fresh.id, description="pågår")
        for who, name in ((stale, "stale_draft"), (fresh, "fresh_draft")):
            draft = session.exec(select(Draft).where(Draft.user_id == who.id)).one()
            session.add(files[name].as_photo("fd", name, draft_id=draft.id))
        return Scene(old.id, confirmation.id, young.id, insats.number,
                     {name: Path(f.path) for name, f in files.items()})  # fmt: skip


def count(session: Session, table: type, *where: object) -> int:
    return int(session.exec(select(func.count()).select_from(table).where(*where)).one())  # type: ignore[arg-type]


def test_purge_deletes_old_observations_with_everything_pointing_at_them(
    engine: Engine, tmp_path: Path
) -> None:
    scene = build_scene(engine, tmp_path / "photos")
    with transaction(engine) as session:
        report = purge(session=session, cutoff=cutoff_before("36m", NOW), now=NOW)
    assert dict(report.counts) == {
        "observations": 2, "comments": 1, "status_changes": 1, "photos": 2, "photo_files": 2,
        "outbox": 4, "posted_messages": 1, "intervention_links": 1,
        "confirmations_unlinked": 1, "drafts": 1,
    }  # fmt: skip
    # outbox: the cards of both old reports, the old one's refresh and its notice to Anna
    assert sorted(report.files) == sorted(str(scene.files[n]) for n in ("comment", "stale_draft"))
    assert remove_photo_files(report.files) == 2
    assert not scene.files["comment"].exists() and not scene.files["stale_draft"].exists()
    assert scene.files["shared"].exists() and scene.files["fresh_draft"].exists()

    with transaction(engine) as session:
        (young,) = session.exec(select(Observation)).all()
        assert young.id == scene.young and young.duplicate_of_id is None
        assert count(session, Comment) == count(session, StatusChange) == 0
        assert count(session, PostedMessage) == 0
        assert count(session, Outbox, col(Outbox.observation_id).is_not(None)) == count(
            session, Outbox, Outbox.observation_id == scene.young
        )
        kept = sorted(session.exec(select(Photo.path)).all())
        assert kept == sorted(str(scene.files[name]) for name in ("shared", "fresh_draft"))
        assert [d.description for d in session.exec(select(Draft)).all()] == ["pågår"]
        # the intervention stays, acting now on the young report only
        assert session.get(Intervention, scene.intervention) is not None
        assert session.exec(select(InterventionLink.observation_id)).all() == [scene.young]
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.action == AuditAction.PURGE)
        ).all()
    assert entry.actor == "cli" and entry.rows == 3 and entry.detail["observations"] == 2


def test_a_dry_run_counts_the_same_and_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    scene = build_scene(engine, tmp_path / "photos")
    with Session(engine) as session:
        dry = purge(session=session, cutoff=cutoff_before("36m", NOW), now=NOW)
        session.rollback()
    assert dry.counts["observations"] == 2 and dry.counts["photo_files"] == 2
    with transaction(engine) as session:
        assert count(session, Observation) == 3 and count(session, Draft) == 2
        assert count(session, AuditEntry, AuditEntry.action == AuditAction.PURGE) == 0
    assert all(path.exists() for path in scene.files.values())


def test_without_a_cutoff_only_stale_drafts_go(engine: Engine, tmp_path: Path) -> None:
    build_scene(engine, tmp_path / "photos")
    with transaction(engine) as session:
        report = purge(session=session, cutoff=None, now=NOW, actor="retention")
    assert report.counts["observations"] == 0 and report.counts["drafts"] == 1
    with transaction(engine) as session:
        assert count(session, Observation) == 3
        (entry,) = session.exec(select(AuditEntry).where(AuditEntry.actor == "retention")).all()
    assert entry.target == "stale drafts"


def test_a_quiet_retention_run_leaves_no_audit_entry(engine: Engine) -> None:
    with transaction(engine) as session:
        report = purge(session=session, cutoff=NOW - timedelta(days=400), actor="retention")
        assert not report.anything
        assert count(session, AuditEntry) == 0
