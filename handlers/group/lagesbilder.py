"""Digests in the coordinators' groups: the scheduled ones (a JobQueue job) and
/lagesbild on demand. A lägesbild (pandas, matplotlib) is made in a worker process that
ends when it is done (digests.worker), waited for in a thread, so that staff filing
reports are answered while it is made and the bot does not keep the memory it took."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import InputMediaPhoto, Message, Update
from telegram.ext import ContextTypes

from digests.digest import Digest, Digester
from digests.periods import parse_period
from digests.render import Chart
from digests.schedule import Due, due_digests
from handlers.services import current_member, services
from storage.coordination.subscriptions import record_digest
from storage.kinds import AuditAction
from storage.people.audit import record_audit
from storage.tables import utcnow
from storage.visibility import find_group, group_filter

log = logging.getLogger(__name__)
ALBUM_LIMIT = 10


def _digester(context: ContextTypes.DEFAULT_TYPE) -> Digester:
    found = context.application.bot_data.get("digester")
    if not isinstance(found, Digester):
        raise RuntimeError("the digester is built with the application")
    return found


async def send_due_digests(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make every digest whose time has come (or came while the bot was down) and put it
    in the outbox with its record, once per kind, period and group."""
    s = services(context)
    now = utcnow()
    due = await asyncio.to_thread(due_digests, s.engine, now, s.tz)
    made: dict[tuple[str, str, str], Digest] = {}  # a lägesbild is the same for every group
    for item in due:
        language = item.group.language or s.language
        try:
            digest = await _made_for(context, item, language, now, made)
            charts = await asyncio.to_thread(_store_charts, s.chart_dir, digest, language)
            quiet = digest.empty and not item.subscription.quiet_days
            await s.db_then_deliver(
                record_digest, group=item.group, kind=item.period.kind, period=item.period.key,
                messages=[] if quiet else digest.messages, charts=charts,
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - one digest failing must not stop the others
            log.exception("digest %s %s for chat %s failed", item.period.kind,
                          item.period.key, item.group.chat_id)  # fmt: skip


async def _made_for(
    context: ContextTypes.DEFAULT_TYPE,
    item: Due,
    language: str,
    now: datetime,
    made: dict[tuple[str, str, str], Digest],
) -> Digest:
    digester = _digester(context)
    if not item.period.kind.is_lagesbild:  # the daily list follows the group's filter
        return await asyncio.to_thread(
            lambda: digester.make(item.period, language=language, fmt="telegram",
                                  seen_by=group_filter(item.group), now=now)
        )  # fmt: skip
    key = (item.period.kind.value, item.period.key, language)
    if key not in made:
        made[key] = await asyncio.to_thread(
            lambda: digester.make(item.period, language=language, fmt="telegram", now=now)
        )
    return made[key]


def _store_charts(directory: Path, digest: Digest, language: str) -> list[dict[str, Any]]:
    """Charts as files for the outbox to send (the outbox keeps paths, not pictures); one
    set per kind, period and language, shared by the groups that get it."""
    directory.mkdir(parents=True, exist_ok=True)
    stored = []
    for chart in digest.charts:
        name = f"{digest.period.kind.value}-{digest.period.key}-{language}-{chart.name}.png"
        path = directory / name
        path.write_bytes(chart.png)
        stored.append({"path": str(path), "title": chart.title})
    return stored


async def lagesbild(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lagesbild [vecka|14d|manad|tertial|ar|2026-10|2026-T3] in a coordinators' group."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    s = services(context)
    group = await s.db(find_group, chat_id=chat.id)
    member = current_member(context)
    t = s.texts_for_group(group) if group else s.texts_for(member)
    if group is None or member is None:
        await message.reply_text(t("not_linked") if group is None else t("lagesbild_refused"))
        return
    words = " ".join(context.args or [])
    try:
        asked_at = utcnow()  # the bot's clock, which the worker process goes by too
        period = parse_period(words, None, asked_at, s.tz)
    except ValueError:
        await message.reply_text(t("lagesbild_usage"))
        return
    waiting = await message.reply_text(t("lagesbild_working", period=period.key))
    language = group.language or s.language
    try:
        digest = await asyncio.to_thread(
            lambda: _digester(context).make(period, language=language, fmt="telegram",
                                            seen_by=group_filter(group), now=asked_at)
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - say so in the group; the log has the details
        log.exception("lägesbild %s for chat %s failed", period.key, chat.id)
        await message.reply_text(t("lagesbild_failed"))
        return
    finally:
        await _quietly_delete(waiting)
    await s.db(
        record_audit, action=AuditAction.LISTING, user_id=member.user_id,
        target=f"lagesbild {period.kind.value} {period.key} in chat {chat.id}",
        detail={"chat_id": chat.id, "kind": period.kind.value, "period": period.key},
    )  # fmt: skip
    await _post(context, message, digest)


async def _post(context: ContextTypes.DEFAULT_TYPE, asked: Message, digest: Digest) -> None:
    thread = asked.message_thread_id if asked.is_topic_message else None
    for text in digest.messages:
        await context.bot.send_message(asked.chat_id, text, message_thread_id=thread)
    if digest.charts:
        await context.bot.send_media_group(
            asked.chat_id, album(digest.charts), message_thread_id=thread
        )


def album(charts: Sequence[Chart]) -> list[InputMediaPhoto]:
    """The charts as one album, each with its title as caption."""
    return [InputMediaPhoto(chart.png, caption=chart.title) for chart in charts[:ALBUM_LIMIT]]


async def _quietly_delete(message: Message) -> None:
    try:
        await message.delete()
    except Exception:  # noqa: BLE001 - "working on it" staying behind does no harm
        log.debug("could not delete the working message", exc_info=True)
