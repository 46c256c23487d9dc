"""Every handler of the bot, registered in one place. Order matters."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from sqlalchemy.exc import OperationalError
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import access, show
from handlers.answers import was_answered
from handlers.delivery.courier import Courier
from handlers.group import chat as groups
from handlers.group import exports, interventions, lagesbilder
from handlers.group import settings as preferences
from handlers.private.mine import mine
from handlers.private.mydata import my_data
from handlers.report import buttons, photos, place, privacy
from handlers.report import conversation as report
from handlers.report.prompts import ask, expects
from handlers.services import current_draft, current_member, services, texts
from handlers.texts import LANGUAGES, Texts
from storage.coordination.interventions import remind_due_follow_ups
from storage.database.handled_updates import forget_old_updates
from storage.reports.drafts import DraftProblem
from storage.tables import utcnow

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
GROUP = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
ANY_CHAT = (filters.ChatType.PRIVATE | filters.ChatType.GROUPS) & filters.UpdateType.MESSAGE
COMMANDS = [  # (Swedish, English, catalogue key of the description)
    ("rapport", "report", "cmd_rapport"),
    ("mina", "mine", "cmd_mina"),
    ("avbryt", "cancel", "cmd_avbryt"),
    ("hjalp", "help", "cmd_hjalp"),
    ("installningar", "settings", "cmd_installningar"),
    ("visa", "show", "cmd_visa"),
    ("sprak", "language", "cmd_sprak"),
    ("minadata", "mydata", "cmd_minadata"),
]
GROUP_COMMANDS = [
    ("koppla", "link", "cmd_koppla"),
    ("visa", "show", "cmd_visa"),
    ("insats", "intervention", "cmd_insats"),
    ("insatser", "interventions", "cmd_insatser"),
    ("lagesbild", "situation", "cmd_lagesbild"),
    ("exportera", "export", "cmd_export"),
    ("installningar", "settings", "cmd_installningar_group"),
    ("koppla_bort", "unlink", "cmd_koppla_bort"),
]


def register_handlers(
    app: Application,  # type: ignore[type-arg]
    *,
    follow_up_check_s: float = 900.0,
    digest_check_s: float = 60.0,
) -> None:
    """The whole bot on one screen."""
    # order matters: the gate runs before everything and may stop an update there
    app.add_handler(TypeHandler(Update, access.gate), group=-1)
    # the coordinators' group
    app.add_handler(ChatMemberHandler(groups.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated))
    app.add_handler(CommandHandler(["koppla", "link"], groups.link, filters=GROUP))
    app.add_handler(CommandHandler(["koppla_bort", "unlink"], groups.unlink, filters=GROUP))
    app.add_handler(CommandHandler(["insats", "intervention"], interventions.record, GROUP))
    app.add_handler(CommandHandler(["insatser", "interventions"], interventions.list_open, GROUP))
    app.add_handler(CommandHandler(["lagesbild", "situation"], lagesbilder.lagesbild, GROUP))
    app.add_handler(CommandHandler(["exportera", "export"], exports.export, GROUP))
    app.add_handler(
        MessageHandler(GROUP & filters.Regex(interventions.TAPPED), interventions.show_one)
    )
    app.add_handler(CommandHandler(["visa", "show"], show.show, filters=ANY_CHAT))
    app.add_handler(MessageHandler(ANY_CHAT & filters.Regex(show.TAPPED), show.show))
    app.add_handler(
        CommandHandler(["installningar", "settings"], preferences.preferences, ANY_CHAT)
    )
    app.add_handler(CallbackQueryHandler(groups.on_card_button, pattern=r"^o:"))
    app.add_handler(CallbackQueryHandler(interventions.on_button, pattern=r"^i:"))
    app.add_handler(CallbackQueryHandler(preferences.on_group_button, pattern=r"^g:"))
    app.add_handler(CallbackQueryHandler(preferences.on_notify_button, pattern=r"^n:"))
    replies = GROUP & filters.REPLY & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    app.add_handler(MessageHandler(replies, groups.on_reply))
    # the report conversation in private
    app.add_handler(CommandHandler("start", access.start, filters=PRIVATE))
    app.add_handler(CommandHandler(["rapport", "report"], report.start_report, filters=PRIVATE))
    app.add_handler(CommandHandler(["avbryt", "cancel"], report.cancel, filters=PRIVATE))
    app.add_handler(CommandHandler(["mina", "mine"], mine, filters=PRIVATE))
    app.add_handler(CommandHandler(["hjalp", "help"], access.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler(["sprak", "language"], access.language_command, filters=PRIVATE))
    app.add_handler(CommandHandler(["minadata", "mydata"], my_data, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(access.language_chosen, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(buttons.on_button))
    app.add_handler(MessageHandler(PRIVATE & (filters.LOCATION | filters.VENUE), place.on_location))
    app.add_handler(
        MessageHandler(PRIVATE & (filters.PHOTO | filters.Document.ALL), photos.on_photo)
    )
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, report.on_text))
    app.add_handler(MessageHandler(PRIVATE, unexpected))
    edited = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    app.add_handler(MessageHandler(edited, edit_not_read))
    app.add_error_handler(on_error)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            forget_handled_updates, interval=timedelta(hours=6), first=60, name=FORGET_JOB
        )
        app.job_queue.run_repeating(
            remind_follow_ups, interval=follow_up_check_s, first=1, name=FOLLOW_UP_JOB
        )
        # first at start-up: a digest whose time passed while the bot was down goes now
        app.job_queue.run_repeating(
            lagesbilder.send_due_digests, interval=digest_check_s, first=1, name=DIGEST_JOB
        )
        app.job_queue.run_daily(
            privacy.apply_retention, privacy.RETENTION_AT, name=privacy.RETENTION_JOB_NAME
        )


async def unexpected(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, voice note, unknown command…: say what the current step needs."""
    t = texts(context)
    message = update.effective_message
    member = current_member(context)
    if message is None or member is None:
        return
    state = current_draft(context)
    if state is None:
        await message.reply_text(t("idle_hint"))
        return
    await ask(context, message.chat_id, t, state, note=expects(t, state.step))


