"""A stand-in Telegram Bot API server on 127.0.0.1, in process: what `estbot try` talks to.

The real python-telegram-bot ``Application`` polls it over HTTP (``base_url`` / ``file_url``);
`estbot try` (and the tests) drive simulated people through :meth:`LocalTelegram.user` and
:meth:`LocalTelegram.group` (see :mod:`bot.trial.fake_telegram.people`) and inspect what the bot
did via ``calls`` and the chats.
After ``setWebhook`` it POSTs the updates to the bot instead (see
:mod:`bot.trial.fake_telegram.webhook_delivery`), to one or several workers.

Only what `estbot try` needs is here. The tests' ``FakeTelegram`` (tests/support/fake_telegram.py)
adds faults, latency, redelivery and rate figures by extending the hooks ``_call``, ``_delay``
and ``_record``, ``inject``, the update queue's ``_pending``, ``_confirm``, ``_deliver`` and
``_undelivered``, and the webhook's ``_posted`` and ``_drop_pending``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import itertools
import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web
from telegram.ext import Application

from .bot_api import JSON, ApiError, BotApi, Upload
from .people import SimGroup, SimUser
from .webhook_delivery import WebhookDelivery

AnyApp = Application[Any, Any, Any, Any, Any, Any]
# Parameters that are plain strings on the wire and must never be JSON-decoded ("123" stays str).
STRING_PARAMS = frozenset(
    "text caption title address parse_mode callback_query_id file_id photo document sticker "
    "voice video audio animation action inline_message_id url language_code foursquare_id "
    "foursquare_type google_place_id google_place_type business_connection_id message_effect_id "
    "query description short_description name emoji secret_token".split()
)


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made: method name as sent, decoded params, monotonic receipt
    time, the error code it was answered with (None if ok, dropped or not answered yet), and
    the fault injected into it ("429", "500", "502", "slow", "drop"; None if none)."""

    method: str
    params: dict[str, Any]
    at: float
    error_code: int | None = None
    fault: str | None = None


class HangUp(Exception):
    """Raised while acting on a call: close the connection without answering it."""


