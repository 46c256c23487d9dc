"""Revoking a person's access at once: by Telegram id or @username, their draft dropped too."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select

from storage.people.access import find_user
from storage.reports.drafts import discard_draft
from storage.tables import Draft, User, utcnow


class AmbiguousUser(Exception):
    """More than one user has this @username; revoke by Telegram id instead."""

    def __init__(self, telegram_ids: list[int]) -> None:
        super().__init__(", ".join(str(tid) for tid in telegram_ids))
        self.telegram_ids = telegram_ids


def revoke_user(
    *, session: Session, who: str, now: datetime | None = None
) -> tuple[User, list[str]] | None:
    """Remove access at once, by Telegram id or @username; their open draft is dropped.

    Returns the user and the photo files of the dropped draft that nothing else uses.
    """
    who = who.strip()
    if who.lstrip("-").isdigit():
        user = find_user(session=session, telegram_id=int(who))
    else:
        name = who.removeprefix("@").casefold()
        matches = session.exec(select(User).where(func.lower(User.username) == name)).all()
        if len(matches) > 1:
            raise AmbiguousUser([match.telegram_id for match in matches])
        user = matches[0] if matches else None
    if user is None:
        return None
    user.active = False
    user.revoked_at = now or utcnow()
    session.add(user)
    draft = session.exec(select(Draft).where(Draft.user_id == user.id)).first()
    unused = [] if draft is None else discard_draft(session=session, draft=draft)
    session.flush()
    return user, unused
