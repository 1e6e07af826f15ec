"""Files that hold personal data or keys: folders only this user can enter (0700), files only this user can read
(0600), written whole or not at all (a crash leaves the old file, never half a new one). POSIX modes; Windows
keeps per-user profile folders private by its own ACLs."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Make the folder (and its missing parents) and make it this user's alone (also when it existed before)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write a file readable by this user only, atomically (temporary file, fsync, rename)."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
