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


class InterventionStatus(StrEnum):
    """Where an intervention (insats) stands: planned, under way, done, then evaluated."""

    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    EVALUATED = "evaluated"

    @property
    def group(self) -> StatusGroup:
        """An intervention stays open until it has been evaluated (the EST follow-up)."""
        return StatusGroup.CLOSED if self is InterventionStatus.EVALUATED else StatusGroup.OPEN

    @property
    def is_open(self) -> bool:
        return self.group is StatusGroup.OPEN


class Delivery(StrEnum):
    """What an outbox row asks the delivery worker to do."""

    CARD = "card"  # post an observation's card in a coordinators' group
    REFRESH = "refresh"  # edit the cards already posted (status, "+1")
    NOTICE = "notice"  # tell a reporter in private (status changed, a comment)
    REMINDER = "reminder"  # an intervention's follow-up date has come
    DIGEST = "digest"  # one message of a digest or lägesbild (Telegram HTML)
    CHARTS = "charts"  # the album of a lägesbild's charts

    @property
    def mergeable(self) -> bool:
        """Cards may be merged into one summary message when a group's budget runs short."""
        return self is Delivery.CARD

    @property
    def sends(self) -> bool:
        """Whether delivering it posts new messages (which count against a chat's limit)."""
        return self is not Delivery.REFRESH


class Posted(StrEnum):
    """What a message the bot posted about an observation or an intervention is."""

    CARD = "card"  # the card with the status buttons, as text
    PHOTO_CARD = "photo_card"  # the card with the status buttons, as a photo's caption
    PIN = "pin"  # the map pin (venue) of a card
    PHOTO = "photo"  # a photo of an album
    MORE = "more"  # text beyond a caption's limit
    SUMMARY = "summary"  # one line of a merged summary
    SHOW = "show"  # an answer to /visa
    ASK_WHAT = "ask_what"  # "what will be done?" for a new intervention
    ASK_OWNER = "ask_owner"
    ASK_FOLLOW_UP = "ask_follow_up"
    ASK_EVALUATION = "ask_evaluation"
    INTERVENTION = "intervention"  # an intervention's own message, or its reminder

    @property
    def is_card(self) -> bool:
        """A message edited whenever the observation changes."""
        return self in (Posted.CARD, Posted.PHOTO_CARD)

    @property
    def is_question(self) -> bool:
        """A reply to a question is an answer to it, not a comment."""
        return self.value.startswith("ask_")


class DigestKind(StrEnum):
    """The digests and lägesbilder there are, each for a period of its own length."""

    DAILY = "daily"  # the last 24 hours
    WEEK = "week"  # a calendar week (on demand only)
    FORTNIGHT = "14d"  # two weeks, for the meetings with the police
    MONTHLY = "monthly"
    TERTIAL = "tertial"  # Jan–Apr, May–Aug, Sep–Dec: the tertialanalys
    YEARLY = "yearly"

    @property
    def scheduled(self) -> bool:
        """Whether groups can subscribe to it (a week is only made on demand)."""
        return self is not DigestKind.WEEK

    @property
    def is_lagesbild(self) -> bool:
        """A full analysis with comparisons and charts, not just a list of the day."""
        return self is not DigestKind.DAILY


class AuditAction(StrEnum):
    EXPORT = "export"
    LISTING = "listing"  # observations (or people) listed in bulk: a lägesbild, a digest
    STATUS_CHANGE = "status_change"
    PURGE = "purge"
    PERSONAL_DATA = "personal_data"  # someone's /minadata extract made by an admin
    IMPORT = "import"  # observations imported from a file (estbot import)
