"""Signed receipts and the public progress page: a genuine code shows the status; a forged signature, an altered
case number, another case's signature or a revoked device key shows nothing useful."""

from __future__ import annotations

import re

import pytest
import requests

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from sync import wire
from sync.client import CityClient, Credentials
from sync.intake import IntakeService
from sync.ledger import Ledger
from sync.push import push_pending
from sync.receipt_signing import ReceiptSigner, short_code
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD, fixed_now
from tests.integration.test_sync_roundtrip import take

pytestmark = pytest.mark.integration


def get(city: EmbeddedServer, case_number: str, sig: str) -> requests.Response:
    return requests.get(f"{city.url}/track/{case_number}", params={"sig": sig}, timeout=5)


def test_genuine_receipts_verify_and_forged_ones_do_not(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    signer = ReceiptSigner(b"\x01" * 32)
    client.register_key(wire.DeviceKeyRequest(key_id=signer.key_id, public_key=signer.public_key))
    (_, first), (_, second) = take(intake, population[0]), take(intake, population[1])
    cases = {c.case_number: c for c in ledger.cases_on(fixed_now().date())}
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
    # A stolen laptop: the supervisor revokes its key; its receipts stop verifying.
    chief = CityClient(city.url, "D99", lambda: Credentials(SUPERVISOR, SUPERVISOR_PASSWORD))
    chief._call("POST", f"/devices/keys/{signer.key_id}/revoke", None, wire.DeviceKeyResponse)
    assert get(city, first, genuine).status_code == 404
    chief.close()


def test_track_page_is_rate_limited(city: EmbeddedServer) -> None:
    codes = [get(city, "68000010-D01-1151120-0001", "x.y").status_code for _ in range(35)]
    assert codes.count(404) == 30 and codes[-1] == 429


def test_short_code_typed_by_hand(
    intake: IntakeService, ledger: Ledger, client: CityClient, city: EmbeddedServer, population: list[Resident]
) -> None:
    (_, first), (_, second) = take(intake, population[0]), take(intake, population[1])
    cases = {c.case_number: c for c in ledger.cases_on(fixed_now().date())}
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
