"""What support staff and scripts see of a ledger without opening it for work: SQLite's full check, the audit
chain, every text of every row, and the numbers against the high-water marks beside the file. Needs no key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sync.ledger.highwater import MarksFile
from sync.ledger.store.integrity import probe


@dataclass(frozen=True)
class Checkup:
    state: Literal["ok", "damaged", "behind"]
    cases: int
    receipts: int
    chain: str
    problems: tuple[str, ...]

    @property
    def line(self) -> str:
        return f"LEDGER {self.state} cases={self.cases} receipts={self.receipts} chain={self.chain}"


def checkup(path: Path) -> Checkup:
    found = probe(path, full=True)
    if found.state == "damaged":
        return Checkup("damaged", found.cases, found.receipts, found.chain, found.problems)
    known = MarksFile(path.with_suffix(".marks")).read()
    behind = found.marks.behind(known) if known is not None else ()
    return Checkup("behind" if behind else "ok", found.cases, found.receipts, found.chain, behind)
