"""Updates of one chat run in order, one at a time; different chats run at the same time."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.update_order import PerChatUpdateProcessor


def update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "x", False)
    message = Message(update_id, None, Chat(chat_id, "private"), from_user=user, text="t")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chat_in_order_many_chats_at_once() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=64)
    log: list[tuple[str, int, int]] = []
    running: dict[int, int] = {}

    async def work(chat: int, number: int, pause: float) -> None:
        running[chat] = running.get(chat, 0) + 1
        assert running[chat] == 1, "two updates of one chat at once"
        log.append(("start", chat, number))
        await asyncio.sleep(pause)
        log.append(("end", chat, number))
        running[chat] -= 1

    jobs = []
    for number in range(5):
        for chat in (1, 2, 3):
            pause = 0.02 if number % 2 == 0 else 0.001  # the slow one must not be overtaken
            jobs.append(
                processor.process_update(
                    update(number * 10 + chat, chat), work(chat, number, pause)
                )
            )
    began = asyncio.get_running_loop().time()
    await asyncio.gather(*jobs)
    elapsed = asyncio.get_running_loop().time() - began
    for chat in (1, 2, 3):
        assert [n for kind, c, n in log if c == chat and kind == "start"] == list(range(5))
    assert elapsed < 0.2, "three chats ran side by side, not one after another"
    assert processor._locks == {}, "no lock is kept for a chat that has gone quiet"
