"""The webhook worker's HTTP side on its own: the secret, bad bodies, /healthz."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
)

from bot.webhook import ALLOWED_UPDATES, SECRET_HEADER, WebhookConfig, webhook_app
from handlers.registry import register_handlers
from storage.database.engine import make_engine

TOKEN = "123456789:TESTtokenTESTtokenTESTtoken_abcdef"
CONFIG = WebhookConfig("127.0.0.1", 8443, "https://example.org/estbot", "s3cret")
# Nothing listens on port 1: the database "does not answer" at once.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/estbot"


async def test_requests_without_the_secret_are_refused_and_health_tells_the_database(
    tmp_path: Path,
) -> None:
    application = ApplicationBuilder().token(TOKEN).build()
    alive = make_engine(f"sqlite:///{tmp_path / 'estbot.db'}")
    dead = make_engine(DEAD_DATABASE)
    async with TestClient(TestServer(webhook_app(application, CONFIG, alive))) as client:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: "s3cret2"}):
            answer = await client.post("/estbot", json={"update_id": 1}, headers=headers)
            assert answer.status == 403
        answer = await client.post("/estbot", data=b"{not json", headers={SECRET_HEADER: "s3cret"})
        assert answer.status == 400
        answer = await client.get("/healthz")
        assert answer.status == 200 and (await answer.json())["database"] == "ok"
    async with TestClient(TestServer(webhook_app(application, CONFIG, dead))) as client:
        answer = await client.get("/healthz")
        assert answer.status == 503 and (await answer.json())["database"] == "unreachable"
    alive.dispose()
    dead.dispose()


def test_webhook_mode_without_address_or_secret_says_what_is_missing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ESTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    env.pop("ESTBOT_WEBHOOK_SECRET_TOKEN", None)
    done = subprocess.run(
        ["estbot", "run", "--webhook", "--url", "https://example.org/estbot"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "ESTBOT_WEBHOOK_SECRET_TOKEN" in done.stderr


def test_telegram_is_asked_for_every_kind_of_update_a_handler_waits_for(tmp_path: Path) -> None:
    """Telegram delivers only the types in allowed_updates; the fake server delivers all."""
    application = ApplicationBuilder().token(TOKEN).build()
    register_handlers(application, follow_up_check_s=900, digest_check_s=60)
    wanted = set()
    for handler in (h for group in application.handlers.values() for h in group):
        if isinstance(handler, CallbackQueryHandler):
            wanted.add("callback_query")
        elif isinstance(handler, ChatMemberHandler):
            wanted.add("my_chat_member" if handler.chat_member_types == -1 else "chat_member")
        elif isinstance(handler, MessageHandler | CommandHandler):
            wanted.add("message")
    assert wanted and wanted <= set(ALLOWED_UPDATES), wanted - set(ALLOWED_UPDATES)
