"""Workflows over the ledger and the city: intake, the day's books and sign-off, re-verification runs, supervisor
approvals, rebuilding a damaged ledger."""
