from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.logs import RedactSecrets, configure_logging
from storage.database.engine import make_engine

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_token_is_redacted_from_messages_arguments_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", [TOKEN])
    log = logging.getLogger("estbot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed at https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        log.exception("network trouble")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/x", TOKEN)
    err = capsys.readouterr().err
    assert "calling https://api.telegram.org/bot[token]/getMe" in err
    assert "network trouble" in err and "RuntimeError" in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert "HTTP Request" not in err, "httpx request lines are not logged at all"


def test_any_token_shaped_string_is_redacted() -> None:
    other = "987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"
    assert RedactSecrets([]).redact(f"x {other} y") == "x [token] y"


def test_database_errors_do_not_carry_what_people_wrote(tmp_path: Path) -> None:
    """An error's text reaches the log; its SQL parameters would be someone's description."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (words TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES (:w)"), {"w": "Hemlig beskrivning"})
    with pytest.raises(IntegrityError) as error, engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (:w)"), {"w": "Hemlig beskrivning"})
    engine.dispose()
    assert "UNIQUE" in str(error.value) and "Hemlig" not in str(error.value)
