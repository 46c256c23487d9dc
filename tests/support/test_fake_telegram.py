"""Self-tests: the fake Bot API server drives the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.trial.fake_telegram.server import AnyApp, Call, running
from bot.trial.fake_telegram.webhook_delivery import SECRET_HEADER
from tests.support.fake_telegram import DROP, SLOW, FakeTelegram

# PTB's own RetryAfter.__init__ reads its deprecated int ``retry_after``.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
TOKEN = "123456:TEST"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
Context = ContextTypes.DEFAULT_TYPE


async def on_start(update: Update, context: Context) -> None:
    """Greets with two inline buttons and remembers which update ids it saw."""
    assert update.effective_message and update.effective_user
    context.bot_data.setdefault("seen", []).append(update.update_id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nej", callback_data="no"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Hej {update.effective_user.first_name}! args={context.args}", reply_markup=keyboard
    )


async def on_button(update: Update, context: Context) -> None:
    """Answers the callback query with an alert text and edits the message."""
    query = update.callback_query
    assert query is not None
    await query.answer(f"Du valde {query.data}")
    await query.edit_message_text(f"Valt: {query.data}")


async def on_photo(update: Update, context: Context) -> None:
    """Downloads the largest size and sends the photo back by file_id."""
    assert update.effective_message
    photo = update.effective_message.photo[-1]
    data = await (await context.bot.get_file(photo.file_id)).download_as_bytearray()
    context.bot_data["downloaded"] = bytes(data)
    await update.effective_message.reply_photo(photo.file_id, caption=f"{len(data)} bytes")


async def on_caption_button(update: Update, context: Context) -> None:
    """Answers with a show_alert and edits the photo's caption, keeping a new keyboard."""
    query = update.callback_query
    assert query is not None
    await query.answer("Bild vald", show_alert=True)
    keyboard = InlineKeyboardMarkup.from_button(InlineKeyboardButton("Igen", callback_data="cap"))
    await query.edit_message_caption("Vald", reply_markup=keyboard)


async def on_my_chat_member(update: Update, context: Context) -> None:
    """Remembers the bot's membership changes as PTB parsed them."""
    context.bot_data.setdefault("members", []).append(update.my_chat_member)


async def on_migrate(update: Update, context: Context) -> None:
    """Remembers migration service messages."""
    context.bot_data.setdefault("migrations", []).append(update.effective_message)


async def on_venue(update: Update, context: Context) -> None:
    """Names the venue."""
    assert update.effective_message and update.effective_message.venue
    await update.effective_message.reply_text(f"Plats: {update.effective_message.venue.title}")


async def on_location(update: Update, context: Context) -> None:
    """Echoes the coordinates and offers a reply keyboard."""
    assert update.effective_message and update.effective_message.location
    location = update.effective_message.location
    await update.effective_message.reply_text(
        f"{location.latitude:.2f},{location.longitude:.2f}",
        reply_markup=ReplyKeyboardMarkup([["Klar"]], resize_keyboard=True),
    )


async def on_done(update: Update, context: Context) -> None:
    """Removes the reply keyboard."""
    assert update.effective_message
    await update.effective_message.reply_text("Tack", reply_markup=ReplyKeyboardRemove())


async def on_edit(update: Update, context: Context) -> None:
    """Acknowledges an edited message."""
    assert update.edited_message
    await update.edited_message.reply_text(f"Ändrat: {update.edited_message.text}")


