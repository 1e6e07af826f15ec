"""What the desktop client and the city server share: the wire schema, typed errors, password hashing, signatures
of devices and receipts, the audit chain's definition. The only part of sync/ that cityserver may import."""
