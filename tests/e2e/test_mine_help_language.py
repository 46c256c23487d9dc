"""/mina, /hjalp, /sprak and the English default."""

from __future__ import annotations

from sqlalchemy import update

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.kinds import Status
from storage.tables import Observation
from tests.e2e.conftest import World
from tests.e2e.helpers import file_report, text, to_place


async def test_mine_lists_the_last_ten_newest_first(world: World, anna: SimUser) -> None:
    await anna.send("/mina")
    assert "inte rapporterat" in text(await anna.next_message())
    references = [await file_report(anna) for _ in range(11)]
    with transaction(world.engine) as session:
        session.execute(
            update(Observation)
            .where(Observation.reference == references[-1])
            .values(status=Status.IN_PROGRESS)
        )
    await anna.send("📋 Mina observationer")
    listing = text(await anna.next_message())
    assert references[0] not in listing, "only the last ten"
    shown = [ref for ref in references if ref in listing]
    assert shown == references[1:]
    assert listing.index(references[-1]) < listing.index(references[1]), "newest first"
    assert "Åtgärd pågår" in listing and "Klotter" in listing and "vid Kvarnparken" in listing


async def test_other_people_do_not_see_my_observations(world: World, anna: SimUser) -> None:
    reference = await file_report(anna)
    bertil = await world.member(first_name="Bertil")
    await bertil.send("/mina")
    assert reference not in text(await bertil.next_message())


async def test_help(world: World, anna: SimUser) -> None:
    await anna.send("/hjalp")
    reply = text(await anna.next_message())
    assert "/rapport" in reply and "112" in reply


async def test_language_switch_per_user(world: World, anna: SimUser) -> None:
    await anna.send("/sprak")
    await anna.next_message()
    await anna.press("🇬🇧 English")
    await anna.wait_for(lambda m: "situation pictures" in text(m))
    assert anna.reply_keyboard["keyboard"][0][0]["text"] == "📝 New observation"  # type: ignore[index]
    await anna.send("/report")
    reply = text(await anna.next_message())
    assert "What did you see?" in reply and "call 112" in reply
    await anna.press("🎨 Graffiti")
    assert "Where?" in text(await anna.next_message())
    bertil = await world.member(first_name="Bertil")
    await bertil.send("/rapport")
    assert "Vad har du sett?" in text(await bertil.next_message())


async def test_english_by_setting(world: World) -> None:
    world.overrides["language"] = "en"
    await world.restart()
    user = world.telegram.user(4100, "Emma")
    await user.send(f"/start {world.invite()}")
    assert "Welcome, Emma!" in text(await user.next_message())
    await to_place(user, category="🎨 Graffiti")
    assert user.reply_keyboard["keyboard"][0][0]["text"] == "📍 Share my location"  # type: ignore[index]


async def test_commands_are_published_in_swedish_and_english(world: World) -> None:
    calls = world.telegram.calls_for("setMyCommands")
    menus = {
        (call.params["scope"]["type"], call.params.get("language_code")): [
            c["command"] for c in call.params["commands"]
        ]
        for call in calls
    }
    assert menus["all_private_chats", "sv"][:3] == ["rapport", "mina", "avbryt"]
    assert menus["all_private_chats", "en"][:3] == ["report", "mine", "cancel"]
    assert menus["all_group_chats", "sv"][:2] == ["koppla", "visa"]
    assert menus["all_group_chats", "en"][:2] == ["link", "show"]
    assert ("all_private_chats", None) in menus and ("all_group_chats", None) in menus


async def test_old_update_ids_are_forgotten_by_a_job(world: World) -> None:
    from handlers.jobs import FORGET_JOB

    (job,) = world.app.job_queue.get_jobs_by_name(FORGET_JOB)
    assert job.trigger.interval.total_seconds() == 6 * 3600
