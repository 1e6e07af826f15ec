"""Synthetic residents as the client sees them (their look-up facts, an applicant), and a service's fields filled
with valid input. Tests never hard-code an ID: they ask the population for someone with the facts they need
(tests/fakes/oracle.py picks by what the rules mean)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter

from cityserver.population import Resident
from forms.ids import parse_id
from forms.rocdate import format_roc_slash
from forms.types import Applicant, Facts, ServiceType
from sync.protocol import wire

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
            ahead = spec.when == "future"
            values[spec.id] = format_roc_slash(today + timedelta(days=10) if ahead else today - timedelta(days=10))
        else:
            values[spec.id] = SAMPLE[spec.type]
    return values


def applicant_of(resident: Resident) -> Applicant:
    return Applicant(parse_id(resident.national_id), resident.name, resident.birth_date)
