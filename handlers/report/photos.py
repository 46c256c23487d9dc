"""Photos and image files: at any step of a report, or to start one."""

from __future__ import annotations

from telegram import Document, Message, PhotoSize, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.report.prompts import ask
from handlers.services import current_draft, current_member, services, texts
from storage.reports import drafts
from storage.reports.drafts import MAX_PHOTOS, DraftProblem, DraftState
from storage.reports.photos import StoredFile, attach_photo, store_photo_file

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
TOLD_ALBUMS = "estbot.told_albums"


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo (or an image sent as a file), with or without caption, alone or in an album."""
    s, t = services(context), texts(context)
    message = update.effective_message
    member = current_member(context)
    assert message is not None and member is not None
    item = _image(message)
    if item is None or (item.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await message.reply_text(t("not_an_image"))
        return
    if _full(current_draft(context)):  # say so before fetching what cannot be kept
        await _too_many(context, message)
        return
    try:
        stored = await _download(context, item)
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
    except DraftProblem:
        await _too_many(context, message)
        return
    await s.remove_files(state.discarded)
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
        note = t("photo_saved", count=state.photo_count)
        await ask(context, message.chat_id, t, state, note=note)


def _image(message: Message) -> PhotoSize | Document | None:
    if message.photo:
        return message.photo[-1]  # the largest size
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return document
    return None


def _full(state: DraftState | None) -> bool:
    return state is not None and state.photo_count >= MAX_PHOTOS


async def _download(context: ContextTypes.DEFAULT_TYPE, item: PhotoSize | Document) -> StoredFile:
    """Fetch the file with getFile and store it, stripped of its metadata."""
    s = services(context)
    telegram_file = await context.bot.get_file(item.file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    return await s.blocking(store_photo_file, data, s.photo_dir)


async def _too_many(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    """The eleventh photo: said once per album, not once per photo."""
    albums: set[str] = context.chat_data.setdefault(TOLD_ALBUMS, set())  # type: ignore[union-attr]
    if message.media_group_id is not None:
        if message.media_group_id in albums:
            return
        albums.add(message.media_group_id)
    await message.reply_text(texts(context)("too_many_photos"))
