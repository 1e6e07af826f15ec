"""No paper the office prints carries a citizen's full name or full ID number: the A4 receipt, the 80 mm receipt and
its reprint, the 一次告知單, the void slip, the day-close report and the re-verification report, each rendered for
the same citizen through the app's own paperwork against a real city server, and read back as a viewer would."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.paperwork import write_dayclose, write_notice, write_receipt, write_reprint, write_review, write_void_slip
from forms.catalog import load_catalog
from forms.dayclose import cash_lines
from forms.rocdate import format_roc_slash
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import make_services, today

pytestmark = pytest.mark.integration
ANY_ID = re.compile(r"[A-Z][1289A-D]\d{8}")


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_no_paper_carries_a_full_name_or_id(services: Services, population: list[Resident]) -> None:
    person = next(r for r in population if r.city_code == OFFICE.city_code and len(r.name) >= 3 and r.disability)
    catalog = load_catalog()
    service = catalog.get("SW-21")  # household and disability registers; documents owed
    fields = {f.id: "0912-345-678" for f in service.fields}
    form = services.intake.validate(
        service, person.national_id, person.name, format_roc_slash(person.birth_date), fields
    )
    assert form.applicant is not None, form.problems
    verification = services.intake.verify(
        services.intake.new_case_uuid(), service, form.applicant, form.fields, consent=True
    )
    case = services.intake.accept(verification)
    papers = {"notice": write_notice(verification, services), "receipt A4": write_receipt(case, services)}
    services.ledger.settings.set("receipt_layout", "thermal80")
    papers["receipt 80 mm"] = write_receipt(case, services)
    papers["reprint 80 mm"] = write_reprint(case, services)
    assert services.books is not None and services.reviews is not None
    void = services.books.void(case.case_uuid, "民眾當場撤回申請", SUPERVISOR, SUPERVISOR_PASSWORD)
    papers["void slip"] = write_void_slip(services.ledger.cases.case(case.case_uuid), void, services)
    report = services.books.prepare(today())
    papers["day close"] = write_dayclose(report, cash_lines(report, {}), "", services)
    csv = f"身分證統一編號,姓名\n{person.national_id},{person.name}\n"
    run = services.reviews.start_from_csv(service.code, "list.csv", csv)
    done = services.reviews.run(run.run_id)
    papers["review CSV"], papers["review report"] = write_review(
        done, services.ledger.reviews.lines(run.run_id), services
    )
    for kind, path in papers.items():
        seen = path.read_text(encoding="utf-8-sig") if path.suffix == ".csv" else text_of(path)
        assert seen.strip(), kind
        assert person.national_id not in seen and not ANY_ID.search(seen), kind
        assert person.name not in seen, kind
    assert person.national_id[:6] + "****" in text_of(papers["receipt A4"])  # the masked form is there instead
