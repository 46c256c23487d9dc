"""/export in the coordinators' group: a coordinator gets a file with exactly the period's
observations that the group sees, and the audit log says who exported what; a reporter
gets no file."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.database.engine import transaction
from storage.kinds import AuditAction
from storage.reports.observations import submit_draft
from storage.tables import AuditEntry, User
from tests.e2e.conftest import World
from tests.e2e.helpers import file_report, text
from tests.factories import make_complete_draft, make_user

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Europe/Stockholm")


def file_directly(world: World, occurred_at: datetime, category: str) -> str:
    """An observation filed through storage, as if reported earlier; its reference."""
    with transaction(world.engine) as session:
        bo = make_user(session, full_name="Bo Öst", telegram_id=int(occurred_at.timestamp()))
        state = make_complete_draft(session, bo, occurred_at=occurred_at, category_code=category)
        assert bo.id is not None
        filed = submit_draft(session=session, user_id=bo.id, key=state.key, tz=TZ,
                             now=occurred_at + timedelta(minutes=5))  # fmt: skip
        return filed.observation.reference


async def sent_document(world: World, group: SimGroup) -> tuple[dict[str, Any], bytes]:
    seen = {m.get("message_id") for m in group.messages if "document" in m}
    message = await group.wait_for(
        lambda m: "document" in m and m.get("message_id") not in seen, 20
    )
    return message, world.telegram.file_data(message["document"]["file_id"])


def exports(world: World) -> list[AuditEntry]:
    with transaction(world.engine) as session:
        found = session.exec(
            select(AuditEntry)
            .where(AuditEntry.action == AuditAction.EXPORT)
            .order_by(col(AuditEntry.id))
        )
        return list(found.all())


async def test_a_coordinator_exports_the_month_as_csv_and_gets_exactly_its_observations(
    world: World, group: SimGroup, erik: SimUser, anna: SimUser
) -> None:
    now = datetime.now(UTC)
    month = f"{now.astimezone(TZ):%Y-%m}"
    start_of_month = now.astimezone(TZ).replace(day=1, hour=0, minute=0, second=0)
    before = file_directly(world, start_of_month - timedelta(hours=2), "graffiti")
    inside = file_directly(world, max(now - timedelta(minutes=3), start_of_month), "vandalism")
    reported = await file_report(anna)
    await group.wait_for(lambda m: reported in text(m))

    await group.send(erik, f"/export csv {month}")
    message, data = await sent_document(world, group)
    assert message["document"]["file_name"] == f"estbot-export-{month}.csv"
    assert f"Export {month} (csv), antal observationer: 2" in text(message)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row["reference"] for row in rows) == sorted([inside, reported])
    assert before not in {row["reference"] for row in rows}
    mine = next(row for row in rows if row["reference"] == reported)
    assert mine["category_label"] == "Klotter" and mine["place"] == "Kvarnparken"
    assert mine["organisation"] == "Kvarnby kommun" and mine["status"] == "new"

    (entry,) = exports(world)
    with transaction(world.engine) as session:
        erik_id = session.exec(select(User.id).where(User.telegram_id == erik.id)).one()
    assert (entry.actor, entry.user_id, entry.rows) == ("user", erik_id, 2)
    assert entry.target == f"export csv {month} in chat {group.id}"
    assert entry.detail["format"] == "csv" and entry.detail["filters"]["period"] == month


async def test_the_default_is_a_workbook_and_a_reporter_gets_no_file(
    world: World, group: SimGroup, erik: SimUser, anna: SimUser
) -> None:
    reported = await file_report(anna)
    await group.wait_for(lambda m: reported in text(m))
    await group.send(anna, "/export")  # a reporter in the group: refused
    refusal = await group.wait_for(lambda m: "bara för samordnare" in text(m))
    await group.send(erik, "/export pdf")
    await group.wait_for(lambda m: "/export csv 2026-10" in text(m))  # how to use it
    assert "document" not in refusal and exports(world) == []

    year = f"{datetime.now(UTC).astimezone(TZ):%Y}"
    await group.send(erik, f"/export {year}")
    message, data = await sent_document(world, group)
    assert message["document"]["file_name"] == f"estbot-export-{year}.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Observationer", "Insatser"]
    sheet = book["Observationer"]
    assert [cell.value for cell in sheet[2]][0] == reported and sheet.max_row == 2
    assert isinstance(sheet.cell(2, 2).value, datetime)
    assert len(exports(world)) == 1 and all("document" not in m for m in group.messages[:-1])

    await group.send(erik, f"/export geojson {year}")
    message, data = await sent_document(world, group)
    assert message["document"]["file_name"].endswith(".geojson")
    (feature,) = json.loads(data)["features"]
    assert feature["properties"]["reference"] == reported
    assert feature["geometry"]["type"] == "Point" and feature["geometry"]["coordinates"][0] < 20
