"""Tables, the engine and sessions, and the operations that read and change data.

Plain Python: never imports telegram, jinja2 or pandas.
"""
