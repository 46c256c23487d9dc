"""A Bot API server on 127.0.0.1, in process: Telegram as far as the bot can tell.

The end-to-end tests run the real bot against it, and `estbot try` lets a person chat with
the real bot through it without a bot token. :mod:`.server` is the HTTP server (with fault
injection for the tests), :mod:`.bot_api` its chats, messages and Bot API methods,
:mod:`.webhook_delivery` the webhook mode, and :mod:`.people` the simulated people and groups
that send updates.
"""
