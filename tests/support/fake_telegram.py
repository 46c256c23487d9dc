"""FakeTelegram: the local Bot API server plus faults, latency, redelivery and rate figures.

It extends :class:`bot.trial.fake_telegram.server.LocalTelegram` (what `estbot try` runs on)
through its hooks with what only tests and benchmarks use: ``fail`` and ``fault_rate``
answer calls with errors, slowly or not at all; ``latency`` delays every answer;
``redeliver`` sends an update again; ``sent_messages_log``, ``max_in_window`` and
``first_answer_latency`` measure the bot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.trial.fake_telegram.bot_api import JSON, ApiError
from bot.trial.fake_telegram.server import Call, HangUp, LocalTelegram

# Faults that are not an error answer. SLOW: the server acts, then answers after a delay.
# DROP: the server closes the connection without acting on the request or answering it.
SLOW = "slow"
DROP = "drop"
FaultKind = int | str  # an HTTP error code (429, 500, 502 …), SLOW or DROP
Injected = ApiError | str  # an error answer, SLOW or DROP


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


class FakeTelegram(LocalTelegram):
    """:class:`LocalTelegram` with faults, latency, redelivery and rate figures."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latency = 0.0
        # How long a SLOW fault holds the answer. Keep it below the client's read timeout
        # (estbot's: 5 s): an answer that comes after the client gave up, for a request the
        # server already acted on, makes a duplicate that no Bot API client can avoid.
        self.slow_answer_s = 1.0
        self.injected: Counter[str] = Counter()  # faults injected so far, by label
        self._faults: list[_Fault] = []
        self._random_faults: _RandomFaults | None = None
        # Redelivered update ids: True once delivered again, until the bot confirms past them.
        self._forced: dict[int, bool] = {}
        self._injected_at: dict[int, float] = {}
        self._answered_at: dict[int, float] = {}
        self._awaiting: dict[int, int] = {}  # delivered update id -> its chat, until answered
        self._sent_log: dict[int, list[float]] = {}

    # ---- rate figures ------------------------------------------------------------------------
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

    def redeliver(self, update_id: int) -> None:
        """Deliver the same update again (same update_id), even if the bot confirmed it."""
        if update_id not in self._updates:
            raise KeyError(f"no update {update_id}")
        self._forced[update_id] = False
        self._notify()

    # ---- hooks of LocalTelegram --------------------------------------------------------------
    def inject(self, update: JSON) -> int:
        update_id = super().inject(update)
        self._injected_at[update_id] = time.monotonic()
        return update_id

    async def _call(self, index: int) -> Any:
        call = self.calls[index]
        injected = self._take_fault(call.method.lower(), call.params)
        if injected is None:
            result = await super()._call(index)
        else:
            self.injected[_label(injected)] += 1
            self.calls[index] = dataclasses.replace(call, fault=_label(injected))
            result = await self._call_with_fault(index, injected)
        self._log_sent(call.method, result, call.at)
        return result

    async def _call_with_fault(self, index: int, injected: Injected) -> Any:
        if injected == DROP:
            raise HangUp
        if isinstance(injected, ApiError):
            await self._delay()
            raise injected
        result = await super()._call(index)
        # SLOW holds the answer of a call the server acted on; a long poll answers as usual.
        if self.calls[index].method.lower() != "getupdates" and not self._stopping:
            await asyncio.sleep(self.slow_answer_s)
        return result

    async def _delay(self) -> None:
        if self.latency > 0 and not self._stopping:
            await asyncio.sleep(self.latency)

    def _record(self, call: Call) -> None:
        super()._record(call)
        chat_id = self._chat_of(call)
        if chat_id is not None:
            for update_id in [uid for uid, cid in self._awaiting.items() if cid == chat_id]:
                self._answered_at[update_id] = call.at
                del self._awaiting[update_id]

    def _pending(self) -> list[int]:
        return sorted({*super()._pending(), *self._forced})

    def _undelivered(self) -> bool:
        return super()._undelivered() or not all(self._forced.values())

    def _confirm(self, offset: int) -> None:
        self._forced = {
            uid: done for uid, done in self._forced.items() if uid >= offset or not done
        }
        super()._confirm(offset)

    def _deliver(self, update_id: int) -> JSON:
        first = update_id not in self._delivered_at
        update = super()._deliver(update_id)
        if update_id in self._forced:
            self._forced[update_id] = True
        if first:
            body = next(value for key, value in update.items() if key != "update_id")
            chat = (body.get("message") or body).get("chat", {}).get("id")
            if chat is not None:
                self._awaiting[update_id] = chat
        return update

    def _posted(self, update_id: int, accepted: bool) -> None:
        super()._posted(update_id, accepted)
        if accepted:
            self._forced.pop(update_id, None)
        elif update_id in self._forced:
            self._forced[update_id] = False

    def _drop_pending(self) -> None:
        super()._drop_pending()
        self._forced.clear()

    # ---- helpers -----------------------------------------------------------------------------
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
