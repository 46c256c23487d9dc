"""Filing a report: drafts, their places and photos, categories, observations, duplicates."""
