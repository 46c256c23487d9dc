"""The analysis libraries (some 200 MiB) that the bot must not load until it needs them."""

HEAVY = ("pandas", "statsmodels", "scipy", "matplotlib", "h3", "openpyxl")
