"""`counterdesk-server`: run the reference city server (several workers), migrate its database, seed the sandbox
population, and the administrator's commands (users, device enrolment codes, the device list, revocation).

The database URL and the audit key come from the environment or from files it names (cityserver.config), never
from the command line; `--db` is accepted for a URL without a password (a SQLite file, a local socket).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from cityserver import admin_cli, config, integrity, retention, telemetry
from cityserver.app import ROLES, add_user
from cityserver.context import now
from cityserver.db import DeviceRow, SchemaOutdated, make_engine, open_db, seed_population
from cityserver.devices import create_enrolment, revoke
from cityserver.errors import ApiError
from cityserver.observe import configure_logging
from cityserver.population import DEFAULT_SEED, DEFAULT_SIZE
from cityserver.schema import migrate
from sync.protocol.version import VERSION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counterdesk-server", description="Counterdesk reference city server")
    parser.add_argument("--version", action="version", version=f"counterdesk-server {VERSION}")
    parser.add_argument(
        "--db",
        help="database URL without a password (sqlite:///…); otherwise COUNTERDESK_DB_URL or COUNTERDESK_DB_URL_FILE",
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP API (the default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="worker processes (default 1; one or two per core)")
    serve.add_argument("--log-format", choices=config.LOG_FORMATS)
    serve.add_argument(
        "--trusted-proxy",
        dest="trusted_proxies",
        action="append",
        default=[],
        help="address or network of a reverse proxy whose X-Forwarded-For is believed (repeatable)",
    )
    serve.add_argument("--min-client-version", default="", help="refuse apps older than this (e.g. 0.2.0): 「請更新」")
    serve.add_argument("--latest-version", default="", help="the newest app release, told to every app")
    serve.add_argument("--installer-url", default="", help="where offices download the newest installer")
    sub.add_parser("migrate", help="bring the database to this server's schema (Alembic), in one transaction")
    seed = sub.add_parser(
        "seed-sandbox", help="load the synthetic residents of the sandbox registers (never production)"
    )
    seed.add_argument("--size", type=int, default=DEFAULT_SIZE)
    seed.add_argument("--seed", type=int, default=DEFAULT_SEED)
    user = sub.add_parser("add-user", help="create or reset a user; the password is read from the terminal")
    user.add_argument("username")
    user.add_argument("--office", required=True, help="district office code, e.g. 68000010")
    user.add_argument("--role", choices=ROLES, default="clerk")
    enrol = sub.add_parser("enrol-device", help="make a one-time enrolment code for a PC of an office")
    enrol.add_argument("--office", required=True, help="district office code, e.g. 68000010")
    enrol.add_argument("--name", required=True, help="the PC's name, e.g. 櫃台3")
    enrol.add_argument("--valid-minutes", type=int, default=120)
    enrol.add_argument("--replaces", help="a lost or broken PC's device id: the new PC takes it over")
    admin_cli.add_commands(sub)
    sub.add_parser("verify", help="recompute every stored case's content hash (after a restore): exit 1 on a mismatch")
    keep = sub.add_parser("retention", help="archive audit rows older than the retention period, drop expired keys")
    keep.add_argument("--archive", required=True, help="the archive folder (on another disk, backed up)")
    keep.add_argument("--keep-days", type=int, help="the retention period (default: audit_retention_days)")
    revoke_cmd = sub.add_parser("revoke-device", help="cut a lost or stolen PC off at once")
    revoke_cmd.add_argument("device_id")
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "log_format", None) or "text")  # serve's own lines follow the configuration
    if args.db:
        if config.url_has_password(args.db):
            print("資料庫密碼不可放在命令列（ps 看得到）：請改用 COUNTERDESK_DB_URL_FILE。", file=sys.stderr)
            return 2
        os.environ["COUNTERDESK_DB_URL"] = args.db  # the workers read the same environment
    try:
        cfg = config.load(overrides=_overrides(args) if args.command in (None, "serve") else None)
    except config.ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        return _run(args, cfg)
    except SchemaOutdated as exc:
        if args.command == "migrate":
            print(f"無法移轉此資料庫：{exc}。", file=sys.stderr)
        else:
            print(f"資料庫版本不符：{exc}。請先執行 counterdesk-server migrate。", file=sys.stderr)
        return 2


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    names = ("host", "port", "workers", "log_format", "trusted_proxies")
    found: dict[str, object] = {k: getattr(args, k, None) for k in names}
    found.update({k: getattr(args, k, "") for k in ("min_client_version", "latest_version", "installer_url")})
    return found


def _run(args: argparse.Namespace, cfg: config.ServerConfig) -> int:
    if args.command == "migrate":
        before, after = migrate(make_engine(cfg.db_url))
        print(f"資料庫已是版本 {after}" if before == after else f"資料庫已由 {before or '空白'} 移轉至 {after}")
        return 0
    if args.command == "seed-sandbox":
        if not 1 <= args.size <= 1_000_000:
            print("人數須介於 1 與 1,000,000 之間。", file=sys.stderr)
            return 2
        added = seed_population(open_db(make_engine(cfg.db_url)), args.seed, args.size)
        print(f"已載入 {added} 位模擬居民" if added else "已有居民資料，未載入任何資料")
        return 0
    if args.command == "add-user":
        password = getpass.getpass("password: ")
        if not password:
            print("密碼不可空白。", file=sys.stderr)
            return 2
        add_user(open_db(make_engine(cfg.db_url)), args.username, password, args.office, args.role)
        print(f"user {args.username} saved")
        return 0
    if args.command == "enrol-device":
        if not 5 <= args.valid_minutes <= 7 * 24 * 60:
            print("有效時間須介於 5 分鐘與 7 天之間。", file=sys.stderr)
            return 2
        try:
            made = create_enrolment(
                open_db(make_engine(cfg.db_url)),
                args.office,
                args.name,
                f"admin:{getpass.getuser()}",
                timedelta(minutes=args.valid_minutes),
                replaces=args.replaces,
            )
        except ApiError:
            print(f"{args.office} 沒有設備 {args.replaces}。", file=sys.stderr)
            return 2
        until = f"{made.expires_at:%Y-%m-%d %H:%M} UTC"
        instead = f"，接替設備 {made.replaces}" if made.replaces else ""
        print(f"登記碼 {made.code}　（{made.office_code} {made.name}{instead}，{until} 前有效，限用一次）")
        return 0
    if args.command == "verify":
        report = integrity.verify(open_db(make_engine(cfg.db_url)))
        print("，".join(f"{name} {n} 筆" for name, n in report.rows.items()))
        for table, key, why in report.broken[:50]:
            print(f"不符 {table} {key}：{why}", file=sys.stderr)
        print("全部相符" if report.ok else f"{len(report.broken)} 筆不符", file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1
    if args.command == "retention":
        days = args.keep_days or cfg.settings.audit_retention_days
        if not 30 <= days <= 36_500:
            print("保存期限須介於 30 天與 100 年之間。", file=sys.stderr)
            return 2
        factory = open_db(make_engine(cfg.db_url))
        try:
            moved = retention.archive_older_than(factory, Path(args.archive), now() - timedelta(days=days))
        except retention.ArchiveError as exc:
            print(f"無法寫入封存檔，資料庫未刪除任何資料：{exc}", file=sys.stderr)
            return 1
        for item in moved:
            print(f"封存 {item.table} {item.rows} 筆 → {item.file}")
        dropped = retention.prune_keys(factory)
        print("已刪除過期：" + "，".join(f"{k} {v} 筆" for k, v in dropped.items()))
        return 0
    if args.command in admin_cli.COMMANDS:
        return admin_cli.run(args, open_db(make_engine(cfg.db_url)))
    if args.command == "revoke-device":
        with open_db(make_engine(cfg.db_url)).begin() as s:
            device = s.get(DeviceRow, args.device_id)
            if device is None:
                print(f"查無設備 {args.device_id}。", file=sys.stderr)
                return 1
            revoke(s, device, f"admin:{getpass.getuser()}")
        print(f"設備 {args.device_id} 已停用：登入、權杖與金鑰即刻失效。")
        return 0
    return serve(cfg)


def serve(cfg: config.ServerConfig) -> int:
    """uvicorn's own process manager: `workers` processes, each building the app from the same environment (a
    worker that dies is replaced). The schema is checked here first, so a server on an unmigrated database stops
    with a message instead of a crash in every worker."""
    import uvicorn

    from cityserver.schema import require_current

    configure_logging(cfg.log_format)
    engine = make_engine(cfg.db_url)
    require_current(engine)
    engine.dispose()
    os.environ[config.RESOLVED_ENV] = json.dumps(cfg.options())
    # Every worker's metrics in one folder, emptied first (prometheus_client's multiprocess mode).
    folder = os.environ.get(telemetry.MULTIPROCESS_ENV) or tempfile.mkdtemp(prefix="counterdesk-metrics-")
    telemetry.fresh_folder(Path(folder))
    os.environ[telemetry.MULTIPROCESS_ENV] = folder
    # The app decides which X-Forwarded-For to believe (trusted proxies only); uvicorn's own rewriting is off.
    uvicorn.run(
        "cityserver.app:app_from_environment",
        factory=True,
        host=cfg.host,
        port=cfg.port,
        workers=cfg.workers,
        proxy_headers=False,
        access_log=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
