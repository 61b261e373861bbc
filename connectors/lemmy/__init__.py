"""Lemmy: the sweep connector, the post and comment parser, and the fetch of one post by URL."""
