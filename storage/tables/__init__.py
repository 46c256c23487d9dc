"""Every table, one module per family of tables, all re-exported here."""