def _decode(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _read_params(request: web.Request) -> JSON:
    params: JSON = {key: _decode(key, value) for key, value in request.query.items()}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[key] = _decode(key, value if isinstance(value, str) else bytes(value).decode())
    return params


def _drop(request: web.Request) -> web.Response:
    """Close the connection without an answer (aiohttp then writes nothing: the transport
    is closing); the client sees the server disconnect."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=HTTPStatus.NO_CONTENT)


def _answer(result: Any = None, error: ApiError | None = None) -> web.Response:
    if error is None:
        return web.json_response({"ok": True, "result": result})
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


class LocalTelegram(WebhookDelivery, BotApi):
    """A Bot API server on 127.0.0.1 (random port) speaking enough HTTP for PTB's Application."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "estbot_test_bot",
        *,
        bot_first_name: str = "EST Bot",
    ) -> None:
        prefix = token.split(":")[0]
        self.token = token
        super().__init__(
            {
                "id": int(prefix) if prefix.isdigit() else 1,
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
            }
        )
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.port = 0
        self._updates: dict[int, JSON] = {}
        self._update_ids = itertools.count(1)
        self._queue: set[int] = set()
        self._delivered_at: dict[int, float] = {}
        self._last_call: dict[int | None, float] = {}
        self._last_delivery = 0.0
        self._generation = 0
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._init_webhook()
        self._methods: dict[str, Callable[[JSON], Any]] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> LocalTelegram:
        """Start listening on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._stopping = False
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Answer pending long polls with ``[]`` at once, then shut the server down."""
        self._stopping = True
        self._notify()
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The ``base_url`` for ``ApplicationBuilder`` (the token is appended by PTB)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """The ``base_file_url`` for ``ApplicationBuilder``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- inspection ------------------------------------------------------------------------
    def calls_for(self, method: str) -> list[Call]:
        """Every call of ``method`` (case-insensitive), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    async def idle(
        self, chat_id: int | None = None, quiet: float = 0.2, timeout: float = 5.0
    ) -> None:
        """Wait until all updates are delivered and the bot made no call (to ``chat_id`` if
        given) for ``quiet`` seconds; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            since = now - max(self._last_call.get(chat_id, 0.0), self._last_delivery)
            if not self._undelivered() and since >= quiet:
                return
            if now >= deadline:
                raise AssertionError(f"bot still busy after {timeout}s (chat {chat_id})")
            await asyncio.sleep(max(0.01, min(quiet - since, deadline - now)))

    def confirmed(self, update_id: int) -> bool:
        """True once the bot asked for updates past ``update_id``: PTB has it in its queue."""
        return update_id in self._delivered_at and update_id not in self._queue

    # ---- simulated people --------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "sv",
    ) -> SimUser:
        """A simulated person whose private chat with the bot has ``id == user_id``."""
        names = {"first_name": first_name, "last_name": last_name, "username": username}
        names = {key: value for key, value in names.items() if value is not None}
        user = {"id": user_id, "is_bot": False, **names}
        if language_code:
            user["language_code"] = language_code
        self.chats[user_id] = {"id": user_id, "type": "private", **names}
        return SimUser(self, user, self.chats[user_id])

    def group(
        self,
        chat_id: int,
        title: str = "Group",
        type: str = "supergroup",
        *,
        is_forum: bool = False,
    ) -> SimGroup:
        """A group chat the bot is a member of; a forum (topics) if ``is_forum``."""
        self.chats[chat_id] = {"id": chat_id, "type": type, "title": title}
        if is_forum:
            if type != "supergroup":
                raise ValueError("only a supergroup can be a forum")
            self.chats[chat_id]["is_forum"] = True
        return SimGroup(self, self.chats[chat_id])

    # ---- updates from people -----------------------------------------------------------------
    def inject(self, update: JSON) -> int:
        """Queue an update (without ``update_id``) for the bot; returns its new update_id."""
        update_id = next(self._update_ids)
        self._updates[update_id] = copy.deepcopy({"update_id": update_id, **update})
        self._queue.add(update_id)
        self._notify()
        return update_id

    def continue_after(self, update_id: int) -> None:
        """Number new updates after ``update_id``: for a bot whose database remembers the
        updates of an earlier server (it would take fresh ones for redeliveries)."""
        self._update_ids = itertools.count(update_id + 1)

    def post_message(self, chat: JSON, sender: JSON, content: JSON) -> tuple[JSON, int]:
        """Store a message from a person and inject it; returns (message copy, update_id)."""
        message = self._new_message(chat, sender, content)
        return copy.deepcopy(message), self.inject({"message": message})

    # ---- HTTP plumbing -----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path[len("/file/bot") :])
        if not path.startswith("/bot"):
            return _answer(error=ApiError("Not Found", 404))
        token, _, method = path.removeprefix("/bot").partition("/")
        if token != self.token:
            return _answer(error=ApiError("Unauthorized", 401))
        try:
            params = await _read_params(request)
        except ConnectionResetError:  # the client died mid-upload (a SIGKILLed bot)
            return _drop(request)
        index = len(self.calls)
        self._record(Call(method, params, time.monotonic()))
        try:
            result = await self._call(index)
        except HangUp:
            return _drop(request)
        except ApiError as err:
            error = err
        except KeyError as err:
            error = ApiError(f"Bad Request: parameter {err.args[0]} is required")
        else:
            return _answer(result)
        # calls[index], not a copy taken earlier: a `_call` hook may have noted a fault in it.
        self.calls[index] = dataclasses.replace(self.calls[index], error_code=error.code)
        return _answer(error=error)

    async def _call(self, index: int) -> Any:
        """Act on the call recorded at ``calls[index]``: its result, or ApiError (KeyError for
        a missing parameter, HangUp for no answer at all). The hook faults are injected in."""
        call = self.calls[index]
        return await self._dispatch(call.method, call.params)

    async def _dispatch(self, method: str, params: JSON) -> Any:
        name = method.lower()
        if name == "getupdates":
            self._refuse_get_updates()
            return await self._get_updates(params)
        handler = self._methods.get(name)
        if handler is None:
            self.unknown_methods.append(method)
            raise ApiError("Not Found", 404)
        await self._delay()
        self._guard(params)
        return handler(params)

    def _serve_file(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if token != self.token or stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _delay(self) -> None:
        """Before acting on a call or answering a poll: at once here; the hook for latency."""

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if call.method.lower() == "getupdates":
            return
        self._last_call[None] = call.at
        chat_id = self._chat_of(call)
        if chat_id is not None:
            self._last_call[chat_id] = call.at

    def _chat_of(self, call: Call) -> int | None:
        """The chat a call is for (a callback query's answer: where the button was pressed)."""
        chat_id = call.params.get("chat_id")
        if call.method.lower() == "answercallbackquery":
            chat_id = self._callbacks.get(str(call.params.get("callback_query_id")), (None,))[0]
        return chat_id if isinstance(chat_id, int) else None

    # ---- the update queue ----------------------------------------------------------------------
    def _pending(self) -> list[int]:
        """The update ids the next getUpdates (or webhook push) hands out, oldest first."""
        return sorted(self._queue)

    def _undelivered(self) -> bool:
        """Whether an update still waits to be handed to the bot (``idle`` waits for it)."""
        return any(uid not in self._delivered_at for uid in self._queue)

    def _confirm(self, offset: int) -> None:
        """getUpdates with ``offset``: the bot has every update before it."""
        before = len(self._queue)
        self._queue = {uid for uid in self._queue if uid >= offset}
        if len(self._queue) != before:
            self._notify()  # wakes whoever waits in `confirmed`

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if int(params.get("offset") or 0) > 0:
            self._confirm(int(params["offset"]))
        self._generation += 1
        generation = self._generation

        def released() -> bool:
            return self._stopping or generation != self._generation

        await self.wait_until(
            lambda: released() or bool(self._pending()), float(params.get("timeout") or 0)
        )
        await self._delay()
        if released():
            return []
        return [self._deliver(uid) for uid in self._pending()[: int(params.get("limit") or 100)]]

    def _deliver(self, update_id: int) -> JSON:
        """Hand an update to the bot (in a getUpdates answer or a webhook POST)."""
        now = self._last_delivery = time.monotonic()
        self._delivered_at.setdefault(update_id, now)
        return self._updates[update_id]


@contextlib.asynccontextmanager
async def running(app: AnyApp, *, poll_timeout: int = 1) -> AsyncIterator[AnyApp]:
    """Initialize, start and poll ``app``; on exit stop and shut it down (fast)."""
    await app.initialize()
    try:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)  # type: ignore
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
