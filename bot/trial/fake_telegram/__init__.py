"""A Bot API server on 127.0.0.1, in process: Telegram as far as the bot can tell.

`estbot try` lets a person chat with the real bot through it without a bot token, and the
end-to-end tests run the real bot against it. :mod:`.server` is the HTTP server
(``LocalTelegram``), :mod:`.bot_api` its chats, messages and Bot API methods,
:mod:`.webhook_delivery` the webhook mode, and :mod:`.people` the simulated people and groups
that send updates. What only tests and benchmarks need (faults, latency, redelivery, rate
figures) is in tests/support/fake_telegram.py, a subclass.
"""
