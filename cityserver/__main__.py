"""`counterdesk-server`: run the reference city server, and its administrator's commands (users, device enrolment
codes, the device list, revocation)."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import timedelta

import uvicorn
from sqlalchemy import select

from cityserver.app import ROLES, add_user, create_app
from cityserver.context import Settings
from cityserver.db import DeviceRow, SchemaOutdated, init_db, make_engine
from cityserver.devices import create_enrolment, revoke
from cityserver.errors import ApiError
from sync.protocol import version
from sync.protocol.version import VERSION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counterdesk-server", description="Counterdesk reference city server")
    parser.add_argument("--version", action="version", version=f"counterdesk-server {VERSION}")
    parser.add_argument(
        "--db", default="sqlite:///cityserver.db", help="SQLAlchemy URL (sqlite:///… or postgresql+psycopg://…)"
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP API (the default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        help="address or network of a reverse proxy whose X-Forwarded-For is believed (repeatable)",
    )
    serve.add_argument("--min-client-version", default="", help="refuse apps older than this (e.g. 0.2.0): 「請更新」")
    serve.add_argument("--latest-version", default="", help="the newest app release, told to every app")
    serve.add_argument("--installer-url", default="", help="where offices download the newest installer")
    user = sub.add_parser("add-user", help="create or reset a user; the password is read from the terminal")
    user.add_argument("username")
    user.add_argument("--office", required=True, help="district office code, e.g. 68000010")
    user.add_argument("--role", choices=ROLES, default="clerk")
    enrol = sub.add_parser("enrol-device", help="make a one-time enrolment code for a PC of an office")
    enrol.add_argument("--office", required=True, help="district office code, e.g. 68000010")
    enrol.add_argument("--name", required=True, help="the PC's name, e.g. 櫃台3")
    enrol.add_argument("--valid-minutes", type=int, default=120)
    enrol.add_argument("--replaces", help="a lost or broken PC's device id: the new PC takes it over")
    devices = sub.add_parser("list-devices", help="the enrolled devices (of one office)")
    devices.add_argument("--office")
    revoke_cmd = sub.add_parser("revoke-device", help="cut a lost or stolen PC off at once")
    revoke_cmd.add_argument("device_id")
    parser.add_argument("--port", type=int, default=8787, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        return _run(args)
    except SchemaOutdated as exc:
        print(f"資料庫版本不符：{exc}。請先移轉資料庫。", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "add-user":
        password = getpass.getpass("password: ")
        if not password:
            print("密碼不可空白。", file=sys.stderr)
            return 2
        add_user(init_db(make_engine(args.db)), args.username, password, args.office, args.role)
        print(f"user {args.username} saved")
        return 0
    if args.command == "enrol-device":
        if not 5 <= args.valid_minutes <= 7 * 24 * 60:
            print("有效時間須介於 5 分鐘與 7 天之間。", file=sys.stderr)
            return 2
        try:
            made = create_enrolment(
                init_db(make_engine(args.db)),
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
    if args.command == "list-devices":
        with init_db(make_engine(args.db))() as s:
            query = select(DeviceRow).order_by(DeviceRow.device_id)
            if args.office:
                query = query.where(DeviceRow.office_code == args.office)
            for d in s.scalars(query):
                state = f"停用 {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "使用中"
                print(f"{d.device_id}\t{d.office_code}\t{d.name}\t{state}")
        return 0
    if args.command == "revoke-device":
        with init_db(make_engine(args.db)).begin() as s:
            device = s.get(DeviceRow, args.device_id)
            if device is None:
                print(f"查無設備 {args.device_id}。", file=sys.stderr)
                return 1
            revoke(s, device, f"admin:{getpass.getuser()}")
        print(f"設備 {args.device_id} 已停用：登入、權杖與金鑰即刻失效。")
        return 0
    host = getattr(args, "host", "127.0.0.1")
    proxies = getattr(args, "trusted_proxy", [])
    releases: dict[str, str] = {k: getattr(args, k, "") for k in ("min_client_version", "latest_version")}
    for flag, value in releases.items():
        if value and version.parse(value) is None:
            print(f"--{flag.replace('_', '-')} 須為 主.次.修 版本號（例：0.2.0），不是 {value!r}。", file=sys.stderr)
            return 2
    settings = Settings(
        min_client_version=releases["min_client_version"],
        latest_version=releases["latest_version"],
        installer_url=getattr(args, "installer_url", ""),
    )
    # The app decides which X-Forwarded-For to believe (trusted proxies only); uvicorn's own rewriting is off.
    app = create_app(args.db, trusted_proxies=proxies, settings=settings)
    uvicorn.run(app, host=host, port=args.port, proxy_headers=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
