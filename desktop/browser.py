"""A page as a citizen's browser shows it: Debian's Chromium, headless, at a phone's or a desktop's size, to a PNG.
Used by the demo for the public progress page (/track); nothing of it runs in the counter app itself."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

PHONE = (390, 844)
DESKTOP = (1280, 800)
# Without these Chromium keeps trying the network at every start (refused on an office's closed network).
QUIET = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(url: str, path: Path, size: tuple[int, int], timeout_s: float = 60.0) -> bool:
    """Write the page at `url` as a `size` PNG to `path`; False when no Chromium is installed or it failed."""
    binary = chromium()
    if binary is None:
        return False
    with tempfile.TemporaryDirectory(prefix="counterdesk-chromium-") as profile:
        args = [binary, *QUIET, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
        done = subprocess.run([*args, f"--screenshot={path}", url], capture_output=True, timeout=timeout_s, check=False)
    return done.returncode == 0 and path.exists() and path.stat().st_size > 0
