"""The access matrix: every command and every button × every kind of person.

For each cell the table below says whether the person may do it (A) or not (R). A cell
passes when an allowed action works (changes what it should, says what it should) and a
refused one changes nothing and does not give the success answer; in every cell, nothing
reaches the person's chats that they may not see (the secret words planted in each
observation, intervention and draft: a description word, a place, a reporter's name, a
point, a photo), and every button press is answered.

All kinds try one action at the same time, each in a chat of their own (see access_world).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.trial.fake_telegram.bot_api import public
from bot.trial.fake_telegram.people import JSON, SimGroup, SimUser
from tests.e2e.access_privacy import drafts_with_a_personnummer, judge_my_data, owner_draft_as_built
from tests.e2e.access_world import KINDS, AccessWorld, Cell, Snapshot
from tests.e2e.conftest import World, jpeg

# Columns: stranger (in private), revoked, reporter, coordinator, admin, a registered
# coordinator in an unlinked group, an unregistered member of a linked group, and a
# coordinator of another organisation in a group filtered to that organisation.
# Private actions happen in the person's private chat (for "unl" and "unr": in their group),
# group actions in the person's group (for the stranger: in private). A = allowed.
#                str rev rep coo adm unl unr oth
REGISTERED = "   R   R   A   A   A   R   R   A"  # in a group: only in a linked one
COORDINATORS = " R   R   R   A   A   R   R   A"  # and admins; in a linked group that sees it
NO_ONE = "       R   R   R   R   R   R   R   R"
LINKERS = "      R   R   R   A   A   A   R   A"  # the unlinked group's coordinator links it
TABLE = {
    "/start": REGISTERED,
    "/rapport": REGISTERED,
    "r: own draft: cat": REGISTERED,
    "/avbryt": REGISTERED,
    "/mina": REGISTERED,
    "/hjalp": REGISTERED,
    "/sprak": REGISTERED,
    "lang:sv": REGISTERED,
    "/installningar (private)": REGISTERED,
    "n:status": REGISTERED,
    "a photo, outside a report": REGISTERED,
    # coordinators see any observation in private, whatever their organisation (README)
    "/visa someone else's (private)": COORDINATORS,
    "/visa the reporter's own (private)": REGISTERED,
    "/visa_2026_n tapped (private)": REGISTERED,
    "r: forged, another's draft: send": NO_ONE,
    "r: forged, another's draft: cancel": NO_ONE,
    "r: own draft: mask": REGISTERED,
    "r: forged, another's draft: mask": NO_ONE,
    # only one's own data; a stranger or a revoked person is told whom to ask instead
    "/minadata": REGISTERED,
    "/mydata": REGISTERED,
    "o: status, pressed in private": NO_ONE,
    "/visa (group), one it sees": REGISTERED,
    "/visa (group), another org's": NO_ONE,
    "o: status, one it sees": COORDINATORS,
    "o: status, forged: another org's": NO_ONE,
    "o: insats": COORDINATORS,
    "/insats EST-…, one it sees": COORDINATORS,
    "/insats EST-…, another org's": NO_ONE,
    "/insatser": REGISTERED,
    "/insats_n, the group's own": REGISTERED,
    "/insats_n, another group's": NO_ONE,
    "i: owner, the group's own": COORDINATORS,
    "i: status, forged: another group's": NO_ONE,
    "reply to a card: comment": REGISTERED,
    "/lagesbild vecka": REGISTERED,
    "/export csv, this year": COORDINATORS,  # only what the group sees (the CSV is read)
    "/installningar (group)": REGISTERED,
    "/minadata (group)": NO_ONE,  # no one's data in a group
    "g:urgent:": COORDINATORS,
    "g:page:cats": COORDINATORS,
    "g:category:fire": COORDINATORS,
    "g:org:<company>": COORDINATORS,
    "g:all:": COORDINATORS,
    "g:dkind:daily": COORDINATORS,
    "g:dearlier:daily": COORDINATORS,
    "g:dlater:daily": COORDINATORS,
    "g:dquiet:daily": COORDINATORS,
    "/koppla": LINKERS,
    "/koppla_bort": COORDINATORS,
}
# {(action, kind): allowed}
EXPECTED: dict[tuple[str, str], bool] = {
    (action, kind): mark == "A"
    for action, row in TABLE.items()
    for kind, mark in zip(KINDS, row.split(), strict=True)
}


@dataclass
class Step:
    """What one cell did: the button presses it made."""

    presses: dict[str, int] = field(default_factory=dict)  # callback query id -> chat id


Do = Callable[[AccessWorld, Cell, Step], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    name: str
    where: str  # "private" or "group"
    do: Do
    effect: frozenset[str] = frozenset()  # what it changes when allowed (see AccessWorld.state)
    said: tuple[str, ...] = ()  # words only a successful answer has
    optional: frozenset[str] = frozenset()  # what it may change when allowed
    restore: Callable[[AccessWorld], None] | None = None
    prepare: Callable[[AccessWorld], None] | None = None  # before the action, in storage
    personal: bool = False  # gives out personal data: see access_privacy
    refusal: str = ""  # words a refused person in private must be told


def chat_of(cell: Cell, where: str) -> SimUser | SimGroup:
    return cell.chat if where == "group" else cell.private


def says(where: str, words: str | Callable[[AccessWorld, Cell], str], reply: bool = False) -> Do:
    async def do(w: AccessWorld, cell: Cell, step: Step) -> None:
        chat = chat_of(cell, where)
        message = words(w, cell) if callable(words) else words
        if isinstance(chat, SimGroup):
            card = card_in(chat, cell.own.reference) if reply else None
            await chat.send(cell.person, message, reply_to=card)
        else:
            await chat.send(message)

    return do


def sends_photo(where: str) -> Do:
    async def do(w: AccessWorld, cell: Cell, step: Step) -> None:
        chat = chat_of(cell, where)
        if isinstance(chat, SimGroup):
            await chat.send_photo(cell.person, jpeg(32, 24, "green"))
        else:
            await chat.send_photo(jpeg(32, 24, "green"))

    return do


def presses(where: str, data: Callable[[AccessWorld, Cell], str], card: bool = False) -> Do:
    async def do(w: AccessWorld, cell: Cell, step: Step) -> None:
        chat = chat_of(cell, where)
        target = (card_in(chat, cell.own.reference) if card else None) or chat.last_message
        assert target is not None, f"{cell.kind}: no message to press on in {chat.id}"
        server = w.world.telegram
        query_id = server.register_callback(chat.id, cell.person.user["id"])
        query = {"id": query_id, "from": cell.person.user, "chat_instance": f"ci{chat.id}",
                 "message": public(target), "data": data(w, cell)}  # fmt: skip
        server.inject({"callback_query": query})
        step.presses[query_id] = chat.id

    return do


def card_in(chat: SimUser | SimGroup, reference: str) -> JSON | None:
    """The newest card (a message with buttons) about the reference in the chat."""
    cards = [
        m
        for m in chat.messages
        if reference in str(m.get("text") or m.get("caption") or "") and m.get("reply_markup")
    ]
    return cards[-1] if cards else None


def draft_key(w: AccessWorld, cell: Cell) -> str:
    snap = w.snapshot()
    found = snap.drafts.get(cell.user_id)
    return str(found[0]) if found else "0" * 16


def owner_key(w: AccessWorld, cell: Cell) -> str:
    return str(w.snapshot().drafts[w.user_ids["owner"]][0])


def this_year() -> str:
    """The period the world's observations (filed just now) lie in."""
    return f"{datetime.now(UTC).astimezone(ZoneInfo('Europe/Stockholm')):%Y}"


