"""Retention on SQLite and PostgreSQL: audit and security rows older than the period go to the archive and only
then leave the database; younger ones stay; an archive that cannot be written deletes nothing; expired keys go."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from cityserver.db import LookupAuditRow, SecurityEventRow, TokenRow
from cityserver.embedded import EmbeddedServer
from cityserver.retention import ArchiveError, archive_older_than, prune_keys
from tests.conftest import USER

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("city", ["sqlite", "postgresql"], indirect=True),
]
NOW = datetime.now(UTC)
AGES_DAYS = [2000, 1900, 1827, 1825, 10, 0]  # the first three are older than five years (1826 days)


def fill(city: EmbeddedServer) -> None:
    with city.app.state.session_factory.begin() as s:
        s.execute(
            insert(LookupAuditRow),
            [
                {
                    "lookup_id": str(uuid.uuid4()),
                    "at": NOW - timedelta(days=age),
                    "username": "clerk",
                    "office_code": "68000010",
                    "device_id": "D0001",
                    "case_uuid": str(uuid.uuid4()),
                    "purpose": "SW-05",
                    "kind": "household",
                    "id_masked": "A12345****",
                    "id_digest": f"{age:064d}",
                    "result": "hit",
                }
                for age in AGES_DAYS
            ],
        )
        s.execute(
            insert(SecurityEventRow),
            [{"at": NOW - timedelta(days=age), "kind": "login_failed", "detail": f"age {age}"} for age in AGES_DAYS],
        )


def archived_rows(folder: Path) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    manifest = dict(reversed(line.split("  ")) for line in (folder / "MANIFEST.sha256").read_text().splitlines())
    for path in sorted(folder.glob("*.jsonl.gz")):
        assert manifest[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
        table = path.name.split("-")[0]
        found.setdefault(table, []).extend(json.loads(line) for line in gzip.open(path).read().splitlines())
    return found


def test_rows_older_than_the_period_are_archived_then_deleted(city: EmbeddedServer, tmp_path: Path) -> None:
    fill(city)
    factory = city.app.state.session_factory
    moved = archive_older_than(factory, tmp_path, NOW - timedelta(days=1826))
    assert sorted((m.table, m.rows) for m in moved) == [("lookup_audit", 3), ("security_events", 3)]
    archive = archived_rows(tmp_path)
    assert sorted(r["id_digest"] for r in archive["lookup_audit"]) == [f"{a:064d}" for a in sorted(AGES_DAYS[:3])]
    assert sorted(str(r["detail"]) for r in archive["security_events"]) == [f"age {a}" for a in (1827, 1900, 2000)]
    with factory() as s:
        kept = sorted(s.scalars(select(LookupAuditRow.id_digest)).all())
        events = sorted(s.scalars(select(SecurityEventRow.detail).where(SecurityEventRow.detail.like("age %"))).all())
    assert kept == sorted(f"{a:064d}" for a in AGES_DAYS[3:])
    assert events == sorted(f"age {a}" for a in AGES_DAYS[3:])
    assert archive_older_than(factory, tmp_path, NOW - timedelta(days=1826)) == []  # nothing more to move


def test_an_archive_that_cannot_be_written_deletes_nothing(
    city: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cityserver.retention as retention

    fill(city)
    factory = city.app.state.session_factory
    with pytest.raises(ArchiveError):
        archive_older_than(factory, tmp_path / "missing", NOW - timedelta(days=1826))
    monkeypatch.setattr(retention, "now", lambda: datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC))
    # Where the file would be written stands a folder: the write fails, as on a full or failing disk (root too).
    (tmp_path / ".lookup_audit-20310102T030405-001.jsonl.gz.partial").mkdir()
    with pytest.raises(ArchiveError):
        archive_older_than(factory, tmp_path, NOW - timedelta(days=1826))
    with factory() as s:
        assert len(s.scalars(select(LookupAuditRow.id)).all()) == len(AGES_DAYS)
    assert not list(tmp_path.glob("*.jsonl.gz"))


def test_the_command_archives_and_drops_expired_keys(city: EmbeddedServer, tmp_path: Path) -> None:
    fill(city)
    with city.app.state.session_factory.begin() as s:
        s.execute(
            insert(TokenRow),
            [
                {
                    "token_hash": f"{n:064d}",
                    "username": USER,
                    "device_id": "D0001",
                    "family_id": str(uuid.uuid4()),
                    "expires_at": NOW + timedelta(minutes=m),
                }
                for n, m in enumerate((-60, -1, 30))
            ],
        )
    url = str(city.app.state.engine.url)
    done = subprocess.run(
        [sys.executable, "-m", "cityserver", "--db", url, "retention", "--archive", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "封存 lookup_audit 3 筆" in done.stdout and "tokens 2 筆" in done.stdout
    assert prune_keys(city.app.state.session_factory)["tokens"] == 0
