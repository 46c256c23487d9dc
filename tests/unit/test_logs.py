from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import RedactSecrets, configure_logging

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
