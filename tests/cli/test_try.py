"""`estbot try` as a newcomer uses it: a real process in a pseudo-terminal, typed into."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from PIL import Image

from bot.trial.commands import Press, Problem, Say, SendPhoto, SharePosition, parse_line

STEP_S = 15  # the bot answers in well under a second; start-up takes a few


@pytest.fixture
def session(tmp_path: Path) -> Iterator[tuple[pexpect.spawn, io.StringIO, Path]]:
    """`estbot try` started in a terminal with nothing configured; what it printed; its TMPDIR."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ESTBOT_", "TELEGRAM_"))}
    screen = io.StringIO()
    child = pexpect.spawn(
        sys.executable, ["-m", "bot.cli", "try"], cwd=str(tmp_path),
        env={**clean, "TMPDIR": str(temp)}, encoding="utf-8", timeout=STEP_S,
        dimensions=(50, 200),
    )  # fmt: skip
    child.logfile_read = screen
    child.expect("du> ")
    yield child, screen, temp
    child.close(force=True)


def press(child: pexpect.spawn, label: str) -> None:
    """Press the button labelled ``label`` by the number shown beside it."""
    child.expect(rf"\[#(\d+) {re.escape(label)}\]")
    child.sendline(f"#{child.match.group(1)}")


def test_a_report_filed_in_the_terminal_reaches_the_coordinators_group(
    session: tuple[pexpect.spawn, io.StringIO, Path],
) -> None:
    child, screen, temp = session
    child.sendline("/rapport")
    child.expect("Välj kategori")
    press(child, "🎨 Klotter")
    child.expect("Var\\?")
    child.sendline("Torget")  # a typed name, from the bundled places of Kvarnby
    child.expect("Plats: vid Kvarnby torg")
    child.sendline("Nytt klotter på lekstugan")
    child.expect("När hände det")
    press(child, "Nu")
    child.expect("Stämmer det\\?")
    press(child, "✅ Skicka")
    child.expect(r"Tack! Observation (EST-\d{4}-\d{4})")
    reference = child.match.group(1)
    child.expect("── Samordnargruppen: Trygghetssamordning Kvarnby ──")
    child.expect(re.escape(reference) + r" · 🎨 Klotter")
    child.expect("Nytt klotter på lekstugan")
    child.expect("Status: 🆕 Ny")
    child.expect("du> ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    printed = screen.getvalue()
    assert not re.search(r"\d{5,}:[A-Za-z0-9_-]{20,}", printed), "the token is never printed"
    assert "Traceback" not in printed
    assert list(temp.iterdir()) == [], "the throwaway database and the log are gone"


def test_bad_input_gets_a_clear_message_and_the_session_goes_on(
    session: tuple[pexpect.spawn, io.StringIO, Path], tmp_path: Path
) -> None:
    child, screen, _ = session
    child.sendline("/plats abc")
    child.expect("! Give the position as latitude and longitude, e.g. /plats 59.1262 15.1418")
    child.sendline("/foto /no/such/file.jpg")
    child.expect("! There is no file /no/such/file.jpg")
    (tmp_path / "notes.txt").write_text("not a picture")
    child.sendline(f"/foto {tmp_path / 'notes.txt'}")
    child.expect("is not a picture")
    child.sendline("#42")
    child.expect("! There is no button #42 now")
    child.sendline("/rapport")
    child.expect("Välj kategori")
    press(child, "🔨 Skadegörelse")
    child.expect("Var\\?")
    child.sendline("/plats 59.1262 15.1418")
    child.expect("Plats: vid Kvarnparken")
    picture = tmp_path / "klotter.png"
    Image.new("RGB", (64, 48), "green").save(picture)
    child.sendline(f"/foto {picture} Sönderslagen ruta")
    child.expect("Fotot är sparat")
    # Ctrl-D at the prompt, as a person presses it: sent while the bot still prints, the
    # terminal is in canonical mode and keeps a NUL that readline then takes for a key
    child.expect("du> ")
    child.sendeof()  # Ctrl-D leaves, as /quit does
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    assert "Traceback" not in screen.getvalue()


def test_a_plain_number_is_text_and_buttons_are_pressed_with_a_hash_or_b() -> None:
    assert parse_line("3") == Say("3")
    assert parse_line("#3") == Press(3)
    assert parse_line("b12") == Press(12)
    assert parse_line("k2") == Press(2, keyboard=True)
    assert parse_line("/rapport") == Say("/rapport")
    assert parse_line("/plats 59.1262, 15.1418") == SharePosition(59.1262, 15.1418)
    assert parse_line("/location 59,1262 15,1418") == SharePosition(59.1262, 15.1418)
    assert isinstance(parse_line("/plats 59.1"), Problem)
    assert isinstance(parse_line("/plats 95 15"), Problem)
    assert isinstance(parse_line("/photo"), Problem)


def test_a_photo_that_is_not_a_jpeg_is_sent_as_one(tmp_path: Path) -> None:
    picture = tmp_path / "my picture.png"
    Image.new("RGB", (30, 20), "red").save(picture)
    sent = parse_line(f'/foto "{picture}" Klotter på väggen')
    assert isinstance(sent, SendPhoto)
    assert (sent.width, sent.height, sent.caption) == (30, 20, "Klotter på väggen")
    assert sent.data.startswith(b"\xff\xd8"), "a JPEG, as Telegram makes of every photo"
