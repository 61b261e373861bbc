"""The append-only, hash-chained audit trail (chain) and reading it back (search)."""
