"""The wheel as pip builds and installs it: its own resources/, so `counterdesk catalog` lists the catalog away from
the checkout (the fault found by hand: a wheel without resources/ could not list a single service)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def committed_tree(into: Path) -> Path:
    """The files git tracks, copied: the build writes build/ and *.egg-info beside its sources, and a stale build/
    in the checkout must not stand in for what a clean clone builds."""
    files = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def test_an_installed_wheel_lists_the_catalog(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    source = committed_tree(tmp_path / "src")
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", str(source), "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("counterdesk-*.whl")
    target = tmp_path / "site"
    put = subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert put.returncode == 0, put.stderr[-2000:]
    away = tmp_path / "elsewhere"  # not the checkout: python -m puts the working directory on the path
    away.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import forms; print(forms.__file__)"],
        cwd=away, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(target)  # the installed copy, not the checkout
    listed = subprocess.run(
        [sys.executable, "-m", "desktop", "catalog"],
        cwd=away, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-2000:]
    rows = [line for line in listed.stdout.splitlines() if line[:1].isdigit()]
    shipped = sorted((ROOT / "resources" / "catalog").glob("*.toml"))
    assert len(rows) == len(shipped) == 38  # the 38 services of the seed documents
    assert rows[0].split()[1] == "SW-01"
