"""Child process of the memory benchmark: `python -m bench.rss_probe URL DIR N1 N2`. Takes N2 intakes (look-ups,
decision, receipt PDF, ledger) in one process and prints its resident memory (MiB) after N1 and after N2."""

from __future__ import annotations

import gc
import sys
from itertools import cycle
from pathlib import Path

from bench.common import DEVICE_ID, OFFICE, SECRET, USER, client
from cityserver.population import generate
from desktop.paperwork import receipt_data
from forms.calendar import load_calendar
from forms.catalog import load_catalog
from forms.rocdate import format_roc_slash
from forms.thresholds import load_thresholds
from printing.receipt import build_receipt_pdf
from sync.city.lookups import LookupService
from sync.ledger import Device, Ledger
from sync.services.intake import IntakeService


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    url, folder, first, last = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    device = Device(OFFICE, DEVICE_ID)
    ledger = Ledger(folder / "ledger.db", device, SECRET)
    c = client(url)
    catalog = load_catalog()
    intake = IntakeService(
        ledger, LookupService(ledger, c), c, device, USER, catalog, load_calendar(), load_thresholds()
    )
    service = catalog.get("SW-05")
    people = cycle(generate())
    marks = {}
    for n in range(1, last + 1):
        person = next(people)
        form = intake.validate(
            service, person.national_id, person.name, format_roc_slash(person.birth_date), {"phone": "0912345678"}
        )
        assert form.applicant is not None
        v = intake.verify(intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
        case = intake.accept(v)
        build_receipt_pdf(receipt_data(case, catalog, device, f"{url}/track/{case.case_number}", practice=False))
        if n in (first, last):
            gc.collect()
            marks[n] = rss_mib()
    print(f"{marks[first]:.1f} {marks[last]:.1f}", flush=True)


if __name__ == "__main__":
    main()
