"""The HTTP behaviour every connector shares: the sweep client with retries and pacing, the
parsers of dates, ids and headers, the resumable cursor, source health logging, and the one-shot
fetch used to resolve a reported URL."""
