"""The product's version: the one place it is written (pyproject.toml reads it for the wheel; both commands print it
with --version; the client will send it to the city)."""

from __future__ import annotations

VERSION = "0.1.0"
