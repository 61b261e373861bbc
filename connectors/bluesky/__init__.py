"""Bluesky: the sweep connector, the parser of AppView posts, and the fetch of one post by URL."""
