"""Organisations, invite codes and registered people: who may report."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.kinds import Role
from storage.tables import Draft, Invite, Organisation, User, utcnow

# Deep-link payloads allow A-Z, a-z, 0-9, _ and -; leave out look-alikes.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 12


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"  # the person was revoked after this invite was made


class InviteRefused(Exception):
    """An invite code that cannot be used, and why."""

    def __init__(self, problem: InviteProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Registration:
    user: User
    organisation: Organisation
    already_registered: bool


def get_or_create_organisation(*, session: Session, name: str) -> Organisation:
    """The organisation with this name, created on first use."""
    clean = " ".join(name.split())
    if not clean:
        raise ValueError("an organisation needs a name")
    found = session.exec(select(Organisation).where(Organisation.name == clean)).first()
    if found:
        return found
    organisation = Organisation(name=clean)
    session.add(organisation)
    session.flush()
    return organisation


def set_hide_names(*, session: Session, organisation_name: str, hide: bool) -> Organisation | None:
    """Whether cards in the coordinators' groups leave out who in this organisation reported."""
    clean = " ".join(organisation_name.split())
    found = session.exec(select(Organisation).where(Organisation.name == clean)).first()
    if found is not None:
        found.hide_names = hide
        session.add(found)
    return found


def create_invite(
    *,
    session: Session,
    organisation_name: str,
    role: Role,
    max_uses: int = 1,
    valid_for: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[Invite, Organisation]:
    """A new invite code for an organisation (created if new) and a role."""
    if max_uses < 1:
        raise ValueError("an invite must be usable at least once")
    organisation = get_or_create_organisation(session=session, name=organisation_name)
    now = now or utcnow()
    assert organisation.id is not None
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    invite = Invite(
        code=code,
        organisation_id=organisation.id,
        role=role,
        max_uses=max_uses,
        expires_at=now + valid_for if valid_for else None,
        created_at=now,
    )
    session.add(invite)
    session.flush()
    return invite, organisation


def redeem_invite(
    *,
    session: Session,
    code: str,
    telegram_id: int,
    username: str | None,
    full_name: str,
    now: datetime | None = None,
) -> Registration:
    """Register (or re-activate) a Telegram user with the invite's organisation and role."""
    now = now or utcnow()
    invite = session.exec(
        select(Invite).where(Invite.code == code.strip()).with_for_update()
    ).first()
    if invite is None:
        raise InviteRefused(InviteProblem.UNKNOWN)
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteRefused(InviteProblem.EXPIRED)
    user = find_user(session=session, telegram_id=telegram_id)
    already = user is not None and user.active and user.organisation_id == invite.organisation_id
    if already and user is not None and user.role == invite.role:
        organisation = session.get_one(Organisation, invite.organisation_id)
        return Registration(user, organisation, already_registered=True)
    if user is not None and user.revoked_at is not None and invite.created_at <= user.revoked_at:
        raise InviteRefused(InviteProblem.REVOKED)
    if invite.uses >= invite.max_uses:
        raise InviteRefused(InviteProblem.USED_UP)
    invite.uses += 1
    if user is None:
        user = User(telegram_id=telegram_id, organisation_id=invite.organisation_id)
    user.username = username
    user.full_name = full_name
    user.organisation_id = invite.organisation_id
    user.role = invite.role
    user.active = True
    user.revoked_at = None
    session.add_all([invite, user])
    session.flush()
    organisation = session.get_one(Organisation, invite.organisation_id)
    return Registration(user, organisation, already_registered=False)


def find_user(*, session: Session, telegram_id: int) -> User | None:
    """The user with this Telegram id, active or not."""
    return session.exec(select(User).where(User.telegram_id == telegram_id)).first()


def get_user(*, session: Session, user_id: int) -> User:
    """The user with this id."""
    return session.get_one(User, user_id)


def list_users(*, session: Session) -> list[tuple[User, Organisation]]:
    """Every registered user with their organisation, by organisation and name."""
    rows = session.exec(
        select(User, Organisation)
        .join(Organisation, col(User.organisation_id) == col(Organisation.id))
        .order_by(col(Organisation.name), col(User.full_name), col(User.id))
    ).all()
    return [(user, organisation) for user, organisation in rows]


def set_language(*, session: Session, telegram_id: int, language: str) -> None:
    """Remember the language a person chose with /sprak."""
    user = find_user(session=session, telegram_id=telegram_id)
    if user is not None:
        user.language = language
        session.add(user)


@dataclass(frozen=True)
class Member:
    """A registered, active person as the conversation sees them."""

    user_id: int
    telegram_id: int
    full_name: str
    role: Role
    organisation_id: int
    organisation: str
    language: str | None
    username: str | None


# Columns rather than whole rows: the gate runs this for every update.
_ACTIVE_MEMBER = (
    select(  # type: ignore[call-overload]
        User.id,
        User.telegram_id,
        User.full_name,
        User.role,
        Organisation.id,
        Organisation.name,
        User.language,
        User.username,
        Draft,
    )
    .join(Organisation, col(User.organisation_id) == col(Organisation.id))
    .outerjoin(Draft, col(Draft.user_id) == col(User.id))
    .where(User.telegram_id == bindparam("telegram_id"), col(User.active))
)


def member_and_draft(*, session: Session, telegram_id: int) -> tuple[Member, Draft | None] | None:
    """The active user with this Telegram id, and their draft if any; None if not registered."""
    row = session.exec(_ACTIVE_MEMBER, params={"telegram_id": telegram_id}).first()
    if row is None:
        return None
    *fields, draft = row
    return Member(*fields), draft
