"""Connectors pull public posts from community platforms (see connectors.base for the protocol)."""
