"""/export in a coordinators' group: the observations of a period as a file (XLSX by
default, CSV or GeoJSON on request), limited to what the group sees. Only coordinators
(and admins) may export; the file is written in a worker thread to a temporary file while
the rows are read, zipped if larger than a bot may upload, and the export is logged in the
audit log with who asked."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import ContextTypes

from digests.exports import ExportFormat, Style, Written, fit_upload, write_export
from digests.periods import Period, parse_period
from handlers.services import current_member, services
from handlers.texts import Html
from storage.database.engine import transaction
from storage.exchange.export import ExportFilter, stream_export
from storage.people.audit import record_export
from storage.tables import CoordinatorGroup, utcnow
from storage.visibility import find_group

log = logging.getLogger(__name__)
FORMAT_WORDS = {"xlsx": ExportFormat.XLSX, "excel": ExportFormat.XLSX, "csv": ExportFormat.CSV,
                "geojson": ExportFormat.GEOJSON}  # fmt: skip
UPLOAD_LIMIT = 49_000_000  # bytes: Telegram takes 50 MB from a bot, the form around it included


@dataclass(frozen=True)
class Made:
    """An export's file as it will be uploaded (None: too large even zipped)."""

    written: Written
    upload: tuple[IO[bytes], str] | None
    size_mb: int


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export [xlsx|csv|geojson] [period] in a linked coordinators' group."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    s = services(context)
    group = await s.db(find_group, chat_id=chat.id)
    member = current_member(context)
    t = s.texts_for_group(group) if group else s.texts_for(member)
    if group is None or member is None or not member.role.coordinates:
        await message.reply_text(t("not_linked") if group is None else t("export_refused"))
        return
    words = [word.lower() for word in context.args or []]
    fmt = next((FORMAT_WORDS[w] for w in words if w in FORMAT_WORDS), ExportFormat.XLSX)
    rest = " ".join(w for w in words if w not in FORMAT_WORDS)
    try:
        period = parse_period(rest, None, utcnow(), s.tz)
    except ValueError:
        await message.reply_text(t("export_usage"))
        return
    chosen = _group_filter(group, period)
    style = Style(s.tz, group.language or s.language, s.photo_dir.parent)
    name = f"estbot-export-{period.key}.{fmt.value}"
    with ExitStack() as files:
        try:
            made = await asyncio.to_thread(_make, files, s.engine, chosen, fmt, style, name)
        except Exception:  # noqa: BLE001 - say so in the group; the log has the details
            log.exception("export %s for chat %s failed", period.key, chat.id)
            await message.reply_text(t("export_failed"))
            return
        if made.upload is None:
            await message.reply_text(t("export_too_large", size=made.size_mb))
            return
        await s.db(
            record_export, what=f"export {fmt.value} {period.key} in chat {chat.id}",
            rows=made.written.rows, user_id=member.user_id, fmt=fmt.value,
            filters=chosen.describe() | {"period": period.key},
        )  # fmt: skip
        caption = [t("export_caption", period=period.key, rows=made.written.rows,
                     format=fmt.value)]  # fmt: skip
        if made.written.left_out:
            caption.append(t("export_left_out", count=made.written.left_out))
        file, filename = made.upload
        if filename != name:
            caption.append(t("export_zipped"))
        await message.reply_document(file, filename=filename, caption=Html("\n".join(caption)))


def _group_filter(group: CoordinatorGroup, period: Period) -> ExportFilter:
    """The period, and what the group's own filter lets it see, nothing more."""
    return ExportFilter(
        start=period.start, end=period.end, categories=tuple(group.category_codes),
        organisation_ids=tuple(group.organisation_ids), urgent_only=group.urgent_only,
        chat_id=group.chat_id,
    )  # fmt: skip


def _make(
    files: ExitStack,
    engine: Engine,
    chosen: ExportFilter,
    fmt: ExportFormat,
    style: Style,
    name: str,
) -> Made:
    spool = files.enter_context(tempfile.TemporaryFile())
    with transaction(engine) as session:
        written = write_export(fmt, stream_export(session=session, chosen=chosen), style, spool)
    size_mb = -(-spool.tell() // 1_000_000)
    upload = fit_upload(spool, name, UPLOAD_LIMIT)
    if upload is not None:
        files.enter_context(upload[0])
    return Made(written, upload, size_mb)
