"""--version of both commands, as an office's IT staff would run them, against what pip installed."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("module", "prog"), [("desktop", "counterdesk"), ("cityserver", "counterdesk-server")])
def test_both_commands_say_which_version_they_are(module: str, prog: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    installed = importlib.metadata.version("counterdesk")  # the wheel's metadata, written by pip at install
    assert re.fullmatch(r"\d+\.\d+\.\d+", installed)
    assert run.stdout.strip() == f"{prog} {installed}"


@pytest.mark.parametrize("flag", ["--min-client-version", "--latest-version"])
def test_the_server_refuses_to_start_on_an_unreadable_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    from cityserver.__main__ import main

    assert main(["serve", flag, "v2"]) == 2  # before any database or socket is touched
    assert "主.次.修" in capsys.readouterr().err
