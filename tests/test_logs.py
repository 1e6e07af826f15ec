"""The log file: in one place, rotating, IDs masked in every line (tracebacks too), crashes logged then shown."""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import logs

FULL_ID = "A123456789"  # a valid ID (published check-digit example); masked it is A12345****


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    hooks = sys.excepthook, threading.excepthook
    path = logs.configure(tmp_path / "logs", "INFO")
    yield path
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks
    logs.show_crash = None


def test_the_file_is_named_and_rotates_within_its_bound(configured: Path) -> None:
    assert logs.log_file() == configured and configured.name == "counterdesk.log"
    line = "x" * 1_000
    for n in range((logs.BACKUPS + 2) * logs.MAX_BYTES // 1_000):
        logging.getLogger("counterdesk.test").info("%d %s", n, line)
    kept = sorted(p.name for p in configured.parent.glob("counterdesk.log*"))
    assert kept == ["counterdesk.log"] + [f"counterdesk.log.{i}" for i in range(1, logs.BACKUPS + 1)]
    assert all(p.stat().st_size <= logs.MAX_BYTES + 1_200 for p in configured.parent.glob("counterdesk.log*"))
    assert "see" not in logs.see_log() and str(configured) in logs.see_log()


def test_an_id_is_masked_in_messages_and_tracebacks(configured: Path) -> None:
    log = logging.getLogger("counterdesk.test")
    log.warning("looked up %s for b%s", FULL_ID, FULL_ID.lower())
    try:
        raise ValueError(f"bad person {FULL_ID}")
    except ValueError:
        log.exception("failed")
    written = configured.read_text(encoding="utf-8")
    assert FULL_ID not in written and FULL_ID.lower() not in written
    assert written.count("A12345****") == 2 and "a12345****" in written
    assert "Traceback" in written


def test_an_uncaught_error_is_logged_then_shown(configured: Path) -> None:
    logs.install_crash_hooks()
    shown: list[BaseException] = []
    logs.show_crash = shown.append
    try:
        raise RuntimeError(f"slot broke on {FULL_ID}")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    worker = threading.Thread(target=lambda: 1 / 0)
    worker.start()
    worker.join()
    written = configured.read_text(encoding="utf-8")
    assert "CRITICAL" in written and "RuntimeError: slot broke on A12345****" in written
    assert "ZeroDivisionError" in written
    assert [type(e) for e in shown] == [RuntimeError, ZeroDivisionError]
    assert faulthandler.is_enabled()
    assert (configured.parent / logs.FAULT_NAME).exists()
