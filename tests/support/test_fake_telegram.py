"""Self-tests: the fake Bot API server drives the real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
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
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_telegram import AnyApp, FakeTelegram, running

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
    app.add_handler(CallbackQueryHandler(on_button))
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
