"""Analysis, charts and rendering of digests and lägesbilder (not built yet: issue 4)."""
