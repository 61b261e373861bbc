"""Reddit: the sweep connector, the listing parser, the application-only OAuth token, and the
fetch of one post or comment by URL."""
