"""Signed receipts and the public progress page: a genuine code shows the status; a forged signature, an altered
case number, another case's signature or a revoked device key shows nothing useful."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import update

from cityserver.db import CaseRow
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city.client import CityClient
from sync.city.push import push_pending
from sync.ledger import Ledger
from sync.protocol.receipt_signing import ReceiptSigner, short_code
from sync.services.intake import IntakeService
from tests.conftest import OFFICE, SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for, enrol
from tests.integration.test_sync_roundtrip import take

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx


def get(city: EmbeddedServer, case_number: str, sig: str) -> requests.Response:
    return requests.get(f"{city.url}/track/{case_number}", params={"sig": sig}, timeout=5)


def test_genuine_receipts_verify_and_forged_ones_do_not(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    signer = ReceiptSigner(TEST_DEVICE.receipt)  # registered with the city at enrolment
    (_, first), (_, second) = take(intake, population[0]), take(intake, population[1])
    cases = {c.case_number: c for c in ledger.cases.cases_on(fixed_now().date())}
    push_pending(ledger, client)
    genuine = signer.sign(first, cases[first].receipt_number)
    page = get(city, first, genuine)
    assert page.status_code == 200 and "案件辦理進度" in page.text and "已收件" in page.text
    assert not re.search(r"[A-Z][1289]\d{8}", page.text)  # masked ID only
    key_id, signature = genuine.split(".")
    forged = f"{key_id}.{signature[:-4]}AAAA"
    other = signer.sign(second, cases[second].receipt_number)
    for number, sig in [
        (first, forged),
        (second, genuine),
        (first, other),
        (first, "nonsense"),
        (first.replace("0001", "0009"), genuine),
        (first, f"deadbeef0000.{signature}"),
    ]:
        refused = get(city, number, sig)
        assert refused.status_code == 404 and "無法驗證" in refused.text and number not in refused.text
    # A stolen laptop: the supervisor revokes it. Receipts the city received before still verify, saying when the
    # device was cut off; a receipt signed afterwards (its case never reached the city before) does not.
    chief = client_for(city, enrol(city, OFFICE.code, "chief's PC"), SUPERVISOR, SUPERVISOR_PASSWORD)
    chief.revoke_device(TEST_DEVICE.device_id)
    before = get(city, first, genuine)
    assert before.status_code == 200 and "停用" in before.text and "已收件" in before.text
    with city.app.state.session_factory.begin() as s:  # as if the thief's case arrived after the revocation
        s.execute(update(CaseRow).where(CaseRow.case_number == second).values(received_at=datetime.now(UTC)))
    assert get(city, second, signer.sign(second, cases[second].receipt_number)).status_code == 404
    chief.close()


def test_track_page_is_rate_limited(city: EmbeddedServer) -> None:
    codes = [get(city, "68000010-D01-1151120-0001", "x.y").status_code for _ in range(35)]
    assert codes.count(404) == 30 and codes[-1] == 429


def test_short_code_typed_by_hand(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    (_, first), (_, second) = take(intake, population[0]), take(intake, population[1])
    cases = {c.case_number: c for c in ledger.cases.cases_on(fixed_now().date())}
    push_pending(ledger, client)
    code = short_code(str(cases[first].case_uuid), first)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    form = requests.get(f"{city.url}/track", timeout=5)
    assert form.status_code == 200 and "驗證碼" in form.text

    def typed(number: str, text: str) -> requests.Response:
        return requests.get(f"{city.url}/track", params={"case": number, "code": text}, timeout=5)

    assert "已收件" in typed(first, code.lower().replace("-", " ")).text  # forgiving about case and spacing
    other = short_code(str(cases[second].case_uuid), second)
    for number, text in [(first, other), (second, code), (first, code[:-1] + ("A" if code[-1] != "A" else "B"))]:
        refused = typed(number, text)
        assert refused.status_code == 404 and number not in refused.text


def test_a_receipt_signed_with_another_devices_key_is_refused(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    """Each device's key vouches for that device's receipts only: a genuine key of another enrolled PC (of the same
    office) cannot make a receipt for this device's case look genuine."""
    _, number = take(intake, population[0])
    push_pending(ledger, client)
    receipt = {c.case_number: c for c in ledger.cases.cases_on(fixed_now().date())}[number].receipt_number
    other = enrol(city, OFFICE.code, "another counter")
    assert get(city, number, ReceiptSigner(other.receipt).sign(number, receipt)).status_code == 404
    assert get(city, number, ReceiptSigner(TEST_DEVICE.receipt).sign(number, receipt)).status_code == 200