def tapped(reference: str) -> str:
    year, number = reference.removeprefix("EST-").split("-")
    return f"/visa_{year}_{number}"


P, G = "private", "group"
E = frozenset
ACTIONS = [
    Action("/start", P, says(P, "/start"), said=("redan registrerad",)),
    Action("/rapport", P, says(P, "/rapport"), E({"draft"}), said=("Vad har du sett",)),
    Action("r: own draft: cat", P,
           presses(P, lambda w, c: f"r:{draft_key(w, c)}:cat:graffiti"), E({"draft"})),
    Action("/avbryt", P, says(P, "/avbryt"), E({"draft"}), said=("avbruten",)),
    Action("/mina", P, says(P, "/mina"), said=("Dina senaste", "inte rapporterat")),
    Action("/hjalp", P, says(P, "/hjalp"), said=("tar emot trygghetsobservationer",)),
    Action("/sprak", P, says(P, "/sprak"), said=("Välj språk",)),
    Action("lang:sv", P, presses(P, lambda w, c: "lang:sv"), E({"user"})),
    Action("/installningar (private)", P, says(P, "/installningar"), said=("Aviseringar",)),
    Action("n:status", P, presses(P, lambda w, c: "n:status"), E({"user"})),
    Action("a photo, outside a report", P, sends_photo(P), E({"draft"}),
           said=("Fotot är sparat",)),
    Action("/visa someone else's (private)", P,
           says(P, lambda w, c: f"/visa {w.secrets['town_foreign'].reference}"),
           said=("Historik",)),
    Action("/visa the reporter's own (private)", P,
           says(P, lambda w, c: f"/visa {w.secrets['reporters_own'].reference}"),
           said=("Historik",)),
    Action("/visa_2026_n tapped (private)", P,
           says(P, lambda w, c: tapped(w.secrets["reporters_own"].reference)),
           said=("Historik",)),
    Action("r: forged, another's draft: send", P,
           presses(P, lambda w, c: f"r:{owner_key(w, c)}:send:"), E()),
    Action("r: forged, another's draft: cancel", P,
           presses(P, lambda w, c: f"r:{owner_key(w, c)}:cancel:"), E()),
    Action("r: own draft: mask", P, presses(P, lambda w, c: f"r:{draft_key(w, c)}:mask:"),
           E({"draft"}), said=("ÅÅMMDD-XXXX",), prepare=drafts_with_a_personnummer),
    Action("r: forged, another's draft: mask", P,
           presses(P, lambda w, c: f"r:{owner_key(w, c)}:mask:"), E(),
           prepare=drafts_with_a_personnummer, restore=owner_draft_as_built),
    Action("/minadata", P, says(P, "/minadata"), said=("Det här har estbot sparat om dig",),
           personal=True, refusal="inget aktivt konto"),
    Action("/mydata", P, says(P, "/mydata"), said=("Det här har estbot sparat om dig",),
           personal=True),
    Action("o: status, pressed in private", P,
           presses(P, lambda w, c: f"o:{c.own.id}:status:closed"), E({"own"})),
    Action("/visa (group), one it sees", G, says(G, lambda w, c: f"/visa {c.own.reference}"),
           said=("Historik",)),
    Action("/visa (group), another org's", G,
           says(G, lambda w, c: f"/visa {c.foreign.reference}"), said=("Historik",)),
    Action("o: status, one it sees", G,
           presses(G, lambda w, c: f"o:{c.own.id}:status:assessed", card=True), E({"own"})),
    Action("o: status, forged: another org's", G,
           presses(G, lambda w, c: f"o:{c.foreign.id}:status:closed"), E({"foreign"})),
    Action("o: insats", G, presses(G, lambda w, c: f"o:{c.own.id}:insats:", card=True),
           E({"asked"})),
    Action("/insats EST-…, one it sees", G,
           says(G, lambda w, c: f"/insats {c.own.reference} Mer belysning"),
           E({"interventions"})),
    Action("/insats EST-…, another org's", G,
           says(G, lambda w, c: f"/insats {c.foreign.reference} Mer belysning"),
           E({"interventions"})),
    Action("/insatser", G, says(G, "/insatser"), said=("Öppna insatser",)),
    Action("/insats_n, the group's own", G, says(G, lambda w, c: f"/insats_{c.intervention}"),
           said=("Åtgärd insatsord",)),
    Action("/insats_n, another group's", G,
           says(G, lambda w, c: f"/insats_{c.foreign_intervention}"), said=("Åtgärd insatsord",)),
    Action("i: owner, the group's own", G,
           presses(G, lambda w, c: f"i:{c.intervention}:owner:me"), E({"interventions"})),
    Action("i: status, forged: another group's", G,
           presses(G, lambda w, c: f"i:{c.foreign_intervention}:status:done"),
           E({"foreign_intervention"})),
    Action("reply to a card: comment", G, says(G, "Jag tittar på det i morgon", reply=True),
           E({"comments"})),
    Action("/lagesbild vecka", G, says(G, "/lagesbild vecka"), said=("Tar fram lägesbilden",)),
    Action("/export csv, this year", G, says(G, lambda w, c: f"/export csv {this_year()}"),
           said=("(csv), antal observationer",)),
    Action("/installningar (group)", G, says(G, "/installningar"),
           said=("Inställningar för gruppen",)),
    Action("/minadata (group)", G, says(G, "/minadata"), said=("Det här har estbot sparat",),
           personal=True),
    Action("g:urgent:", G, presses(G, lambda w, c: "g:urgent:"), E({"group"}),
           restore=AccessWorld.reset_groups),
    Action("g:page:cats", G, presses(G, lambda w, c: "g:page:cats"),
           said=("Inställningar för gruppen",)),
    Action("g:category:fire", G, presses(G, lambda w, c: "g:category:fire"), E({"group"}),
           restore=AccessWorld.reset_groups),
    Action("g:org:<company>", G, presses(G, lambda w, c: f"g:org:{w.company_id}"), E({"group"}),
           restore=AccessWorld.reset_groups),
    Action("g:all:", G, presses(G, lambda w, c: "g:all:"), E({"group"}),
           restore=AccessWorld.reset_groups),
    Action("g:dkind:daily", G, presses(G, lambda w, c: "g:dkind:daily"), E({"subs"})),
    Action("g:dearlier:daily", G, presses(G, lambda w, c: "g:dearlier:daily"), E({"subs"})),
    Action("g:dlater:daily", G, presses(G, lambda w, c: "g:dlater:daily"), E({"subs"})),
    Action("g:dquiet:daily", G, presses(G, lambda w, c: "g:dquiet:daily"), E({"subs"})),
    Action("/koppla", G, says(G, "/koppla"), said=("Gruppen är kopplad", "redan kopplad"),
           optional=E({"group"}), restore=AccessWorld.reset_groups),
    Action("/koppla_bort", G, says(G, "/koppla_bort"), E({"group"}), said=("bortkopplad",),
           restore=AccessWorld.reset_groups),
]  # fmt: skip


