"""Watched sources: storage, the lawful basis, schedules, sources declared in config."""
