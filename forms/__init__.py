"""Counterdesk domain: what can be applied for and whether a citizen qualifies. Pure Python, no Qt, no I/O."""
