"""Telegram public channel previews: the sweep connector, the preview page parser, and the
fetch of one message by URL."""
