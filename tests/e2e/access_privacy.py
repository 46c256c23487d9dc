"""The matrix's privacy rows: Maskera at the summary, and /minadata (/mydata).

/minadata gives a person what is stored about them and nothing about anyone else: even a
coordinator, who may read any observation in private, gets only their own rows in it. So
beside the matrix's usual check (nothing reaches a chat that it may not see) these rows
check that the messages and the JSON document hold no word of anyone else's data, that
the document is the asker's, and that a group never gets anyone's data.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

from storage.database.engine import transaction
from storage.kinds import PlaceSource
from storage.reports.drafts import start_draft
from storage.tables import Draft, utcnow
from tests.e2e.access_world import AccessWorld, Cell

PNR = "811218-9876"  # a valid personnummer (Luhn), of nobody we know
OWNER_DRAFT = "Utkast med hemlis99 i"  # as access_world leaves it
Sent = list[tuple[str, int, str, str]]  # (method, chat, visible text, whole payload)


def drafts_with_a_personnummer(w: AccessWorld) -> None:
    """Everyone with a user row gets a draft at the summary whose description holds a
    personnummer; so does the owner's draft, which forged presses aim at."""
    with transaction(w.world.engine) as session:
        for cell in w.cells.values():
            if cell.user_id is not None:
                start_draft(
                    session=session, user_id=cell.user_id, category_code="littering",
                    latitude=59.2, longitude=15.2, place_text="Maskgatan 1",
                    place_source=PlaceSource.PIN, description=f"Han sa att han var {PNR}",
                    occurred_at=utcnow() - timedelta(hours=1),
                )  # fmt: skip
        owner = session.exec(select(Draft).where(Draft.user_id == w.user_ids["owner"])).one()
        owner.description = f"{OWNER_DRAFT}, {PNR}"
        session.add(owner)


def owner_draft_as_built(w: AccessWorld) -> None:
    with transaction(w.world.engine) as session:
        owner = session.exec(select(Draft).where(Draft.user_id == w.user_ids["owner"])).one()
        owner.description = OWNER_DRAFT
        session.add(owner)


def judge_my_data(w: AccessWorld, cell: Cell, sent: Sent, allowed: bool, refusal: str) -> list[str]:
    """What /minadata sent this cell: only its own data, in private only; the document too."""
    personal = w.personal_words()
    problems = []
    for method, chat_id, _, payload in sent:
        in_private = chat_id == cell.person.id
        leaks = sorted(
            f"{whose}'s {word!r} in {around(payload, word)!r}"
            for word, whose in personal.items()
            if word in payload and not (in_private and whose == cell.kind)
        )
        if leaks:
            problems.append(f"LEAK of personal data in {method} to chat {chat_id}: {leaks}")
    documents = [m for m, chat_id, _, _ in sent if m.lower() == "senddocument"]
    if allowed:
        problems += _own_document(w, cell, len(documents))
        if not any(w.comments[cell.kind] in said for _, _, said, _ in sent):
            problems.append("allowed, but the messages do not hold their own comment")
    else:
        if documents:
            problems.append(f"refused, but sent {len(documents)} document(s)")
        told = any(refusal in said for _, _, said, _ in sent)
        if refusal and cell.private is cell.person and not told:
            problems.append(f"refused without saying {refusal!r}")
    return problems


def _own_document(w: AccessWorld, cell: Cell, count: int) -> list[str]:
    """The one JSON document the bot stored in the person's chat: theirs, whole."""
    if count != 1:
        return [f"allowed, but sent {count} documents"]
    server = w.world.telegram
    sent = [m for m in server.bot_messages(cell.person.id) if "document" in m]
    data = server.file_data(sent[-1]["document"]["file_id"]).decode("utf-8")
    document = json.loads(data)
    problems = []
    if document["user"]["telegram_id"] != cell.person.id:
        problems.append(f"the document is about {document['user']['telegram_id']}")
    if w.comments[cell.kind] not in data:
        problems.append("the document lacks the comment they wrote")
    leaks = sorted(f"{whose}'s {word!r} in {around(data, word)!r}"
                   for word, whose in w.personal_words().items()
                   if whose != cell.kind and word in data)  # fmt: skip
    if leaks:
        problems.append(f"LEAK of others' data in the document: {leaks}")
    return problems


def around(text: str, word: str, width: int = 80) -> str:
    """The word where it first occurs in the text, with what stands on either side: a
    leak report must say where the word was (a coordinate may hide in a timestamp)."""
    at = text.index(word)
    return text[max(0, at - width) : at + len(word) + width]
