"""A lägesbild's worker process gets the bot's environment without its secrets."""

from __future__ import annotations

import pytest

from bot.application import SECRET_VARIABLES, worker_environment


def test_the_token_and_the_webhook_secret_stay_in_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:SECRETsecretSECRETsecret_abcdef")
    monkeypatch.setenv("ESTBOT_WEBHOOK_SECRET_TOKEN", "s3cret-webhook-token")
    monkeypatch.setenv("ESTBOT_TIMEZONE", "Europe/Stockholm")
    given = worker_environment()
    assert set(SECRET_VARIABLES) == {"TELEGRAM_BOT_TOKEN", "ESTBOT_WEBHOOK_SECRET_TOKEN"}
    assert not set(SECRET_VARIABLES) & set(given)
    assert "SECRET" not in " ".join(given.values()) and "s3cret" not in " ".join(given.values())
    assert given["ESTBOT_TIMEZONE"] == "Europe/Stockholm"  # the rest is handed on
