"""Numbers out: statistics for the force's returns and Prometheus metrics."""
