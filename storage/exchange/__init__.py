"""Data in and out: an export's columns, filters and rows; an import checked, then stored."""
