"""Mastodon: the sweep connector, the status parser, and the fetch of one status by URL."""