def test_the_table_covers_every_action() -> None:
    assert [action.name for action in ACTIONS] == list(TABLE)


async def test_access_matrix(world: World, caplog: pytest.LogCaptureFixture) -> None:
    # no scheduled digest or reminder in the middle of the matrix, and no waiting for
    # Telegram's limit of 20 messages a minute in a group (each action sends a few)
    world.overrides.update(digest_check_s=3600.0, follow_up_check_s=3600.0,
                           rate_limit_group_per_minute=100_000)  # fmt: skip
    await world.restart()
    w = AccessWorld(world)
    await w.build()
    caplog.set_level(logging.ERROR)
    failures: list[str] = []
    for action in ACTIONS:
        failures += await run_action(w, action, caplog)
    assert not failures, f"{len(failures)} failing cells:\n" + "\n".join(failures)


async def run_action(w: AccessWorld, action: Action, caplog: pytest.LogCaptureFixture) -> list[str]:
    """All kinds try the action at once; then each cell is judged on its own."""
    server = w.world.telegram
    caplog.clear()
    if action.prepare is not None:
        action.prepare(w)
    start, before = len(server.calls), w.snapshot()
    steps = {kind: Step() for kind in KINDS}
    for kind, cell in w.cells.items():
        await action.do(w, cell, steps[kind])
    await w.settled(list({chat_of(cell, action.where).id: chat_of(cell, action.where)
                          for cell in w.cells.values()}.values()))  # fmt: skip
    after = w.snapshot()
    failures = [
        f"{action.name} × {kind}: {problem}"
        for kind, cell in w.cells.items()
        for problem in judge(w, action, cell, steps[kind], (before, after), start)
    ]
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    if errors:
        failures.append(f"{action.name}: errors logged: {errors}")
    if action.restore is not None:
        action.restore(w)
    return failures


