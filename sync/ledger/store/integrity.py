"""What a ledger file holds before anything trusts it: SQLite's own check of its structure, the numbers it has
issued, the head of its audit chain, and whether every text in it decodes.

`probe` reads over a read-only connection, so a damaged file is looked at without being changed (no checkpoint,
no migration, no repair). Every text the ledger reads goes through `checked_text`: a value that is not valid
UTF-8, or holds a control character no writer ever stores, is damage, not data.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sync.ledger.highwater import Marks
from sync.protocol.audit_chain import FIELDS, GENESIS, first_bad, link

# C0 controls but tab, line feed and carriage return, DEL and C1: no writer of the ledger stores them (typed text
# is checked, JSON escapes them, sealed values are base64), so one in a value is a flipped bit.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
RECEIPT_COUNTER = "receipt"
CASE_COUNTER = "case:"  # + ISO day
LAST_RECEIPT = "receipt_last:"  # + ISO day: the last receipt number issued that day
LEDGER_ID = "ledger_id"  # a settings row: which ledger file this is (a copy or a rebuilt one has another)
# The ledger's tables in the order damage is looked for (the ones that hold numbers first).
TABLES = (
    "counters",
    "receipts",
    "cases",
    "outbox",
    "lookups",
    "voids",
    "day_closes",
    "corrections",
    "settings",
    "catalog_entries",
    "review_runs",
    "review_items",
    "reference_docs",
    "closures",
    "follow_ups",
)


class DamagedValue(ValueError):
    """A text read from the ledger that no writer could have stored."""


def checked_text(raw: bytes) -> str:
    """The sqlite3 text factory of every ledger connection: strict UTF-8 and no stray control characters.

    Raises:
        DamagedValue: the bytes are not what a writer stored.
    """
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedValue(f"undecodable text at byte {exc.start}") from exc
    if _CONTROL.search(value):
        raise DamagedValue("control character in a text value")
    return value


State = Literal["new", "ok", "damaged"]


@dataclass(frozen=True)
class Probe:
    """What `probe` found. `problems` are short English diagnostics for the log and support staff."""

    state: State
    problems: tuple[str, ...] = ()
    # Of those, what the day close reports itself (a gap in the receipts, a broken audit chain: rows changed or
    # removed behind the ledger, each needing the supervisor's written note); the others are a damaged file.
    reported: tuple[str, ...] = ()

    @property
    def file_damage(self) -> tuple[str, ...]:
        return tuple(p for p in self.problems if p not in self.reported)

    marks: Marks = field(default_factory=Marks)
    cases: int = 0
    receipts: int = 0
    chain: Literal["ok", "broken"] = "ok"
    ledger_id: str | None = None


def in_words(problem: str) -> str:
    """A diagnostic as the person at the counter reads it (the diagnostic itself goes to the log)."""
    if problem.startswith("sqlite:"):
        return "資料庫結構檢查未通過"
    if "audit chain" in problem:
        return "稽核紀錄鏈中斷"
    if "receipt" in problem or "receipts" in problem:
        return "收據與號碼計數不符"
    if " row " in problem:
        return "有資料列無法讀取"
    return "檔案無法以資料庫開啟"


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write the file (SQLite still builds its WAL index beside it)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=10)
    conn.text_factory = checked_text
    return conn


def probe(path: Path, full: bool = False) -> Probe:
    """Check a ledger file without changing it: `PRAGMA quick_check` (`integrity_check` with `full`, which also
    compares every index with its table), the counters against the receipts, the audit chain's last link (the
    whole chain with `full`) and, with `full`, that every text of every row decodes."""
    if not path.exists() or path.stat().st_size == 0:
        return Probe("new")
    try:
        with closing(connect_read_only(path)) as conn:
            return _probe(conn, full)
    except (sqlite3.Error, DamagedValue) as exc:
        return Probe("damaged", (f"{type(exc).__name__}: {exc}",), chain="broken")


def _probe(conn: sqlite3.Connection, full: bool) -> Probe:
    verdict = [r[0] for r in conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables & {"cases", "counters"}:
        return Probe("new") if verdict == ["ok"] else Probe("damaged", tuple(verdict[:5]), chain="broken")
    problems = [] if verdict == ["ok"] else [f"sqlite: {v}" for v in verdict[:5]]
    counters = dict(conn.execute("SELECT name, value FROM counters").fetchall()) if "counters" in tables else {}
    receipt_seq = int(counters.get(RECEIPT_COUNTER, 0))
    case_seqs = {n[len(CASE_COUNTER) :]: int(v) for n, v in counters.items() if n.startswith(CASE_COUNTER)}
    cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    receipts, top = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM receipts").fetchone()
    if top > receipt_seq:
        problems.append(f"receipt {top} above the counter {receipt_seq}")
    if receipts != cases:
        problems.append(f"{cases} cases but {receipts} receipts")
    chain_ok, audit_seq, head = _chain(conn, full)
    if not chain_ok:
        problems.append(f"audit chain broken near {audit_seq}")
    ledger_id = None
    if "settings" in tables:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (LEDGER_ID,)).fetchone()
        ledger_id = row[0] if row else None
    reported = tuple(p for p in problems if p.startswith(("audit chain", f"{cases} cases but")))
    if full:
        problems.extend(_undecodable(conn, tables))
    return Probe(
        state="damaged" if problems else "ok",
        problems=tuple(problems),
        reported=reported,
        marks=Marks(receipt_seq, case_seqs, audit_seq, head),
        cases=cases,
        receipts=receipts,
        chain="ok" if chain_ok else "broken",
        ledger_id=ledger_id,
    )


def _chain(conn: sqlite3.Connection, full: bool) -> tuple[bool, int, str]:
    """(intact, last seq, head hash). Without `full` only the last link and the numbering are checked: a row
    removed or edited in the middle is found by the full check (at the day close and when the app is idle)."""
    columns = ", ".join((*FIELDS, "prev_hash", "row_hash"))
    if "row_hash" not in {r[1] for r in conn.execute("PRAGMA table_info(lookups)")}:
        return True, 0, GENESIS  # a ledger from before the chain (revision 0003 builds it when it upgrades)
    count, top = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM lookups").fetchone()
    if not count:
        return True, 0, GENESIS
    query = f"SELECT {columns} FROM lookups ORDER BY seq" + ("" if full else " DESC LIMIT 1")
    names = (*FIELDS, "prev_hash", "row_hash")
    rows = [dict(zip(names, r, strict=True)) for r in conn.execute(query)]
    last = rows[-1] if full else rows[0]
    head = str(last["row_hash"])
    if count != top:
        return False, int(top), head
    if full:
        bad = first_bad(rows)
        return bad is None, int(top) if bad is None else bad, head
    return link(str(last["prev_hash"]), last) == head, int(top), head


def _undecodable(conn: sqlite3.Connection, tables: set[str]) -> Iterator[str]:
    """Every row whose text does not decode, named by table and rowid (at most a few per table)."""
    for table in TABLES:
        if table not in tables:
            continue
        found = 0
        for rowid in [r[0] for r in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]:  # noqa: S608
            try:
                conn.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rowid,)).fetchall()  # noqa: S608
            except (sqlite3.Error, DamagedValue) as exc:
                found += 1
                yield f"{table} row {rowid}: {exc}"
                if found == 3:
                    break


def locate_damage(path: Path) -> str | None:
    """The first row that does not read back, as 'table row N' (None: none found). For the message when a read
    fails mid-query and SQLite did not say which row it was."""
    try:
        with closing(connect_read_only(path)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return next((p.split(":")[0] for p in _undecodable(conn, tables)), None)
    except (sqlite3.Error, DamagedValue) as exc:
        return f"{type(exc).__name__}: {exc}"
