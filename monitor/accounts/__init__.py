"""Desk accounts: users and roles, login sessions, moderator invitations and API tokens."""
