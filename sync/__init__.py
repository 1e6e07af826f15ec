"""Counterdesk ledger and its journey to the city: local database, outbox, city-server client. No Qt."""
