"""Pick synthetic residents by what the rules make of them, and fill a service's fields with valid input.

Tests never hard-code an ID: they ask the population for "someone who qualifies for X" (general case, not a
particular value), using the same facts the server answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter

from cityserver.population import Resident
from forms.eligibility import Context, decide
from forms.ids import parse_id
from forms.rocdate import format_roc_slash
from forms.types import Applicant, Decision, Facts, Office, Outcome, ServiceType
from sync import wire

_RECORD: TypeAdapter[Any] = TypeAdapter(wire.LookupRecord)

SAMPLE = {
    "phone": "0912-345-678",
    "address": "桃園市桃園區中正里中正路1號",
    "amount": "12000",
    "text": "測試資料",
    "id": "A123456789",
    "yesno": "是",
}


def facts_of(resident: Resident, kinds: tuple[str, ...]) -> Facts:
    """Exactly what the client gets back from the server for these look-up kinds."""
    return Facts({k: _RECORD.validate_python(resident.record(k)).model_dump(exclude={"kind"}) for k in kinds})


def sample_fields(service: ServiceType, today: date) -> dict[str, str]:
    """Raw text a clerk would type for the service's own fields, valid and meeting any date rule."""
    values: dict[str, str] = {}
    for spec in service.fields:
        if spec.type == "choice":
            values[spec.id] = spec.choices[0]
        elif spec.type == "date":
            ahead = spec.id.startswith("departure")
            values[spec.id] = format_roc_slash(today + timedelta(days=10) if ahead else today - timedelta(days=10))
        else:
            values[spec.id] = SAMPLE[spec.type]
    return values


def applicant_of(resident: Resident) -> Applicant:
    return Applicant(parse_id(resident.national_id), resident.name, resident.birth_date)


def decision_for(resident: Resident, service: ServiceType, ctx: Context) -> Decision:
    return decide(service.rules, applicant_of(resident), facts_of(resident, service.lookups), ctx)


def pick(population: list[Resident], service: ServiceType, outcome: Outcome, ctx: Context) -> Resident | None:
    """The first resident whose decision for the service is `outcome` (None if nobody)."""
    for resident in population:
        if decision_for(resident, service, ctx).outcome is outcome:
            return resident
    return None


def context(office: Office, today: date, living_cost: int | None, fields: dict[str, str]) -> Context:
    from forms.rocdate import parse_date

    typed = {k: (parse_date(v).isoformat() if k.endswith("date") else v) for k, v in fields.items()}
    return Context(today, office, living_cost, typed)
