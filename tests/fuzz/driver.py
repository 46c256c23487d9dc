"""Turning drawn actions into Telegram updates, and judging what the bot did about each.

Judged after every update: no exception reached the error handler and nothing logged an
ERROR; every button press was answered (no spinner left); a registered person who wrote in
private got at least one answer; and the database invariants (tests/fuzz/invariants.py) hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from bot.trial.fake_telegram.people import chat_member, text_content
from storage.database.engine import transaction
from storage.kinds import Step
from storage.tables import CoordinatorGroup, Draft, Observation, User
from tests.e2e.conftest import KVARNPARKEN, World, jpeg
from tests.fuzz import strategies as s
from tests.fuzz.harness import Feeder, Outcome
from tests.fuzz.invariants import Invariants

JSON = dict[str, Any]
PHOTO = jpeg(32, 24, "blue")
CHANNEL = {"id": -1009999999999, "type": "channel", "title": "Kvarnby nyheter"}
OTHER_BOT = {"id": 5555, "is_bot": True, "first_name": "Spam", "username": "spam_bot"}
# What the draft's step waits for, as callback data (action:argument) or a message.
PROGRESS = {
    Step.CATEGORY: "cat:graffiti",
    Step.PLACE_CHOICE: "pick:0",
    Step.PLACE_CONFIRM: "pick:0",
    Step.WHEN: "when:now",
    Step.WHEN_WINDOW: "when:now",
    Step.SUMMARY: "send:new",
    Step.EDIT_MENU: "field:summary",
}


@dataclass
class Actor:
    """Someone who sends updates: their Telegram user and the chat they write in."""

    user: JSON
    chat: JSON
    last_sent: JSON | None = None

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def private(self) -> bool:
        return bool(self.chat["type"] == "private")


@dataclass(frozen=True)
class Person:
    """The sender as the bot will find them."""

    registered: bool
    key: str | None  # their draft's, if they have one
    step: Step | None


@dataclass
class Driver:
    world: World
    feeder: Feeder
    log: list[str] = field(default_factory=list)
    invariants: Invariants | None = None

    def __post_init__(self) -> None:
        self.invariants = Invariants(self.world.engine)

    # ---- acting ----------------------------------------------------------------------------
    async def act(self, actor: Actor, action: Any) -> Outcome:
        """Send what `action` stands for, as `actor`; returns the outcome, already judged."""
        person = self.person(actor.id)
        outcome = await self._send(actor, action, person)
        self.judge(actor, action, outcome, person)
        return outcome

    async def _send(self, actor: Actor, action: Any, person: Person) -> Outcome:
        if isinstance(action, s.Progress):
            action = self.progress(person) if actor.private else self.group_progress(actor)
        if isinstance(action, s.Press):
            pressed = self.button(actor.chat["id"], action)
            if pressed is None:
                action = self.progress(person) if actor.private else s.Command("koppla")
            else:
                return await self.feeder.feed(self.press(actor, *pressed))
        if isinstance(action, s.Forge):  # sent with whatever message is newest
            return await self.feeder.feed(self.press(actor, self.fill(action.data, actor)))
        if isinstance(action, s.Edit):
            return await self.feeder.feed({"edited_message": self.edited(actor, action.text)})
        if isinstance(action, s.Channel):
            kind = "edited_channel_post" if action.edited else "channel_post"
            return await self.feeder.feed({kind: self.channel_post(action.text)})
        if isinstance(action, s.FromBot):
            _, outcome = await self.feeder.post(actor.chat, OTHER_BOT, text_content(action.text))
            return outcome
        if isinstance(action, s.Membership):
            return await self.membership(actor, action.added)
        if isinstance(action, s.Reply):
            content = self.reply(actor.chat["id"], action)
        else:
            content = self.content(action)
        message, outcome = await self.feeder.post(actor.chat, actor.user, content)
        actor.last_sent = message
        return outcome

    def progress(self, person: Person) -> Any:
        """What the person's draft waits for, so that walks get deep into the conversation."""
        if person.step is None:
            return s.Command("rapport")
        if person.step is Step.PLACE:
            return s.Location(*KVARNPARKEN, accuracy=5.0)
        if person.step is Step.DESCRIPTION:
            return s.Text("Klotter på väggen vid entrén")
        return s.Forge(f"r:{person.key}:{PROGRESS[person.step]}")  # on the newest message

    def group_progress(self, actor: Actor) -> Any:
        """Link the group if it is not linked, else press the newest button there."""
        table = CoordinatorGroup.__table__  # type: ignore[attr-defined]
        with self.world.engine.connect() as connection:
            linked = connection.execute(
                select(table.c.id).where(table.c.chat_id == actor.chat["id"], table.c.active)
            ).first()
        return s.Press(0, 0) if linked else s.Command("koppla")

    def content(self, action: Any) -> JSON:
        if isinstance(action, s.Text):
            return text_content(action.text)
        if isinstance(action, s.Command):
            return text_content(self.fill(action.text, None))
        if isinstance(action, s.Location):
            point: JSON = {"latitude": action.latitude, "longitude": action.longitude}
            if action.accuracy is not None:
                point["horizontal_accuracy"] = action.accuracy
            if action.venue is None:
                return {"location": point}
            venue = {"location": point, "title": action.venue, "address": action.venue}
            return {"location": point, "venue": venue}
        assert isinstance(action, s.Media), action
        return self.media(action)

    def reply(self, chat_id: int, action: s.Reply) -> JSON:
        """A reply (text, or a photo with the text as caption) to a recent bot message."""
        content = {"photo": self.world.telegram.photo_sizes(PHOTO, 32, 24)} if action.photo else {}
        content.update({"caption": action.text} if action.photo else text_content(action.text))
        recent = self.recent(chat_id)
        if recent:
            target = recent[action.message % len(recent)]["message_id"]
            content["reply_to_message"] = self.world.telegram.reply_target(chat_id, target)
        return content

    async def membership(self, actor: Actor, added: bool) -> Outcome:
        """The bot removed from the group (and added back at once: a removed bot hears
        nothing more there), or added to a group it is in already."""
        server, chat = self.world.telegram, actor.chat
        outcome = None
        for old, new in (
            [("member", "left"), ("left", "member")] if not added else [("member",) * 2]
        ):
            change = {
                "chat": chat, "from": actor.user, "date": int(time.time()),
                "old_chat_member": chat_member(server.bot_user, old, chat["type"]),
                "new_chat_member": chat_member(server.bot_user, new, chat["type"]),
            }  # fmt: skip
            server.membership[chat["id"]] = new
            outcome = await self.feeder.feed({"my_chat_member": change})
        assert outcome is not None
        return outcome

    def media(self, action: s.Media) -> JSON:
        server = self.world.telegram

        def file(data: bytes, folder: str, ext: str, **extra: Any) -> JSON:
            stored = server.store_file(data, folder, ext, mime_type=extra.get("mime_type"))
            return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, **extra}

        kind = action.kind
        content: JSON
        if kind == "photo":
            content = {"photo": server.photo_sizes(PHOTO, 32, 24)}
        elif kind in ("image_document", "document"):
            data, mime = (PHOTO, "image/jpeg") if kind == "image_document" else (b"%PDF", "")
            mime = mime or ("image/png" if len(action.caption or "") % 2 else "application/pdf")
            content = {"document": file(data, "documents", "bin", mime_type=mime, file_name="x")}
        elif kind == "sticker":
            content = {"sticker": file(b"RIFF", "stickers", "webp", type="regular", width=512,
                                       height=512, is_animated=False, is_video=False)}  # fmt: skip
        elif kind == "voice":
            content = {"voice": file(b"OggS", "voice", "oga", duration=2)}
        elif kind == "audio":
            content = {"audio": file(b"ID3", "music", "mp3", duration=200)}
        elif kind == "video_note":
            content = {"video_note": file(b"\0", "video_notes", "mp4", length=240, duration=3)}
        elif kind == "animation":
            gif = file(b"GIF8", "animations", "mp4", width=1, height=1, duration=1)
            content = {"animation": gif, "document": {**gif, "mime_type": "video/mp4"}}
        elif kind == "contact":
            content = {"contact": {"phone_number": "+46701234567", "first_name": "Nils"}}
        elif kind == "dice":
            content = {"dice": {"emoji": "🎲", "value": 3}}
        else:
            options = [{"text": t, "voter_count": 0, "persistent_id": t} for t in ("Ja", "Nej")]
            content = {"poll": {"id": "p1", "question": "?", "options": options,
                                "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                                "type": "regular", "allows_multiple_answers": False,
                                "allows_revoting": False, "members_only": False}}  # fmt: skip
        if action.caption is not None and kind in ("photo", "image_document", "document",
                                                   "voice", "audio", "animation"):  # fmt: skip
            content["caption"] = action.caption
        return content

    def recent(self, chat_id: int, limit: int = 30) -> list[JSON]:
        """The bot's newest messages in the chat, newest first (copies of a few, not all)."""
        server = self.world.telegram
        count = server.sent_count(chat_id)
        return [
            server.sent_message(chat_id, i)
            for i in range(count - 1, max(-1, count - limit - 1), -1)
        ]

    def button(self, chat_id: int, press: s.Press) -> tuple[str, JSON] | None:
        """A real button: (its callback data, its message), from the `press.message`-th
        newest message with buttons; None if there is none."""
        keyboards = [
            (m, [b for row in m["reply_markup"]["inline_keyboard"] for b in row
                 if "callback_data" in b])
            for m in self.recent(chat_id)
            if "inline_keyboard" in (m.get("reply_markup") or {})
        ]  # fmt: skip
        keyboards = [(m, k) for m, k in keyboards if k]
        if not keyboards:
            return None
        message, chosen = keyboards[press.message % len(keyboards)]
        return str(chosen[press.button % len(chosen)]["callback_data"]), message

    def press(self, actor: Actor, data: str, message: JSON | None = None) -> JSON:
        """A callback query with `data`, on `message` or else the newest bot message."""
        server, chat_id = self.world.telegram, actor.chat["id"]
        if message is None:
            newest = self.recent(chat_id, 1)
            message = newest[0] if newest else None
        query: JSON = {
            "id": server.register_callback(chat_id, actor.id),
            "from": actor.user,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        if message is not None:
            query["message"] = server.current_message(chat_id, message["message_id"]) or message
        return {"callback_query": query}

    def edited(self, actor: Actor, text: str) -> JSON:
        original = actor.last_sent or {
            "message_id": 1, "date": int(time.time()) - 60, "chat": actor.chat, "from": actor.user,
        }  # fmt: skip
        kept = {k: v for k, v in original.items() if k not in ("entities", "text", "caption")}
        if any(k in original for k in ("photo", "document", "voice", "audio", "animation")):
            return {**kept, "caption": text, "edit_date": int(time.time())}
        return {**kept, **text_content(text), "edit_date": int(time.time())}

    def channel_post(self, text: str) -> JSON:
        return {"message_id": 1, "date": int(time.time()), "chat": CHANNEL,
                "sender_chat": CHANNEL, **text_content(text)}  # fmt: skip

    # ---- the world as it is ----------------------------------------------------------------
    def person(self, telegram_id: int) -> Person:
        """Whether the sender is registered, and their draft's key and step, as of now."""
        users, drafts = User.__table__.c, Draft.__table__.c  # type: ignore[attr-defined]
        query = (
            select(users.active, drafts.key, drafts.step)
            .select_from(User.__table__.outerjoin(Draft.__table__))  # type: ignore[attr-defined]
            .where(users.telegram_id == telegram_id)
        )
        with self.world.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return Person(False, None, None)
        return Person(bool(row.active), row.key, row.step)

    def fill(self, text: str, actor: Actor | None) -> str:
        """Put the world's keys, ids and references into a template of callback data."""
        if "{" not in text:
            return text
        with transaction(self.world.engine) as session:
            drafts = session.exec(select(Draft, User).join(User)).all()
            latest = session.exec(select(Observation).order_by(col(Observation.id).desc())).first()
        mine = next((d.key for d, u in drafts if actor and u.telegram_id == actor.id), None)
        other = next((d.key for d, u in drafts if not actor or u.telegram_id != actor.id), None)
        values = {
            "{key}": mine or "feedfacefeedface",
            "{other}": other or "0badc0de0badc0de",
            "{stale}": (latest.draft_key if latest else None) or "5ta1e5ta1e5ta1e0",
            "{obs}": str(latest.id if latest else 1),
            "{gone}": str((latest.id or 0) + 1000 if latest else 1000),
            "{reference}": latest.reference if latest else "EST-2026-0001",
        }
        for slot, value in values.items():
            text = text.replace(slot, value)
        if "{invite}" in text:
            text = text.replace("{invite}", self.world.invite())
        return text

    # ---- judging ---------------------------------------------------------------------------
    def judge(self, actor: Actor, action: Any, outcome: Outcome, person: Person) -> None:
        update = outcome.update
        self.log.append(f"{actor.user.get('first_name')}: {action!r}"[:300])
        said = "\n  ".join(["after (oldest first):", *self.log[-12:]])
        assert not outcome.errors, f"{said}\nraised or logged:\n{outcome.errors}"
        query = update.get("callback_query")
        if query is not None:
            assert outcome.answers_in(0, query["id"]), f"{said}\nthe press was never answered"
        registered = actor.private and person.registered
        if registered and "message" in update and not isinstance(action, s.FromBot):
            assert outcome.answers_in(actor.chat["id"]), f"{said}\nno answer in private"
        if registered and person.key is not None and "edited_message" in update:
            assert outcome.answers_in(actor.chat["id"]), f"{said}\nan edit went unanswered"
        if "channel_post" in update or "edited_channel_post" in update:
            assert not outcome.answers_in(CHANNEL["id"]), f"{said}\nthe bot spoke in a channel"
        assert self.invariants is not None
        broken = self.invariants.broken()
        assert not broken, f"{said}\ninvariants broken:\n" + "\n".join(broken)
