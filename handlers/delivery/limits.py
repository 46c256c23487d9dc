"""Telegram's sending limits, kept exactly: at most N messages to a group in any window,
and at most M a second overall, handed out fairly.

PTB's AIORateLimiter uses leaky buckets, which let a 21st message into a group within a
minute after a burst, and cannot say how much room is left. Delivery needs both: a
window that is never exceeded, and `free()` to decide when to merge waiting cards. In a
burst, the person waiting for the bot's next question goes first, in order of arrival;
cards and notices follow, with a share of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
# A 5xx or a connection closed without an answer is tried again after 0.5, 1, 2 … seconds.
NETWORK_RETRY_S = 0.5
JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


async def wait_for_event(event: asyncio.Event, timeout: float) -> None:
    """Wait until the event is set or the time is up, whichever comes first.

    `asyncio.timeout` rather than `wait_for`: in Python 3.11, cancelling a task inside
    `wait_for(event.wait(), …)` can leave it hanging, which stopped the bot from shutting down.
    """
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        pass


# Whether what is sent now is background work (cards, notices, reminders, digests: the
# courier's sends) rather than the answer to a person's own action. The courier sets it in
# its task; every task it starts inherits it, and a handler's task never has it.
IN_BACKGROUND: ContextVar[bool] = ContextVar("estbot_in_background", default=False)


def in_background(
    callback: Callable[[Any], Coroutine[Any, Any, None]],
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """A job whose sends are background work (they wait behind people's answers)."""

    @functools.wraps(callback)
    async def run(context: Any) -> None:
        IN_BACKGROUND.set(True)  # in the job's own task: nothing else sees it
        await callback(context)

    return run


class SlidingWindow:
    """At most `limit` messages in any `period` seconds, handed out in order of arrival.

    A message holds its place from the moment it is let through until `period` seconds after
    its answer arrived, so the window holds however long the request took on the way.
    Waiters queue in two classes, each first come, first served: answers to people first,
    then the background, which still gets `background_share` of what is handed out while
    both wait (it is never starved). Nobody is overtaken within a class: a large album at
    the head waits for its room, and the ones behind it wait with it.

    `paced`: while sends queue, they are let through one every `period / limit` seconds
    rather than as many at once as left the window a period ago. A window alone serves a
    queue in bursts (30 sends in a moment, then nothing for a second), so a person's wait
    depended on where in that second they came: 3.1 to 4.0 s in a burst of 100 people
    where a paced queue gives each about the same.
    """

    def __init__(
        self, limit: int, period: float, *, background_share: float = 0.25, paced: bool = False
    ) -> None:
        self.limit = max(1, limit)
        self.period = period
        self._spacing = period / self.limit if paced else 0.0
        self._last_grant = float("-inf")
        # never 0: the background is never starved; never 1: answers still go first
        self.background_share = min(0.95, max(0.05, background_share))
        self._sent: deque[float] = deque()
        self._in_flight = 0
        self._queues: tuple[deque[_Waiter], deque[_Waiter]] = (deque(), deque())
        self._credit = 0.0  # the background's claim on the next grant, while both wait
        self._timer: asyncio.TimerHandle | None = None

    def free(self) -> int:
        """How many messages may go right now."""
        cutoff = time.monotonic() - self.period
        while self._sent and self._sent[0] <= cutoff:
            self._sent.popleft()
        return self.limit - len(self._sent) - self._in_flight

    def waiting(self) -> int:
        """How many sends wait for room."""
        return len(self._queues[0]) + len(self._queues[1])

    async def acquire(self, cost: int = 1, *, background: bool | None = None) -> int:
        """Wait for room for `cost` messages (an album counts each photo), in turn;
        returns the cost. The class is the caller's (IN_BACKGROUND) unless given."""
        cost = min(cost, self.limit)
        if not self.waiting() and self.free() >= cost and self._paced_wait() <= 0:
            self._in_flight += cost
            self._last_grant = time.monotonic()
            return cost
        waiter = _Waiter(asyncio.get_running_loop().create_future(), cost)
        queue = self._queues[IN_BACKGROUND.get() if background is None else background]
        queue.append(waiter)
        self._hand_out()
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self.release(cost, sent=False)  # granted, then cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # _hand_out may have dropped it already
                    queue.remove(waiter)
                self._hand_out()  # the one behind may fit now
            raise
        return cost

    def release(self, cost: int, sent: bool) -> None:
        """The request is answered; a sent message counts from now, a refused one not at all."""
        self._in_flight -= cost
        if sent:
            self._sent.extend([time.monotonic()] * cost)
        self._hand_out()

    def _hand_out(self) -> None:
        """Let through the heads of the queues while there is room, in turn."""
        while self.waiting():
            background = self._next_is_background()
            waiter = self._queues[background][0]
            if waiter.granted.done():  # cancelled; its task has not yet taken itself out
                self._queues[background].popleft()
                continue
            if self.free() < waiter.cost:
                self._wake_when_room()
                return
            if (paced_wait := self._paced_wait()) > 0:
                self._wake_in(paced_wait)
                return
            self._last_grant = time.monotonic()
            self._queues[background].popleft()
            if self._queues[0] and self._queues[1]:
                share = self.background_share
                self._credit += -1.0 if background else share / (1.0 - share)
            else:
                self._credit = 0.0
            self._in_flight += waiter.cost
            waiter.granted.set_result(None)

    def _next_is_background(self) -> bool:
        if not self._queues[0]:
            return True
        return bool(self._queues[1]) and self._credit >= 1.0

    def _paced_wait(self) -> float:
        """How long until the next send may go by the pace (0 or less: now)."""
        return self._last_grant + self._spacing - time.monotonic() if self._spacing else 0.0

    def _wake_when_room(self) -> None:
        """Try again when the oldest sent message leaves the window (a release may come first)."""
        wait = self.period if not self._sent else self._sent[0] + self.period - time.monotonic()
        self._wake_in(wait)

    def _wake_in(self, wait: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(max(0.005, wait), self._hand_out)


@dataclass
class _Waiter:
    granted: asyncio.Future[None]
    cost: int


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait (an int now, a timedelta in a later PTB)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notice about that change
        wait = error.retry_after
    return float(wait) if isinstance(wait, int | float) else wait.total_seconds()


def _cost(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages a request creates: 0 for edits, answers and chat actions."""
    name = endpoint.lower()
    if not name.startswith(("send", "copymessage", "forwardmessage")) or name == "sendchataction":
        return 0
    if name == "sendmediagroup":
        return max(1, len(data.get("media") or []))
    return 1


class TelegramLimits(BaseRateLimiter[int]):
    """Sliding windows per group chat and overall; a 429 is waited out and tried again, and
    so is a 5xx or a connection that closed before an answer.

    Trying again after a 5xx or a dropped connection may, if Telegram did act before it
    failed, post a message twice; not trying again loses a reply for sure (the person is
    left without the next question or the thanks). A timeout is not tried again: the
    request arrived, and was probably acted on.
    """

    def __init__(
        self, *, overall_per_second: float, group_limit: int, group_period: float,
        max_retries: int = 3, background_share: float = 0.25,
    ) -> None:  # fmt: skip
        self._share = background_share
        self._overall = (
            SlidingWindow(
                int(overall_per_second), 1.0, background_share=background_share, paced=True
            )
            if overall_per_second
            else None
        )
        self._group_limit = group_limit
        self._group_period = group_period
        self._groups: dict[int, SlidingWindow] = {}
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def remembers_for(self, chat_id: int) -> float:
        """How long this process's memory of what went to the chat matters: the group's
        window (another process, not knowing it, could overfill it meanwhile)."""
        return 0.0 if self.window(chat_id) is None else self._group_period

    def window(self, chat_id: int) -> SlidingWindow | None:
        """The window of a group chat (private chats have none here)."""
        if chat_id >= 0 or self._group_limit <= 0:
            return None
        found = self._groups.get(chat_id)
        if found is None:
            found = self._groups[chat_id] = SlidingWindow(
                self._group_limit, self._group_period, background_share=self._share
            )
        return found

    def free(self, chat_id: int) -> int:
        """How many messages may go to the chat right now (a large number for private chats)."""
        window = self.window(chat_id)
        return 1_000_000 if window is None else window.free()

    async def wait_for_room(self, chat_id: int) -> None:
        """Wait until at least one message may go to the chat."""
        window = self.window(chat_id)
        if window is not None:
            cost = await window.acquire(1)
            window.release(cost, sent=False)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        cost = _cost(endpoint, data)
        chat_id = data.get("chat_id")
        group = self.window(chat_id) if cost and isinstance(chat_id, int) else None
        retries = rate_limit_args if rate_limit_args is not None else self._max_retries
        for attempt in range(retries + 1):
            taken = [(w, await w.acquire(cost)) for w in (group, self._overall) if w and cost]
            sent = False
            try:
                result = await callback(*args, **kwargs)
                sent = True
                return result
            except TimedOut:
                sent = True  # it may well have arrived: count it, so the window holds
                raise
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                seconds = retry_seconds(exc)
                log.info("Telegram asked to wait %.1f s before %s", seconds, endpoint)
                await asyncio.sleep(seconds + 0.1)
            except NetworkError as exc:  # BadRequest is one too: a refusal, not a failure
                if isinstance(exc, BadRequest) or attempt == retries:
                    raise
                log.info("%s failed (%s); trying again", endpoint, exc.message)
                await asyncio.sleep(NETWORK_RETRY_S * 2**attempt)
            finally:
                for window, spent in taken:
                    window.release(spent, sent)
        raise AssertionError("unreachable")
