"""The nightly retention job of the running bot: observations past ESTBOT_RETENTION_MONTHS
go with their photos on disk, stale drafts always; nothing younger is touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from bot.trial.fake_telegram.people import SimUser
from handlers.jobs import RETENTION_JOB_NAME
from storage.database.engine import transaction
from storage.kinds import AuditAction
from storage.tables import AuditEntry, Draft, Photo
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import file_report, send_report, text

pytestmark = pytest.mark.e2e


async def report_with_photo(world: World, user: SimUser) -> Path:
    await user.send_photo(jpeg(colour="purple"), caption="Sönderslagen lykta")
    await user.wait_for(lambda m: "Välj kategori" in text(m))
    await user.press("🔨 Skadegörelse")
    await user.next_message()
    await user.send_location(59.1262, 15.1418)
    await user.wait_for(lambda m: "När hände det" in text(m))
    await user.press("Nu")
    await send_report(user, await user.wait_for(lambda m: "Sammanfattning" in text(m)))
    return Path(photo_paths(world)[-1])


def photo_paths(world: World) -> list[str]:
    with transaction(world.engine) as session:
        return list(session.exec(select(Photo.path).order_by(Photo.id)).all())


async def run_retention(world: World, months_later: int) -> None:
    """Run the nightly job as the JobQueue would, `months_later` from now."""
    (job,) = world.app.job_queue.get_jobs_by_name(RETENTION_JOB_NAME)
    assert "hour='3', minute='15'" in str(job.trigger), job.trigger  # nightly, local time
    assert str(job.trigger.timezone) == "Europe/Stockholm"
    later = datetime.now(UTC) + timedelta(days=31 * months_later)
    with time_machine.travel(later, tick=True):
        await job.run(world.app)


def drafts_and_audit(world: World) -> tuple[int, list[AuditEntry]]:
    with transaction(world.engine) as session:
        drafts = len(session.exec(select(Draft)).all())
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.PURGE))
        return drafts, list(entries.all())


async def test_observations_past_retention_go_with_their_photo_files(
    world: World, anna: SimUser
) -> None:
    world.overrides["retention_months"] = 36
    await world.restart()
    photo = await report_with_photo(world, anna)
    await file_report(anna)
    assert photo.exists() and len(world.observations()) == 2

    await run_retention(world, months_later=12)  # a year on: well within 36 months
    assert len(world.observations()) == 2 and photo.exists()

    await run_retention(world, months_later=37)
    assert world.observations() == [] and not photo.exists()
    assert photo_paths(world) == []
    _, (entry,) = drafts_and_audit(world)
    assert entry.actor == "retention" and entry.detail["observations"] == 2
    assert entry.detail["photo_files"] == 1


async def test_without_a_retention_setting_only_stale_drafts_go(
    world: World, anna: SimUser, erik: SimUser
) -> None:
    await file_report(anna)
    await erik.send("/rapport")  # a report begun and forgotten
    await erik.next_message()
    await erik.press("🎨 Klotter")
    await erik.next_message()
    assert drafts_and_audit(world)[0] == 1

    await run_retention(world, months_later=37)
    assert len(world.observations()) == 1
    drafts, (entry,) = drafts_and_audit(world)
    assert drafts == 0 and entry.detail["drafts"] == 1 and entry.detail["observations"] == 0
