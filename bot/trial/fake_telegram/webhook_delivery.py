"""Webhook delivery for the fake Bot API server, as Telegram does it.

After ``setWebhook`` the server no longer answers ``getUpdates`` (409, as Telegram) but POSTs
each update as JSON to the webhook, with the ``X-Telegram-Bot-Api-Secret-Token`` header,
up to ``max_connections`` at a time; an update not answered with 200 is sent again after
``webhook_retry_s``. ``deleteWebhook`` returns to ``getUpdates``.

The address given to ``setWebhook`` is public (https://example.org/estbot); the server posts
only to this machine: :meth:`WebhookDelivery.route_webhook` names the workers behind it, and
the server plays the reverse proxy, passing each update to the next worker in turn with the
webhook's path (round robin, as nginx's ``upstream`` does). Without a route, the webhook's
own address is used if it is on 127.0.0.1 or localhost.

Used as a mixin of :class:`bot.trial.fake_telegram.server.LocalTelegram`, whose update queue
(``_pending``, ``_deliver``) it shares; ``_posted`` and ``_drop_pending`` are its hooks into it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .bot_api import JSON, ApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONFLICT = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class WebhookPost:
    """One POST of an update to a worker: where, and the HTTP status (None: no answer)."""

    update_id: int
    target: str
    status: int | None
    at: float


class WebhookDelivery:
    """setWebhook, deleteWebhook, getWebhookInfo and pushing updates (see the module doc)."""

    webhook_url: str = ""
    webhook_secret: str | None = None
    webhook_max_connections = 40
    webhook_retry_s = 0.2
    webhook_timeout_s = 60.0

    def _init_webhook(self) -> None:
        self.webhook_posts: list[WebhookPost] = []
        self._webhook_targets: list[str] = []
        self._webhook_turn = itertools.count()
        self._webhook_last_error: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    def route_webhook(self, targets: list[str]) -> None:
        """Pass updates to these workers in turn (``http://127.0.0.1:8443`` each), as a
        reverse proxy in front of them would."""
        for target in targets:
            if urlsplit(target).hostname not in LOOPBACK:
                raise ValueError(f"only this machine is reachable: {target}")
        self._webhook_targets = list(targets)
        self._notify()  # type: ignore[attr-defined]

    # ---- Bot API methods ---------------------------------------------------------------------
    def _m_setwebhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._m_deletewebhook(params)
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        self.webhook_max_connections = int(params.get("max_connections") or 40)
        if params.get("drop_pending_updates"):
            self._drop_pending()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._push_loop())
        self._notify()  # type: ignore[attr-defined]
        return True

    def _m_deletewebhook(self, params: JSON) -> bool:
        self.webhook_url, self.webhook_secret = "", None
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self._notify()  # type: ignore[attr-defined]
        return True

    def _m_getwebhookinfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending()),  # type: ignore[attr-defined]
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
        if self._webhook_last_error:
            info["last_error_message"] = self._webhook_last_error
        return info

    def _refuse_get_updates(self) -> None:
        if self.webhook_url:
            raise ApiError(CONFLICT, 409)

    def _drop_pending(self) -> None:
        """``drop_pending_updates``: forget every update the bot has not taken yet."""
        self._queue.clear()  # type: ignore[attr-defined]

    def _posted(self, update_id: int, accepted: bool) -> None:
        """The webhook answered a POST of the update: 200 (``accepted``) means the bot has
        it; anything else, or no answer, leaves it queued to be posted again."""
        if accepted:
            self._queue.discard(update_id)  # type: ignore[attr-defined]

    async def _stop_webhook(self) -> None:
        """Stop pushing (called with ``_stopping`` set). The loop is asked, not cancelled:
        cancelling ``wait_for`` inside ``wait_until`` can hang in Python 3.11."""
        if self._webhook_task is not None:
            self._notify()  # type: ignore[attr-defined]
            await self._webhook_task
            self._webhook_task = None

    # ---- pushing -----------------------------------------------------------------------------
    def _target(self) -> str | None:
        parts = urlsplit(self.webhook_url)
        if self._webhook_targets:
            base = self._webhook_targets[next(self._webhook_turn) % len(self._webhook_targets)]
            query = f"?{parts.query}" if parts.query else ""
            return f"{base.rstrip('/')}{parts.path or '/'}{query}"
        return self.webhook_url if parts.hostname in LOOPBACK else None

    def _pushing(self) -> bool:
        return bool(self.webhook_url) and not self._stopping  # type: ignore[attr-defined]

    def _ready(self, in_flight: set[int]) -> list[int]:
        pending: list[int] = self._pending()  # type: ignore[attr-defined]
        room = self.webhook_max_connections - len(in_flight)
        return [uid for uid in pending if uid not in in_flight][: max(0, room)]

    async def _push_loop(self) -> None:
        in_flight: set[int] = set()
        tasks: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession() as session:
            try:
                while self._pushing():
                    ready = self._ready(in_flight)
                    if not ready:
                        await self.wait_until(  # type: ignore[attr-defined]
                            lambda: not self._pushing() or bool(self._ready(in_flight)), 1.0
                        )
                        continue
                    for update_id in ready:
                        in_flight.add(update_id)
                        task = asyncio.create_task(self._push(session, update_id, in_flight))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
            finally:
                for task in list(tasks):
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _push(
        self, session: aiohttp.ClientSession, update_id: int, in_flight: set[int]
    ) -> None:
        target = self._target()
        status: int | None = None
        try:
            if target is not None:
                update = self._deliver(update_id)  # type: ignore[attr-defined]
                status = await self._post(session, target, update)
            else:
                self._webhook_last_error = "no route to the webhook's address"
        finally:
            self.webhook_posts.append(
                WebhookPost(update_id, target or "", status, time.monotonic())
            )
            self._posted(update_id, status == 200)
            if status != 200 and self._pushing():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.sleep(self.webhook_retry_s)
            in_flight.discard(update_id)
            self._notify()  # type: ignore[attr-defined]

    async def _post(self, session: aiohttp.ClientSession, target: str, update: Any) -> int | None:
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout_s)
        try:
            async with session.post(
                target, json=update, headers=headers, timeout=timeout
            ) as answer:
                if answer.status != 200:
                    self._webhook_last_error = f"Wrong response from the webhook: {answer.status}"
                return answer.status
        except (aiohttp.ClientError, TimeoutError) as error:
            self._webhook_last_error = f"Connection failed: {type(error).__name__}"
            return None
