"""`estbot try`: a terminal chat with the real bot, on a local Bot API server."""
