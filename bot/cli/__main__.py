"""`python -m bot.cli`: the estbot command, as the console script runs it."""

from bot.cli import main

main()
