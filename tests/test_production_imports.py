"""A production start loads nothing of the city server: FastAPI, Starlette and uvicorn are for practice mode's
sandbox only (they cost a production start time and memory, and widen what a counter PC runs)."""

from __future__ import annotations

import subprocess
import sys

# What `counterdesk` imports on its way to the production log-in and main window (desktop/__main__.run_app).
PRODUCTION = (
    "desktop.__main__",
    "desktop.app",
    "desktop.bootstrap",
    "desktop.heap",
    "desktop.main_window",
    "desktop.tasks",
    "desktop.views.enrol",
    "desktop.views.login",
    "desktop.views.errors",
    "sync.city.enrolment",
    "sync.city.client",
    "sync.ledger.secrets",
)
SERVER_ONLY = ("cityserver", "fastapi", "starlette", "uvicorn")


def test_the_production_path_imports_no_server_module() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in PRODUCTION)
        + f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({SERVER_ONLY!r})))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert run.stdout.strip() == "[]", run.stdout


def test_the_sandbox_module_would_be_seen() -> None:
    """The check above can fail: the sandbox's server module brings FastAPI in."""
    code = "import sys, cityserver.embedded\nprint('fastapi' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert run.stdout.strip() == "True"
