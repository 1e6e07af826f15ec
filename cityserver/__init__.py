"""Reference city server: the sync and look-up API with a deterministic synthetic population behind it."""
