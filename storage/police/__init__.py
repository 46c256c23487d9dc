"""Crimes reported to the police: the monthly figures and the file they come in."""
