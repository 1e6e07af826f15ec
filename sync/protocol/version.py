"""The product's version: the one place it is written (pyproject.toml reads it for the wheel; both commands print it
with --version; the client sends it to the city in every request, which may refuse one too old)."""

from __future__ import annotations

import re

VERSION = "0.1.0"

# The header the client sends its version in; the city keeps it per device and may require a minimum.
VERSION_HEADER = "Counterdesk-Version"
# Sent back with a refusal (426) and in /health: what the city requires, its newest release and where to get it.
MINIMUM_HEADER = "Counterdesk-Minimum-Version"
LATEST_HEADER = "Counterdesk-Latest-Version"
INSTALLER_HEADER = "Counterdesk-Installer"

_FORM = re.compile(r"(\d{1,4})\.(\d{1,4})\.(\d{1,4})")


def parse(text: str) -> tuple[int, int, int] | None:
    """'1.2.3' as (1, 2, 3); None for anything else (a missing or forged header is no version at all)."""
    found = _FORM.fullmatch(text.strip())
    if found is None:
        return None
    return int(found[1]), int(found[2]), int(found[3])


def older_than(version: str, minimum: str) -> bool:
    """True when `version` does not meet `minimum` (no minimum: never; an unreadable version: always)."""
    needed = parse(minimum)
    if needed is None:
        return False
    have = parse(version)
    return have is None or have < needed


def update_notice(minimum: str, latest: str, current: str = VERSION) -> tuple[str, dict[str, str]] | None:
    """What the window says after the city's /health: (message code, parameters), or None when this is current.
    Too old for the city: client_outdated; an installer newer than this: update_available."""
    if older_than(current, minimum):
        return "client_outdated", {"current": current, "required": minimum, "where": ""}
    if parse(latest) is not None and older_than(current, latest):
        return "update_available", {"current": current, "latest": latest}
    return None
