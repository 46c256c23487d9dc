"""Privacy in the report conversation: no personal identity number or phone number is sent.

Before Skicka the description is checked for personal identity numbers and phone numbers
(storage/personal_data.py). While it holds one, the summary offers "Maskera" (the bot puts
ÅÅMMDD-XXXX / [telefonnummer] in their place) or "Ändra beskrivning", and no Skicka.

There is deliberately no "send anyway". A description is posted at once to the
coordinators' group chats on Telegram and kept for years. A personnummer may be processed
only where clearly justified (dataskyddslagen 3 kap. 10 §), and a field observation about
a place never needs one: who someone is belongs in a police report (114 14), not in a
lägesbild. Nor can the bot tell a private mobile from a housing company's on-call number,
so a phone number would go out unchecked; the company's name does the same job ("ring
Kvarnbyhems jour"), and the coordinators have the numbers. A reporter loses nothing by
masking: one tap, and the rest of the report stands.
"""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.answers import acknowledge
from handlers.report import keyboards
from handlers.report.conversation import member_of
from handlers.report.prompts import ask, step_prompt
from handlers.services import current_draft, services, texts
from storage.personal_data import has_personal_data
from storage.reports import drafts


async def pressed_mask(
    update: Update, context: ContextTypes.DEFAULT_TYPE, press: keyboards.Press
) -> None:
    """Maskera: the numbers in the description are replaced, and the summary gets Skicka."""
    s, t, me = services(context), texts(context), member_of(context)
    query = update.callback_query
    assert query is not None
    state = await s.db(
        drafts.mask_description, user_id=me.user_id, key=press.key,
        personal_number=t.plain("mask_personal_number"), phone=t.plain("mask_phone"),
    )  # fmt: skip
    text, markup = step_prompt(context, t, state)
    assert isinstance(markup, InlineKeyboardMarkup)  # the summary's buttons
    await asyncio.gather(
        acknowledge(context, query, t.plain("masked")),
        _edit_quietly(query.edit_message_text(text, reply_markup=markup)),
    )


async def refuse_send_with_personal_data(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> bool:
    """A Skicka from an older summary while the description (since a caption came) holds
    personal data: the summary is asked again, with Maskera. True when refused."""
    state = current_draft(context)
    if state is None or not has_personal_data(state.draft.description):
        return False
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    t = texts(context)
    await acknowledge(context, query, t.plain("personal_data_alert"))
    await ask(context, update.effective_chat.id, t, state)
    return True


async def _edit_quietly(edit: object) -> None:
    try:
        await edit  # type: ignore[misc]
    except BadRequest as error:  # the same text again
        if "not modified" not in str(error).lower():
            raise
