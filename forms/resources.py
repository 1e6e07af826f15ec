"""The one place that knows where resources/ is: the source checkout, the PyInstaller bundle, or an installed wheel
(where it is the package counterdesk_resources, beside forms/)."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a file or folder under resources/ (works from a checkout and from a frozen bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    folder = root / "resources"
    if not folder.is_dir() and (root / "counterdesk_resources").is_dir():
        folder = root / "counterdesk_resources"  # installed from the wheel
    return folder.joinpath(*parts)
