"""The delivery worker: takes the outbox to Telegram, one lane per chat, within the limits.

Each chat has its own lane, so a burst for one group never holds up another group or a
reporter's notice. When more cards wait for a group than its window has room for, they go
as one summary, so that coordinators see everything within the window.

Several processes may run a Courier on one database: a lane is held as a lease
(storage.outbox.claim_lane), so each row is sent by one of them. A lane stays with its
process for a group's window after its last message, so that the window (kept in that
process's memory) holds across processes too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence
from pathlib import Path

from sqlalchemy.exc import OperationalError
from telegram import Bot, InputMediaPhoto, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from handlers.delivery.limits import IN_BACKGROUND, TelegramLimits, retry_seconds, wait_for_event
from handlers.group import cards
from handlers.group.intervention_texts import intervention_keyboard, intervention_text
from handlers.labels import place_label
from handlers.services import Services
from handlers.texts import Texts
from storage import outbox
from storage.coordination.cards import ObservationCard, cards_in_chat, observation_card
from storage.coordination.groups import forget_thread, migrate_group, unlink_group
from storage.coordination.interventions import intervention_view
from storage.database import leases
from storage.kinds import Delivery, Posted
from storage.outbox import PostedRecord
from storage.tables import Observation, Outbox

log = logging.getLogger(__name__)
CARD_COST = 2  # the card and its map pin: what a waiting card will take from a window
LEASE_S = 30.0  # a lane's lease, renewed while it works: how long a dead process holds it


class Courier:
    """Delivers the outbox; `kick()` after a commit that added to it."""

    def __init__(
        self, bot: Bot, services: Services, limits: TelegramLimits, poll_s: float,
        holder: str = "estbot",
    ) -> None:  # fmt: skip
        self.bot = bot
        self.s = services
        self.limits = limits
        self.poll_s = poll_s
        self.holder = holder  # who this process is in the lease table
        self._wake = asyncio.Event()
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self._main: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._main is None:
            self._main = asyncio.create_task(self._run(), name="estbot delivery")

    async def stop(self) -> None:
        tasks = [*self._lanes.values(), *([self._main] if self._main else [])]
        self._main = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._lanes.clear()
        try:  # the lanes go to the other processes at once, not when the leases expire
            await self.s.db(leases.release_all, holder=self.holder)
        except Exception:  # noqa: BLE001 - the database may be away; then the leases expire
            log.warning("delivery: could not hand over the lanes", exc_info=True)

    def kick(self) -> None:
        """Something new waits in the outbox."""
        self._wake.set()

    async def _run(self) -> None:
        IN_BACKGROUND.set(True)  # this task's and its lanes' sends wait behind people's answers
        while True:
            await wait_for_event(self._wake, self.poll_s)
            self._wake.clear()
            try:
                await self.s.db(
                    leases.renew_leases, names=[outbox.lane(chat) for chat in self._lanes],
                    holder=self.holder, ttl_s=LEASE_S,
                )  # fmt: skip
                chats = await self.s.db(outbox.waiting_chats, holder=self.holder)
            except Exception:  # noqa: BLE001 - the database may be away; try again soon
                log.warning("delivery: cannot read the outbox", exc_info=True)
                continue
            for chat_id in chats:
                if chat_id not in self._lanes:
                    self._lanes[chat_id] = asyncio.create_task(self._lane(chat_id))

    async def _lane(self, chat_id: int) -> None:
        try:
            while await self._hold(chat_id) and (
                items := await self.s.db(outbox.waiting_for, chat_id=chat_id)
            ):
                await self._deliver_some(chat_id, items)
            await self.s.db(
                outbox.release_lane, chat_id=chat_id, holder=self.holder,
                keep_s=self.limits.remembers_for(chat_id),
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - a lane must not die silently; the rows wait
            log.exception("delivery to chat %s failed", chat_id)
            await asyncio.sleep(self.poll_s)  # the database is away, say: not in a tight loop
        finally:
            self._lanes.pop(chat_id, None)
            self._wake.set()  # anything that came in meanwhile gets a new lane

    async def _hold(self, chat_id: int) -> bool:
        """Whether this process (still) has the chat's lane; another may have taken it."""
        return await self.s.db(
            outbox.claim_lane, chat_id=chat_id, holder=self.holder, ttl_s=LEASE_S
        )

    async def _deliver_some(self, chat_id: int, items: list[Outbox]) -> None:
        refreshes = [item for item in items if item.kind is Delivery.REFRESH]
        if refreshes:  # edits first: they do not count against the window
            await self._guarded(refreshes, self._refresh(chat_id, refreshes))
            return
        await self.limits.wait_for_room(chat_id)
        if not await self._hold(chat_id):  # a long wait: another process may have the lane
            return
        items = await self.s.db(outbox.waiting_for, chat_id=chat_id)  # as it is now
        if not items:
            return
        waiting = [item for item in items if item.kind.mergeable]
        need = sum(CARD_COST if item.kind.mergeable else 1 for item in items)
        if len(waiting) > 1 and need > self.limits.free(chat_id):
            await self._guarded(waiting, self._summary(chat_id, waiting))
        else:
            await self._guarded(items[:1], self._one(items[0]))

    async def _guarded(self, items: Sequence[Outbox], delivery: Awaitable[None]) -> None:
        """Deliver; on failure the rows wait for another try, or go if they never can."""
        ids = [item.id for item in items if item.id is not None]
        try:
            await delivery
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            await self._postpone(ids, f"429 retry after {seconds}", seconds)
        except ChatMigrated as exc:
            await self.s.db(
                migrate_group, old_chat_id=items[0].chat_id, new_chat_id=exc.new_chat_id
            )
        except Forbidden as exc:  # the bot was removed, or the person blocked it
            await self.s.db(outbox.drop, ids=ids, error=f"forbidden: {exc.message}")
            if items[0].chat_id < 0:
                await self.s.db(unlink_group, chat_id=items[0].chat_id)
        except BadRequest as exc:
            problem = exc.message.lower()
            if "thread not found" in problem and items[0].thread_id is not None:
                await self._postpone(ids, exc.message, 0)
                await self.s.db(forget_thread, chat_id=items[0].chat_id)
            elif "chat not found" in problem:  # the chat is gone for good
                await self.s.db(outbox.drop, ids=ids, error=exc.message)
            else:  # rights taken away, a text Telegram refuses: keep it, try again later
                log.warning("delivery refused for chat %s: %s", items[0].chat_id, exc.message)
                await self._postpone(ids, exc.message, None)
        except NetworkError as exc:  # 5xx, timeouts, connection trouble
            await self._postpone(ids, f"network: {exc.message}", None)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the rows wait and back off
            log.exception("delivery to chat %s failed", items[0].chat_id)
            await self._postpone(ids, f"{type(exc).__name__}: {exc}", None)

    async def _record(
        self, ids: Sequence[int], chat_id: int, posted: Sequence[PostedRecord] = (),
        merged: bool = False,
    ) -> None:  # fmt: skip
        """Record what went (see `outbox.mark_delivered`). If the database is away, wait for
        it: a row left unmarked would be sent again, and a message must not come twice."""
        while True:
            try:
                await self.s.db(
                    outbox.mark_delivered, ids=ids, chat_id=chat_id, posted=posted, merged=merged
                )
                return
            except OperationalError:
                log.warning("delivered, but the database is away; recording it when it is back")
                await asyncio.sleep(self.poll_s)

    async def _postpone(self, ids: list[int], error: str, wait_s: float | None) -> None:
        log.info("delivery postponed (%s)", error)
        for outbox_id in ids:
            await self.s.db(outbox.postpone, outbox_id=outbox_id, error=error, wait_s=wait_s)

    # ---- what each kind of row becomes ---------------------------------------------------
    async def _one(self, item: Outbox) -> None:
        assert item.id is not None
        if item.kind is Delivery.CARD:
            await self._card_with_extras(item)
            return
        if item.kind is Delivery.NOTICE:
            posted = await self._notice(item)
        elif item.kind is Delivery.REMINDER:
            posted = await self._reminder(item)
        elif item.kind is Delivery.DIGEST:
            await self.bot.send_message(
                item.chat_id, str(item.payload["text"]), message_thread_id=item.thread_id
            )
            posted = []
        elif item.kind is Delivery.CHARTS:
            posted = await self._charts(item)
        else:
            posted = []
        await self._record(ids=[item.id], chat_id=item.chat_id, posted=posted)

    async def _card_with_extras(self, item: Outbox) -> None:
        """The card, done as soon as it is posted; then what goes with it."""
        assert item.id is not None and item.observation_id is not None
        t = await self.s.texts_for_chat(item.chat_id)
        card = await self.s.db(observation_card, observation_id=item.observation_id)
        posted = await self._card(item, card, t)
        await self._record(ids=[item.id], chat_id=item.chat_id, posted=posted)
        await self._extras(item, card, posted[0], t)

    async def _card(self, item: Outbox, card: ObservationCard, t: Texts) -> list[PostedRecord]:
        assert item.observation_id is not None
        keyboard = cards.status_keyboard(t, item.observation_id, card.observation.status)
        chat, thread = item.chat_id, item.thread_id
        if len(card.photo_paths) == 1:
            caption, _ = cards.caption_text(t, card, self.s.tz)
            try:
                photo = await self.s.blocking(Path(card.photo_paths[0]).read_bytes)
                sent = await self.bot.send_photo(
                    chat_id=chat, message_thread_id=thread, photo=photo, caption=caption,
                    reply_markup=keyboard,
                )  # fmt: skip
                return [(sent.message_id, Posted.PHOTO_CARD, item.observation_id, None)]
            except (OSError, BadRequest) as exc:  # file gone, no right to send photos
                log.warning("card of %s without its photo: %s", card.reference, exc)
        sent = await self.bot.send_message(
            chat_id=chat,
            message_thread_id=thread,
            text=cards.card_text(t, card, self.s.tz),
            reply_markup=keyboard,
        )
        return [(sent.message_id, Posted.CARD, item.observation_id, None)]

    async def _extras(
        self, item: Outbox, card: ObservationCard, card_message: PostedRecord, t: Texts
    ) -> None:
        """After the card: the rest of a long caption, the album, the map pin. Best effort:
        the card itself is delivered, and /visa shows everything."""
        try:
            extra = await self._send_extras(item, card, card_message, t)
        except (NetworkError, BadRequest, Forbidden, OSError) as exc:
            log.info("delivery: extras of a card not sent: %s", exc)
            return
        await self._record(ids=[], chat_id=item.chat_id, posted=extra)

    async def _send_extras(
        self, item: Outbox, card: ObservationCard, card_message: PostedRecord, t: Texts
    ) -> list[PostedRecord]:
        reply = ReplyParameters(card_message[0], allow_sending_without_reply=True)
        chat, thread = item.chat_id, item.thread_id
        observation_id = item.observation_id
        posted: list[PostedRecord] = []
        as_caption = card_message[1] is Posted.PHOTO_CARD
        if as_caption and cards.caption_text(t, card, self.s.tz)[1]:
            more = t("card_more", description=card.observation.description)
            sent = await self.bot.send_message(
                chat_id=chat, message_thread_id=thread, text=more, reply_parameters=reply
            )
            posted.append((sent.message_id, Posted.MORE, observation_id, None))
        if len(card.photo_paths) > 1:
            media = [
                InputMediaPhoto(await self.s.blocking(Path(path).read_bytes))
                for path in card.photo_paths[:10]
            ]
            album = await self.bot.send_media_group(
                chat_id=chat, message_thread_id=thread, media=media, reply_parameters=reply
            )
            posted += [(m.message_id, Posted.PHOTO, observation_id, None) for m in album]
        observation = card.observation
        if observation.latitude is not None and observation.longitude is not None:
            if self.limits.free(item.chat_id) > 0:  # the pin only when it does not delay cards
                pin = await self._pin((chat, thread), observation, t, reply)
                posted.append((pin.message_id, Posted.PIN, observation_id, None))
        return posted

    async def _pin(
        self, where: tuple[int, int | None], observation: Observation, t: Texts,
        reply: ReplyParameters,
    ) -> Message:  # fmt: skip
        assert observation.latitude is not None and observation.longitude is not None
        place = place_label(t, cards.place_of(observation))
        return await self.bot.send_venue(
            chat_id=where[0],
            message_thread_id=where[1],
            latitude=observation.latitude,
            longitude=observation.longitude,
            title=f"{observation.reference} · {place}"[:100],
            address=(observation.place_text or observation.place_name or place)[:100],
            reply_parameters=reply,
        )

    async def _summary(self, chat_id: int, items: list[Outbox]) -> None:
        """Many cards waiting: one message (or as few as fit) with a line for each."""
        t = await self.s.texts_for_chat(chat_id)
        lines = []
        observation_ids = [item.observation_id for item in items if item.observation_id]
        for observation_id in observation_ids:
            card = await self.s.db(observation_card, observation_id=observation_id)
            lines.append(cards.summary_line(t, card, self.s.tz))
        chunks = cards.split_messages(lines, cards.TEXT_LIMIT - 300)  # room for the head
        ids = [item.id for item in items if item.id is not None]
        for number, chunk in enumerate(chunks, start=1):
            part = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
            head = t("summary_head", count=len(lines), part=part)
            sent = await self.bot.send_message(
                chat_id, f"{head}\n{chunk}", message_thread_id=items[0].thread_id
            )
            covered = [
                oid for oid, line in zip(observation_ids, lines, strict=True) if line in chunk
            ]
            await self._record(
                ids=[i.id for i in items if i.observation_id in covered and i.id is not None],
                chat_id=chat_id,
                posted=[(sent.message_id, Posted.SUMMARY, oid, None) for oid in covered],
                merged=True,
            )
        log.info("delivery: %d cards merged into a summary for chat %s", len(ids), chat_id)

    async def _refresh(self, chat_id: int, items: list[Outbox]) -> None:
        """Edit the cards of the observations to show their status and "+1"s now."""
        t = await self.s.texts_for_chat(chat_id)
        for observation_id in dict.fromkeys(i.observation_id for i in items if i.observation_id):
            card = await self.s.db(observation_card, observation_id=observation_id)
            posted = await self.s.db(cards_in_chat, chat_id=chat_id, observation_id=observation_id)
            for message in posted:
                await cards.show_on_card(
                    self.bot, chat_id, message.message_id,
                    as_caption=message.role is Posted.PHOTO_CARD, card=card, t=t, tz=self.s.tz,
                )  # fmt: skip
        ids = [item.id for item in items if item.id is not None]
        await self._record(ids=ids, chat_id=chat_id)

    async def _notice(self, item: Outbox) -> list[PostedRecord]:
        payload = item.payload
        t = Texts(payload.get("language") or self.s.language)
        values = dict(payload.get("values") or {})
        reference = ""
        if item.observation_id is not None:
            card = await self.s.db(observation_card, observation_id=item.observation_id)
            reference = card.reference
        text = t(str(payload["key"]), reference=reference, **values)
        await self.bot.send_message(item.chat_id, text)
        return []

    async def _reminder(self, item: Outbox) -> list[PostedRecord]:
        assert item.intervention_id is not None
        t = await self.s.texts_for_chat(item.chat_id)
        view = await self.s.db(intervention_view, intervention_id=item.intervention_id)
        text = f"{t('reminder_head')}\n\n{intervention_text(t, view)}"
        sent = await self.bot.send_message(
            item.chat_id,
            text,
            message_thread_id=item.thread_id,
            reply_markup=intervention_keyboard(t, view),
        )
        return [(sent.message_id, Posted.INTERVENTION, None, item.intervention_id)]

    async def _charts(self, item: Outbox) -> list[PostedRecord]:
        """A lägesbild's charts as one album; charts whose file is gone are left out."""
        media = []
        for chart in item.payload.get("charts") or []:
            try:
                png = await self.s.blocking(Path(str(chart["path"])).read_bytes)
            except OSError:
                log.warning("chart %s is gone; the album goes without it", chart.get("path"))
                continue
            media.append(InputMediaPhoto(png, caption=str(chart.get("title") or "")[:1000]))
        if media:
            await self.bot.send_media_group(
                item.chat_id, media[:10], message_thread_id=item.thread_id
            )
        return []
