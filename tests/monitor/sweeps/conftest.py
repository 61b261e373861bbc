"""Sweep tests run real connectors against the connector tests' local fake platforms."""

from tests.connectors.conftest import clock, fake_platform, fake_sleep  # noqa: F401
