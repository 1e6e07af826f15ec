"""The real client code in a process of its own, to be killed with SIGKILL anywhere (crash suite).

It takes intakes for the IDs in a file, printing `ACK <case number>` only after the commit returned (the moment
the window would say 受理), pushes the outbox every few cases, and prints `DONE` when every case is delivered.
Restarted after a kill, it carries on from what its ledger holds.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date
from pathlib import Path

from forms.catalog import load_catalog
from forms.ids import parse_id
from forms.types import Applicant, Decision, Office, Outcome, RuleResult
from sync.city.client import Credentials
from sync.ledger import CaseDraft, Device, Ledger
from tests.fakes.devices import TEST_DEVICE
from tests.reliability.harness import make_client, sync_round

OFFICE = Office(code="68000010", name="桃園市桃園區公所", city_code="68000000", city_name="桃園市")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--ids", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--push-every", type=int, default=3)
    parser.add_argument("--variant", default="real", help="real, or a deliberately broken client (harness.VARIANTS)")
    args = parser.parse_args()
    service = load_catalog().get("SW-05")
    ids = args.ids.read_text().split()
    # The test device the fixture city enrolled (its keys are the fixture's, see tests/fakes/devices.py).
    ledger = Ledger(args.db, Device(OFFICE, TEST_DEVICE.device_id), b"\x09" * 32)
    client = make_client(
        args.variant, args.server, TEST_DEVICE, lambda: Credentials(args.user, args.password), (1.0, 2.0)
    )

    def sync() -> None:
        sync_round(args.variant, ledger, client, 5)

    done = ledger.cases.count()  # carry on after a kill: every committed case is there
    for n in range(done, len(ids)):
        draft = CaseDraft(
            case_uuid=uuid.uuid4(),
            service=service,
            applicant=Applicant(parse_id(ids[n]), f"測試{n}", date(1950, 1, 1)),
            decision=Decision((RuleResult("identity_matches", Outcome.PASS, "identity_ok"),)),
            clerk="clerk",
        )
        saved = ledger.cases.accept(draft)
        print(f"ACK {saved.case_number}", flush=True)
        if n % args.push_every == 0:
            sync()
    for _ in range(10_000):  # bounded: a broken client may never drain
        if not ledger.outbox.counts()["pending"]:
            break
        sync()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
