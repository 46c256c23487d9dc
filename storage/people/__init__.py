"""People and their data: organisations, members, the audit log, access to one's data, retention."""
