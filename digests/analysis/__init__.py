"""What the numbers say: counts and their changes, hot spots, the time profile, police figures."""
