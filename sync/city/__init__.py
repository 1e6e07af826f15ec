"""Talking with the city: the HTTP client, log-in and enrolment, pushing the outbox, pulling statuses and catalog
updates, reconciliation, look-ups, and keeping the ledger's numbers level with what the city holds."""
