"""Cancel at every step, and bad input at every step: a clear reply, the draft kept."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.trial.fake_telegram.people import SimUser
from storage.database.engine import transaction
from storage.kinds import Step
from storage.tables import Draft
from tests.e2e.conftest import World
from tests.e2e.helpers import (
    buttons,
    forge_press,
    text,
    to_description,
    to_place,
    to_summary,
    to_when,
)

STEPS = {
    "category": lambda user: _to_category(user),
    "place": to_place,
    "description": to_description,
    "when": to_when,
    "summary": to_summary,
}


async def _to_category(user: SimUser) -> dict:
    await user.send("/rapport")
    return await user.next_message()


def draft_step(world: World) -> Step | None:
    with transaction(world.engine) as session:
        draft = session.exec(select(Draft)).first()
        return None if draft is None else draft.step


@pytest.mark.parametrize("step", list(STEPS))
async def test_cancel_works_at_every_step(world: World, anna: SimUser, step: str) -> None:
    await STEPS[step](anna)
    assert draft_step(world) is not None
    await anna.send("/avbryt")
    reply = await anna.next_message()
    assert "avbruten" in text(reply)
    assert (
        anna.reply_keyboard is not None
        and anna.reply_keyboard["keyboard"][0][0]["text"] == "📝 Ny observation"
    )
    assert draft_step(world) is None and world.observations() == []


async def test_cancel_button_on_the_summary_and_cancel_without_a_draft(
    world: World, anna: SimUser
) -> None:
    summary = await to_summary(anna)
    await anna.press("❌ Avbryt", summary)
    await world.telegram.idle(anna.id)
    assert "avbruten" in text(anna.server.current_message(anna.id, summary["message_id"]))  # type: ignore[arg-type]
    await anna.send("/cancel")
    assert "ingen påbörjad" in text(await anna.next_message())


@pytest.mark.parametrize("step", list(STEPS))
async def test_sticker_and_voice_at_every_step_say_what_is_expected(
    world: World, anna: SimUser, step: str
) -> None:
    await STEPS[step](anna)
    before = draft_step(world)
    await anna.send_sticker()
    reply = await anna.next_message()
    expected = {
        "category": "kategori",
        "place": "platsen",
        "description": "beskrivning",
        "when": "när det hände",
        "summary": "Skicka",
    }
    assert expected[step] in text(reply).lower() or expected[step] in text(reply)
    await anna.send_voice()
    assert await anna.next_message()
    assert draft_step(world) == before


async def test_text_where_a_button_is_expected(world: World, anna: SimUser) -> None:
    await _to_category(anna)
    await anna.send("något konstigt")
    reply = await anna.next_message()
    assert "Välj en kategori" in text(reply) and len(buttons(reply)) == 13
    await anna.send("klotter")  # a typed category name is understood
    assert "Kategori: 🎨 Klotter" in text(await anna.next_message())


async def test_text_at_the_summary_shows_the_summary_again(world: World, anna: SimUser) -> None:
    await to_summary(anna)
    await anna.send("skicka")
    reply = await anna.next_message()
    assert "Skicka" in text(reply) and "✅ Skicka" in buttons(reply)
    assert draft_step(world) is Step.SUMMARY


async def test_too_short_and_too_long_descriptions(world: World, anna: SimUser) -> None:
    await to_description(anna)
    await anna.send("ab")
    assert "minst 3 tecken" in text(await anna.next_message())
    await anna.send("x" * 2001)
    reply = text(await anna.next_message())
    assert "högst 2000" in reply and "2001" in reply
    assert draft_step(world) is Step.DESCRIPTION
    await anna.send("x" * 2000)
    assert "När hände det" in text(await anna.next_message())


async def test_unreadable_and_future_times(world: World, anna: SimUser) -> None:
    await to_when(anna)
    await anna.send("när solen gick ner")
    assert "förstod inte tiden" in text(await anna.next_message())
    await anna.send("2099-01-01 10:00")
    assert "har inte hänt än" in text(await anna.next_message())
    assert draft_step(world) is Step.WHEN
    await anna.send("igår 22:15")
    summary = text(await anna.next_message())
    assert "igår 22:15" in summary


async def test_time_from_the_day_buttons(world: World, anna: SimUser) -> None:
    await to_when(anna)
    await anna.press("Igår")
    windows = await anna.wait_for(lambda m: "Kväll 18–22" in buttons(m))
    await anna.press("Kväll 18–22", windows)
    summary = await anna.next_message()
    assert "igår 20:00" in text(summary)


async def test_earlier_today_offers_the_windows_that_have_begun(
    world: World, anna: SimUser
) -> None:
    await to_when(anna)
    await anna.press("Tidigare idag")
    windows = await anna.wait_for(lambda m: "Natt 00–06" in buttons(m))
    assert "idag" in text(windows)
    await anna.press("Natt 00–06", windows)
    summary = await anna.next_message()
    assert "idag 0" in text(summary) or "igår" not in text(summary)
    await anna.press("✅ Skicka", summary)
    await anna.next_message()
    (stored,) = world.observations()
    assert stored.occurred_at <= stored.reported_at
    local = stored.occurred_at.astimezone(world.settings().tz)
    assert local.date() == stored.reported_at.astimezone(world.settings().tz).date()
    assert local.hour < 6


async def test_stale_and_forged_buttons_change_nothing(world: World, anna: SimUser) -> None:
    categories = await _to_category(anna)
    await anna.press("🎨 Klotter", categories)
    await anna.next_message()
    before = len(anna.alerts)
    forge_press(anna, "r:0123456789abcdef:cat:fire")  # another draft's key
    forge_press(anna, "\x00\xff garbage")
    old = next(
        b["callback_data"]
        for row in categories["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "🔥 Brand"
    )
    forge_press(anna, old)  # this draft's button, from a step already done
    assert await world.telegram.wait_until(lambda: len(anna.alerts) >= before + 3, 10)
    await world.telegram.idle(anna.id)
    assert anna.alerts[-3:] == ["Den här knappen gäller inte längre."] * 3
    assert not any("gäller inte" in text(m) for m in anna.messages), "said as alerts, not messages"
    assert draft_step(world) is Step.PLACE
    with transaction(world.engine) as session:
        assert session.exec(select(Draft)).one().category_code == "graffiti"


async def test_new_report_while_a_draft_exists_offers_continue_or_restart(
    world: World, anna: SimUser
) -> None:
    await to_description(anna)
    await anna.send("📝 Ny observation")
    question = await anna.next_message()
    assert "påbörjad rapport" in text(question)
    await anna.press("▶️ Fortsätt", question)
    assert "Beskriv" in text(await anna.next_message())
    await anna.send("/rapport")
    question = await anna.next_message()
    await anna.press("🔄 Börja om", question)
    assert "Välj kategori" in text(await anna.next_message())
    assert draft_step(world) is Step.CATEGORY


async def test_text_without_a_draft_gets_a_hint(world: World, anna: SimUser) -> None:
    await anna.send("hej")
    assert "Ny observation" in text(await anna.next_message())


async def test_an_edited_message_gets_told_how_to_change_the_report(
    world: World, anna: SimUser
) -> None:
    await to_description(anna)
    sent = await anna.send("Klotter på väggen")
    await anna.next_message()
    await anna.edit(sent, "Klotter på väggen och dörren")
    assert "ändringar" in text(await anna.next_message())
    with transaction(world.engine) as session:
        assert session.exec(select(Draft)).one().description == "Klotter på väggen"


async def test_starting_over_deletes_the_old_drafts_photos(world: World, anna: SimUser) -> None:
    from pathlib import Path

    from storage.tables import Photo
    from tests.e2e.conftest import jpeg

    await to_summary(anna)
    await anna.send_photo(jpeg(colour="purple"))
    await anna.next_message()
    with transaction(world.engine) as session:
        (photo,) = session.exec(select(Photo)).all()
    assert Path(photo.path).exists()
    await anna.send("/rapport")
    question = await anna.next_message()
    await anna.press("🔄 Börja om", question)
    await anna.next_message()
    assert not Path(photo.path).exists()
    with transaction(world.engine) as session:
        assert session.exec(select(Photo)).all() == []
