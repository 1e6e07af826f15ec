"""`counterdesk`: run the window (sandbox by default), the headless demo tour, or list the catalog."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any

import platformdirs

from desktop import logs
from desktop.config import ConfigError
from desktop.config import load as load_config
from forms.catalog import load_catalog
from forms.errors import CatalogError, DomainError
from forms.messages import text
from forms.terms import fee_words
from forms.timelimits import PUBLISHED, TimeLimit
from sync.protocol.version import VERSION


def _data_dir(arg: str | None) -> Path:
    return Path(arg) if arg else Path(platformdirs.user_data_dir("counterdesk", "counterdesk"))


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.environ.get(
        "QT_QPA_PLATFORM", ""
    ) in ("offscreen", "minimal", "vnc")


def _production_server(args: argparse.Namespace, data_dir: Path) -> str | None:
    """The city server this start talks to: --server, else the one this PC is enrolled with; None: practice."""
    if args.server:
        return str(args.server)
    config = data_dir / "device.json"
    if config.exists():
        try:
            return str(json.loads(config.read_text(encoding="utf-8"))["server"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # damaged: the enrolment dialog says so when production is asked for
    return None


def _load_main_window_modules() -> None:
    import desktop.bootstrap  # noqa: F401  (the ledger, SQLAlchemy, the client)
    import desktop.main_window  # noqa: F401  (every page, printing)


def say_refusal(message: str, windowed: bool) -> None:
    """A refusal to start: on the console; in a dialog when there is none (a windowed build started from the Start
    menu has no stderr to read it on)."""
    if sys.stderr is not None:
        print(message, file=sys.stderr)
    elif windowed and _has_display():
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.critical(None, "Counterdesk 無法啟動", message)
        del app


def run_app(args: argparse.Namespace) -> int:
    if not _has_display():
        print(
            "找不到顯示器（DISPLAY 未設定），無法開啟視窗。\n"
            "請在桌面環境中執行，或改用 `make demo`（無視窗的導覽，輸出收據與截圖）。",
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from desktop.launch import Launch, practice, practice_rebuild
    from desktop.views.errors import show_crash_dialog

    config = args.config
    app = QApplication(sys.argv[:1])
    logs.show_crash = show_crash_dialog  # an error nobody caught: logged, then said in a zh-TW dialog
    data_dir = _data_dir(args.data_dir)
    server = _production_server(args, data_dir)
    idle_s = config.idle_lock_minutes * 60.0
    if server is None:
        # Practice mode: a window at once; the sandbox city server and the ledger open behind it.
        launch = Launch(
            app,
            practice(data_dir / "sandbox", idle_s),
            rebuild=practice_rebuild(data_dir / "sandbox"),
            font_size=config.font_size,
        )
        try:
            return app.exec()
        finally:
            if launch.runner is not None:
                launch.runner.shutdown()
            if launch.services is not None:
                launch.services.close()
    from desktop import app as qtapp
    from desktop.tasks import TaskRunner
    from desktop.views.enrol import EnrolDialog
    from desktop.views.login import LoginDialog
    from sync.city import enrolment
    from sync.city.client import Credentials, server_base
    from sync.ledger.secrets import KeyringSecretStore, SecretUnavailable

    qtapp.configure(app, config.font_size)
    # The ledger, printing and the main window's modules load while the clerk types (about a second of imports
    # kept off the way to the log-in dialog); each step below imports them again, at no cost once loaded.
    threading.Thread(target=_load_main_window_modules, name="preload", daemon=True).start()
    runner = TaskRunner()
    try:
        loaded = enrolment.load(data_dir, KeyringSecretStore())
    except (SecretUnavailable, DomainError):
        loaded = None  # the enrolment dialog offers to enrol again
    if loaded is not None and config.office and loaded[0].office.code != config.office:
        office = loaded[0].office
        say_refusal(
            text("config_office_mismatch", configured=config.office, enrolled=office.code, name=office.name), True
        )
        runner.shutdown()
        return 2

    def enrol_here(url: str, code: str) -> Any:
        from desktop.bootstrap import enrol

        return enrol(data_dir, url, code, KeyringSecretStore())

    if loaded is None or loaded[0].server != server_base(server):
        dialog = EnrolDialog(runner, enrol_here, server=server)
        if dialog.exec() != EnrolDialog.DialogCode.Accepted:
            runner.shutdown()
            return 1
        server = dialog.result_value[0].server

    def rebuild(user: str, password: str) -> list[str]:
        from desktop.bootstrap import recover_ledger

        report, device_id = recover_ledger(data_dir, user, password, practice=False)
        return report.lines(device_id)

    def sign_in(user: str, password: str) -> Any:
        from desktop.bootstrap import connect

        return connect(data_dir, server, Credentials(user, password))

    login = LoginDialog(runner, sign_in, username=args.user, rebuild=rebuild)
    if login.exec() != LoginDialog.DialogCode.Accepted:
        runner.shutdown()
        return 1
    from desktop.heap import freeze_startup_heap
    from desktop.main_window import MainWindow

    services = login.result_value
    services.idle_lock_s = idle_s
    window = MainWindow(services, runner)
    window.restore_layout()
    window.show()
    freeze_startup_heap()
    try:
        return app.exec()
    finally:
        runner.shutdown()
        services.close()


def run_enrol(args: argparse.Namespace) -> int:
    """Enrol this PC from the command line (IT staff, scripted installs): prints the device id the city gave."""
    from desktop.bootstrap import enrol
    from sync.ledger.secrets import KeyringSecretStore, SecretUnavailable
    from sync.protocol.errors import SyncError

    code = args.code or input("一次性登記碼：").strip()
    try:
        enrolled, _identity = enrol(_data_dir(args.data_dir), args.server, code, KeyringSecretStore())
    except (DomainError, SyncError) as exc:
        print("登記失敗：" + text(exc.code, **exc.params), file=sys.stderr)
        return 1
    except SecretUnavailable as exc:
        print(f"登記失敗：{exc}", file=sys.stderr)
        return 1
    print(f"已登記：設備 {enrolled.device_id}（{enrolled.office.name}，{enrolled.name}）")
    return 0


def run_catalog(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        print(text(exc.code, **exc.params), file=sys.stderr)
        return 1
    rows: list[dict[str, Any]] = [
        {
            "number": s.number,
            "code": s.code,
            "name": s.name_zh,
            "name_en": s.name_en,
            "category": s.category,
            "kind": s.cross_district,
            "fee": s.fee,
            "fee_text": fee_words(s.fee, s.fee_note),
            "time_limit": {
                "value": s.time_limit.value,
                "unit": s.time_limit.unit,
                "source": s.time_limit.source,
                "basis": s.time_limit.basis,
            },
            "lookups": list(s.lookups),
            "unknown": list(s.unknown),
        }
        for s in catalog
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(" ".join(_pad(h, w) for h, w in zip(HEADERS, WIDTHS, strict=True)))
    for r in rows:
        limit = r["time_limit"]
        cells = [
            str(r["number"]),
            r["code"],
            r["name"],
            r["category"],
            "跨區" + r["kind"],
            fee_words(r["fee"]),
            _limit_cell(limit),
            "已公告" if limit["source"] == PUBLISHED else "§51 預設",
            ",".join(r["lookups"]),
        ]
        print(" ".join(_pad(c, w) for c, w in zip(cells, WIDTHS, strict=True)).rstrip())
    return 0


HEADERS = ("#", "代碼", "申辦項目", "類別", "種類", "規費", "處理期限", "期限來源", "電子查驗")
WIDTHS = (2, 6, 48, 4, 8, 10, 12, 10, 0)


def _limit_cell(limit: dict[str, Any]) -> str:
    return TimeLimit(limit["value"], limit["unit"]).words()  # the source has its own column


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width, counting CJK (wide) characters as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def run_check_ledger(args: argparse.Namespace) -> int:
    """`counterdesk check-ledger`: one line for support staff and scripts; exit 0 only for a sound ledger. Needs no
    keyring and changes nothing (the file is read over a read-only connection)."""
    from sync.ledger.checkup import checkup

    found = checkup(_ledger_path(_data_dir(args.data_dir)))
    print(found.line)
    for problem in found.problems:
        print(f"  {problem}", file=sys.stderr)
    return 0 if found.state == "ok" else 1


def run_recover(args: argparse.Namespace) -> int:
    """`counterdesk recover`: rebuild the ledger from the city and what can be read of the damaged file. A
    supervisor's name (--user) and password (asked for, never on the command line)."""
    from desktop.bootstrap import recover_ledger
    from sync.ledger.secrets import SecretUnavailable
    from sync.protocol.errors import StoreError, SyncError

    data_dir = _data_dir(args.data_dir)
    practice = _ledger_path(data_dir) != data_dir / "ledger.db"
    folder = data_dir / "sandbox" if practice else data_dir
    password = getpass.getpass(f"主管 {args.user} 的密碼：")
    try:
        report, device_id = recover_ledger(folder, args.user, password, practice)
    except (DomainError, SyncError, StoreError) as exc:
        print("重建帳本失敗：" + text(exc.code, **exc.params), file=sys.stderr)
        return 1
    except SecretUnavailable as exc:
        print(f"重建帳本失敗：{exc}", file=sys.stderr)
        return 1
    for line in report.lines(device_id):
        print(line)
    return 0


