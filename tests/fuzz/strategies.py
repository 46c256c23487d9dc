"""What the fuzz tests send: hostile texts, odd coordinates, forged callback data, and walks.

A walk is a short list of actions by one person (or in one group). The actions are plain
data, drawn without knowing the bot's state; the driver (tests/fuzz/driver.py) turns each
into a Telegram update when it runs, e.g. `Press(2, 1)` presses the second button of the
third-newest bot message that has buttons, and `Forge("r:{other}:send:")` fills in the draft
key of another person. So every example can be written down as an `@example`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from handlers.commands import COMMANDS, Chats

# ---- texts -------------------------------------------------------------------------------
# Telegram delivers no NUL and no lone surrogates in message text (JSON from the Bot API is
# valid UTF-8), so those are left out; everything else a phone can type is fair game.
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")

RIGHT_TO_LEFT = [
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202eعكس\u202c",
    "\u200fא\u200e",
    "\u202b<b>\u202c",
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u180e"]
EMOJI = ["🎨", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "🇸🇪", "🔥" * 50, "\U0001faf6\U0001f3fe"]
HTML = ["<b>", "</b>", "<script>alert(1)</script>", "&amp;", "&", "<", ">", '"', "'",
        "<a href='javascript:x'>", "<tg-spoiler>", "&lt;b&gt;", "<code>", "</pre>"]  # fmt: skip
MARKDOWN = ["*bold*", "_it_", "`code`", "```\nblock\n```", "[link](http://x)", "||hid||",
            "\\", "~~s~~", "#tag", "@estbot_test_bot"]  # fmt: skip
SQL = ["'; DROP TABLE observation; --", "1 OR 1=1", "%", "_", "\\x00", "' OR ''='",
       "Robert'); DELETE FROM draft;--", "$$", "E'\\\\'"]  # fmt: skip
WHITESPACE = ["", " ", "\n", "\t", "\u3000", "\r\n", "\u00a0" * 3, " \n " * 10]
# Things the bot understands, so that the hostile parts get mixed into real answers.
MEANINGFUL = ["Kvarnparken", "Storgatan 3", "Klotter på väggen", "klotter", "brand", "21:30",
              "igår 22:15", "2026-11-20 18:00", "25:61", "2099-01-01 10:00", "0000-00-00",
              "EST-2026-0001", "EST-9999-99999999", "EST-0000-0000", "idag", "nu", "-1",
              "1e9", "📝 Ny observation", "📋 Mina observationer", "🔁 Samma plats som förra "
              "gången", "✅ Skicka", "Nu", "Igår", "skicka", "Kvarnparken: nattvandring",
              "imorgon", "2026-02-30", "om 1 vecka"]  # fmt: skip
PIECES = RIGHT_TO_LEFT + ZERO_WIDTH + EMOJI + HTML + MARKDOWN + SQL + WHITESPACE + MEANINGFUL


class Long(str):
    """`chunk` repeated to `size` characters, shown short (failing examples stay readable)."""

    def __new__(cls, chunk: str, size: int) -> Long:
        text = super().__new__(cls, (chunk * (size // max(1, len(chunk)) + 1))[:size])
        text.chunk, text.size = chunk, size
        return text

    def __getnewargs__(self) -> tuple[str, int]:  # type: ignore[override]
        return self.chunk, self.size

    def __repr__(self) -> str:
        return f"Long({self.chunk!r}, {self.size})"


piece = st.sampled_from(PIECES)
long_text = st.builds(
    Long,
    st.sampled_from(["x", "å", "<b>", "🎨", "\u200b", "ab ", "مرحبا "]),
    st.sampled_from([2000, 2001, 4096, 4097, 10_000, 100_000]),
)
texts = st.one_of(
    piece,
    st.lists(piece, min_size=2, max_size=6).map(" ".join),
    st.lists(piece, min_size=2, max_size=4).map("".join),
    st.text(CHARACTERS, max_size=300),
    long_text,
)
"""Any text a person might send: empty, huge, right-to-left, invisible, markup, SQL."""

# ---- coordinates -------------------------------------------------------------------------
EDGE_LATITUDES = [90.0, -90.0, 0.0, 91.0, -91.0, 90.000001, 1e308, -1e308, 59.1262, 59.05]
EDGE_LONGITUDES = [180.0, -180.0, 0.0, 181.0, -181.0, 180.000001, 1e308, 15.1418, 15.0]
latitudes = st.one_of(
    st.sampled_from(EDGE_LATITUDES),
    st.floats(-90, 90),
    st.floats(59.05, 59.20),  # the municipality (Settings.municipality_bbox)
    st.floats(-1000, 1000),
)
longitudes = st.one_of(
    st.sampled_from(EDGE_LONGITUDES),
    st.floats(-180, 180),
    st.floats(15.0, 15.3),
    st.floats(-1000, 1000),
)

# ---- callback data -----------------------------------------------------------------------
# Placeholders filled in at run time: {key} this person's draft key, {other} another
# person's, {stale} a key of a draft already filed, {obs} an observation of this world,
# {gone} an observation id that does not exist (deleted, or never was), {n} an intervention.
KEY_SLOTS = ["{key}", "{other}", "{stale}", "0123456789abcdef", "", "x" * 40]
ID_SLOTS = ["{obs}", "{gone}", "0", "-1", "999999999999", "1e3", "٣", "12345678901234567890"]
ACTIONS = ["cat", "pick", "keep", "notplace", "when", "day", "win", "send", "edit", "field",
           "cancel", "resume", "restart", "status", "insats", "owner", "follow", "evaluate",
           "page", "urgent", "category", "org", "all", "", "x"]  # fmt: skip
ARGUMENTS = ["", "graffiti", "fire", "nosuch", "0", "1", "99", "-1", "now", "recent", "today",
             "yesterday", "night", "late", "s{obs}", "s{gone}", "new", "photos", "summary",
             "place", "me", "7", "14", "assessed", "closed", "done", "ongoing", "cats", "orgs",
             "digests", "main", "daily", "{obs}"]  # fmt: skip


def _fits_callback(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64


structured_callback = st.builds(
    lambda prefix, first, action, argument, extra: ":".join(
        [prefix, first, action, argument] + ([extra] if extra else [])
    ),
    st.sampled_from(["r", "o", "i", "g", "n", "lang", "", "R", "r "]),
    st.sampled_from(KEY_SLOTS + ID_SLOTS),
    st.sampled_from(ACTIONS),
    st.sampled_from(ARGUMENTS),
    st.sampled_from(["", "", "", "extra", ":"]),
)
garbage_callback = st.one_of(
    st.binary(min_size=1, max_size=64).map(lambda raw: raw.decode("latin-1")),
    st.text(CHARACTERS, min_size=1, max_size=64),
    st.sampled_from(
        [
            "lang:",
            "lang:xx",
            "lang:sv:",
            "n:",
            "n:status:x",
            "g:",
            "g:page:",
            "i:",
            "o:",
            "r:::",
            "::::",
            ":",
            "r:{key}:send:s{gone}",
        ]
    ),  # fmt: skip
)
callback_data = st.one_of(structured_callback, garbage_callback).filter(
    lambda data: _fits_callback(data.replace("{", "").replace("}", ""))
)
"""Callback data the bot never sent: well-formed but forged or stale, or plain garbage."""

# ---- commands ----------------------------------------------------------------------------
PRIVATE_COMMAND_NAMES = sorted({n for c in COMMANDS if c.chats is Chats.PRIVATE for n in c.names})
GROUP_COMMAND_NAMES = sorted({n for c in COMMANDS if c.chats is Chats.GROUP for n in c.names})
UNKNOWN_COMMANDS = ["nosuch", "RAPPORT", "rapport_", "visa_2026_0001", "insats_1", "insats_0",
                    "visa_0000_0", "start@other_bot", "a" * 40]  # fmt: skip
command_arguments = st.one_of(
    st.just(""),
    texts,
    st.sampled_from(["EST-2026-0001", "EST-2026-0001 EST-2026-0002 Mer ljus", "2026-0001",
                     "{reference}", "{reference} {reference}", "{reference} Mer belysning",
                     "bad-code", "x" * 65, "{invite}", "{invite} extra", "Kvarnparken: vakt"]),
)  # fmt: skip


@dataclass(frozen=True)
class Command:
    """`/name arguments`, optionally addressed `@bot` (ours or another bot)."""

    name: str
    arguments: str = ""
    address: str = ""

    @property
    def text(self) -> str:
        head = f"/{self.name}{self.address}"
        return f"{head} {self.arguments}" if self.arguments else head


def commands(names: list[str]) -> st.SearchStrategy[Command]:
    return st.builds(
        Command,
        st.sampled_from(names + UNKNOWN_COMMANDS),
        command_arguments,
        st.sampled_from(["", "", "", "@estbot_test_bot", "@other_bot", "@ESTBOT_TEST_BOT"]),
    )


# ---- actions -----------------------------------------------------------------------------
MEDIA_KINDS = ["photo", "image_document", "document", "sticker", "voice", "contact", "video_note",
               "animation", "dice", "poll", "audio"]  # fmt: skip


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    venue: str | None = None  # a venue's title (its address is the same text)
    accuracy: float | None = None


@dataclass(frozen=True)
class Media:
    kind: str
    caption: str | None = None


@dataclass(frozen=True)
class Press:
    """Press button `button` (modulo) of the `message`-th newest bot message with buttons."""

    message: int
    button: int


@dataclass(frozen=True)
class Forge:
    """A button press with callback data the bot never sent."""

    data: str


@dataclass(frozen=True)
class Edit:
    """Edit one's own latest message to `text`."""

    text: str