def judge(
    w: AccessWorld, action: Action, cell: Cell, step: Step, snaps: tuple[Snapshot, Snapshot],
    start: int,
) -> list[str]:  # fmt: skip
    allowed = EXPECTED[(action.name, cell.kind)]
    before, after = (w.state(cell, snap) for snap in snaps)
    changed = {key for key in before if before[key] != after[key]}
    chats = {chat_of(cell, action.where).id, cell.person.id}
    sent = traffic(w, chats, step.presses, start)
    spoken = [text for _, _, text, _ in sent]
    success_said = any(word in said for word in action.said for said in spoken)
    problems = []
    if allowed:
        effect_ok = action.effect <= changed <= action.effect | action.optional
        if not effect_ok or (action.said and not success_said):
            problems.append(f"allowed, but did not work: changed {sorted(changed)}, said {spoken}")
    elif changed or success_said:
        problems.append(f"should be refused: changed {sorted(changed)}, said {spoken}")
    own = {word for word, whose in w.personal_words().items() if whose == cell.kind}
    for method, chat_id, _, payload in sent:
        mine = own if action.personal and chat_id == cell.person.id else set()
        for word, what in w.forbidden_words(cell, chat_id).items():
            if word in payload and word not in mine:
                problems.append(f"LEAK of {what} ({word!r}) in {method} to chat {chat_id}")
    if action.personal:
        problems += judge_my_data(w, cell, sent, allowed, action.refusal)
    unanswered = set(step.presses) & set(w.world.telegram.unanswered_callback_queries())
    if unanswered:
        problems.append("a button press was left unanswered")
    return problems


def traffic(
    w: AccessWorld, chats: set[int], presses: dict[str, int], start: int
) -> list[tuple[str, int, str, str]]:
    """(method, chat, visible text, whole payload) of every call since `start` that went to
    one of the chats, or answered one of the presses."""
    server = w.world.telegram
    found = []
    for call in server.calls[start:]:
        params: dict[str, Any] = call.params
        chat_id = params.get("chat_id")
        if call.method.lower() == "answercallbackquery":
            chat_id = presses.get(str(params.get("callback_query_id")))
            if chat_id is None:
                continue
        elif chat_id not in chats:
            continue
        shown = str(params.get("text") or params.get("caption") or "")
        found.append((call.method, int(chat_id), shown, w.payload_text(params)))
    return found
