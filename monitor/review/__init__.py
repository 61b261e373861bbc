"""The review desk's rules: the queue, priority, decisions, one item's context."""
