"""Moderator reports: the report itself, its status, screenshots, notices, canonical URLs."""
