"""The issue's "done when", as a new user would try it, in one go."""

from __future__ import annotations

import time

from storage.kinds import Role
from tests.e2e.conftest import KVARNPARKEN, World, jpeg
from tests.e2e.helpers import buttons, reference_in, send_report, text


async def test_link_report_with_photo_card_reply_visa_status_tells_the_caretaker(
    world: World,
) -> None:
    erik = await world.member(Role.COORDINATOR, first_name="Erik", last_name="Ek")
    group = await world.linked_group(erik)  # a coordinator links a group
    omar = await world.member(org="Kvarnbyhem", first_name="Omar")  # a caretaker

    await omar.send_photo(jpeg(), caption="Sönderslagen belysning i tunneln")
    await omar.wait_for(lambda m: "Välj kategori" in text(m))
    await omar.press("🔨 Skadegörelse")
    await omar.next_message()
    await omar.send_location(*KVARNPARKEN)
    await omar.wait_for(lambda m: "När hände det" in text(m))
    await omar.press("Nu")
    summary = await omar.wait_for(lambda m: "✅ Skicka" in buttons(m))
    sent_at = time.monotonic()
    reference = reference_in(await send_report(omar, summary))

    card = await group.wait_for(lambda m: reference in text(m) and "photo" in m, timeout=2)
    assert time.monotonic() - sent_at < 2.0  # the card is in the group within 2 s
    assert "Kvarnbyhem · Omar" in text(card) and "Sönderslagen belysning" in text(card)

    await group.send(erik, "Elektriker beställd till i morgon", reply_to=card)
    await group.send(erik, f"/visa {reference}")
    history = await group.wait_for(lambda m: "Historik" in text(m))
    assert "Elektriker beställd till i morgon" in text(history)

    await group.press(erik, "Åtgärd pågår", card)
    notice = await omar.wait_for(lambda m: "Nu pågår åtgärder" in text(m))
    assert reference in text(notice)
    comment = await omar.wait_for(lambda m: "kommenterade" in text(m))
    assert "Elektriker beställd" in text(comment)
