"""Logging: readable lines, each with the update it handles, and no bot token ever."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import TextIO

_TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# The update being handled in this task (set by bot.update_order for the whole of its handling).
HANDLING: ContextVar[int | None] = ContextVar("handling", default=None)


class UpdateId(logging.Filter):
    """Puts " update=<id>" into every line logged while an update is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        update_id = HANDLING.get()
        record.update = "" if update_id is None else f" update={update_id}"
        return True


class RedactSecrets(logging.Filter):
    """Replaces the bot token (and anything shaped like one) in every record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return _TOKEN_PATTERN.sub("[token]", text)


def configure_logging(level: str, secrets: list[str], stream: TextIO | None = None) -> None:
    """One handler on the root logger (standard error unless `stream` is given), with the
    token filtered out of every line."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s%(update)s: %(message)s")
    )
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(UpdateId())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(
        logging.WARNING
    )  # storage.database.schema says what changed
