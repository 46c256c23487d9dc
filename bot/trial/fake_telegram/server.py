"""A stand-in Telegram Bot API server, for the end-to-end tests and for `estbot try`.

The real python-telegram-bot ``Application`` polls it over HTTP (``base_url`` / ``file_url``);
tests (and `estbot try`) drive simulated people through :meth:`FakeTelegram.user` and
:meth:`FakeTelegram.group` (see :mod:`bot.trial.fake_telegram.people`) and inspect what the bot did
via ``calls`` and the chats.
After ``setWebhook`` it POSTs the updates to the bot instead (see
:mod:`bot.trial.fake_telegram.webhook_delivery`), to one or several workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import itertools
import json
import random
import socket
import time
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
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
# Faults that are not an error answer. SLOW: the server acts, then answers after a delay.
# DROP: the server closes the connection without acting on the request or answering it.
SLOW = "slow"
DROP = "drop"
FaultKind = int | str  # an HTTP error code (429, 500, 502 …), SLOW or DROP
Injected = ApiError | str  # an error answer, SLOW or DROP


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


def fault(code: int, retry_after: int = 1, description: str | None = None) -> ApiError:
    """The error answer of an injected fault: 429 carries ``retry_after``, others the HTTP
    reason phrase ("Internal Server Error", "Bad Gateway") unless ``description`` is given."""
    if code == 429:
        text = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(text, 429, {"retry_after": retry_after})
    return ApiError(description or HTTPStatus(code).phrase, code)


def _injected(kind: FaultKind, retry_after: int = 1, description: str | None = None) -> Injected:
    if kind in (SLOW, DROP):
        return str(kind)
    if isinstance(kind, int):
        return fault(kind, retry_after, description)
    raise ValueError(f"unknown fault {kind!r}: an HTTP error code, SLOW or DROP")


def _label(injected: Injected) -> str:
    return str(injected.code) if isinstance(injected, ApiError) else injected


@dataclass
class _Fault:
    method: str
    chat_id: int | None
    times: int
    injected: Injected


@dataclass
class _RandomFaults:
    rate: float
    rng: random.Random
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None
    retry_after: int

    def pick(self, method: str) -> Injected | None:
        if self.methods is not None and method not in self.methods:
            return None
        if self.rng.random() >= self.rate:
            return None
        return _injected(self.rng.choice(self.kinds), self.retry_after)


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


class FakeTelegram(WebhookDelivery, BotApi):
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
        self.latency = 0.0
        # How long a SLOW fault holds the answer. Keep it below the client's read timeout
        # (estbot's: 5 s): an answer that comes after the client gave up, for a request the
        # server already acted on, makes a duplicate that no Bot API client can avoid.
        self.slow_answer_s = 1.0
        self.injected: Counter[str] = Counter()  # faults injected so far, by label
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.port = 0
        self._updates: dict[int, JSON] = {}
        self._update_ids = itertools.count(1)
        self._queue: set[int] = set()
        self._forced: dict[int, bool] = {}
        self._injected_at: dict[int, float] = {}
        self._delivered_at: dict[int, float] = {}
        self._answered_at: dict[int, float] = {}
        self._awaiting: dict[int, int] = {}
        self._last_call: dict[int | None, float] = {}
        self._last_delivery = 0.0
        self._generation = 0
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._faults: list[_Fault] = []
        self._random_faults: _RandomFaults | None = None
        self._sent_log: dict[int, list[float]] = {}
        self._init_webhook()
        self._methods: dict[str, Callable[[JSON], Any]] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeTelegram:
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

    async def __aenter__(self) -> FakeTelegram:
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

    def sent_messages_log(self, chat_id: int) -> list[float]:
        """Sorted receipt times of the calls that created bot messages in the chat, one per
        message (an album of N counts N; edits, actions, reactions and failures count 0)."""
        return list(self._sent_log.get(chat_id, []))

    def max_in_window(self, chat_id: int, period: float) -> int:
        """The most bot messages created in the chat within any window [t, t + period)."""
        times = self._sent_log.get(chat_id, [])
        return max((bisect_left(times, t + period) - i for i, t in enumerate(times)), default=0)

    def first_answer_latency(self, update_id: int) -> float | None:
        """Seconds from injecting the update to the bot's first call for its chat after delivery."""
        answered = self._answered_at.get(update_id)
        return None if answered is None else answered - self._injected_at[update_id]

    async def idle(
        self, chat_id: int | None = None, quiet: float = 0.2, timeout: float = 5.0
    ) -> None:
        """Wait until all updates are delivered and the bot made no call (to ``chat_id`` if
        given) for ``quiet`` seconds; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            since = now - max(self._last_call.get(chat_id, 0.0), self._last_delivery)
            undelivered = any(uid not in self._delivered_at for uid in self._queue) or not all(
                self._forced.values()
            )
            if not undelivered and since >= quiet:
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

    # ---- faults ------------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        code: FaultKind = 429,
        retry_after: int = 1,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (case-insensitive; only those for
        ``chat_id`` if given) with error ``code``, changing no state (see :func:`fault`);
        or with ``SLOW`` (acted on, answered after ``slow_answer_s``) or ``DROP`` (the
        connection closed, not acted on)."""
        if times > 0:
            injected = _injected(code, retry_after, description)
            self._faults.append(_Fault(method.lower(), chat_id, times, injected))

    def clear_faults(self) -> None:
        """Answer every call normally again (Telegram is back)."""
        self._faults.clear()
        self._random_faults = None

    def fault_rate(
        self,
        rate: float,
        *,
        codes: Iterable[FaultKind] = (429, 500, 502),
        seed: int = 0,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail each call (of ``methods`` if given; never getUpdates) with probability
        ``rate``, with a fault drawn from ``codes`` (error codes, ``SLOW``, ``DROP``; see
        :meth:`fail`), reproducibly by ``seed``. 0 turns it off."""
        self._random_faults = None
        if rate > 0:
            kinds = tuple(codes)
            for kind in kinds:
                _injected(kind)  # refuse an unknown kind now, not at the first call
            names = None if methods is None else frozenset(m.lower() for m in methods)
            rng = random.Random(seed)
            self._random_faults = _RandomFaults(rate, rng, kinds, names, retry_after)

    def inject(self, update: JSON) -> int:
        """Queue an update (without ``update_id``) for the bot; returns its new update_id."""
        update_id = next(self._update_ids)
        self._updates[update_id] = copy.deepcopy({"update_id": update_id, **update})
        self._queue.add(update_id)
        self._injected_at[update_id] = time.monotonic()
        self._notify()
        return update_id

    def continue_after(self, update_id: int) -> None:
        """Number new updates after ``update_id``: for a bot whose database remembers the
        updates of an earlier server (it would take fresh ones for redeliveries)."""
        self._update_ids = itertools.count(update_id + 1)

    def redeliver(self, update_id: int) -> None:
        """Deliver the same update again (same update_id), even if the bot confirmed it."""
        if update_id not in self._updates:
            raise KeyError(f"no update {update_id}")
        self._forced[update_id] = False
        self._notify()

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
        call, index = Call(method, params, time.monotonic()), len(self.calls)
        self._record(call)
        injected = self._take_fault(method.lower(), params)
        if injected is not None:
            self.injected[_label(injected)] += 1
            call = self.calls[index] = dataclasses.replace(call, fault=_label(injected))
        if injected == DROP:
            return _drop(request)
        try:
            result = await self._dispatch(method, params, injected)
        except ApiError as err:
            error = err
        except KeyError as err:
            error = ApiError(f"Bad Request: parameter {err.args[0]} is required")
        else:
            self._log_sent(method, result, call.at)
            return _answer(result)
        self.calls[index] = dataclasses.replace(call, error_code=error.code)
        return _answer(error=error)

    async def _dispatch(self, method: str, params: JSON, injected: Injected | None) -> Any:
        name = method.lower()
        if isinstance(injected, ApiError):
            await self._delay()
            raise injected
        if name == "getupdates":
            self._refuse_get_updates()
            return await self._get_updates(params)
        handler = self._methods.get(name)
        if handler is None:
            self.unknown_methods.append(method)
            raise ApiError("Not Found", 404)
        await self._delay()
        self._guard(params)
        result = handler(params)
        if injected == SLOW and not self._stopping:
            await asyncio.sleep(self.slow_answer_s)
        return result

    def _take_fault(self, name: str, params: JSON) -> Injected | None:
        for planned in self._faults:
            if planned.method == name and planned.chat_id in (None, params.get("chat_id")):
                planned.times -= 1
                if planned.times == 0:
                    self._faults.remove(planned)
                return planned.injected
        if name == "getupdates" or self._random_faults is None:
            return None
        return self._random_faults.pick(name)

    def _log_sent(self, method: str, result: Any, at: float) -> None:
        if not method.lower().startswith("send"):
            return
        for message in result if isinstance(result, list) else [result]:
            if isinstance(message, dict) and "message_id" in message:
                insort(self._sent_log.setdefault(message["chat"]["id"], []), at)

    def _serve_file(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        stored = next((f for f in self._files.values() if f.file_path == file_path), None)
        if token != self.token or stored is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _delay(self) -> None:
        if self.latency > 0 and not self._stopping:
            await asyncio.sleep(self.latency)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if call.method.lower() == "getupdates":
            return
        chat_id = call.params.get("chat_id")
        if call.method.lower() == "answercallbackquery":
            chat_id = self._callbacks.get(str(call.params.get("callback_query_id")), (None,))[0]
        self._last_call[None] = call.at
        if isinstance(chat_id, int):
            self._last_call[chat_id] = call.at
            for update_id in [uid for uid, cid in self._awaiting.items() if cid == chat_id]:
                self._answered_at[update_id] = call.at
                del self._awaiting[update_id]

    # ---- updates -----------------------------------------------------------------------------
    def _pending(self) -> list[int]:
        return sorted(self._queue | set(self._forced))

    def _confirm(self, offset: int) -> None:
        before = len(self._queue)
        self._queue = {uid for uid in self._queue if uid >= offset}
        self._forced = {
            uid: done for uid, done in self._forced.items() if uid >= offset or not done
        }
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
        now = self._last_delivery = time.monotonic()
        if update_id in self._forced:
            self._forced[update_id] = True
        update = self._updates[update_id]
        if update_id not in self._delivered_at:
            self._delivered_at[update_id] = now
            body = next(value for key, value in update.items() if key != "update_id")
            chat = (body.get("message") or body).get("chat", {}).get("id")
            if chat is not None:
                self._awaiting[update_id] = chat
        return update


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
