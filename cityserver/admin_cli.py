"""The administrator's commands of `counterdesk-server` for users and devices (cityserver.admin does the work)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from cityserver import admin
from forms.clock import TAIPEI

COMMANDS = (
    "users",
    "disable-user",
    "enable-user",
    "reset-password",
    "list-devices",
    "disable-device",
    "enable-device",
)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="the users (of one office) and whether each is disabled")
    users.add_argument("--office")
    for name, what in (("disable-user", "stop a user at once (sessions end)"), ("enable-user", "let a user in again")):
        sub.add_parser(name, help=what).add_argument("username")
    sub.add_parser(
        "reset-password", help="a new password, read from the terminal; the user's sessions end"
    ).add_argument("username")
    devices = sub.add_parser("list-devices", help="the devices (of one office): state, app version, last contact")
    devices.add_argument("--office")
    for name, what in (
        ("disable-device", "pause a PC (sessions end; keys kept): a laptop in repair"),
        ("enable-device", "let a paused PC in again"),
    ):
        sub.add_parser(name, help=what).add_argument("device_id")


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(TAIPEI):%Y-%m-%d %H:%M}" if moment else "—"


def run(args: argparse.Namespace, factory: sessionmaker[Session]) -> int:
    by = f"admin:{getpass.getuser()}"
    try:
        if args.command == "users":
            for u in admin.users(factory, args.office):
                state = f"停用 {_when(u.disabled_at)}" if u.disabled_at else "使用中"
                print(f"{u.username}\t{u.office_code}\t{u.role}\t{state}")
        elif args.command in ("disable-user", "enable-user"):
            off = args.command == "disable-user"
            admin.set_user_disabled(factory, args.username, off, by)
            print(f"使用者 {args.username} 已{'停用：所有登入即刻失效' if off else '恢復使用'}。")
        elif args.command == "reset-password":
            password = getpass.getpass("new password: ")
            if len(password) < 8:
                print("密碼至少 8 個字元。", file=sys.stderr)
                return 2
            admin.reset_password(factory, args.username, password, by)
            print(f"使用者 {args.username} 的密碼已重設，原有登入皆已失效。")
        elif args.command == "list-devices":
            print("設備\t區公所\t名稱\t狀態\t版本\t最後連線")
            for d in admin.devices(factory, args.office):
                since = _when(d.revoked_at or d.disabled_at) if d.state != "使用中" else ""
                state = f"{d.state} {since}".strip()
                fields = (d.device_id, d.office_code, d.name, state, d.client_version or "—", _when(d.last_seen_at))
                print("\t".join(fields))
        else:
            off = args.command == "disable-device"
            admin.set_device_disabled(factory, args.device_id, off, by)
            print(f"設備 {args.device_id} 已{'暫停：登入即刻失效，金鑰與資料保留' if off else '恢復使用'}。")
    except admin.NotFound as exc:
        print(f"查無 {exc}。", file=sys.stderr)
        return 1
    return 0
