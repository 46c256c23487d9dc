"""The kinds of things estbot knows: roles, statuses, draft steps, place sources.

States are data with behaviour: code asks `status.is_open`, never compares labels.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a registered person may do."""

    REPORTER = "reporter"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def coordinates(self) -> bool:
        """Coordinators and admins work on observations in the coordinators' group."""
        return self in (Role.COORDINATOR, Role.ADMIN)


class StatusGroup(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Status(StrEnum):
    """Where an observation stands; each status belongs to a group."""

    NEW = "new"
    ASSESSED = "assessed"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def group(self) -> StatusGroup:
        return StatusGroup.CLOSED if self in (Status.RESOLVED, Status.CLOSED) else StatusGroup.OPEN

    @property
    def is_open(self) -> bool:
        return self.group is StatusGroup.OPEN


class Step(StrEnum):
    """The step of the report conversation a draft is waiting at."""

    CATEGORY = "category"
    PLACE = "place"
    PLACE_CHOICE = "place_choice"
    PLACE_CONFIRM = "place_confirm"
    DESCRIPTION = "description"
    WHEN = "when"
    WHEN_WINDOW = "when_window"
    SUMMARY = "summary"
    EDIT_MENU = "edit_menu"


class PlaceSource(StrEnum):
    """How the place of a report was given."""

    POSITION = "position"  # the phone's current position (request_location)
    PIN = "pin"  # a map pin
    VENUE = "venue"  # a venue picked in Telegram
    GAZETTEER = "gazetteer"  # a typed name found in the municipality's gazetteer
    GEOCODER = "geocoder"  # a typed address found by the geocoding service
    TEXT = "text"  # typed text that could not be placed on the map
    LAST = "last"  # "same place as last time"
