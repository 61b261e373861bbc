"""Request handlers: thin wrappers over monitor.queue and monitor.decisions (no SQL, no ML)."""