FORGET_JOB = "forget handled updates"


async def forget_handled_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram redelivers an update for a day at most; older update ids need not be kept."""
    forgotten = await services(context).db(forget_old_updates, older_than=timedelta(days=2))
    log.info("forgot %d handled update ids", forgotten)


DIGEST_JOB = "estbot scheduled digests"
DIGEST_JOB = "make scheduled digests"
FOLLOW_UP_JOB = "remind of interventions due"


async def remind_follow_ups(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Interventions whose follow-up date has come: a reminder to the group that recorded
    them, once per date, from the morning hour on."""
    s = services(context)
    local = utcnow().astimezone(s.tz)
    today = local.date() if local.hour >= s.follow_up_hour else local.date() - timedelta(days=1)
    if await s.db_then_deliver(remind_due_follow_ups, today=today):
        log.info("reminders of interventions due by %s queued", today)


async def edit_not_read(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message: the draft took the text as first sent; say how to change it."""
    message = update.effective_message
    if message is not None and current_draft(context) is not None:
        await context.bot.send_message(message.chat_id, texts(context)("edit_not_read"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; tell the person their draft is kept and to try again shortly. The
    update goes no further: when the gate failed (the database away), the handlers after it
    would run with what an earlier update left behind (a draft at another step, a membership
    since revoked), and PTB goes on to the next group after an error unless told to stop."""
    await _log_and_tell(update, context)
    raise ApplicationHandlerStop


async def _log_and_tell(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if isinstance(error, DraftProblem):  # the draft went meanwhile (revoked, replaced)
        log.info("update for a draft that is gone: %s", error.reason)
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts(context)("draft_gone"))
        return
    if isinstance(error, OperationalError):
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    elif isinstance(error, NetworkError | RetryAfter) and not isinstance(error, BadRequest):
        log.warning("Telegram did not take an answer, even when tried again: %s", error.message)
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat_type = update.effective_chat.type
    if chat_type == ChatType.CHANNEL:
        return
    if chat_type != ChatType.PRIVATE and current_member(context) is None:
        return  # in a group, only people who may use the bot hear about its troubles
    try:
        t = texts(context)
        query = update.callback_query
        if query is not None and not was_answered(context, query):
            await query.answer(t.plain("try_again_later"), show_alert=True)
        else:
            await context.bot.send_message(
                update.effective_chat.id, html.escape(t.plain("try_again_later"))
            )
    except Exception:  # noqa: BLE001 - telling the user is best effort while things are failing
        log.warning("could not tell the user about the error")


async def start_up(app: Application) -> None:  # type: ignore[type-arg]
    """After initialising: the command menus, and the delivery worker."""
    await publish_commands(app)
    courier(app).start()


async def wind_down(app: Application) -> None:  # type: ignore[type-arg]
    """Stop the delivery worker; what it had not delivered waits in the outbox."""
    await courier(app).stop()


def courier(app: Application) -> Courier:  # type: ignore[type-arg]
    found = app.bot_data["courier"]
    assert isinstance(found, Courier)
    return found


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menus, in private chats and in groups, in Swedish and English."""
    default = services_language(app)
    for scope, commands in (
        (BotCommandScopeAllPrivateChats(), COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    ):
        for language in LANGUAGES:
            t = Texts(language)
            menu = [
                BotCommand(sv if language == "sv" else en, t.plain(key)) for sv, en, key in commands
            ]
            await app.bot.set_my_commands(menu, scope=scope, language_code=language)
            if language == default:
                await app.bot.set_my_commands(menu, scope=scope)


def services_language(app: Application) -> str:  # type: ignore[type-arg]
    return str(app.bot_data["services"].language)
