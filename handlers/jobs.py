"""The bot's own repeated work (JobQueue): forgetting old update ids, reminders of
interventions due, scheduled digests, and the nightly retention purge."""

from __future__ import annotations

import asyncio
import logging
from datetime import time, timedelta

from telegram.ext import Application, ContextTypes

from handlers.delivery.limits import in_background
from handlers.group import lagesbilder
from handlers.services import services
from storage.coordination.interventions import remind_due_follow_ups
from storage.database.handled_updates import forget_old_updates
from storage.people.audit import RETENTION_JOB
from storage.people.retention import months_before, purge, remove_photo_files
from storage.tables import utcnow

log = logging.getLogger(__name__)

FORGET_JOB = "forget handled updates"
FOLLOW_UP_JOB = "remind of interventions due"
DIGEST_JOB = "make scheduled digests"
RETENTION_JOB_NAME = "purge observations past retention and stale drafts"
RETENTION_AT = time(3, 15)  # a quiet hour, in the bot's time zone (Defaults.tzinfo)


def schedule_jobs(
    app: Application,  # type: ignore[type-arg]
    *,
    follow_up_check_s: float,
    digest_check_s: float,
) -> None:
    """Every repeated job of the bot, on the application's JobQueue."""
    if app.job_queue is None:
        return
    jobs = app.job_queue
    jobs.run_repeating(
        in_background(forget_handled_updates), interval=timedelta(hours=6), first=60,
        name=FORGET_JOB,
    )  # fmt: skip
    jobs.run_repeating(
        in_background(remind_follow_ups), interval=follow_up_check_s, first=1, name=FOLLOW_UP_JOB
    )
    # first at start-up: a digest whose time passed while the bot was down goes now
    jobs.run_repeating(
        in_background(lagesbilder.send_due_digests), interval=digest_check_s, first=1,
        name=DIGEST_JOB,
    )  # fmt: skip
    jobs.run_daily(in_background(apply_retention), RETENTION_AT, name=RETENTION_JOB_NAME)


async def forget_handled_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram redelivers an update for a day at most; older update ids need not be kept."""
    forgotten = await services(context).db(forget_old_updates, older_than=timedelta(days=2))
    log.info("forgot %d handled update ids", forgotten)


async def remind_follow_ups(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Interventions whose follow-up date has come: a reminder to the group that recorded
    them, once per date, from the morning hour on."""
    s = services(context)
    local = utcnow().astimezone(s.tz)
    today = local.date() if local.hour >= s.follow_up_hour else local.date() - timedelta(days=1)
    if await s.db_then_deliver(remind_due_follow_ups, today=today):
        log.info("reminders of interventions due by %s queued", today)


async def apply_retention(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Daily: observations filed more than ESTBOT_RETENTION_MONTHS ago (if set) go, with
    everything pointing at them, and drafts untouched for 30 days; then their photo files."""
    s = services(context)
    now = utcnow()
    cutoff = months_before(now, s.retention_months) if s.retention_months else None
    report = await s.db(purge, cutoff=cutoff, now=now, actor=RETENTION_JOB)
    removed = await asyncio.to_thread(remove_photo_files, report.files)
    if report.anything:
        log.info("retention purge: %s; files removed: %d", ", ".join(report.lines()), removed)
