"""A replacement for a lost laptop (issue 12, item 3), against a real city on SQLite and PostgreSQL: a supervisor's
one-time code for "the PC that replaces D0001" enrols the new PC under the same device id with its own new keys;
the lost one's keys, tokens and supervisors' keys stop at once; the new PC pulls back the device's cases and goes
on numbering past them; receipts the city received before still verify."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from cityserver.devices import create_enrolment
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync.city import enrolment
from sync.city.catchup import check_numbers
from sync.city.client import CityClient
from sync.city.enrolment import DeviceIdentity
from sync.city.push import push_pending
from sync.ledger import Device, Ledger
from sync.protocol.errors import SyncError
from sync.protocol.receipt_signing import ReceiptSigner
from tests.conftest import OFFICE, PASSWORD, USER, fixed_now
from tests.fakes.devices import TEST_DEVICE, client_for
from tests.reliability.harness import make_cases

pytestmark = pytest.mark.integration
ON_WORKERS = True  # also run on two server processes of two workers behind nginx

DEVICE = Device(OFFICE, TEST_DEVICE.device_id)


def replace_device(city: EmbeddedServer, device_id: str) -> DeviceIdentity:
    made = create_enrolment(city.app.state.session_factory, OFFICE.code, "替代筆電", "chief-test", replaces=device_id)
    assert made.replaces == device_id
    identity, receipt = enrolment.new_keys()
    client = CityClient(city.url, None, lambda: None, timeout=(2.0, 10.0))
    try:
        answer = client.enrol(enrolment.enrol_request(made.code, identity, receipt, "test"))
    finally:
        client.close()
    return DeviceIdentity(answer.device_id, identity, receipt)


def test_a_replacement_takes_the_device_over_and_goes_on_numbering(
    city: EmbeddedServer, client: CityClient, population: list[Resident], tmp_path: Path
) -> None:
    lost = Ledger(tmp_path / "lost" / "ledger.db", DEVICE, b"\x01" * 32, fixed_now)
    make_cases(lost, [r.national_id for r in population[:3]])
    assert check_numbers(lost, client).verdict == "current"
    assert push_pending(lost, client).accepted == 3
    first = lost.cases.recent(10)[-1]
    lost.close()
    old_signature = ReceiptSigner(TEST_DEVICE.receipt).sign(first.case_number, first.receipt_number)

    new = replace_device(city, TEST_DEVICE.device_id)
    assert new.device_id == TEST_DEVICE.device_id and new.identity.public_key != TEST_DEVICE.identity.public_key
    thief = client_for(city, TEST_DEVICE, USER, PASSWORD)  # the lost laptop's keys
    with pytest.raises(SyncError):
        thief.held_cases(1)
    thief.close()

    replacement = client_for(city, new, USER, PASSWORD)
    ledger = Ledger(tmp_path / "new" / "ledger.db", DEVICE, b"\x07" * 32, fixed_now)  # a new PC, its own key
    caught = check_numbers(ledger, replacement)
    assert (caught.verdict, caught.restored.cases, caught.standing) == ("behind", 3, ())
    make_cases(ledger, [population[3].national_id])
    fresh = ledger.cases.recent(1)[0]
    assert fresh.receipt_number == f"{TEST_DEVICE.device_id}-R0000004"
    assert push_pending(ledger, replacement).accepted == 1
    # The public page: the old receipt (received before the replacement) and the new one both verify.
    new_signature = ReceiptSigner(new.receipt).sign(fresh.case_number, fresh.receipt_number)
    for number, sig in ((first.case_number, old_signature), (fresh.case_number, new_signature)):
        page = requests.get(f"{city.url}/track/{number}", params={"sig": sig}, timeout=5)
        assert page.status_code == 200 and "已收件" in page.text, number
    ledger.close()
    replacement.close()


def test_a_replacement_code_names_a_device_of_its_own_office(city: EmbeddedServer) -> None:
    from cityserver.errors import ApiError

    with pytest.raises(ApiError):
        create_enrolment(city.app.state.session_factory, "68000020", "別所的筆電", "chief", replaces="D0001")
    with pytest.raises(ApiError):
        create_enrolment(city.app.state.session_factory, OFFICE.code, "沒有這台", "chief", replaces="D0999")