def _ledger_path(data_dir: Path) -> Path:
    """The production ledger, or the practice one when this data folder only holds practice data."""
    if (data_dir / "ledger.db").exists() or not (data_dir / "sandbox" / "ledger.db").exists():
        return data_dir / "ledger.db"
    return data_dir / "sandbox" / "ledger.db"


def run_demo(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = None
    if args.screen:
        # Before Qt starts: a headless screen of that size (Qt's offscreen platform reads it from a JSON file),
        # and the Windows display scaling as Qt's scale factor.
        size = re.fullmatch(r"(\d{3,4})x(\d{3,4})", args.screen)
        if size is None or not 0.5 <= args.scale <= 4:
            print("--screen 須為 寬x高（例：1366x768），--scale 為 0.5～4（例：1.5）。", file=sys.stderr)
            return 2
        out.mkdir(parents=True, exist_ok=True)
        config = out / "screen.json"
        width, height = int(size[1]), int(size[2])
        screen = {"name": "counter", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}
        config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
        suffix = args.screen + ("" if args.scale == 1 else f"@{round(args.scale * 100)}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop.demo import run

    cut = 0
    for line in run(out, suffix):
        print(line)
        cut += "CUT OFF" in line
    return 1 if cut else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counterdesk", description="Counterdesk 臨櫃服務")
    parser.add_argument("--version", action="version", version=f"counterdesk {VERSION}")
    parser.add_argument("--data-dir", help="where the ledger, receipts and sandbox data live")
    parser.add_argument(
        "--server",
        help="city server URL (https; http only on this machine); without it, the server this PC is enrolled "
        "with, else practice mode (練習模式)",
    )
    parser.add_argument("--user", default=getpass.getuser())
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING or ERROR (the log file's detail)")
    parser.add_argument("--font-size", type=int, help="the window's font size in points (9–20)")
    parser.add_argument("--idle-lock-minutes", type=int, help="lock the window after this many idle minutes (1–60)")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check fonts, catalog, migrations, keyring, printing and the data folder",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="headless scripted tour: 3 intakes, one offline, sync, day close")
    demo.add_argument("--out", required=True)
    demo.add_argument("--screen", help="also screenshot every page and dialog on a screen this size, e.g. 1366x768")
    demo.add_argument("--scale", type=float, default=1.0, help="display scaling with --screen, e.g. 1.25 or 1.5")
    cat = sub.add_parser("catalog", help="list the loaded services")
    cat.add_argument("--json", action="store_true")
    sub.add_parser("check-ledger", help="check the ledger file: one line LEDGER ok|damaged|behind …; exit 0 if ok")
    sub.add_parser("recover", help="rebuild a damaged or lost ledger from the city (a supervisor: --user)")
    enrol = sub.add_parser("enrol", help="enrol this PC with the city server using a one-time code")
    enrol.add_argument("--code", help="the one-time code (asked for when not given)")
    args = parser.parse_args(argv)
    if os.name == "posix":
        os.umask(0o077)  # everything this app creates (folders, ledger, receipts) is the user's alone
    try:
        config = load_config(
            command_line={
                "server": args.server,
                "data_dir": os.path.abspath(args.data_dir) if args.data_dir else None,  # relative: to here
                "log_level": args.log_level,
                "font_size": args.font_size,
                "idle_lock_minutes": args.idle_lock_minutes,
            }
        )
    except ConfigError as exc:
        say_refusal(text(exc.code, **exc.params), args.command is None)
        return 2
    args.server = config.server
    args.data_dir = str(config.data_dir) if config.data_dir else None
    args.config = config
    if args.command == "demo":
        # The tour logs beside what it writes, so what it logged can be read (and checked for IDs) afterwards.
        logs.configure(config.log_dir or Path(args.out) / "logs", config.log_level)
    else:
        logs.configure(config.log_dir, config.log_level)
    logs.install_crash_hooks()
    if args.selftest:
        from desktop.selftest import run_selftest

        return run_selftest(config)
    if args.command == "demo":
        return run_demo(args)
    if args.command == "catalog":
        return run_catalog(args)
    if args.command == "check-ledger":
        return run_check_ledger(args)
    if args.command == "recover":
        return run_recover(args)
    if args.command == "enrol":
        if not args.server:
            print("請以 --server 指定市府伺服器網址。", file=sys.stderr)
            return 2
        return run_enrol(args)
    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
