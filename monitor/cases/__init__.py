"""Cases: lifecycle, read views, contacts, evidence packs and their printable report."""
