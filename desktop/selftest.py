"""`counterdesk --selftest`: what an office's IT staff run after installing (and CI runs in the bundle): one line per
check, `SELFTEST <check> ok|FAIL <what was found>`, exit 0 only when every check passed. Nothing of a real ledger is
touched: the migrations run on a throw-away file, the data folder is only written a probe file."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop import logs
from desktop.config import Config

# Drawn by the printing check: common characters, and one of CJK Extension B (a name's 𡒄) that needs HanaMinB.
PROBE_TEXT = "臨櫃服務 收據 王𡒄明"
MIN_FREE_MB = 200  # below this a day's receipts and the ledger's backups may not fit


class Failed(Exception):
    """A check found something wrong; the message says what (for the IT staff reading the line)."""


def check_fonts() -> str:
    from printing.fonts import fallback_file, font_files

    found = font_files()
    missing = [str(p) for p in found.values() if not p.exists()]
    if missing:
        raise Failed("missing " + ", ".join(missing) + " (run `python -m printing.fontbuild`)")
    fallback = fallback_file()
    if fallback is None:
        raise Failed("HanaMinB.ttf not found: CJK Extension-B names would print as boxes")
    licences = [p.name for p in (found[next(iter(found))].parent).glob("*.txt")]
    return f"{len(found)} Noto Sans TC files, fallback {fallback.name}; licences {', '.join(sorted(licences)) or '-'}"


def check_catalog() -> str:
    from forms.catalog import load_catalog
    from forms.resources import resource_path

    services = load_catalog()
    if not services:
        raise Failed("the catalog is empty")
    return f"{len(services)} services from {resource_path('catalog')}"


def check_migrations() -> str:
    from datetime import datetime

    from forms.clock import TAIPEI
    from forms.types import Office
    from sync.ledger import Device, Ledger
    from sync.ledger.store.migrate import HEAD, head_revision

    head = head_revision()
    if head != HEAD:
        raise Failed(f"the revision files end at {head}, the code expects {HEAD}")
    folder = Path(tempfile.mkdtemp(prefix="counterdesk-selftest-"))
    try:
        office = Office(code="00000000", name="自我檢查", city_code="00000000", city_name="自我檢查")
        device = Device(office=office, device_id="D0000")
        Ledger(folder / "ledger.db", device, b"\x00" * 32, lambda: datetime.now(TAIPEI)).close()
        city = _practice_city(folder / "city.db")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return f"a new ledger built to revision {HEAD}, a practice city to {city}"


def _practice_city(path: Path) -> str:
    """The practice sandbox's city database is migrated with its own Alembic scripts (in the bundle too)."""
    from cityserver.db import make_engine
    from cityserver.schema import HEAD as CITY_HEAD
    from cityserver.schema import current_revision, head_revision, migrate

    if head_revision() != CITY_HEAD:
        raise Failed(f"the city's revision files end at {head_revision()}, the code expects {CITY_HEAD}")
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        if current_revision(engine) != CITY_HEAD:
            raise Failed(f"a new practice city stopped at {current_revision(engine)}")
    finally:
        engine.dispose()
    return CITY_HEAD


def check_keyring() -> str:
    import keyring

    from sync.ledger.secrets import KeyringSecretStore, SecretUnavailable

    name = type(keyring.get_keyring()).__module__
    try:
        KeyringSecretStore()
    except SecretUnavailable as exc:
        raise Failed(str(exc)) from exc
    return f"backend {name}"


def check_printing() -> str:
    from printing.document import a4
    from printing.fonts import FONT_NAME
    from printing.text import draw, runs

    with a4("自我檢查") as document:
        draw(document.canvas, 72, 720, PROBE_TEXT, FONT_NAME, 14)
    pdf = document.pdf
    fonts = sorted({font for _chunk, font in runs(PROBE_TEXT, FONT_NAME)})
    if not pdf.startswith(b"%PDF") or len(fonts) < 2:
        raise Failed(f"the probe page was drawn with {fonts} only")
    return f"a probe page of {len(pdf):,} bytes in {', '.join(fonts)}"


def check_data_dir(folder: Path) -> Callable[[], str]:
    def check() -> str:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".selftest-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise Failed(f"{folder} cannot be written: {exc.strerror or exc}") from exc
        free = shutil.disk_usage(folder).free // 1_000_000
        if free < MIN_FREE_MB:
            raise Failed(f"{folder}: only {free} MB free (at least {MIN_FREE_MB} MB needed)")
        return f"{folder} writable, {free:,} MB free"

    return check


def check_logs() -> str:
    found = logs.log_file()
    if found is None or not found.exists():
        raise Failed("no log file")
    return str(found)


def run_selftest(config: Config) -> int:
    from desktop.__main__ import _data_dir

    checks: list[tuple[str, Callable[[], str]]] = [
        ("fonts", check_fonts),
        ("catalog", check_catalog),
        ("migrations", check_migrations),
        ("keyring", check_keyring),
        ("printing", check_printing),
        ("ledger_dir", check_data_dir(_data_dir(str(config.data_dir) if config.data_dir else None))),
        ("log", check_logs),
    ]
    failed = 0
    for name, check in checks:
        try:
            line = f"SELFTEST {name} ok {check()}"
        except Failed as exc:
            line, failed = f"SELFTEST {name} FAIL {exc}", failed + 1
        except Exception as exc:  # noqa: BLE001 (a check that breaks is a failed check, said on its line)
            logs.log.exception("self-test %s broke", name)
            line, failed = f"SELFTEST {name} FAIL {type(exc).__name__}: {exc}", failed + 1
        print(line, flush=True)
    frozen = "bundle" if getattr(sys, "frozen", False) else "python " + sys.version.split()[0]
    print(f"SELFTEST {'passed' if not failed else f'{failed} FAILED'} ({frozen})", flush=True)
    return 0 if not failed else 1
