"""`counterdesk-server`: run the reference city server, or add a user to it."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

import uvicorn

from cityserver.app import add_user, create_app
from cityserver.db import init_db, make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="counterdesk-server", description="Counterdesk reference city server")
    parser.add_argument(
        "--db", default="sqlite:///cityserver.db", help="SQLAlchemy URL (sqlite:///… or postgresql://…)"
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP API (the default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    user = sub.add_parser("add-user", help="create or reset a user; the password is read from the terminal")
    user.add_argument("username")
    user.add_argument("--office", required=True, help="district office code, e.g. 68000010")
    user.add_argument("--role", choices=["clerk", "liaison", "supervisor"], default="clerk")
    parser.add_argument("--port", type=int, default=8787, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.command == "add-user":
        password = getpass.getpass("password: ")
        if not password:
            print("密碼不可空白。", file=sys.stderr)
            return 2
        add_user(init_db(make_engine(args.db)), args.username, password, args.office, args.role)
        print(f"user {args.username} saved")
        return 0
    host = getattr(args, "host", "127.0.0.1")
    uvicorn.run(create_app(args.db), host=host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
