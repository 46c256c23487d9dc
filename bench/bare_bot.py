"""The bare bot the benchmark compares estbot with: one handler, one sendMessage per update.

Built like estbot (same HTTP pool, concurrent updates) but doing nothing else, so the ratio
of the two shows what estbot's own work costs. BARE_RATE_LIMITER=aio adds PTB's
AIORateLimiter (Telegram's limits), for comparing fairness under a burst.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, TypeHandler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.transport import AiohttpRequest  # noqa: E402


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, "ok")


def main() -> None:
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(256)
    )
    if os.environ.get("BARE_TRANSPORT") == "aiohttp":  # estbot's own transport
        builder = builder.request(AiohttpRequest(connection_pool_size=64))
        builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    else:  # python-telegram-bot's default (httpx)
        builder = builder.connection_pool_size(64)
    if os.environ.get("BARE_RATE_LIMITER") == "aio":  # PTB's own limiter: 30/s, 20/min a group
        builder = builder.rate_limiter(AIORateLimiter())
    app = builder.build()
    app.add_handler(TypeHandler(Update, answer))
    app.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
