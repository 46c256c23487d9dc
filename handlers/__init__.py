"""Everything that speaks Telegram: commands, the report conversation, keyboards, texts."""
