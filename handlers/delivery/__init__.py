"""The sending side: the courier that takes the outbox to Telegram, within its limits."""
