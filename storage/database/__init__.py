"""The database itself: engine and transactions, schema and migrations, leases, update ids."""
