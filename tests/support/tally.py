"""What a run of simulated reports left behind, counted against what people were told;
and whether every draft in the database is whole.

A report is *confirmed* when its person saw the thanks with a reference, or when it is in
the database (the thanks may be what got lost). Each must be stored exactly once. Cards and
digests are counted in the fake Telegram's group chat: a card is a message that starts with
the observation's reference and carries the status buttons; a digest message is matched by
its exact text from the outbox.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import col, select

from bot.trial.fake_telegram.bot_api import BotApi, html_to_text
from storage.database.engine import transaction
from storage.kinds import Delivery, Step
from storage.outbox import undelivered
from storage.reports.drafts import draft_state, next_step
from storage.tables import Draft, Observation, Outbox, Photo, SentDigest

from .field_staff import REFERENCE, Filing

TAG = re.compile(r"\((r\d+-[\w-]+)\)")  # the tag Reporter.file puts in the description


@dataclass
class Tally:
    """The figures of a run; `problems()` names every one that is not as it must be."""

    attempted: int = 0
    confirmed: int = 0
    stored: int = 0
    duplicates: int = 0  # rows beyond the first for one report
    lost: int = 0  # thanks seen, nothing stored
    wrong_reference: int = 0  # the thanks named another reference than the stored row's
    cards_expected: int = 0
    cards_delivered: int = 0  # observations whose card is in the group (once or more)
    cards_twice: int = 0  # card messages beyond the first for one observation
    digests_expected: int = 0
    digests_delivered: int = 0  # digests whose every message is in the group (once or more)
    digests_twice: int = 0  # digest messages beyond the first

    def problems(self) -> list[str]:
        """What is wrong: anything lost, doubled or missing."""
        wrong = [
            name
            for name in ("duplicates", "lost", "wrong_reference", "cards_twice", "digests_twice")
            if getattr(self, name)
        ]
        if self.cards_delivered != self.cards_expected:
            wrong.append("cards_missing")
        if self.digests_delivered != self.digests_expected:
            wrong.append("digests_missing")
        return wrong

    def lines(self) -> list[str]:
        """One "name: value" line per figure."""
        return [f"{f.name.replace('_', ' ')}: {getattr(self, f.name)}" for f in fields(self)]


def tally(engine: Engine, telegram: BotApi, group_chat_id: int, filings: Iterable[Filing]) -> Tally:
    """Count reports, cards and digests of a run (see the module's docstring)."""
    filings = list(filings)
    with transaction(engine) as session:
        rows = session.exec(select(Observation.reference, Observation.description)).all()
        carded = session.exec(
            select(Observation.reference)
            .join(Outbox, col(Outbox.observation_id) == col(Observation.id))
            .where(Outbox.chat_id == group_chat_id, Outbox.kind == Delivery.CARD)
            .distinct()
        ).all()
        digest_texts = [
            (row.created_at, str(row.payload.get("text")))
            for row in session.exec(
                select(Outbox).where(
                    Outbox.chat_id == group_chat_id, Outbox.kind == Delivery.DIGEST
                )
            ).all()
        ]
        digests = session.exec(
            select(SentDigest).where(SentDigest.chat_id == group_chat_id, SentDigest.messages > 0)
        ).all()
    by_tag: dict[str, list[str]] = {}
    for reference, description in rows:
        found = TAG.search(description)
        if found:
            by_tag.setdefault(found.group(1), []).append(reference)
    result = Tally(attempted=len(filings))
    for filing in filings:
        stored = by_tag.get(filing.tag, [])
        result.confirmed += filing.reference is not None or bool(stored)
        result.stored += bool(stored)
        result.duplicates += max(0, len(stored) - 1)
        result.lost += filing.reference is not None and not stored
        result.wrong_reference += bool(
            filing.reference and stored and filing.reference not in stored
        )
    _count_cards(result, telegram, group_chat_id, set(carded))
    _count_digests(result, telegram, group_chat_id, len(digests), [t for _, t in digest_texts])
    return result


def _count_cards(result: Tally, telegram: BotApi, chat_id: int, carded: set[str]) -> None:
    cards: Counter[str] = Counter()
    for message in telegram.bot_messages(chat_id):
        text = str(message.get("text") or message.get("caption") or "")
        head = REFERENCE.match(text)
        if head and (message.get("reply_markup") or {}).get("inline_keyboard"):
            cards[head.group(0)] += 1
    result.cards_expected = len(carded)
    result.cards_delivered = sum(1 for reference in carded if cards[reference])
    result.cards_twice = sum(max(0, n - 1) for n in cards.values())


def _count_digests(
    result: Tally, telegram: BotApi, chat_id: int, digests: int, texts: list[str]
) -> None:
    shown = Counter(str(m.get("text") or "") for m in telegram.bot_messages(chat_id))
    wanted = [html_to_text(text) for text in texts]
    result.digests_expected = digests
    result.digests_delivered = digests if all(shown[text] for text in wanted) else 0
    result.digests_twice = sum(max(0, shown[text] - 1) for text in set(wanted))


def waiting_deliveries(engine: Engine) -> int:
    """How many deliveries the outbox still holds."""
    with transaction(engine) as session:
        return undelivered(session=session)


def digest_made(engine: Engine, chat_id: int) -> bool:
    """Whether a digest was made for the chat."""
    with transaction(engine) as session:
        return (
            session.exec(select(SentDigest.id).where(SentDigest.chat_id == chat_id)).first()
            is not None
        )


def draft_problems(engine: Engine) -> tuple[int, list[str]]:
    """Every draft, checked: it loads (`draft_state`), its step is one its fields allow, and
    its photo count matches its photos, each file of which exists. Returns how many drafts
    there are and what is wrong with them ("key: why")."""
    problems: list[str] = []
    with transaction(engine) as session:
        drafts = session.exec(select(Draft)).all()
        photos = Counter(
            session.exec(select(Photo.draft_id).where(col(Photo.draft_id).is_not(None))).all()
        )
        paths = session.exec(select(Photo.path).where(col(Photo.draft_id).is_not(None))).all()
        for draft in drafts:
            try:
                state = draft_state(session=session, draft=draft)
                _ = state.place, state.pending
            except Exception as error:  # noqa: BLE001 - any failure to load is the finding
                problems.append(f"{draft.key}: does not load ({error!r})")
                continue
            if not _step_fits(draft):
                problems.append(f"{draft.key}: step {draft.step} with {next_step(draft)} missing")
            if draft.photo_count != photos[draft.id]:
                problems.append(f"{draft.key}: {draft.photo_count} photos, {photos[draft.id]} rows")
    problems += [f"photo file gone: {path}" for path in paths if not Path(path).exists()]
    return len(drafts), problems


def _step_fits(draft: Draft) -> bool:
    """The step the fields lead to, or a step on the way there (a choice of places, a time
    of day, editing a field of a complete draft)."""
    due = next_step(draft)
    if draft.step is due:
        return True
    if draft.step in (Step.PLACE_CHOICE, Step.PLACE_CONFIRM):
        return due is Step.PLACE and bool(draft.pending)
    if draft.step is Step.WHEN_WINDOW:
        return due is Step.WHEN and draft.when_day is not None
    return draft.editing or (due is Step.SUMMARY and draft.step is Step.EDIT_MENU)
