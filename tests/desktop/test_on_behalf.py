"""SW-03 applied for by a relative, through the app's intake against a real city server: the disability look-up is
of the person the permit is for (and audited as theirs), not of the applicant."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from desktop.bootstrap import Services
from forms.ids import mask_id
from forms.rocdate import format_roc_slash
from forms.types import Outcome
from tests.conftest import SUPERVISOR, SUPERVISOR_PASSWORD
from tests.desktop.conftest import make_services, today

pytestmark = pytest.mark.integration


@pytest.fixture
def services(city: EmbeddedServer, tmp_path: Path) -> Iterator[Services]:
    yield from make_services(city, tmp_path / "data", SUPERVISOR, SUPERVISOR_PASSWORD)


def test_a_spouse_applies_for_the_disabled_persons_permit(services: Services, population: list[Resident]) -> None:
    city = services.device.office.city_code
    holder = next(
        r
        for r in population
        if r.city_code == city
        and r.disability
        and "行動不便" in r.disability["needs"]
        and (r.disability["expires_on"] is None or r.disability["expires_on"] >= today().isoformat())
    )
    spouse = next(r for r in population if r.city_code == city and r.disability is None and r.birth_date.year < 2000)
    service = services.catalog.get("SW-03")
    raw = {"phone": "0912345678", "plate": "ABC-1234", "vehicle_type": "自用小客車", "relation": "配偶",
           "holder_id": holder.national_id}  # fmt: skip
    form = services.intake.validate(service, spouse.national_id, spouse.name, format_roc_slash(spouse.birth_date), raw)
    assert form.applicant is not None and form.problems == {}, form.problems
    v = services.intake.verify(services.intake.new_case_uuid(), service, form.applicant, form.fields, consent=True)
    assert v.decision.outcome is Outcome.PASS, v.decision
    need = next(r for r in v.decision.results if r.rule == "disability_need")
    assert need.outcome is Outcome.PASS
    with sqlite3.connect(services.data_dir / "ledger.db") as db:
        looked = dict(db.execute("SELECT kind, id_masked FROM lookups WHERE case_uuid = ?", (str(v.case_uuid),)))
    assert looked["disability"] == mask_id(holder.national_id)
    assert looked["household"] == mask_id(spouse.national_id)
    # Himself, the same spouse fails: he holds no certificate.
    himself = services.intake.validate(
        service, spouse.national_id, spouse.name, format_roc_slash(spouse.birth_date), {**raw, "relation": "本人"}
    )
    assert himself.applicant is not None
    own = services.intake.verify(services.intake.new_case_uuid(), service, himself.applicant, himself.fields, True)
    assert own.decision.outcome is Outcome.FAIL