@dataclass(frozen=True)
class Progress:
    """The answer the draft's step waits for (to get deep into the conversation)."""


@dataclass(frozen=True)
class Channel:
    """A post (or an edited post) in a channel the bot is in."""

    text: str
    edited: bool = False


@dataclass(frozen=True)
class FromBot:
    """A message from another bot (is_bot=True) in the chat."""

    text: str


Action = Text | Command | Location | Media | Press | Forge | Edit | Progress | Channel | FromBot

locations = st.builds(
    Location,
    latitudes,
    longitudes,
    st.one_of(st.none(), texts.map(lambda text: text[:300])),
    st.one_of(st.none(), st.sampled_from([0.0, 5.0, 1500.0])),
)
media = st.builds(Media, st.sampled_from(MEDIA_KINDS), st.one_of(st.none(), texts))
presses = st.builds(Press, st.integers(0, 4), st.integers(0, 15))
strange = st.one_of(
    st.builds(Edit, texts), st.builds(Channel, texts, st.booleans()), st.builds(FromBot, texts)
)

private_actions: st.SearchStrategy[Action] = st.one_of(
    st.just(Progress()),
    st.just(Progress()),
    st.builds(Text, texts),
    commands(PRIVATE_COMMAND_NAMES),
    presses,
    st.builds(Forge, callback_data),
    locations,
    media,
    strange,
)
"""One thing a person does in their private chat with the bot."""


@dataclass(frozen=True)
class Reply:
    """Reply to the `message`-th newest bot message in the group, with text or a photo."""

    message: int
    text: str
    photo: bool = False


@dataclass(frozen=True)
class Membership:
    """The bot is removed from the group, or added back."""

    added: bool


replies = st.builds(Reply, st.integers(0, 6), texts, st.booleans())
group_actions: st.SearchStrategy[Action | Reply | Membership] = st.one_of(
    st.just(Progress()),  # link the group if it is not linked, else press the newest button
    st.just(Progress()),
    commands(GROUP_COMMAND_NAMES),
    commands(GROUP_COMMAND_NAMES),
    replies,
    replies,
    replies,
    presses,
    presses,
    st.builds(Forge, callback_data),
    st.builds(Forge, callback_data),
    st.builds(Text, texts),
    st.one_of(locations, media, strange, st.builds(Membership, st.booleans())),
)
"""One thing someone does in a group chat with the bot."""
