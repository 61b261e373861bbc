"""Discourse forums: the sweep connector, its forum client and topic walks, the post parser,
and the fetch of one post by URL."""
