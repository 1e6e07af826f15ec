"""Catalog updates from the city: pulled by version, validated in full, stored in one transaction, overlaid on the
shipped catalog. Cases taken under an older version keep their version number and stay valid."""

from __future__ import annotations

from forms.catalog import Catalog, overlay, parse_text
from forms.errors import CatalogError
from sync.city.client import CityClient
from sync.ledger import Ledger


def stored_catalog(ledger: Ledger, base: Catalog) -> Catalog:
    """The shipped catalog with the updates this device already pulled."""
    return overlay(base, [parse_text(name, text) for name, text in ledger.settings.catalog_entries()])


def pull_catalog(ledger: Ledger, client: CityClient, current: Catalog) -> Catalog:
    """Fetch what is newer than `current` and return the updated catalog.

    Raises:
        SyncError: the server could not be asked. CatalogError: a file the city sent is invalid — then nothing
        of this update is kept (all or nothing).
    """
    since = max(s.catalog_version for s in current)
    delta = client.catalog_delta(since)
    parsed = [parse_text(entry.file_name, entry.text) for entry in delta.entries]
    for entry, service in zip(delta.entries, parsed, strict=True):
        if service.code != entry.code or service.catalog_version != entry.version:
            raise CatalogError("catalog_invalid", file=entry.file_name, key="code", problem="does not match its entry")
    if not parsed:
        return current
    ledger.settings.store_catalog_entries([(e.code, e.version, e.file_name, e.text) for e in delta.entries])
    return overlay(current, parsed)
