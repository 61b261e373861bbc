"""Urgent alerts: who is told about what (dispatch), how (channels), and their settings."""
