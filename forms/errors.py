"""Typed domain errors: every failure carries a code and parameters, never prose (text lives in forms.messages)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Root of the domain's expected errors.

    Attributes:
        code: a key of forms.messages.MESSAGES.
        params: values the message text is formatted with.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class ValidationError(DomainError):
    """A value typed by a person (or read from a file or the network) is not acceptable."""


class CatalogError(DomainError):
    """A catalog data file is malformed; the message names the file and the key."""
