"""Every table, one module per family of tables, all re-exported here.

Importing this package registers every table on SQLModel's metadata (the engine, the
schema and Alembic's environment rely on that). Times are stored in UTC; `UTCDateTime`
hands them back timezone-aware.
"""

from storage.tables.audit import AuditEntry
from storage.tables.columns import UTCDateTime, utc_column, utcnow
from storage.tables.coordination import (
    Comment,
    CoordinatorGroup,
    Intervention,
    InterventionLink,
    Outbox,
    PostedMessage,
    StatusChange,
)
from storage.tables.digests import DigestSubscription, SentDigest
from storage.tables.people import Invite, Organisation, User
from storage.tables.places import GeocodeCache
from storage.tables.police import PoliceFigure
from storage.tables.processes import HandledUpdate, Lease
from storage.tables.reports import Category, Draft, Observation, Photo, ReferenceCounter

__all__ = [
    "AuditEntry",
    "Category",
    "Comment",
    "CoordinatorGroup",
    "DigestSubscription",
    "Draft",
    "GeocodeCache",
    "HandledUpdate",
    "Intervention",
    "InterventionLink",
    "Invite",
    "Lease",
    "Observation",
    "Organisation",
    "Outbox",
    "Photo",
    "PoliceFigure",
    "PostedMessage",
    "ReferenceCounter",
    "SentDigest",
    "StatusChange",
    "UTCDateTime",
    "User",
    "utc_column",
    "utcnow",
]
