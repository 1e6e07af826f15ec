"""Every one of the 38 services through the real window: a resident who qualifies and, where the service has
rules, one who does not. Residents are found in the synthetic population by what the rules make of them."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from forms.catalog import load_catalog
from forms.rocdate import parse_date
from forms.thresholds import load_thresholds
from forms.types import Outcome
from tests.conftest import OFFICE
from tests.desktop.conftest import accept, fill, pdf_text, today, verify
from tests.desktop.test_window import choose
from tests.fakes.oracle import pick_by_facts
from tests.fakes.people import sample_fields

CATALOG = load_catalog()
LIVING_COST = load_thresholds().living_cost(OFFICE.city_code, today().year)
CASES = [(s.code, Outcome.PASS) for s in CATALOG] + [(s.code, Outcome.FAIL) for s in CATALOG if s.rules]
EXPECTED_TEXT = {Outcome.PASS: "✔ 符合資格", Outcome.FAIL: "✘ 不符資格"}


@pytest.mark.parametrize(("code", "outcome"), CASES, ids=[f"{c}-{o.value}" for c, o in CASES])
def test_service_through_the_window(
    qtbot: QtBot, window: MainWindow, services: Services, population: list[Resident], code: str, outcome: Outcome
) -> None:
    service = CATALOG.get(code)
    fields = sample_fields(service, today())
    dates: dict[str, date | str] = {f.id: parse_date(fields[f.id]) for f in service.fields if f.type == "date"}
    dates |= {f.id: fields[f.id] for f in service.fields if f.type == "choice"}
    # Citizens are chosen by an oracle written apart from forms/eligibility.py (tests/fakes/oracle.py).
    person = pick_by_facts(population, service, outcome, today(), OFFICE, LIVING_COST, dates)
    typo = None
    if person is None and outcome is Outcome.FAIL:
        # Nobody fails the substantive rules (identity-only services): a name typed wrong fails the identity check.
        person = pick_by_facts(population, service, Outcome.PASS, today(), OFFICE, LIVING_COST, dates)
        typo = person.name + "一" if person else None
    assert person is not None, f"the synthetic population has nobody who gives {outcome.value} for {code}"
    choose(qtbot, window, code)
    assert window.intake.service_label.text().startswith(f"{service.number}. {service.name_zh}")
    fill(qtbot, window, person, fields, name=typo)
    verify(qtbot, window)
    assert window.intake.step == 1, window.intake.message_label.text()
    assert window.intake.outcome_label.text().startswith(EXPECTED_TEXT[outcome])
    case, receipt = accept(qtbot, window)
    assert case.service_code == code and case.decision is outcome
    text = pdf_text(receipt)
    assert case.case_number in text and service.name_zh[:8] in text
