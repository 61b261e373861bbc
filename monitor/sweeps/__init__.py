"""Sweeping sources: one sweep, the runner, the scheduler, leases, timing, history."""
