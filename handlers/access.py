"""Who may talk to the bot: the gate before every handler, /start with an invite, language."""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers import callbacks, menus
from handlers.answers import settle_message
from handlers.services import DRAFT_KEY, MEMBER_KEY, current_member, services, texts
from handlers.texts import LANGUAGES, Texts
from storage.admission import admit_update
from storage.people.access import InviteRefused, Member, redeem_invite, set_language


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first for every update: drops redeliveries and keeps out everyone not invited.

    In private, an unregistered person gets one short message on how to get an invite and
    nothing else; a revoked person is treated the same from the very next update. In groups
    the update goes on with the sender's membership (or none) for the handlers to judge.
    """
    s = services(context)
    sender = update.effective_user
    admission = await s.db(
        admit_update,
        update_id=update.update_id,
        telegram_id=sender.id if sender else None,
        username=sender.username if sender else None,
    )
    if not admission.fresh:
        raise ApplicationHandlerStop
    member = admission.member
    chat = update.effective_chat
    if sender is None or sender.is_bot or chat is None or chat.type == ChatType.CHANNEL:
        raise ApplicationHandlerStop
    if context.user_data is not None:
        context.user_data[MEMBER_KEY] = member
        context.user_data[DRAFT_KEY] = admission.draft
    if chat.type != ChatType.PRIVATE:
        return  # in a group, each handler decides what someone without an invite may do
    if member is not None or _is_start_with_code(update):
        return
    t = s.texts_for(None)
    if update.callback_query is not None:
        await update.callback_query.answer(t.plain("not_registered"), show_alert=True)
    elif update.message is not None:
        # /minadata from a stranger or a revoked person: whom to ask for their data instead
        mine = _asks_for_own_data(update)
        bucket = "estbot.told_mydata" if mine else "estbot.told_strangers"
        if first_in_a_while(context, sender.id, bucket):
            await update.message.reply_text(t("mydata_stranger" if mine else "not_registered"))
    raise ApplicationHandlerStop


STRANGER_QUIET = 3600.0  # seconds between two "you need an invite" messages to one person


def private_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Member | None:
    """The sender if registered and in their private chat: the buttons of the conversation,
    of the language and of one's own notices are only ever sent there, so a press of them
    anywhere else is forged (or misplaced) and does nothing."""
    chat = update.effective_chat
    in_private = chat is not None and chat.type == ChatType.PRIVATE
    return current_member(context) if in_private else None


def first_in_a_while(
    context: ContextTypes.DEFAULT_TYPE, telegram_id: int, bucket: str = "estbot.told_strangers"
) -> bool:
    """Tell a stranger once an hour, so that spam cannot use up the bot's sending budget."""
    told: dict[int, float] = context.bot_data.setdefault(bucket, {})
    now = time.monotonic()
    if now - told.get(telegram_id, -STRANGER_QUIET) < STRANGER_QUIET:
        return False
    told[telegram_id] = now
    return True


MY_DATA_COMMANDS = ("minadata", "mydata")


def _asks_for_own_data(update: Update) -> bool:
    """/minadata or /mydata (also as /minadata@estbot_bot)."""
    words = (update.message.text or "").split() if update.message else []
    if not words or not words[0].startswith("/"):
        return False
    return words[0][1:].split("@")[0].lower() in MY_DATA_COMMANDS


def _is_start_with_code(update: Update) -> bool:
    text = update.message.text if update.message and update.message.text else ""
    parts = text.split()
    return len(parts) == 2 and parts[0].split("@")[0] == "/start"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start <code> registers with an invite; plain /start greets a registered person."""
    s = services(context)
    message = update.effective_message
    sender = update.effective_user
    assert message is not None and sender is not None
    member = current_member(context)
    if not context.args:
        t = texts(context)
        if member is None:
            await message.reply_text(t("not_registered"))
        else:
            await message.reply_text(
                t("already_registered", organisation=member.organisation),
                reply_markup=menus.main_menu(t),
            )
        return
    try:
        registration = await s.db(
            redeem_invite,
            code=context.args[0],
            telegram_id=sender.id,
            username=sender.username,
            full_name=sender.full_name,
        )
    except InviteRefused as refused:
        await message.reply_text(texts(context)(f"invite_{refused.problem.value}"))
        return
    user = registration.user
    t = Texts(user.language or s.language)
    organisation = registration.organisation.name
    if registration.already_registered:
        reply = t("already_registered", organisation=organisation)
    else:
        reply = t("welcome", name=sender.first_name, organisation=organisation)
    await message.reply_text(reply, reply_markup=menus.main_menu(t))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hjalp or /help: what the bot does, in a few lines."""
    t = texts(context)
    message = update.effective_message
    assert message is not None
    await message.reply_text(t("help"), reply_markup=menus.main_menu(t))


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sprak or /language: choose Swedish or English for oneself."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts(context)("choose_language"), reply_markup=menus.languages())


async def language_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    member = private_member(update, context)
    assert query is not None
    language = (query.data or "").removeprefix(f"{callbacks.LANGUAGE}:")
    if member is None or language not in LANGUAGES:  # a stranger, in a group, or garbled
        await query.answer(texts(context).plain("stale_button"))
        return
    await services(context).db(set_language, telegram_id=member.telegram_id, language=language)
    t = Texts(language)
    await query.answer()
    await settle_message(query.edit_message_text(t("language_set")))
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, t("help"), reply_markup=menus.main_menu(t)
        )
