"""Field validators for the applicant's details: each returns the clean value or raises ValidationError.

Names are checked by forms.names (NAME_MAX_CHARS and validate_name are used from here too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from forms.errors import ValidationError
from forms.fields import FieldSpec, validate_field
from forms.ids import NationalId, parse_id
from forms.names import NAME_MAX_CHARS, validate_name
from forms.rocdate import parse_date
from forms.types import Applicant, Beneficiary

__all__ = ["NAME_MAX_CHARS", "ApplicantForm", "validate_applicant", "validate_birth_date", "validate_name"]

T = TypeVar("T")


def validate_birth_date(raw: str, today: date) -> date:
    """A real past date in any accepted notation.

    Raises:
        ValidationError: date_empty, date_format, date_impossible or date_in_future.
    """
    born = parse_date(raw)
    if born > today:
        raise ValidationError("date_in_future")
    return born


@dataclass
class ApplicantForm:
    """The outcome of validating the intake fields: an Applicant and the service's field values, or the problems
    per field id."""

    applicant: Applicant | None = None
    fields: dict[str, str] = field(default_factory=dict)
    problems: dict[str, ValidationError] = field(default_factory=dict)


def _capture(form: ApplicantForm, key: str, check: Callable[[], T]) -> T | None:
    try:
        return check()
    except ValidationError as exc:
        form.problems[key] = exc
        return None


def _check_beneficiary(form: ApplicantForm, beneficiary: Beneficiary, applicant: NationalId | None) -> None:
    """Applying for another person: that person's ID is needed, and is not the applicant's own."""
    relation = form.fields.get(beneficiary.relation_field)  # None: the relation itself was not valid (said so)
    if relation in (None, beneficiary.self) or beneficiary.id_field in form.problems:
        return
    other = form.fields[beneficiary.id_field]  # an optional field: "" when not typed
    if not other:
        form.problems[beneficiary.id_field] = ValidationError("beneficiary_id_missing")
    elif applicant is not None and other == applicant.value:
        form.problems[beneficiary.id_field] = ValidationError("beneficiary_is_applicant")


def validate_applicant(
    raw_id: str,
    raw_name: str,
    raw_birth: str,
    today: date,
    specs: tuple[FieldSpec, ...] = (),
    raw_fields: dict[str, str] | None = None,
    beneficiary: Beneficiary | None = None,
) -> ApplicantForm:
    """Validate the applicant and the service's extra fields; report every problem at once (one pass, not ten).
    Applying for another person (`beneficiary`), that person's ID is needed and is not the applicant's."""
    form = ApplicantForm()
    raw_fields = raw_fields or {}
    for spec in specs:
        try:
            form.fields[spec.id] = validate_field(spec, raw_fields.get(spec.id, ""), today)
        except ValidationError as exc:
            form.problems[spec.id] = exc
    national_id = _capture(form, "national_id", lambda: parse_id(raw_id))
    name = _capture(form, "name", lambda: validate_name(raw_name))
    birth = _capture(form, "birth_date", lambda: validate_birth_date(raw_birth, today))
    if beneficiary is not None:
        _check_beneficiary(form, beneficiary, national_id)
    if national_id is not None and name is not None and birth is not None:
        form.applicant = Applicant(national_id, name, birth)
    return form
