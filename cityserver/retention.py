"""Keeping the city's database to what the law asks: the look-up audit and the security events older than the
retention period go to an archive (gzip'd JSON lines, one file per run and table, listed with its SHA-256 in
MANIFEST.sha256), and only once that file is on disk are they deleted; expired tokens, challenges and old rate
counts are simply deleted (they are keys, not records).

An archive file is made durable (written, fsync'd, renamed, the folder fsync'd) before the rows leave the
database in one transaction: a crash in between leaves the rows in the database and the file in the archive, so a
row may be archived twice (its id tells), never lost.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from cityserver.context import NO_SYNC, now
from cityserver.db import ChallengeRow, LookupAuditRow, RateHitRow, RefreshTokenRow, SecurityEventRow, TokenRow

ARCHIVED: tuple[type[LookupAuditRow] | type[SecurityEventRow], ...] = (LookupAuditRow, SecurityEventRow)
MANIFEST = "MANIFEST.sha256"
BATCH = 50_000  # rows per file and transaction: a year of a busy city's audit is millions


@dataclass(frozen=True)
class Archived:
    table: str
    rows: int
    file: Path


class ArchiveError(Exception):
    """The archive folder cannot take the file: nothing was deleted."""


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _write_durably(folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    target = folder / name
    partial = folder / f".{name}.partial"
    try:
        with partial.open("wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                for row in rows:
                    gz.write(json.dumps(row, ensure_ascii=False, default=_json).encode() + b"\n")
            raw.flush()
            os.fsync(raw.fileno())
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        os.replace(partial, target)
        with (folder / MANIFEST).open("a", encoding="utf-8") as manifest:
            manifest.write(f"{digest}  {name}\n")
            manifest.flush()
            os.fsync(manifest.fileno())
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # whatever stood in the way stays; the error below says where
        raise ArchiveError(f"{folder}: {exc.strerror}") from exc
    return target


def archive_older_than(factory: sessionmaker[Session], folder: Path, cutoff: datetime) -> list[Archived]:
    """Move audit and security rows older than `cutoff` to files in `folder`. Raises ArchiveError (then the rows
    not yet archived are all still in the database)."""
    if not folder.is_dir():
        raise ArchiveError(f"{folder}: 資料夾不存在")
    stamp = now().strftime("%Y%m%dT%H%M%S")
    done: list[Archived] = []
    for table in ARCHIVED:
        part = 0
        while True:
            with factory.begin() as s:
                found = s.scalars(
                    select(table).where(table.at < cutoff).order_by(table.id).limit(BATCH).with_for_update()
                ).all()
                if not found:
                    break
                columns = [c.key for c in table.__table__.columns]
                rows = [{c: getattr(r, c) for c in columns} for r in found]
                part += 1
                name = f"{table.__tablename__}-{stamp}-{part:03d}.jsonl.gz"
                path = _write_durably(folder, name, rows)
                ids = [row["id"] for row in rows]
                s.execute(delete(table).where(table.id.in_(ids)), execution_options=NO_SYNC)
            done.append(Archived(table.__tablename__, len(rows), path))
    return done


def prune_keys(factory: sessionmaker[Session]) -> dict[str, int]:
    """Expired access and refresh tokens, expired challenges, rate counts of windows long past."""
    moment = now()
    counts: dict[str, int] = {}
    with factory.begin() as s:
        for table, expired in (
            (TokenRow, TokenRow.expires_at <= moment),
            (RefreshTokenRow, RefreshTokenRow.expires_at <= moment),
            (ChallengeRow, ChallengeRow.expires_at <= moment),
            (RateHitRow, RateHitRow.slot < int((moment - timedelta(hours=1)).timestamp()) // 60),
        ):
            result = s.execute(delete(table).where(expired), execution_options=NO_SYNC)
            counts[table.__tablename__] = int(result.rowcount)  # type: ignore[attr-defined]
    return counts
