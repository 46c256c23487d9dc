"""The audit log: who exported, imported or listed observations in bulk, changed a status,
purged.

An entry says who (a user, or the command line, or the bot's own retention job), what,
when and about which object or how many rows; never the content itself, so the log holds
no descriptions and may be kept longer than the observations it speaks of. `user_id` is
deliberately not a foreign key: an entry must outlive whatever it refers to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.kinds import AuditAction
from storage.tables import AuditEntry, utcnow

CLI = "cli"
RETENTION_JOB = "retention"


def record_audit(
    *,
    session: Session,
    action: AuditAction,
    user_id: int | None = None,
    actor: str | None = None,
    target: str = "",
    rows: int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the audit log (in the caller's transaction, so it stands or falls
    with what it records). Without `actor`, a `user_id` makes it "user", else "cli"."""
    entry = AuditEntry(
        at=now or utcnow(),
        actor=actor or ("user" if user_id is not None else CLI),
        user_id=user_id,
        action=action,
        target=target[:200],
        rows=rows,
        detail=detail or {},
    )
    session.add(entry)
    session.flush()
    return entry


def record_export(
    *, session: Session, what: str, rows: int, user_id: int | None = None, fmt: str = "",
    filters: dict[str, Any] | None = None,
) -> AuditEntry:  # fmt: skip
    """For `estbot export` (and any later export): who exported what, and how many rows;
    `filters` (the export's choice of observations) go into the detail."""
    detail = ({"format": fmt} if fmt else {}) | ({"filters": filters} if filters else {})
    return record_audit(
        session=session, action=AuditAction.EXPORT, user_id=user_id, target=what, rows=rows,
        detail=detail or None,
    )  # fmt: skip


def audit_entries(
    *, session: Session, limit: int = 50, action: AuditAction | None = None
) -> list[AuditEntry]:
    """The latest entries, newest first."""
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(session.exec(query.limit(limit)).all())
