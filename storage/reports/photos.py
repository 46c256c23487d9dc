"""Photos: stored without metadata, named by the sha256 of what is stored."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session, select

from storage.reports.drafts import (
    MAX_PHOTOS,
    DraftProblem,
    DraftState,
    draft_for_shortcut,
    save_draft,
)
from storage.tables import Photo


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    path: str
    width: int
    height: int

    def as_photo(
        self, file_id: str, file_unique_id: str, *, draft_id: int | None = None,
        comment_id: int | None = None,
    ) -> Photo:  # fmt: skip
        """The row for this file, belonging to a draft or to a comment."""
        return Photo(
            file_id=file_id, file_unique_id=file_unique_id, sha256=self.sha256,
            path=self.path, width=self.width, height=self.height, draft_id=draft_id,
            comment_id=comment_id,
        )  # fmt: skip


def store_photo_file(data: bytes, directory: Path) -> StoredFile:
    """Write an image without EXIF or other metadata (GPS tags!), upright, as JPEG.

    The orientation tag is applied to the pixels first, so dropping it does not turn the
    picture on its side. Raises DraftProblem("not_an_image") for anything else.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=90, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DraftProblem("not_an_image") from exc
    clean = out.getvalue()
    digest = hashlib.sha256(clean).hexdigest()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{digest}.jpg"
    if not target.exists():
        # a part file of one's own: two people sending the same picture at once must not
        # move each other's part away (the file they both make is the same)
        handle, partial = tempfile.mkstemp(suffix=".part", prefix=f"{digest}.", dir=directory)
        with os.fdopen(handle, "wb") as part:
            part.write(clean)
        os.replace(partial, target)
    return StoredFile(digest, str(target), upright.width, upright.height)


def attach_photo(
    *,
    session: Session,
    user_id: int,
    file_id: str,
    file_unique_id: str,
    stored: StoredFile,
    media_group_id: str | None,
) -> tuple[DraftState, bool]:
    """Add a photo to the user's draft (at most 10), starting a draft if there is none.

    Returns the draft and whether this photo starts something the reporter should hear
    about: not the second and later photos of one album.
    """
    started = draft_for_shortcut(session=session, user_id=user_id)
    draft = started.draft
    if draft.photo_count >= MAX_PHOTOS:
        raise DraftProblem("too_many_photos")
    duplicate = session.exec(
        select(Photo).where(Photo.draft_id == draft.id, Photo.file_unique_id == file_unique_id)
    ).first()
    if duplicate is None:
        draft.photo_count += 1
        session.add(stored.as_photo(file_id, file_unique_id, draft_id=draft.id))
    announce = media_group_id is None or media_group_id != draft.media_group_id
    draft.media_group_id = media_group_id
    return replace(save_draft(session, draft), discarded=started.discarded), announce
