"""Photos and image files: at any step of a report, or to start one."""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.prompts import ask
from handlers.services import current_member, services, texts
from storage import drafts
from storage.drafts import DraftProblem
from storage.photos import attach_photo, store_photo_file

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo (or an image sent as a file), with or without caption, alone or in an album."""
    s, t = services(context), texts(context)
    message = update.effective_message
    member = current_member(context)
    assert message is not None and member is not None
    if message.photo:
        item = message.photo[-1]  # the largest size
    elif message.document is not None and (message.document.mime_type or "").startswith("image/"):
        item = message.document
    else:
        await message.reply_text(t("not_an_image"))
        return
    if item.file_size and item.file_size > MAX_DOWNLOAD_BYTES:
        await message.reply_text(t("not_an_image"))
        return
    try:
        telegram_file = await context.bot.get_file(item.file_id)
        data = bytes(await telegram_file.download_as_bytearray())
        stored = await s.blocking(store_photo_file, data, s.photo_dir)
    except TelegramError:
        await message.reply_text(t("photo_failed"))
        return
    except DraftProblem as problem:
        await message.reply_text(t(problem.reason))
        return
    try:
        state, announce = await s.db(
            attach_photo,
            user_id=member.user_id,
            file_id=item.file_id,
            file_unique_id=item.file_unique_id,
            stored=stored,
            media_group_id=message.media_group_id,
        )
    except DraftProblem as problem:
        reason = problem.reason if problem.reason == "too_many_photos" else "stale_button"
        if message.media_group_id is None or not _told(context, message.media_group_id):
            await message.reply_text(t(reason))
        return
    if message.caption and message.caption.strip():
        try:
            state = await s.db(
                drafts.set_description,
                user_id=member.user_id,
                text=message.caption,
                from_caption=True,
            )
        except DraftProblem as problem:
            await message.reply_text(t(problem.reason, length=len(message.caption.strip())))
            return
    if announce:
        await ask(
            context, message.chat_id, t, state, note=t("photo_saved", count=state.photo_count)
        )


def _told(context: ContextTypes.DEFAULT_TYPE, media_group_id: str | None) -> bool:
    """Whether the album already got its "too many photos" reply (say it once per album)."""
    told: set[str] = context.chat_data.setdefault("estbot.told_albums", set())  # type: ignore[union-attr]
    if media_group_id in told:
        return True
    told.add(media_group_id or "")
    return False
