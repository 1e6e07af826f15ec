"""Counterdesk window: PySide6 views and background workers. Holds no business rule of its own."""
