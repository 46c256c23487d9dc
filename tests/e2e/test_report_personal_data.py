"""Personal identity numbers and phone numbers in a description are masked or rewritten
before Skicka; reference numbers, times and dates are not mistaken for them."""

from __future__ import annotations

from bot.trial.fake_telegram.people import SimUser
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import buttons, send_report, text, to_summary, to_when

PNR = "811218-9876"  # a valid personnummer (Luhn), of nobody we know
PHONE = "070-123 45 67"
MASKED = "Mannen sa att han heter Kalle, ÅÅMMDD-XXXX, ring honom på [telefonnummer]."


async def summary_after(user: SimUser, description: str) -> dict:
    await to_when(user, description)
    await user.press("Nu")
    return await user.next_message()


async def test_mask_replaces_the_numbers_and_then_skicka_files_it(
    world: World, anna: SimUser
) -> None:
    summary = await summary_after(
        anna, f"Mannen sa att han heter Kalle, {PNR}, ring honom på {PHONE}."
    )
    assert "personuppgifter" in text(summary) and PNR in text(summary)
    assert buttons(summary) == ["🕶️ Maskera", "✏️ Ändra beskrivning", "❌ Avbryt"]

    await anna.press("🕶️ Maskera", summary)
    masked = await anna.wait_for(lambda m: "✅ Skicka" in buttons(m))
    assert masked["message_id"] == summary["message_id"]  # the summary itself, edited
    assert (
        MASKED in text(masked) and PNR not in text(masked) and "personuppgifter" not in text(masked)
    )

    reference = (await send_report(anna, masked))["text"]
    (observation,) = world.observations()
    assert observation.description == MASKED and observation.reference in reference


async def test_change_description_asks_again_and_a_clean_text_goes_through(
    world: World, anna: SimUser
) -> None:
    summary = await summary_after(anna, "Ring 08-123 456 78 om det händer igen")
    await anna.press("✏️ Ändra beskrivning", summary)
    ask = await anna.next_message()
    assert "Beskriv" in text(ask)

    clean = "Samma som EST-2026-0042 kl 08:30 den 2026-01-15, klotter för 1 200 kr"
    await anna.send(clean)
    summary = await anna.next_message()
    assert "✅ Skicka" in buttons(summary) and "personuppgifter" not in text(summary)
    await send_report(anna, summary)
    assert [o.description for o in world.observations()] == [clean]


async def test_a_caption_with_a_phone_number_blocks_an_earlier_skicka(
    world: World, anna: SimUser
) -> None:
    summary = await to_summary(anna)
    assert "✅ Skicka" in buttons(summary)

    await anna.send_photo(jpeg(), caption="Vakten nås på +46 70 123 45 67")
    again = await anna.next_message()
    assert "personuppgifter" in text(again) and "🕶️ Maskera" in buttons(again)

    await anna.press("✅ Skicka", summary)  # the button of the summary before the caption
    refused = await anna.next_message()
    assert "🕶️ Maskera" in buttons(refused) and "✅ Skicka" not in buttons(refused)
    assert world.observations() == []

    await anna.press("🕶️ Maskera", refused)
    masked = await anna.wait_for(lambda m: "✅ Skicka" in buttons(m))
    await send_report(anna, masked)
    (observation,) = world.observations()
    assert observation.description.endswith("Vakten nås på [telefonnummer]")


async def test_in_english_the_masks_are_english(world: World) -> None:
    ben = await world.member(first_name="Ben")
    await ben.send("/language")
    await ben.next_message()
    await ben.press("🇬🇧 English")
    await ben.wait_for(lambda m: "situation pictures" in text(m))
    await ben.send("/report")
    await ben.next_message()
    await ben.press("🎨 Graffiti")
    await ben.next_message()
    await ben.send_location(59.1262, 15.1418)
    await ben.next_message()
    await ben.send(f"He gave his number {PHONE} and id 19{PNR}")
    await ben.next_message()
    await ben.press("Now")
    summary = await ben.next_message()
    assert "personal data" in text(summary)
    await ben.press("🕶️ Mask", summary)
    masked = await ben.wait_for(lambda m: "✅ Send" in buttons(m))
    await ben.press("✅ Send", masked)
    await ben.wait_for(lambda m: "Thank you" in text(m))
    (observation,) = world.observations()
    assert observation.description == "He gave his number [phone number] and id YYMMDD-XXXX"
