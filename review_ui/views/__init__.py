"""Request handlers: thin wrappers over monitor.review.queue and monitor.review.decisions
(no SQL, no ML)."""
