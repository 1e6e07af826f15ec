"""One SQLAlchemy engine per ledger file: WAL, synchronous=FULL, foreign keys, BEGIN IMMEDIATE for writes.

pysqlite's implicit transactions are switched off and BEGIN is emitted by us (the SQLAlchemy-documented recipe),
so "case + receipt + outbox" is truly one transaction and a writer takes the lock up front.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync.ledger.store.integrity import checked_text


def make_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Personal data: the file is created readable by the user only.
        old = os.umask(0o077)
        try:
            path.touch()
        finally:
            os.umask(old)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        dbapi_conn.text_factory = checked_text  # a text that does not decode is damage, never a raw error
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")  # a printed receipt is on disk, even after a power cut
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA secure_delete=ON")  # freed pages are zeroed: deleted personal data does not linger
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
