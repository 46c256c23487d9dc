"""The audit log records who changed a status and who listed observations in bulk
(/lagesbild), with when and what; a single /visa or /mina is not a bulk listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import AuditAction
from storage.people.audit import record_export
from storage.tables import AuditEntry, User
from tests.e2e.conftest import World
from tests.e2e.helpers import buttons, file_report, text

pytestmark = pytest.mark.e2e


def entries(world: World) -> list[AuditEntry]:
    with transaction(world.engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def user_id(world: World, person: SimUser) -> int:
    with transaction(world.engine) as session:
        found = session.exec(select(User.id).where(User.telegram_id == person.id)).one()
    assert found is not None
    return found


async def test_status_changes_and_lagesbilder_are_recorded_with_who_and_when(
    world: World, group: SimGroup, erik: SimUser, anna: SimUser
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    reference = await file_report(anna)
    card = await group.wait_for(lambda m: reference in text(m) and bool(buttons(m)))
    await anna.send("/mina")  # her own list: not audited
    await anna.next_message()
    await group.send(erik, f"/visa {reference}")  # one observation: not a bulk listing
    await group.wait_for(lambda m: "Historik" in text(m))
    assert entries(world) == []

    await group.press(anna, "Bedömd", card)  # refused: a reporter; nothing recorded
    await world.telegram.idle()
    await group.press(erik, "Bedömd", card)
    await group.wait_for(lambda m: reference in text(m) and "Erik Ek" in text(m))
    await group.send(erik, "/lagesbild 14d")
    await group.wait_for(lambda m: "Lägesbild 14 dagar" in text(m), 15)

    change, listing = entries(world)
    erik_id = user_id(world, erik)
    assert (change.action, change.actor, change.user_id) == (
        AuditAction.STATUS_CHANGE,
        "user",
        erik_id,
    )
    assert change.target == reference and change.rows == 1
    assert change.detail == {"from": "new", "to": "assessed"}
    assert (listing.action, listing.user_id) == (AuditAction.LISTING, erik_id)
    assert listing.target.startswith("lagesbild 14d ") and str(group.id) in listing.target
    assert listing.detail["chat_id"] == group.id and listing.detail["kind"] == "14d"
    assert all(before <= entry.at <= datetime.now(UTC) for entry in (change, listing))


async def test_an_export_records_who_and_how_many_rows(world: World) -> None:
    """The function `estbot export` (issue 6) is to call."""
    with transaction(world.engine) as session:
        record_export(session=session, what="observations 2026", rows=1234, fmt="csv")
    (entry,) = entries(world)
    assert (entry.action, entry.actor, entry.rows) == (AuditAction.EXPORT, "cli", 1234)
    assert entry.target == "observations 2026" and entry.detail == {"format": "csv"}
