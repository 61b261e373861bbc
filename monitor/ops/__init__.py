"""Running the service: the worker process, retention, backup and first-run setup."""
