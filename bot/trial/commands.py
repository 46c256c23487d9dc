"""The player's lines in `estbot try`: a try-command, a button number, or a message to the bot."""

from __future__ import annotations

import io
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # what Telegram accepts for a photo
_BUTTON = re.compile(r"^(?:#|[bB])(\d{1,3})$")
_KEY = re.compile(r"^#?[kK](\d{1,2})$")
_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_POSITION = re.compile(rf"^({_NUMBER})(?:\s*[,;]\s*|\s+)({_NUMBER})$")

HELP = """\
Type as you would in Telegram: a line is sent to the bot as a message
(/rapport, /mina, /hjalp, a place name, a description, a plain number …).
Try-commands:
  #3  or  b3                  press button 3 (the numbers are shown beside the buttons)
  k1                          press key 1 of the keyboard below the chat
  /plats 59.1262 15.1418      share a position (also /location)
  /foto PATH [caption]        send a photo, e.g. /foto ~/bild.jpg Klotter på väggen (also /photo)
  /knappar                    show the buttons you can press now (also /buttons)
  /grupp TEXT                 say TEXT in the coordinators' group (--role coordinator; /group)
  Enter on an empty line      show what the bot sent since
  /hjälp                      this help (also /tryhelp)
  /quit  or  Ctrl-D           leave (also /exit)"""

POSITION_USAGE = (
    "Give the position as latitude and longitude, e.g. /plats 59.1262 15.1418 "
    "(Kvarnparken in the example town Kvarnby)."
)
PHOTO_USAGE = "Give the path of a picture, e.g. /foto ~/Bilder/klotter.jpg Nytt klotter"


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class SayInGroup:
    text: str


@dataclass(frozen=True)
class Press:
    number: int
    keyboard: bool = False  # a button of the reply keyboard (k1, k2 …), not an inline one


@dataclass(frozen=True)
class SharePosition:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SendPhoto:
    data: bytes
    width: int
    height: int
    caption: str | None


@dataclass(frozen=True)
class Local:
    """Something for the terminal only: help, quit, buttons, refresh."""

    what: str


@dataclass(frozen=True)
class Problem:
    """The line could not be understood; ``message`` says what to type instead."""

    message: str


Action = Say | SayInGroup | Press | SharePosition | SendPhoto | Local | Problem
LOCAL = {
    "/hjälp": "help", "/tryhelp": "help", "/?": "help",
    "/quit": "quit", "/exit": "quit",
    "/knappar": "buttons", "/buttons": "buttons",
}  # fmt: skip


def parse_line(line: str) -> Action:
    """What the player meant by ``line`` (already without its newline)."""
    stripped = line.strip()
    if not stripped:
        return Local("refresh")
    if button := _BUTTON.match(stripped):
        return Press(int(button[1]))
    if key := _KEY.match(stripped):
        return Press(int(key[1]), keyboard=True)
    command, _, rest = stripped.partition(" ")
    command, rest = command.lower(), rest.strip()
    if command in LOCAL:
        return Local(LOCAL[command])
    if command in ("/plats", "/location"):
        return parse_position(rest)
    if command in ("/foto", "/photo"):
        return read_photo(rest)
    if command in ("/grupp", "/group"):
        return SayInGroup(rest) if rest else Problem("Say what: /grupp Vi tittar på det i kväll")
    return Say(line.rstrip("\n"))


def parse_position(text: str) -> Action:
    """``59.1262 15.1418`` or ``59.1262, 15.1418`` (a decimal comma works too with a space)."""
    match = _POSITION.match(text.strip())
    if not match:
        return Problem(POSITION_USAGE)
    latitude, longitude = (float(part.replace(",", ".")) for part in match.groups())
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return Problem(f"{latitude} {longitude} is not on Earth. {POSITION_USAGE}")
    return SharePosition(latitude, longitude)


def read_photo(text: str) -> Action:
    """Read the picture at the path (quotes allowed around it), the rest is the caption.
    A picture that is not a JPEG is converted, as Telegram does with photos."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words:
        return Problem(PHOTO_USAGE)
    path = Path(words[0]).expanduser()
    caption = " ".join(words[1:]) or None
    if not path.is_file():
        return Problem(f"There is no file {path}. {PHOTO_USAGE}")
    if path.stat().st_size > MAX_PHOTO_BYTES:
        return Problem(f"{path} is larger than 10 MB; Telegram takes smaller photos.")
    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.format != "JPEG":
                out = io.BytesIO()
                image.convert("RGB").save(out, format="JPEG")
                data = out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return Problem(f"{path} is not a picture (JPEG, PNG …). {PHOTO_USAGE}")
    return SendPhoto(data, width, height, caption)
