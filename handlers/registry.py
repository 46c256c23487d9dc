"""Every handler of the bot, registered in one place. Order matters."""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import access, callbacks, show
from handlers.commands import COMMANDS, Chats, menu
from handlers.delivery.courier import Courier
from handlers.errors import on_error
from handlers.group import chat, interventions, settings
from handlers.jobs import schedule_jobs
from handlers.private import notices
from handlers.private.mine import mine
from handlers.report import buttons, conversation, photos, place
from handlers.texts import LANGUAGES, Texts

PRIVATE = Chats.PRIVATE.messages
GROUP = Chats.GROUP.messages
ANY_CHAT = (filters.ChatType.PRIVATE | filters.ChatType.GROUPS) & filters.UpdateType.MESSAGE
# The persistent keyboard's "Mina observationer", in any language (typed back as text).
MINE_BUTTON = filters.Text(sorted(Texts(LANGUAGES[0]).all_values("button_mine")))


def register_handlers(
    app: Application,  # type: ignore[type-arg]
    *,
    follow_up_check_s: float = 900.0,
    digest_check_s: float = 60.0,
) -> None:
    """The whole bot on one screen."""
    # order matters: the gate runs before everything and may stop an update there
    app.add_handler(TypeHandler(Update, access.gate), group=-1)
    # commands, from the one table (first: no handler below takes a registered command)
    for command in COMMANDS:
        app.add_handler(CommandHandler(command.names, command.callback, command.chats.messages))
    # the coordinators' group
    app.add_handler(ChatMemberHandler(chat.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat.migrated))
    app.add_handler(
        MessageHandler(GROUP & filters.Regex(interventions.TAPPED), interventions.show_one)
    )
    app.add_handler(MessageHandler(ANY_CHAT & filters.Regex(show.TAPPED), show.show))
    app.add_handler(CallbackQueryHandler(chat.on_card_button, callbacks.pattern(callbacks.CARD)))
    app.add_handler(
        CallbackQueryHandler(interventions.on_button, callbacks.pattern(callbacks.INTERVENTION))
    )
    app.add_handler(
        CallbackQueryHandler(settings.on_group_button, callbacks.pattern(callbacks.GROUP_SETTINGS))
    )
    app.add_handler(
        CallbackQueryHandler(notices.on_notify_button, callbacks.pattern(callbacks.NOTICES))
    )
    replies = GROUP & filters.REPLY & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    app.add_handler(MessageHandler(replies, chat.on_reply))
    # the report conversation in private
    app.add_handler(
        CallbackQueryHandler(access.language_chosen, callbacks.pattern(callbacks.LANGUAGE))
    )
    app.add_handler(CallbackQueryHandler(buttons.on_button))  # the rest: the conversation's
    app.add_handler(MessageHandler(PRIVATE & (filters.LOCATION | filters.VENUE), place.on_location))
    app.add_handler(
        MessageHandler(PRIVATE & (filters.PHOTO | filters.Document.ALL), photos.on_photo)
    )
    app.add_handler(MessageHandler(PRIVATE & MINE_BUTTON, mine))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, conversation.on_text))
    app.add_handler(MessageHandler(PRIVATE, conversation.unexpected))
    edited = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    app.add_handler(MessageHandler(edited, conversation.edit_not_read))
    app.add_error_handler(on_error)
    schedule_jobs(app, follow_up_check_s=follow_up_check_s, digest_check_s=digest_check_s)


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
        (BotCommandScopeAllPrivateChats(), menu(Chats.PRIVATE)),
        (BotCommandScopeAllGroupChats(), menu(Chats.GROUP)),
    ):
        for language in LANGUAGES:
            t = Texts(language)
            listed = [
                BotCommand(sv if language == "sv" else en, t.plain(key)) for sv, en, key in commands
            ]
            await app.bot.set_my_commands(listed, scope=scope, language_code=language)
            if language == default:
                await app.bot.set_my_commands(listed, scope=scope)


def services_language(app: Application) -> str:  # type: ignore[type-arg]
    return str(app.bot_data["services"].language)
