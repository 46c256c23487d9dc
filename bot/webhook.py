"""Webhook mode: Telegram posts updates to this process instead of it polling for them.

Several such processes (workers), each on its own port behind one reverse proxy, can share
the work over one PostgreSQL database: every update is claimed by its id before it is
handled (storage.database.handled_updates), delivery lanes are leases
(storage.database.leases), drafts are locked while they change. A worker answers Telegram
only after it handled the update, so an update a worker could not take (it was stopping,
or died) is sent again, to another.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application

from storage.database.engine import database_answers, transaction
from storage.database.leases import claim_lease

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT_S = 3.0
# What the bot handles; the same list for polling. Telegram sends nothing else, so a type
# left out here is silently never handled (a test checks it against the handlers).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# One worker registers the webhook; the others find it registered (for a day, then again).
REGISTRATION_S = 24 * 3600.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class WebhookConfig:
    """Where this worker listens, the public address Telegram posts to, and the secret."""

    listen: str
    port: int
    url: str
    secret_token: str

    @property
    def path(self) -> str:
        """The path Telegram posts to (the proxy passes it on unchanged)."""
        return urlsplit(self.url).path or "/"


def webhook_app(
    application: AnyApplication, config: WebhookConfig, engine: Engine
) -> web.Application:
    """The HTTP side: POST updates to the webhook's path, GET /healthz."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), config.secret_token.encode()):
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not an update")
        # Handled before the answer: an update this worker cannot finish is sent again.
        processor = application.update_processor
        await processor.process_update(update, application.process_update(update))
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        try:
            answers = await asyncio.wait_for(
                asyncio.to_thread(database_answers, engine), HEALTH_TIMEOUT_S
            )
        except TimeoutError:
            answers = False
        body = {"status": "ok" if answers else "unavailable",
                "database": "ok" if answers else "unreachable"}  # fmt: skip
        return web.json_response(body, status=200 if answers else 503)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post(config.path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app


async def register_webhook(
    application: AnyApplication, config: WebhookConfig, engine: Engine, holder: str
) -> bool:
    """setWebhook, by one worker only: the one that claims the registration of this address
    and secret (the others start without calling it). Returns whether this one called it."""
    fingerprint = hashlib.sha256(
        "\n".join([config.url, config.secret_token, *ALLOWED_UPDATES]).encode()
    ).hexdigest()[:24]
    name = f"webhook:{fingerprint}"
    with transaction(engine) as session:
        claimed = claim_lease(session=session, name=name, holder=holder, ttl_s=REGISTRATION_S)
    if not claimed:
        log.info("webhook already registered by another worker")
        return False
    try:
        await application.bot.set_webhook(
            config.url, secret_token=config.secret_token, allowed_updates=ALLOWED_UPDATES
        )
    except BaseException:
        with transaction(engine) as session:  # let the next worker to start try again
            claim_lease(session=session, name=name, holder=holder, ttl_s=0)
        raise
    log.info("webhook registered: %s", config.url)
    return True


async def serve(
    application: AnyApplication,
    config: WebhookConfig,
    engine: Engine,
    holder: str,
    stop: asyncio.Event,
) -> None:
    """Run the bot as a webhook worker until `stop` is set, starting and stopping the
    application as `run_polling` does."""
    await application.initialize()
    runner = web.AppRunner(webhook_app(application, config, engine), access_log=None)
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await runner.setup()
        await web.TCPSite(runner, config.listen, config.port).start()
        await register_webhook(application, config, engine, holder)
        log.info("webhook worker listening on %s:%d%s", config.listen, config.port, config.path)
        await stop.wait()
    finally:
        await runner.cleanup()  # finishes the updates being handled, takes no new ones
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_webhook(
    application: AnyApplication, config: WebhookConfig, engine: Engine, holder: str
) -> None:
    """`serve` until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(application, config, engine, holder, stop)

    asyncio.run(main())
