"""Saves N cases with the real ledger, for `strace` to count the syncs (tests/reliability/test_durability.py)."""

from __future__ import annotations

import sys
import uuid
from datetime import date
from pathlib import Path

from forms.ids import parse_id
from forms.types import Applicant, Decision, Office, Outcome, RuleResult
from sync.ledger import CaseDraft, Device, Ledger
from tests.reliability.harness import SERVICE

if __name__ == "__main__":
    path, count = Path(sys.argv[1]), int(sys.argv[2])
    ledger = Ledger(path, Device(Office("68000010", "x", "68000000", "桃園市"), "D05"), b"\x05" * 32)
    print("READY", flush=True)
    sys.stdin.readline()  # the tracer attaches here, after start-up and migration
    for _ in range(count):
        ledger.cases.accept(
            CaseDraft(
                uuid.uuid4(),
                SERVICE,
                Applicant(parse_id("A123456789"), "王小明", date(1950, 1, 1)),
                Decision((RuleResult("identity_matches", Outcome.PASS, "identity_ok"),)),
                "clerk",
            )
        )
    ledger.close()
