"""hate-monitor: online-hate monitoring for a police cyber community support officer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hate-monitor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+src"

TOOL_NAME = "hate-monitor"


def tool_version() -> str:
    """The string stored with every capture so evidence says which build collected it."""
    return f"{TOOL_NAME}/{__version__}"
