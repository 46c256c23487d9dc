"""The gate's one transaction for an update: claim its id, find who sent it and their draft."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col

from storage.database.handled_updates import claim_update
from storage.people.access import Member, member_and_draft
from storage.reports.drafts import DraftState, draft_state
from storage.tables import User


@dataclass(frozen=True)
class Admission:
    """What the gate learns about an update in one transaction."""

    fresh: bool  # False: a redelivery, already handled
    member: Member | None  # None: not registered, or revoked
    draft: DraftState | None  # the member's report in progress, as the update found it


def admit_update(
    *, session: Session, update_id: int, telegram_id: int | None, username: str | None = None
) -> Admission:
    """Claim the update, find who sent it and their draft, in one transaction.

    A changed @username is stored, so that `estbot revoke @name` finds today's owner.
    """
    fresh = claim_update(session=session, update_id=update_id)
    if not fresh or telegram_id is None:
        return Admission(fresh, None, None)
    found = member_and_draft(session=session, telegram_id=telegram_id)
    if found is None:
        return Admission(True, None, None)
    who, draft = found
    if username != who.username:
        session.execute(update(User).where(col(User.id) == who.user_id).values(username=username))
    return Admission(
        True, who, None if draft is None else draft_state(session=session, draft=draft)
    )
