"""One world for the access matrix: every kind of person, each acting in a chat of their
own, observations each visible in exactly one place, and secret markers planted in them.

Each kind of person acts in a chat no other kind uses (their private chat, or a group of
their own), and each targets observations no other kind changes, so that all kinds can
try one action at the same time and whatever the bot did is told apart by chat.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from bot.trial.fake_telegram.bot_api import Upload
from bot.trial.fake_telegram.people import SimGroup, SimUser
from storage.coordination.groups import toggle_filter
from storage.coordination.interventions import record_intervention
from storage.coordination.statuses import add_comment
from storage.database.engine import transaction
from storage.kinds import Posted, Role
from storage.people.access import find_user
from storage.people.revoke import revoke_user
from storage.reports.categories import read_category_file
from storage.tables import (
    Comment,
    CoordinatorGroup,
    DigestSubscription,
    Draft,
    Intervention,
    Observation,
    Organisation,
    Photo,
    PostedMessage,
    User,
)
from storage.tables import StatusChange as StatusChangeRow
from tests.e2e.conftest import World, jpeg
from tests.e2e.helpers import send_report, text

JSON = dict[str, Any]
TOWN, COMPANY = "Kvarnby kommun", "Kvarnbyhem"
# The kinds of person, in the order of the matrix's columns.
KINDS = (
    "stranger",  # never invited; in private
    "revoked",  # a coordinator whose access was revoked; in private and in their old group
    "reporter",  # field staff of the municipality; in private and in a linked group
    "coordinator",  # the municipality's coordinator; in private and in a linked group
    "admin",  # an admin; in private and in a linked group
    "unlinked",  # a registered coordinator, in a group that was linked once and is not now
    "unregistered",  # a member of a linked group who never registered
    "other_org",  # a coordinator of the housing company, in a group filtered to it
)
# Which category each kind's group sees: the observation of that category is "theirs".
GROUP_CATEGORY = {
    "revoked": "drugs",
    "reporter": "littering",
    "coordinator": "vandalism",
    "admin": "graffiti",
    "unlinked": "disorder",
    "unregistered": "public_drinking",
}
GROUP_IDS = {kind: -100_200_000 - i for i, kind in enumerate(KINDS) if kind != "stranger"}
NOWHERE_CHAT = -100_200_099  # a group no one here acts in: it holds a foreign intervention


@dataclass
class Secret:
    """An observation with words that must reach only those who may see it."""

    tag: str
    category: str
    reference: str = ""
    id: int = 0
    words: list[str] = field(default_factory=list)  # description word, place, name, point
    who: str = "owner"  # whose data it is (a key of AccessWorld.people)


@dataclass(frozen=True)
class Snapshot:
    """The rows the matrix compares before and after each action, as plain values."""

    users: dict[int | None, Any]
    drafts: dict[int | None, Any]
    groups: dict[int, Any]
    subs: list[Any]
    observations: dict[int | None, Any]
    interventions: list[Any]
    asked: list[int]
    comments: list[int]


@dataclass
class Cell:
    """One kind of person, where they act and what they aim at."""

    kind: str
    person: SimUser
    chat: SimUser | SimGroup  # where group actions happen (their private chat if none)
    private: SimUser | SimGroup  # where private actions happen
    user_id: int | None
    own: Secret  # an observation their group (or they) may see
    foreign: Secret  # an observation of another organisation their group does not see
    intervention: int  # one recorded in their group (or nowhere)
    foreign_intervention: int


class AccessWorld:
    """The matrix's world, built once per database backend."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.people: dict[str, SimUser] = {}
        self.groups: dict[str, SimGroup] = {}
        self.secrets: dict[str, Secret] = {}
        self.interventions: dict[int, str] = {}  # chat id -> its intervention's word
        self.intervention_ids: dict[int, int] = {}  # chat id -> its intervention's number
        self.user_ids: dict[str, int | None] = {}
        self.company_id = 0
        self.cells: dict[str, Cell] = {}
        self._photo_tags: dict[str, str] = {}  # sha256 of a stored photo -> its secret's tag
        self.comments: dict[str, str] = {}  # person -> the word of the comment they wrote
        self._labels = {c.code: f"{c.emoji} {c.label_sv}" for c in read_category_file()}

    async def build(self) -> None:
        await self._people()
        await self._groups()
        await self._observations()
        await self._interventions()
        self._comments()
        await self._finish()
        await self.world.telegram.idle(timeout=20)
        self._collect_photos()

    async def _people(self) -> None:
        w = self.world
        names = {
            "owner": (Role.REPORTER, TOWN, "Ottilia", "Hemligsson"),
            "bertil": (Role.REPORTER, COMPANY, "Bertil", "Bortsson"),
            "reporter": (Role.REPORTER, TOWN, "Rut", "Rapportsson"),
            "coordinator": (Role.COORDINATOR, TOWN, "Erik", "Ek"),
            "admin": (Role.ADMIN, TOWN, "Ada", "Adminsson"),
            "revoked": (Role.COORDINATOR, TOWN, "Ronja", "Återkallad"),
            "unlinked": (Role.COORDINATOR, TOWN, "Ulla", "Utanför"),
            "other_org": (Role.COORDINATOR, COMPANY, "Olle", "Annan"),
            "pinger": (Role.COORDINATOR, TOWN, "Petra", "Pingsson"),  # see settled()
        }
        for key, (role, org, first, last) in names.items():
            self.people[key] = await w.member(role, org, first_name=first, last_name=last)
        self.people["unregistered"] = w.telegram.user(9001, "Ulf", last_name="Okänd")
        self.people["stranger"] = w.telegram.user(9002, "Sven", last_name="Främling")

    async def _groups(self) -> None:
        """Each kind's group, linked by its coordinator, filtered to one category (the
        housing company's to its organisation)."""
        w, p = self.world, self.people
        linker = {"revoked": "revoked", "admin": "admin", "unlinked": "unlinked",
                  "other_org": "other_org"}  # fmt: skip
        for kind, chat_id in GROUP_IDS.items():
            by = p[linker.get(kind, "coordinator")]
            self.groups[kind] = await w.linked_group(by, chat_id, f"Grupp {kind}")
        with transaction(w.engine) as session:
            company = session.exec(select(Organisation).where(Organisation.name == COMPANY))
            company_id = company.one().id
            for kind, code in GROUP_CATEGORY.items():
                toggle_filter(session=session, chat_id=GROUP_IDS[kind], what="category", value=code)
            toggle_filter(
                session=session, chat_id=GROUP_IDS["other_org"], what="org", value=str(company_id)
            )
        self.company_id = company_id

    async def _observations(self) -> None:
        plan = [(kind, "owner", code) for kind, code in GROUP_CATEGORY.items()]
        plan += [
            ("stranger", "owner", "unsafe_place"),  # seen in no group
            ("town_foreign", "owner", "vehicles"),  # seen in no group: the company's foreign one
            ("other_org", "bertil", "theft"),  # the company's, seen in its group
            ("company_foreign", "bertil", "other"),  # the company's: foreign to the town's
            ("reporters_own", "reporter", "break_in"),  # the reporter's own, seen in no group
        ]
        for number, (tag, who, code) in enumerate(plan, start=1):
            self.secrets[tag] = await self._file(number, tag, self.people[who], code)

    async def _file(self, number: int, tag: str, user: SimUser, code: str) -> Secret:
        word, place = f"hemlis{number:02d}", f"Gömställe{number:02d}"
        latitude, longitude = round(59.12 + number * 0.0015 + 0.00007, 5), 15.1418
        await user.send_photo(jpeg(64, 48, f"#{number * 20:02x}4080"), caption=f"Sett: {word}")
        await user.next_message()
        await user.press(self._labels[code])
        await user.next_message()
        await user.send_venue(latitude, longitude, title=place, address=f"Dolda gatan {number}")
        await user.press("Nu", await next_matching(user, "När hände det"))
        summary = await next_matching(user, "Stämmer det")
        thanks = await send_report(user, summary)
        reference = text(thanks).split("Observation ")[1].split(" ")[0]
        surname = str(user.user["last_name"])
        secret = Secret(tag, code, reference, words=[word, place, surname, f"{latitude:.5f}"],
                        who=next(k for k, u in self.people.items() if u is user))  # fmt: skip
        with transaction(self.world.engine) as session:
            found = session.exec(select(Observation).where(Observation.reference == reference))
            secret.id = int(found.one().id or 0)
            for photo in session.exec(select(Photo).where(Photo.observation_id == secret.id)):
                self._photo_tags[photo.sha256] = word
        return secret

    async def _interventions(self) -> None:
        """One intervention per group (and one in a group no one here acts in), each with
        a word that must stay in its group."""
        chats = [*GROUP_IDS.values(), NOWHERE_CHAT]
        with transaction(self.world.engine) as session:
            by = find_user(session=session, telegram_id=self.people["coordinator"].id)
            assert by is not None and by.id is not None
            for number, chat_id in enumerate(chats, start=1):
                word = f"insatsord{number:02d}"
                view = record_intervention(
                    session=session, what=f"Åtgärd {word}", chat_id=chat_id, thread_id=None,
                    by_user_id=by.id,
                )  # fmt: skip
                self.interventions[chat_id] = word
                self.intervention_ids[chat_id] = view.number

    def _comments(self) -> None:
        """A comment by each registered person, with a word of their own, on an observation
        no group sees: only its author's /minadata may give the word away."""
        with transaction(self.world.engine) as session:
            for number, (key, person) in enumerate(self.people.items(), start=1):
                author = find_user(session=session, telegram_id=person.id)
                if author is None or author.id is None:
                    continue
                word = f"kommentarord{number:02d}"
                add_comment(
                    session=session, observation_id=self.secrets["stranger"].id,
                    author_id=author.id, text=f"Min kommentar {word}", chat_id=NOWHERE_CHAT,
                    message_id=9000 + number,
                )  # fmt: skip
                self.comments[key] = word

    async def _finish(self) -> None:
        """Unlink the unlinked group, revoke the revoked, leave the owner a draft with a
        secret in it, and have every chat hold a bot message to press on."""
        p, g = self.people, self.groups
        await g["unlinked"].send(p["unlinked"], "/koppla_bort")
        await g["unlinked"].next_message()
        with transaction(self.world.engine) as session:
            assert revoke_user(session=session, who=str(p["revoked"].id)) is not None
        owner = p["owner"]
        # The owner's chat also gets the comment notices of _comments() from the outbox,
        # whenever they come: wait for each prompt by its words, not for the next message.
        await owner.send("/rapport")
        await owner.press(self._labels["fire"], await next_matching(owner, "Vad har du sett"))
        await next_matching(owner, "Var?")
        await owner.send_venue(59.1212, 15.1318, title="Gömställe99", address="Dolda gatan 99")
        await next_matching(owner, "Beskriv kort")
        await owner.send("Utkast med hemlis99 i")
        await owner.press("Nu", await next_matching(owner, "När hände det"))
        await next_matching(owner, "Stämmer det")
        self.secrets["owner_draft"] = Secret(
            "owner_draft", "fire", words=["hemlis99", "Gömställe99"]
        )
        await p["stranger"].send("/start")
        await p["stranger"].next_message()
        await p["unlinked"].send("/rapport")  # a draft of her own, for buttons forged in a group
        await p["unlinked"].next_message()
        self._cells()

    def _cells(self) -> None:
        p, g, s = self.people, self.groups, self.secrets
        users = self.user_ids = {kind: self.user_id(p[kind].id) for kind in [*KINDS, "owner"]}
        nowhere = self.intervention_ids[NOWHERE_CHAT]
        for kind in KINDS:
            person = p[kind]
            group = g.get(kind)
            in_group = kind in ("unlinked", "unregistered")
            chat = group if group is not None else person
            self.cells[kind] = Cell(
                kind=kind, person=person, chat=chat, private=chat if in_group else person,
                user_id=users[kind], own=s[kind],
                foreign=s["town_foreign" if kind == "other_org" else "company_foreign"],
                intervention=self.intervention_ids.get(chat.id, nowhere),
                foreign_intervention=nowhere,
            )  # fmt: skip

    def _collect_photos(self) -> None:
        """The file ids Telegram gave the cards' photos: a photo sent again goes by its id."""
        server = self.world.telegram
        for chat_id in list(server.chats):
            for message in server.bot_messages(chat_id):
                caption = str(message.get("caption") or "")
                for secret in self.secrets.values():
                    if secret.words and secret.words[0] in caption:
                        secret.words += [size["file_id"] for size in message.get("photo", [])]
        carded = [*GROUP_CATEGORY, "other_org", "company_foreign"]  # each shown in a group
        assert all(len(self.secrets[tag].words) > 4 for tag in carded), "cards have photos"
        assert len(self._photo_tags) == len(self.secrets) - 1, "every observation has a photo"

    def reset_groups(self) -> None:
        """Every group linked (but the unlinked one) with its filter, as built."""
        with transaction(self.world.engine) as session:
            for kind, chat_id in GROUP_IDS.items():
                group = session.exec(
                    select(CoordinatorGroup).where(CoordinatorGroup.chat_id == chat_id)
                ).one()
                group.active, group.urgent_only = kind != "unlinked", False
                group.category_codes = [GROUP_CATEGORY[kind]] if kind in GROUP_CATEGORY else []
                group.organisation_ids = [self.company_id] if kind == "other_org" else []
                session.add(group)

    async def settled(self, chats: list[SimUser | SimGroup], timeout: float = 60) -> None:
        """Wait until the bot handled everything sent to these chats so far: it handles a
        chat's updates one after another, so once it answered one more message in each
        chat, it is done with what came before (all but deliveries from the outbox)."""
        for chat in chats:
            if isinstance(chat, SimGroup):
                await chat.send(self.people["pinger"], "/visa")  # "how to use /visa"
            else:
                await chat.send("/start NOSUCHCODE12")  # "I don't know that code"
        for chat in chats:
            needles = ("Skriv referensen", "inte kopplad", "känner jag inte igen")
            while True:
                said = text(await chat.next_message(timeout))
                if any(needle in said for needle in needles):
                    break
        await self.world.telegram.idle(timeout=timeout)

    # ---- looking at what happened ---------------------------------------------------------
    def user_id(self, telegram_id: int) -> int | None:
        with transaction(self.world.engine) as session:
            user = find_user(session=session, telegram_id=telegram_id)
            return None if user is None else user.id

    def snapshot(self) -> Snapshot:
        """Everything the people here could change, read at once."""
        with transaction(self.world.engine) as session:
            rows = lambda model: list(session.exec(select(model)).all())  # noqa: E731
            changes = [c.observation_id for c in rows(StatusChangeRow)]
            return Snapshot(
                users={u.id: (u.language, u.notify_status, u.notify_comments, u.active)
                       for u in rows(User)},
                drafts={d.user_id: (d.key, d.step, d.description) for d in rows(Draft)},
                groups={g.chat_id: (g.active, g.urgent_only, sorted(g.category_codes),
                                    sorted(g.organisation_ids)) for g in rows(CoordinatorGroup)},
                subs=sorted((s.chat_id, s.kind, s.enabled, s.at, s.quiet_days)
                            for s in rows(DigestSubscription)),
                observations={o.id: (o.status, changes.count(o.id)) for o in rows(Observation)},
                interventions=sorted((i.chat_id, i.id, i.status, i.owner, i.follow_up_on,
                                      i.evaluation) for i in rows(Intervention)),
                asked=[m.chat_id for m in rows(PostedMessage) if m.role is Posted.ASK_WHAT],
                comments=[c.chat_id for c in rows(Comment)],
            )  # fmt: skip

    def state(self, cell: Cell, snap: Snapshot) -> dict[str, Any]:
        """What the cell's person could change, as plain values to compare."""
        chat_id, owner = cell.chat.id, self.user_ids["owner"]
        return {
            "draft": snap.drafts.get(cell.user_id),
            "user": snap.users.get(cell.user_id),
            "group": snap.groups.get(chat_id),
            "subs": [s for s in snap.subs if s[0] == chat_id],
            "own": snap.observations[cell.own.id],
            "foreign": snap.observations[cell.foreign.id],
            "interventions": [i for i in snap.interventions if i[0] == chat_id],
            "foreign_intervention": [
                i for i in snap.interventions if i[1] == cell.foreign_intervention
            ],
            "asked": snap.asked.count(chat_id),
            "comments": snap.comments.count(chat_id),
            "owner_draft": snap.drafts.get(owner),
            "observations": len(snap.observations),
        }

    def visible(self, cell: Cell, chat_id: int) -> set[str]:
        """The secrets' tags that may be shown in this chat of this cell."""
        if chat_id != cell.person.id:  # a group: what its filter lets in, if it is linked
            if cell.kind in ("stranger", "unlinked"):
                return set()
            # the housing company's group is filtered to the company: it sees both of its
            # observations (an export of the group's year has both)
            return {cell.own.tag, "company_foreign"} if cell.kind == "other_org" else {cell.own.tag}
        if cell.kind in ("coordinator", "admin", "other_org"):  # coordinators, in private: all
            return {tag for tag in self.secrets if tag != "owner_draft"}
        return {"reporters_own"} if cell.kind == "reporter" else set()

    def forbidden_words(self, cell: Cell, chat_id: int) -> dict[str, str]:
        """Word -> what it gives away, for everything this chat may not be shown."""
        allowed = self.visible(cell, chat_id)
        shown = {word for tag in allowed for word in self.secrets[tag].words}
        words = {
            word: f"observation {secret.tag}"
            for secret in self.secrets.values()
            if secret.tag not in allowed
            for word in secret.words
            if word not in shown  # a name may be on an observation this chat does see
        }
        for group_chat, word in self.interventions.items():
            if group_chat != chat_id:
                words[word] = f"intervention of chat {group_chat}"
        return words

    def personal_words(self) -> dict[str, str]:
        """Word -> whose data it is, for everything stored about one person: their name,
        the observations they filed, their draft, comments and interventions."""
        words = {word: secret.who for secret in self.secrets.values() for word in secret.words}
        words |= dict.fromkeys(self.interventions.values(), "coordinator")  # recorded them
        words |= {word: key for key, word in self.comments.items()}
        for key, person in self.people.items():
            if key not in ("stranger", "unregistered"):
                words[f"{person.user['first_name']} {person.user['last_name']}"] = key
        return words

    def payload_text(self, params: dict[str, Any]) -> str:
        """A call's parameters as text; an uploaded secret photo shows as its secret's word,
        an uploaded text file (a JSON document) as its content."""

        def upload(value: Any) -> str:
            if isinstance(value, Upload):
                tag = self._photo_tags.get(hashlib.sha256(value.data).hexdigest(), "-")
                try:
                    return f"<upload of {tag}: {value.data.decode('utf-8')}>"
                except UnicodeDecodeError:  # a picture
                    return f"<upload of {tag}>"
            return repr(value)

        return json.dumps(params, ensure_ascii=False, default=upload)


async def next_matching(chat: SimUser, needle: str) -> JSON:
    """The next new bot message containing `needle` (skipping others on the way)."""
    while needle not in text(message := await chat.next_message()):
        pass
    return message
