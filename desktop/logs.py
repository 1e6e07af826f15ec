"""The app's log, configured in one place: a rotating file of JSON lines (the server's format) in the platform's
log folder (a windowed Windows build has
no console, so without it every line would be lost), the console too when there is one, IDs masked in every line
(tracebacks included), and crash hooks that write what happened before anything else is tried.

No Qt here: the window registers how a crash is shown (`show_crash`)."""

from __future__ import annotations

import faulthandler
import logging
import logging.config
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import platformdirs

from forms.ids import mask_ids_in
from forms.messages import text
from sync.protocol.logformat import JsonLines

LOG_NAME = "counterdesk.log"
FAULT_NAME = "faults.log"  # faulthandler writes C-level crashes (a segfault in Qt) here, raw
MAX_BYTES = 2_000_000
BACKUPS = 5  # 6 files of 2 MB: weeks of a counter's ordinary lines, bounded on a small disk
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

log = logging.getLogger(__name__)

_faults: IO[str] | None = None  # kept open: faulthandler writes to its file descriptor when the process dies
_log_file: Path | None = None


def default_log_dir() -> Path:
    """%LOCALAPPDATA%\\counterdesk\\counterdesk\\Logs on Windows, ~/.local/state/counterdesk/log on Linux."""
    return Path(platformdirs.user_log_dir("counterdesk", "counterdesk"))


def log_file() -> Path | None:
    """The file this run logs to (None before `configure`): what 「詳見紀錄檔」 names."""
    return _log_file


class MaskingFormatter(logging.Formatter):
    """Masks ID-shaped text in the whole formatted record, the traceback included: code logs masked IDs already,
    but an exception's message may carry what a clerk typed."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_ids_in(super().format(record))


def configure(folder: Path | None = None, level: str = "INFO") -> Path:
    """Set up logging for this process and return the log file. The console handler is added only when there is a
    console (sys.stderr is None in a windowed build)."""
    global _log_file
    folder = folder or default_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    handlers: dict[str, dict[str, Any]] = {
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(path),
            "maxBytes": MAX_BYTES,
            "backupCount": BACKUPS,
            "encoding": "utf-8",
            "formatter": "json",
        }
    }
    if sys.stderr is not None:
        handlers["console"] = {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "masked"}
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "masked": {
                    "()": MaskingFormatter,
                    "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
                },
                "json": {"()": JsonLines},  # the city server's format: one pipeline reads both
            },
            "handlers": handlers,
            "loggers": {"alembic": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
            "root": {"level": level if level in LEVELS else "INFO", "handlers": list(handlers)},
        }
    )
    _log_file = path
    _enable_faulthandler(folder / FAULT_NAME)
    return path


def _enable_faulthandler(path: Path) -> None:
    global _faults
    if _faults is None or _faults.name != str(path):
        previous, _faults = _faults, path.open("a", encoding="utf-8")
        faulthandler.enable(file=_faults, all_threads=True)
        if previous is not None:
            previous.close()


def see_log() -> str:
    """「詳見紀錄檔：<the real file>」 for a message about an unexpected error."""
    return text("see_log", file=str(_log_file) if _log_file is not None else "（未設定紀錄檔）")


# Called with the error once it is logged; the window sets it to show a dialog.
show_crash: Callable[[BaseException], None] | None = None


def _report(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    log.critical("unexpected error", exc_info=(kind, value, tb))
    if show_crash is not None:
        try:
            show_crash(value)
        except Exception:  # noqa: BLE001 (a failing dialog must not hide the first error)
            log.exception("could not show the error dialog")


def _thread_report(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _report(args.exc_type, args.exc_value, args.exc_traceback)


def install_crash_hooks() -> None:
    """Every exception nobody caught (a Qt slot's, a thread's) is logged with its traceback, then shown."""
    sys.excepthook = _report
    threading.excepthook = _thread_report