def build_app(server: FakeTelegram) -> AnyApp:
    """A tiny bot wired to the fake server."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_caption_button, pattern="^cap$"))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(ChatMemberHandler(on_my_chat_member))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.VENUE, on_venue))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
    app.add_handler(MessageHandler(filters.Text(["Klar"]), on_done))
    return app


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="estbot_test_bot") as fake:
        yield fake


@pytest.fixture
async def app(server: FakeTelegram) -> AsyncIterator[AnyApp]:
    async with running(build_app(server)) as application:
        yield application


async def test_start_press_edit_alert(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, first_name="Anna", username="anna", language_code="sv")
    sent = await anna.send("/start abc")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await anna.next_message()
    assert reply["text"] == "Hej Anna! args=['abc']"
    assert reply["from"]["username"] == "estbot_test_bot"
    assert [b["text"] for b in reply["reply_markup"]["inline_keyboard"][0]] == ["Ja", "Nej"]
    call = server.calls_for("sendMessage")[0]
    assert call.params["chat_id"] == 1001 and isinstance(call.params["reply_markup"], dict)

    await anna.press("Ja")
    edited = await anna.wait_for(lambda m: m.get("text") == "Valt: yes")
    assert edited["message_id"] == reply["message_id"] and "reply_markup" not in edited
    assert anna.alerts == ["Du valde yes"]
    assert server.unanswered_callback_queries() == []
    with pytest.raises(AssertionError, match="no new bot message"):
        await anna.next_message(timeout=0.2)
    with pytest.raises(AssertionError, match="no inline button 'Ja'"):
        await anna.press("Ja")
    assert server.first_answer_latency(anna.last_update_id or 0) is not None
    assert server.unknown_methods == []


async def test_group_command_with_bot_name(server: FakeTelegram, app: AnyApp) -> None:
    group = server.group(-100123, title="Samordnare", type="supergroup")
    bo = server.user(1002, "Bo")
    sent = await group.send(bo, "/start@estbot_test_bot x")
    assert sent["entities"][0]["length"] == len("/start@estbot_test_bot")
    reply = await group.next_message()
    assert reply["chat"]["id"] == -100123 and reply["text"] == "Hej Bo! args=['x']"
    await group.press(bo, "no")  # by callback_data
    await group.wait_for(lambda m: m.get("text") == "Valt: no")
    assert bo.alerts == ["Du valde no"] and bo.messages == []


async def test_redelivery_while_running(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, "Anna")
    await anna.send("/start")
    await anna.next_message()
    update_id = anna.last_update_id
    assert update_id is not None
    server.redeliver(update_id)
    await anna.next_message()
    assert app.bot_data["seen"] == [update_id, update_id]


async def test_redelivery_after_restart(server: FakeTelegram) -> None:
    anna = server.user(1001, "Anna")
    async with running(build_app(server)):
        await anna.send("/start")
        await anna.next_message()
    update_id = anna.last_update_id
    assert update_id is not None
    async with running(build_app(server)) as second:
        await server.idle()
        assert "seen" not in second.bot_data  # the first app confirmed the offset on stop
        server.redeliver(update_id)
        await anna.next_message()
        assert second.bot_data["seen"] == [update_id]


async def test_photos_files_and_media_groups(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, "Anna")
    sent = await anna.send_photo(JPEG, caption="Titta")
    assert len(sent["photo"]) == 2 and sent["photo"][0]["width"] < sent["photo"][1]["width"]
    reply = await anna.next_message()
    assert app.bot_data["downloaded"] == JPEG
    assert reply["caption"] == f"{len(JPEG)} bytes"
    assert reply["photo"][0]["file_id"] == sent["photo"][-1]["file_id"]

    uploaded = await app.bot.send_photo(1001, JPEG, caption="upp")
    data = await (await app.bot.get_file(uploaded.photo[-1].file_id)).download_as_bytearray()
    assert bytes(data) == JPEG
    album = await app.bot.send_media_group(
        1001, [InputMediaPhoto(JPEG, caption="ett"), InputMediaPhoto(b"second")]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "ett"
    second = await (await app.bot.get_file(album[1].photo[-1].file_id)).download_as_bytearray()
    assert bytes(second) == b"second"
    document = await app.bot.send_document(1001, b"a,b\n1,2\n", filename="rapport.csv")
    assert document.document and document.document.file_name == "rapport.csv"
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await app.bot.send_photo(1001, "no-such-file-id")
    assert [m.get("caption") for m in anna.messages] == [reply["caption"], "upp", "ett", None, None]


async def test_location_venue_and_reply_keyboard(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, "Anna")
    await anna.send_location(59.12, 15.14)
    assert (await anna.next_message())["text"] == "59.12,15.14"
    assert anna.reply_keyboard and anna.reply_keyboard["keyboard"][0][0]["text"] == "Klar"
    await anna.send("Klar")
    assert (await anna.next_message())["text"] == "Tack"
    assert anna.reply_keyboard is None
    await anna.send_venue(59.12, 15.14, title="Kvarnparken", address="Parkvägen 1")
    assert (await anna.next_message())["text"] == "Plats: Kvarnparken"


async def test_edits_idle_and_silence(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, "Anna")
    await anna.send_sticker()
    await anna.send_voice()
    await anna.send_document(b"%PDF", file_name="x.pdf", mime_type="application/pdf")
    await server.idle(chat_id=1001)
    assert anna.messages == []
    sent = await anna.send("hej")
    await anna.edit(sent, "hej då")
    assert (await anna.next_message())["text"] == "Ändrat: hej då"


async def test_bot_side_errors_and_edits(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    message = await bot.send_message(2001, "hello", message_thread_id=7)
    stored = server.bot_messages(2001)[0]
    assert stored["message_thread_id"] == 7 and stored["chat"]["type"] == "private"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("hello", chat_id=2001, message_id=message.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=2001, message_id=999)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(2001, "x" * 4097)
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(2001, "<b>open", parse_mode="HTML")
    formatted = await bot.send_message(2001, "<b>1 &lt; 2</b>", parse_mode="HTML")
    assert formatted.text == "1 < 2"
    markup = InlineKeyboardMarkup.from_button(InlineKeyboardButton("OK", callback_data="ok"))
    edited = await bot.edit_message_reply_markup(2001, message.message_id, reply_markup=markup)
    assert not isinstance(edited, bool) and edited.reply_markup == markup
    assert await bot.delete_message(2001, message.message_id)
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(2001, message.message_id)
    assert [m["text"] for m in server.bot_messages(2001)] == ["1 < 2"]


async def test_misc_methods(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    await bot.set_my_commands(
        [BotCommand("start", "Börja"), ("hjalp", "Hjälp")], language_code="sv"
    )
    assert [c.command for c in await bot.get_my_commands(language_code="sv")] == ["start", "hjalp"]
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="sv")
    assert await bot.get_my_commands(language_code="sv") == ()
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    server.user(1001, "Anna", username="anna")
    chat = await bot.get_chat(1001)
    assert chat.first_name == "Anna" and chat.username == "anna" and chat.type == "private"
    await bot.send_chat_action(1001, ChatAction.TYPING)
    assert server.calls_for("sendChatAction")[0].params == {"chat_id": 1001, "action": "typing"}
    venue = await bot.send_venue(1001, 59.1, 15.1, title="T", address="A")
    assert venue.venue and venue.venue.title == "T" and venue.location
    assert (await bot.get_webhook_info()).url == ""


async def test_latency_knob(server: FakeTelegram, app: AnyApp) -> None:
    anna = server.user(1001, "Anna")
    server.latency = 0.25
    started = time.monotonic()
    await anna.send("/start")
    await anna.next_message()
    elapsed = time.monotonic() - started
    server.latency = 0.0
    assert elapsed >= 0.5  # getUpdates answer + sendMessage answer
    latency = server.first_answer_latency(anna.last_update_id or 0)
    assert latency is not None and 0.25 <= latency < elapsed


async def test_unknown_method_and_wrong_token(server: FakeTelegram, app: AnyApp) -> None:
    with pytest.raises(TelegramError):
        await app.bot.do_api_request("fooBar", api_kwargs={"x": 1})
    assert server.unknown_methods == ["fooBar"]
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{server.base_url}999:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        upper = await client.post(f"{server.base_url}{TOKEN}/GETME")
        assert upper.json()["result"]["username"] == "estbot_test_bot"


async def test_raw_long_polling(server: FakeTelegram) -> None:
    sam = server.user(7, "Sam")
    async with httpx.AsyncClient(base_url=f"{server.base_url}{TOKEN}/") as client:
        started = time.monotonic()
        empty = await client.post("getUpdates", data={"timeout": "0.4"})
        assert empty.json() == {"ok": True, "result": []} and time.monotonic() - started >= 0.35

        poll = asyncio.create_task(client.post("getUpdates", data={"timeout": "5"}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        update_id = sam.inject_raw(
            {
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": sam.chat,
                    "from": sam.user,
                    "text": "hi",
                }
            }
        )
        result = (await poll).json()["result"]
        assert [u["update_id"] for u in result] == [update_id]
        assert time.monotonic() - started < 0.5
        again = await client.post("getUpdates", data={"offset": str(update_id)})
        assert [u["update_id"] for u in again.json()["result"]] == [update_id]
        more = [
            sam.inject_raw(
                {"message": {"message_id": n, "date": 0, "chat": sam.chat, "text": str(n)}}
            )
            for n in (2, 3, 4)
        ]
        limited = await client.post("getUpdates", data={"offset": str(update_id + 1), "limit": "2"})
        assert [u["update_id"] for u in limited.json()["result"]] == more[:2]

        poll = asyncio.create_task(
            client.post("getUpdates", data={"offset": str(more[-1] + 1), "timeout": "30"})
        )
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await server.stop()
        assert (await poll).json()["result"] == []
        assert time.monotonic() - started < 0.5


async def test_running_teardown_is_fast(server: FakeTelegram) -> None:
    async with running(build_app(server)):
        await asyncio.sleep(0.2)  # a long poll is pending now
        started = time.monotonic()
    assert time.monotonic() - started < 0.5


async def test_forum_topics_and_replies(server: FakeTelegram, app: AnyApp) -> None:
    forum = server.group(-100555, "Forum", is_forum=True)
    bo = server.user(1002, "Bo")
    assert (await app.bot.get_chat(-100555)).is_forum
    sent = await forum.send(bo, "/start@estbot_test_bot", thread_id=5)
    assert sent["message_thread_id"] == 5 and sent["is_topic_message"] is True
    reply = await forum.next_message()  # PTB replies into the topic and quotes in groups
    assert reply["message_thread_id"] == 5 and reply["is_topic_message"] is True
    assert reply["reply_to_message"] == sent
    assert forum.thread_messages(5) == [reply] and forum.thread_messages(6) == []

    answer = await forum.send(bo, "/start@estbot_test_bot igen", reply_to=reply)
    expected = {k: v for k, v in reply.items() if k != "reply_to_message"}
    assert answer["reply_to_message"] == expected and answer["message_thread_id"] == 5
    assert "reply_to_message" in reply  # the original keeps its own reply
    await forum.next_message()
    photo = await forum.send_photo(bo, JPEG, "Titta", thread_id=9, reply_to=sent)
    assert photo["caption"] == "Titta" and len(photo["photo"]) == 2
    assert photo["message_thread_id"] == 9 and photo["reply_to_message"] == sent
    assert (await forum.next_message())["message_thread_id"] == 9
    assert len(forum.thread_messages(5)) == 2 and len(forum.thread_messages(9)) == 1

    general = await forum.send(bo, "hej")
    assert "message_thread_id" not in general and "is_topic_message" not in general
    plain = server.group(-100777, "Vanlig")
    with pytest.raises(AssertionError, match="no topics"):
        await plain.send(bo, "x", thread_id=5)
    with pytest.raises(AssertionError, match="no message #999"):
        await forum.send(bo, "x", reply_to={"message_id": 999})
    with pytest.raises(ValueError, match="forum"):
        server.group(-5, "Liten", "group", is_forum=True)


async def test_bot_sends_into_topics(server: FakeTelegram, app: AnyApp) -> None:
    forum = server.group(-100555, "Forum", is_forum=True)
    bot = app.bot
    first = await bot.send_message(-100555, "ämne", message_thread_id=3)
    assert first.message_thread_id == 3 and first.is_topic_message
    answer = await bot.send_message(-100555, "svar", reply_to_message_id=first.message_id)
    assert answer.message_thread_id == 3  # a reply lands in its target's topic
    assert answer.reply_to_message and answer.reply_to_message.message_id == first.message_id
    elsewhere = await bot.send_message(-100555, "allmänt")
    assert elsewhere.message_thread_id is None and not elsewhere.is_topic_message
    assert [m["text"] for m in forum.thread_messages(3)] == ["ämne", "svar"]
    plain = await bot.send_message(-100777, "tråd", message_thread_id=4)
    assert plain.message_thread_id == 4 and not plain.is_topic_message


async def test_photo_cards_in_groups(server: FakeTelegram, app: AnyApp) -> None:
    forum = server.group(-100555, "Forum", is_forum=True)
    bo = server.user(1002, "Bo")
    keyboard = InlineKeyboardMarkup.from_button(InlineKeyboardButton("Välj", callback_data="cap"))
    card = await app.bot.send_photo(
        -100555, JPEG, caption="Kort", reply_markup=keyboard, message_thread_id=7
    )
    stored = forum.thread_messages(7)[0]
    assert stored["caption"] == "Kort" and stored["reply_markup"] == keyboard.to_dict()
    assert card.is_topic_message and card.reply_markup == keyboard

    query = await forum.press(bo, "Välj", stored)
    assert query["message"]["caption"] == "Kort" and query["message"]["message_thread_id"] == 7
    edited = await forum.wait_for(lambda m: m.get("caption") == "Vald")
    assert edited["message_id"] == card.message_id and "edit_date" in edited
    assert edited["reply_markup"]["inline_keyboard"][0][0]["text"] == "Igen"
    assert edited["photo"] == stored["photo"] and edited["message_thread_id"] == 7
    assert bo.alerts == ["Bild vald"]
    assert server.calls_for("answerCallbackQuery")[0].params["show_alert"] is True
    assert server.unanswered_callback_queries() == []

    again = await app.bot.edit_message_caption(-100555, card.message_id, caption="Ny")
    assert not isinstance(again, bool) and again.caption == "Ny" and again.reply_markup is None
    with pytest.raises(BadRequest, match="no caption"):
        text = await app.bot.send_message(-100555, "text")
        await app.bot.edit_message_caption(-100555, text.message_id, caption="x")


async def test_bot_added_and_removed(server: FakeTelegram, app: AnyApp) -> None:
    group = server.group(-100123, "Samordnare")
    anna = server.user(1001, "Anna")
    bot_id = server.bot_user["id"]
    group.bot_added(anna)
    group.bot_added(anna, "administrator")
    await server.idle()
    await app.bot.send_message(-100123, "hej")
    update_id = group.bot_removed(anna, "kicked")
    assert group.last_update_id == update_id
    await server.idle()
    changes = app.bot_data["members"]
    assert [(c.old_chat_member.status, c.new_chat_member.status) for c in changes] == [
        ("left", "member"),
        ("member", "administrator"),
        ("administrator", "kicked"),
    ]
    assert all(c.from_user.id == 1001 and c.chat.id == -100123 for c in changes)
    assert all(c.new_chat_member.user.id == bot_id for c in changes)
    admin = changes[1].new_chat_member
    assert admin.can_delete_messages and admin.can_manage_topics and not admin.can_be_edited
    assert changes[2].new_chat_member.until_date.timestamp() == 0  # banned forever
    raw = server._updates[update_id]["my_chat_member"]
    assert raw["new_chat_member"] == {"status": "kicked", "user": server.bot_user, "until_date": 0}
    assert isinstance(raw["date"], int) and raw["from"] == anna.user
    with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
        await app.bot.send_message(-100123, "hej")

    group.bot_added(anna)
    small = server.group(-5, "Liten", "group")
    small.bot_removed(anna)
    await server.idle()
    assert app.bot_data["members"][-1].old_chat_member.status == "member"
    assert (await app.bot.send_message(-100123, "igen")).text == "igen"
    with pytest.raises(Forbidden, match="not a member of the group chat"):
        await app.bot.send_message(-5, "hej")
    with pytest.raises(ValueError, match="member/administrator"):
        group.bot_added(anna, "kicked")
    with pytest.raises(ValueError, match="left/kicked"):
        group.bot_removed(anna, "member")


async def test_migrate_to_supergroup(server: FakeTelegram, app: AnyApp) -> None:
    small = server.group(-5, "Liten", "group")
    anna = server.user(1001, "Anna")
    big = small.migrate(-1005, anna)
    assert big.id == -1005 and big.chat == {"id": -1005, "type": "supergroup", "title": "Liten"}
    await server.idle()
    old, new = app.bot_data["migrations"]
    assert old.chat.id == -5 and old.migrate_to_chat_id == -1005 and old.from_user.id == 1001
    assert new.chat.id == -1005 and new.migrate_from_chat_id == -5 and new.from_user.id == 1001
    with pytest.raises(ChatMigrated) as migrated:
        await app.bot.send_message(-5, "hej")
    assert migrated.value.new_chat_id == -1005
    with pytest.raises(ChatMigrated):
        await app.bot.get_chat(-5)
    assert (await app.bot.send_message(-1005, "hej")).chat.type == "supergroup"
    assert server.sent_count(-5) == 0
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{server.base_url}{TOKEN}/sendMessage", data={"chat_id": "-5"})
    assert answer.status_code == 400 and answer.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1005},
    }
    with pytest.raises(AssertionError, match="upgraded"):
        await small.send(anna, "hej")
    with pytest.raises(AssertionError, match="not a basic group"):
        big.migrate(-1006, anna)


async def test_planned_faults(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    server.fail("SENDMESSAGE", times=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(1001, "hej")
    await bot.send_message(1001, "hej")
    assert [c.error_code for c in server.calls_for("sendMessage")] == [429, 429, None]
    assert [m["text"] for m in server.bot_messages(1001)] == ["hej"]

    server.fail("sendPhoto", code=500, chat_id=1001)
    server.fail("sendPhoto", code=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):  # the 500 is for chat 1001 only
        await bot.send_photo(2002, JPEG)
    await bot.send_photo(2002, JPEG)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_photo(1001, JPEG)
    await bot.send_photo(1001, JPEG)
    assert server.sent_count(1001) == 2 and server.sent_count(2002) == 1
    assert [c.error_code for c in server.calls_for("sendphoto")] == [502, None, 500, None]

    server.fail("getMe", description="Too Many Requests: slow down")
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{server.base_url}{TOKEN}/getMe")
    assert answer.status_code == 429 and answer.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: slow down",
        "parameters": {"retry_after": 1},
    }
    assert Call("x", {}, 0.0).error_code is None


async def test_random_faults(server: FakeTelegram, app: AnyApp) -> None:
    async def outcomes() -> list[bool]:
        results = []
        for n in range(40):
            try:
                await app.bot.send_message(1001, str(n))
                results.append(True)
            except (RetryAfter, NetworkError):
                results.append(False)
        return results

    server.fault_rate(0.5, seed=7, methods=["sendMessage"])
    first = await outcomes()
    assert 5 < first.count(False) < 35
    assert server.sent_count(1001) == first.count(True)
    ok = [c for c in server.calls_for("sendMessage") if c.error_code is None]
    assert len(ok) == first.count(True)
    assert {c.error_code for c in server.calls_for("sendMessage")} == {None, 429, 500, 502}
    await app.bot.send_chat_action(1001, ChatAction.TYPING)  # not in methods
    server.fault_rate(0.5, seed=7, methods=["sendMessage"])
    assert await outcomes() == first  # reproducible by seed
    server.fault_rate(1.0)
    anna = server.user(1001, "Anna")
    await anna.send("/start")  # getUpdates never fails, the answer does
    await server.idle()
    assert app.bot_data["seen"] == [anna.last_update_id]
    assert server.calls_for("sendMessage")[-1].error_code in (429, 500, 502)
    server.fault_rate(0)
    await anna.send("/start")
    assert (await anna.next_message())["text"].startswith("Hej")


async def test_slow_answers_and_dropped_connections(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    server.slow_answer_s = 0.3
    server.fail("sendMessage", code=SLOW)
    started = time.monotonic()
    await bot.send_message(1001, "slow")  # acted on at once, answered late
    assert time.monotonic() - started >= 0.3
    server.fail("sendMessage", code=DROP)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "dropped")  # never acted on
    await bot.send_message(1001, "after")
    assert [m["text"] for m in server.bot_messages(1001)] == ["slow", "after"]
    assert [(c.fault, c.error_code) for c in server.calls_for("sendMessage")] == [
        ("slow", None),
        ("drop", None),
        (None, None),
    ]
    server.fault_rate(1.0, codes=[DROP, SLOW, 500], seed=3, methods=["sendMessage"])
    for n in range(12):
        try:
            await bot.send_message(1001, str(n))
        except NetworkError:
            pass
    assert set(server.injected) == {"slow", "drop", "500"}
    assert sum(server.injected.values()) == 2 + 12
    assert server.sent_count(1001) == 2 + server.injected["slow"] - 1
    with pytest.raises(ValueError, match="unknown fault"):
        server.fault_rate(0.1, codes=["slowly"])


async def test_reactions(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    anna = server.user(1001, "Anna")
    sent = await anna.send("hej")
    assert await bot.set_message_reaction(1001, sent["message_id"], "👍")
    assert server.reactions(1001, sent["message_id"]) == ["👍"]
    await bot.set_message_reaction(1001, sent["message_id"], "🔥")
    assert server.reactions(1001, sent["message_id"]) == ["🔥"]
    await bot.set_message_reaction(1001, sent["message_id"], [])
    assert server.reactions(1001, sent["message_id"]) == []
    own = await bot.send_message(1001, "svar")
    await bot.set_message_reaction(1001, own.message_id, "👀")
    assert server.reactions(1001, own.message_id) == ["👀"] and len(anna.messages) == 1
    with pytest.raises(BadRequest, match="(?i)reaction_invalid"):
        await bot.set_message_reaction(1001, sent["message_id"], "x")
    with pytest.raises(BadRequest, match="(?i)reactions_too_many"):
        await bot.set_message_reaction(1001, sent["message_id"], ["👍", "🔥"])
    with pytest.raises(BadRequest, match="(?i)message to react not found"):
        await bot.set_message_reaction(1001, 999, "👍")
    await bot.delete_message(1001, own.message_id)
    with pytest.raises(BadRequest, match="(?i)message to react not found"):
        await bot.set_message_reaction(1001, own.message_id, "👍")
    assert server.reactions(1001, sent["message_id"]) == []


async def test_sent_messages_log(server: FakeTelegram, app: AnyApp) -> None:
    bot = app.bot
    server.user(1001, "Anna")
    started = time.monotonic()
    first = await bot.send_message(1001, "ett")
    await bot.send_media_group(1001, [InputMediaPhoto(JPEG), InputMediaPhoto(b"two")])
    await asyncio.sleep(0.3)
    await bot.send_photo(1001, JPEG)
    await bot.send_document(1001, b"x", filename="x.txt")
    await bot.send_location(1001, 59.1, 15.1)
    await bot.send_venue(1001, 59.1, 15.1, title="T", address="A")
    await bot.edit_message_text("ETT", chat_id=1001, message_id=first.message_id)
    await bot.send_chat_action(1001, ChatAction.TYPING)
    await bot.set_message_reaction(1001, first.message_id, "👍")
    server.fail("sendMessage")
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "misslyckat")
    await bot.send_message(2002, "annan")
    log = server.sent_messages_log(1001)
    assert len(log) == 7 and log == sorted(log) and log[0] >= started
    assert log[1] == log[2]  # one album call: one receipt time per item
    assert log[3] - log[2] >= 0.3
    assert server.max_in_window(1001, 0.25) == 4
    assert server.max_in_window(1001, 60) == 7
    assert server.max_in_window(1001, log[6] - log[3]) == 3  # half-open: log[6] is out
    assert server.max_in_window(2002, 1) == 1 and server.max_in_window(3003, 1) == 0
    assert server.sent_messages_log(3003) == []


async def test_webhook_posts_updates_to_workers_in_turn(server: FakeTelegram) -> None:
    """After setWebhook, updates are POSTed with the secret header to the routed workers in
    turn (the server plays the reverse proxy); a non-200 answer is sent again; getUpdates is
    refused meanwhile; deleteWebhook returns to polling."""
    received: list[tuple[int, str, str, int]] = []  # worker, path, secret, update_id
    failed_once: set[int] = set()

    def worker(number: int) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            update = await request.json()
            received.append((number, request.path, request.headers.get(SECRET_HEADER, ""),
                             update["update_id"]))  # fmt: skip
            if number == 2 and not failed_once:  # the second worker fails its first update
                failed_once.add(update["update_id"])
                return web.Response(status=500)
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/estbot", hook)
        return app

    async with serving(worker(1)) as first, serving(worker(2)) as second:
        bot = Bot(TOKEN, base_url=server.base_url)
        async with bot:
            assert await bot.set_webhook("https://example.org/estbot", secret_token="s3cret")
            server.route_webhook([first, second])
            anna = server.user(1001, "Anna")
            ids = []
            for word in ("ett", "två", "tre"):
                await anna.send(word)
                ids.append(anna.last_update_id)
            await server.wait_until(lambda: not server._pending(), 5)
            info = await bot.get_webhook_info()
            assert info.url == "https://example.org/estbot" and info.pending_update_count == 0
            assert "500" in (info.last_error_message or "")
            with pytest.raises(Conflict):
                await bot.get_updates()
            assert await bot.delete_webhook()
            assert await bot.get_updates(timeout=0) == ()
    assert {path for _, path, _, _ in received} == {"/estbot"}
    assert {secret for _, _, secret, _ in received} == {"s3cret"}
    assert {number for number, _, _, _ in received} == {1, 2}
    handled = [uid for number, _, _, uid in received if uid not in failed_once or number == 1]
    assert sorted(set(handled) | failed_once) == ids  # the failed one came again
    assert len(received) == len(ids) + 1
    assert [post.status for post in server.webhook_posts].count(500) == 1


def test_webhook_is_routed_only_to_this_machine(server: FakeTelegram) -> None:
    with pytest.raises(ValueError):
        server.route_webhook(["http://example.org:8443"])


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on a free port of 127.0.0.1; yields its base address."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
