"""Composition root: settings, logging, the CLI and building the Telegram application."""
