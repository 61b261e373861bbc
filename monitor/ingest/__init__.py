"""Posts in: the ingest -> score -> queue pipeline, file import, the scoring backlog."""
