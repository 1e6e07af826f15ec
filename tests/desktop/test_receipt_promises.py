"""What a receipt promises follows the case: every kind of receipt (A4 and 80 mm) for a case that passed, failed,
is pending (待查驗) or was let through by a supervisor, taken through the app's intake against a real city server,
written as the app writes it, and read back with pdftotext. A reprint after a catalog change prints what the
original printed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.paperwork import write_receipt, write_reprint
from forms.catalog import Catalog
from forms.documents import with_shown
from forms.rocdate import format_roc_slash
from sync.ledger import SavedCase
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import make_services

pytestmark = pytest.mark.integration
LAYOUTS = ("a4", "thermal80")
SHOW = os.environ.get("COUNTERDESK_SHOW_RECEIPTS", "")  # a folder: each receipt is also rendered there to look at
SW01_HANDED_OVER = "當場發給鑑定表"
RESEARCH_NOTES = ("未見正式公告", "處理期限未公告", "TAIWAN_PRACTICE", "依機關公告（依機關公告")


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def flat(pdf: Path) -> str:
    """The PDF's text with line breaks and spaces gone (a long line wraps on an 80 mm roll)."""
    shown = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(shown.split())


def take(services: Services, code: str, person: Resident, override: bool = False, shown: bool = False) -> SavedCase:
    """The case through the app's intake; `shown`: every paper document was shown at the counter (已驗)."""
    service = services.catalog.get(code)
    fields = {f.id: "0912-345-678" for f in service.fields}
    form = services.intake.validate(
        service, person.national_id, person.name, format_roc_slash(person.birth_date), fields
    )
    assert form.applicant is not None, form.problems
    v = services.intake.verify(services.intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
    if override:
        v = services.intake.approve_override(v, SUPERVISOR, SUPERVISOR_PASSWORD, "申請人已提出遷入證明，准予受理")
    if shown:
        v = replace(v, documents=with_shown(v.documents, [d.name for d in v.documents.owed]))
    return services.intake.accept(v)


def receipts(services: Services, case: SavedCase) -> list[str]:
    texts = []
    for layout in LAYOUTS:
        services.ledger.settings.set("receipt_layout", layout)
        path = write_receipt(case, services)
        if SHOW:
            (Path(SHOW) / f"{layout}.pdf").write_bytes(path.read_bytes())
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "90",
                    str(path),
                    f"{SHOW}/{os.environ['PYTEST_CURRENT_TEST'].split('::')[-1].split(' ')[0]}-{layout}",
                ],
                check=True,
            )
        texts.append(flat(path))
    return texts


def no_research_notes(seen: str) -> None:
    for note in RESEARCH_NOTES:
        assert note not in seen


def test_a_senior_who_passed_gets_the_card_on_the_spot(services: Services, senior: Resident) -> None:
    case = take(services, "SW-05", senior, shown=True)
    assert case.decision.value == "pass" and case.due_date is None  # handed over: nothing is left to be due
    for seen in receipts(services, case):
        assert "當場核發" in seen and "免費" in seen
        assert "戶口名簿或戶籍謄本" in seen  # looked up and found: 免附
        no_research_notes(seen)


def test_a_senior_who_passed_but_still_owes_the_photo_is_not_promised_the_card_now(
    services: Services, senior: Resident
) -> None:
    """Passed, but the ID card and photo are not ticked as shown: nothing can be handed over; owed within §51's two
    months from Fri 2026-11-20 (Wed 2027-01-20), the clock waiting for the paper."""
    case = take(services, "SW-05", senior)
    assert case.decision.value == "pass" and str(case.due_date) == "2027-01-20"
    for seen in receipts(services, case):
        assert "當場核發" not in seen and "待補文件補齊後辦理" in seen and "116年1月20日" in seen
        assert "最近6個月2吋照片" in seen


def test_a_failed_applicant_is_promised_nothing(services: Services, young: Resident) -> None:
    case = take(services, "SW-05", young)
    assert case.decision.value == "fail" and case.due_date is None
    for seen in receipts(services, case):
        assert "當場核發" not in seen
        assert "不符資格，申請人仍要求受理" in seen
        no_research_notes(seen)


def test_a_case_let_through_by_a_supervisor_is_due_within_section_51(services: Services, young: Resident) -> None:
    """敬老卡 is issued on the spot only to an applicant who passed: let through, it is owed within two months —
    received Fri 2026-11-20, counted from 11-21, due Wed 2027-01-20."""
    case = take(services, "SW-05", young, override=True)
    assert str(case.due_date) == "2027-01-20"
    for seen in receipts(services, case):
        assert "當場核發" not in seen
        assert "116年1月20日" in seen and "行政程序法第51條" in seen  # (a wrapped line: 依 ends the one before)
        assert "經主管" in seen


def test_a_pending_case_is_told_after_its_look_ups(services: Services, city: EmbeddedServer, senior: Resident) -> None:
    city.stop()
    case = take(services, "SW-05", senior)
    assert case.status == "待查驗"
    for seen in receipts(services, case):
        assert "當場核發" not in seen
        assert "待查驗，查驗後通知" in seen
        assert "待查驗（待查驗）" not in seen
        # Nothing could be looked up: nothing is listed as 免附; the household paper is owed.
        assert "免附文件" not in seen
        assert "戶口名簿或戶籍謄本" in seen.split("待補文件")[1]


def test_a_man_with_no_disability_card_is_not_told_it_was_looked_up(
    services: Services,
    population: list[Resident],
) -> None:
    """SW-03 for a resident the disability register does not know: 身心障礙證明 is not among 免附."""
    person = next(
        r
        for r in population
        if r.city_code == services.device.office.city_code and r.disability is None and r.birth_date.year < 2000
    )
    case = take(services, "SW-03", person)
    assert case.decision.value == "fail"
    assert case.terms is not None and "身心障礙證明正反面影本" not in case.terms.exempt
    for seen in receipts(services, case):
        assert "身心障礙證明正反面影本" not in seen
        assert "親屬關係證明（戶口名簿）" in seen  # the household register answered


def test_sw01_hands_over_the_assessment_form_not_the_certificate(
    services: Services, population: list[Resident]
) -> None:
    person = next(r for r in population if r.city_code == services.device.office.city_code and r.birth_date.year < 2000)
    case = take(services, "SW-01", person, shown=True)
    for seen in receipts(services, case):
        assert SW01_HANDED_OVER in seen and "當場核發" not in seen
        assert "15個工作天" in seen
        assert "依機關公告" in seen
        no_research_notes(seen)


def test_a_reprint_after_a_catalog_change_prints_what_the_original_did(services: Services, senior: Resident) -> None:
    case = take(services, "SW-05", senior, shown=True)
    services.ledger.settings.set("receipt_layout", "a4")
    original = flat(write_receipt(case, services))
    # The city publishes a fee of NT$100 and another limit for the card the next day.
    card = services.catalog.get("SW-05")
    newer = replace(card, fee=100, fee_note="", catalog_version=card.catalog_version + 1)
    services.catalog = Catalog(tuple(newer if s.code == "SW-05" else s for s in services.catalog.services))
    reprint = flat(write_reprint(services.ledger.cases.case(case.case_uuid), services))
    assert "免費" in reprint and "100" not in reprint.replace(case.case_number, "")
    assert original.split("規費")[1][:10] == reprint.split("規費")[1][:10]
