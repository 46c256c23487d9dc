"""Digests and lägesbilder: analysis (pandas), charts, jinja2 rendering, and when each is due.

Plain Python: never imports telegram; reads the database only through storage.
"""
