"""YouTube comments (Data API v3): the sweep connector, the comment parser, and the fetch of one
comment by URL."""
