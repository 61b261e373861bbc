"""The review desk: an aiohttp service with server-rendered, autoescaped pages."""
