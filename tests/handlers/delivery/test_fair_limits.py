"""The overall limit in a burst: people's answers in order of arrival, the background
behind them with a share of its own, never starved, and nobody lost to a cancellation.

The order of handing out does not depend on timing: every waiter queues before the first
room comes free, and the window lets one through per release."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import pytest

from handlers.delivery.limits import IN_BACKGROUND, SlidingWindow


async def order_served(window: SlidingWindow, waiters: Iterable[tuple[str, bool]]) -> list[str]:
    """Queue every waiter (name, background) behind one send in flight, then serve them
    one at a time; the names in the order they got through."""
    served: list[str] = []
    first = await window.acquire(1)

    async def wait(name: str, background: bool) -> None:
        IN_BACKGROUND.set(background)  # in this task only, as the courier does in its own
        cost = await window.acquire(1)
        served.append(name)
        window.release(cost, sent=False)

    tasks = [asyncio.create_task(wait(name, background)) for name, background in waiters]
    await asyncio.sleep(0)  # all queued
    window.release(first, sent=False)
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    return served


async def test_answers_go_in_order_of_arrival() -> None:
    names = [f"p{n}" for n in range(30)]
    served = await order_served(SlidingWindow(1, 60.0), [(name, False) for name in names])
    assert served == names


async def test_answers_go_before_cards_and_cards_still_get_their_share() -> None:
    people = [(f"p{n}", False) for n in range(12)]
    cards = [(f"c{n}", True) for n in range(3)]
    served = await order_served(SlidingWindow(1, 60.0, background_share=0.25), [*cards, *people])
    # a quarter of the turns while both wait: a card after every three answers
    assert served == ["p0", "p1", "p2", "c0", "p3", "p4", "p5", "c1",
                      "p6", "p7", "p8", "c2", "p9", "p10", "p11"]  # fmt: skip
    alone = await order_served(SlidingWindow(1, 60.0), cards)
    assert alone == ["c0", "c1", "c2"]  # with nobody waiting, the background goes at once


@pytest.mark.parametrize("settled", [True, False], ids=["settled", "just-as-room-came"])
async def test_a_cancelled_waiter_does_not_hold_up_the_ones_behind_it(settled: bool) -> None:
    window = SlidingWindow(1, 60.0)
    first = await window.acquire(1)
    gone = asyncio.create_task(window.acquire(1))
    behind = asyncio.create_task(window.acquire(1))
    await asyncio.sleep(0)
    gone.cancel()
    if settled:  # else room comes before the cancelled task has run its except clause
        await asyncio.sleep(0)
    window.release(first, sent=False)
    assert await asyncio.wait_for(behind, 1) == 1
    await asyncio.gather(gone, return_exceptions=True)
    assert window.waiting() == 0 and window.free() == 0  # behind holds the one place


async def let_through_at(window: SlidingWindow, sends: int, timeout: float) -> list[float]:
    """`sends` messages at once through the window: the moments each was let through."""
    let_through: list[float] = []
    loop = asyncio.get_running_loop()

    async def send() -> None:
        cost = await window.acquire(1)
        let_through.append(loop.time())
        window.release(cost, sent=True)

    await asyncio.wait_for(asyncio.gather(*(send() for _ in range(sends))), timeout)
    return sorted(let_through)


async def test_the_window_is_never_exceeded_while_waiters_queue() -> None:
    let_through = await let_through_at(SlidingWindow(3, 0.2), 9, 5)
    assert all(
        later - earlier >= 0.2 for earlier, later in zip(let_through, let_through[3:], strict=False)
    )


@pytest.mark.parametrize("paced", [True, False])
async def test_a_paced_window_lets_a_queue_through_evenly_not_in_bursts(paced: bool) -> None:
    """Ten a second, twenty-five at once: paced, one every tenth of a second (a machine
    under load only widens the gaps); unpaced, ten together, then the next ten together."""
    let_through = await let_through_at(SlidingWindow(10, 1.0, paced=paced), 25, 10)
    gaps = [later - earlier for earlier, later in zip(let_through, let_through[1:], strict=False)]
    if paced:
        assert min(gaps) >= 0.09
    else:
        assert sum(gap < 0.01 for gap in gaps) >= 15  # bursts: most go together
    assert all(  # the window holds either way
        later - earlier >= 1.0
        for earlier, later in zip(let_through, let_through[10:], strict=False)
    )
