"""Load and validate the service catalog: one TOML file per service under resources/catalog/.

A bad file fails loudly with the file and the key (CatalogError), so a broken catalog never reaches a counter.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms.eligibility import RULE_KINDS, fields_of, lookups_of
from forms.errors import CatalogError
from forms.fields import DATE_WHEN, FIELD_TYPES, FieldSpec
from forms.resources import resource_path
from forms.timelimits import DEFAULT_LIMIT, ON_THE_SPOT, UNITS, WORKING_DAYS, TimeLimit
from forms.types import Beneficiary, Document, FeeWaiver, Rule, ServiceType

# Version 2: a time limit is a table with its unit and basis (version 1's time_limit_days were working days).
CATALOG_SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)
LOOKUP_KINDS = ("household", "tax", "disability", "welfare", "military")
CATEGORIES = ("社政", "民政", "人文", "農經", "工務")
CROSS_DISTRICT_KINDS = ("申辦", "收件")
UNKNOWABLE = ("fee", "time_limit", "documents", "rules")
RESERVED_FIELDS = ("national_id", "name", "birth_date")

Spec = dict[str, type | tuple[type, ...]]
_SERVICE_REQUIRED: Spec = {
    "schema_version": int,
    "catalog_version": int,
    "code": str,
    "number": int,
    "name_zh": str,
    "name_en": str,
    "category": str,
    "cross_district": str,
    "decides": str,
    "lookups": list,
}
_SERVICE_OPTIONAL: Spec = {
    "fee": int,
    "fee_note": str,
    "time_limit": dict,
    "time_limit_days": int,  # schema 1 only
    "handed_over": str,
    "due_note": str,
    "beneficiary": dict,
    "fee_waivers": list,
    "keywords": list,
    "rules": list,
    "fields": list,
    "documents": list,
    "unknown": list,
    "sources": list,
}
_FIELD_REQUIRED: Spec = {"id": str, "type": str, "label_zh": str, "label_en": str}
_FIELD_OPTIONAL: Spec = {"required": bool, "choices": list, "hint": str, "when": str}
_BENEFICIARY_REQUIRED: Spec = {"id_field": str, "relation_field": str, "self": str, "lookups": list}
_LIMIT_REQUIRED: Spec = {"value": int, "unit": str, "basis": str}
_DOC_REQUIRED: Spec = {"name": str}
_DOC_OPTIONAL: Spec = {"replaced_by": str, "returned": bool}
_WAIVER_REQUIRED: Spec = {"code": str, "label": str, "basis": str}


def _fail(path: Path, key: str, problem: str) -> CatalogError:
    return CatalogError("catalog_invalid", file=path.name, key=key, problem=problem)


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    # bool is an int subclass: a fee of `true` is a typo, not NT$1.
    if isinstance(value, bool) and bool not in (expected if isinstance(expected, tuple) else (expected,)):
        return False
    return isinstance(value, expected)


def _check_table(path: Path, prefix: str, data: Any, required: Spec, optional: Spec) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(path, prefix.rstrip("."), "expected a table")
    for key in required:
        if key not in data:
            raise _fail(path, prefix + key, "missing")
    for key, value in data.items():
        expected = required.get(key) or optional.get(key)
        if expected is None:
            raise _fail(path, prefix + key, "unknown key")
        if not _type_ok(value, expected):
            name = expected.__name__ if isinstance(expected, type) else "/".join(t.__name__ for t in expected)
            raise _fail(path, prefix + key, f"expected {name}")
    return data


def _strings(path: Path, key: str, value: list[Any], allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    for item in value:
        if not isinstance(item, str):
            raise _fail(path, key, f"expected strings, got {item!r}")
        if allowed is not None and item not in allowed:
            raise _fail(path, key, f"unknown value {item!r}; known: {list(allowed)}")
    if len(set(value)) != len(value):
        raise _fail(path, key, "duplicate entries")
    return tuple(value)


def _parse_rule(path: Path, index: int, raw: Any) -> Rule:
    key = f"rules[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        raise _fail(path, key, "each rule needs a string 'kind'")
    spec = RULE_KINDS.get(raw["kind"])
    if spec is None:
        raise _fail(path, f"{key}.kind", f"unknown rule kind {raw['kind']!r}; known: {sorted(RULE_KINDS)}")
    params = {k: v for k, v in raw.items() if k != "kind"}
    _check_table(path, f"{key}.", params, spec.params, {})
    if spec.check is not None and (problem := spec.check(params)):
        raise _fail(path, key, problem)
    return Rule(raw["kind"], params)


def _parse_field(path: Path, index: int, raw: Any) -> FieldSpec:
    key = f"fields[{index}]."
    data = _check_table(path, key, raw, _FIELD_REQUIRED, _FIELD_OPTIONAL)
    if data["type"] not in FIELD_TYPES:
        raise _fail(path, key + "type", f"unknown field type; known: {list(FIELD_TYPES)}")
    if data["id"] in RESERVED_FIELDS or not data["id"].isidentifier():
        raise _fail(path, key + "id", "must be an identifier other than national_id, name, birth_date")
    choices = _strings(path, key + "choices", data.get("choices", []))
    if (data["type"] == "choice") != bool(choices):
        raise _fail(path, key + "choices", "a choice field needs choices, and only a choice field has them")
    when = data.get("when", "")
    if when not in DATE_WHEN or (when and data["type"] != "date"):
        raise _fail(path, key + "when", f"only a date field has 'when', one of {list(DATE_WHEN[1:])}")
    return FieldSpec(
        data["id"],
        data["type"],
        data["label_zh"],
        data["label_en"],
        data.get("required", True),
        choices,
        data.get("hint", ""),
        when,
    )


def _parse_document(path: Path, index: int, raw: Any, lookups: tuple[str, ...]) -> Document:
    key = f"documents[{index}]."
    data = _check_table(path, key, raw, _DOC_REQUIRED, _DOC_OPTIONAL)
    replaced = data.get("replaced_by")
    if replaced is not None and replaced not in lookups:
        raise _fail(path, key + "replaced_by", f"{replaced!r} is not one of this service's lookups {list(lookups)}")
    return Document(data["name"], replaced, data.get("returned", False))


def _parse_waivers(path: Path, data: dict[str, Any]) -> tuple[FeeWaiver, ...]:
    raws = data.get("fee_waivers", [])
    if raws and not data.get("fee"):
        raise _fail(path, "fee_waivers", "a waiver needs a published fee above 0")
    waivers = []
    for i, raw in enumerate(raws):
        key = f"fee_waivers[{i}]."
        w = _check_table(path, key, raw, _WAIVER_REQUIRED, {})
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", w["code"]):
            raise _fail(path, key + "code", "lower-case letters, digits and _ (up to 32)")
        for name in ("label", "basis"):
            if not w[name].strip():
                raise _fail(path, key + name, "must not be empty")
        waivers.append(FeeWaiver(w["code"], w["label"].strip(), w["basis"].strip()))
    if len({w.code for w in waivers}) != len(waivers):
        raise _fail(path, "fee_waivers", "duplicate codes")
    return tuple(waivers)


def _from_schema_1(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 file (as an older city may still publish): its limit was in working days, 0 on the spot."""
    data = dict(data)
    if "time_limit" in data:
        raise _fail(path, "time_limit", "a version-1 file gives time_limit_days")
    data["unknown"] = ["time_limit" if k == "time_limit_days" else k for k in data.get("unknown", [])]
    if "time_limit_days" in data:
        days = data.pop("time_limit_days")
        unit = ON_THE_SPOT if days == 0 else WORKING_DAYS
        data["time_limit"] = {"value": days, "unit": unit, "basis": "（第1版目錄：工作天）"}
    return data


def _parse_limit(path: Path, data: dict[str, Any]) -> TimeLimit:
    if "time_limit" not in data:
        return DEFAULT_LIMIT
    raw = _check_table(path, "time_limit.", data["time_limit"], _LIMIT_REQUIRED, {})
    if raw["unit"] not in UNITS:
        raise _fail(path, "time_limit.unit", f"must be one of {list(UNITS)}")
    if raw["value"] < 0 or (raw["unit"] == ON_THE_SPOT) != (raw["value"] == 0):
        raise _fail(path, "time_limit.value", "on the spot is 0; any other unit needs a positive value")
    if not raw["basis"].strip():
        raise _fail(path, "time_limit.basis", "say where the limit is published")
    return TimeLimit(raw["value"], raw["unit"], basis=raw["basis"])


def _parse_beneficiary(
    path: Path, data: dict[str, Any], fields: tuple[FieldSpec, ...], lookups: tuple[str, ...]
) -> Beneficiary | None:
    if "beneficiary" not in data:
        return None
    raw = _check_table(path, "beneficiary.", data["beneficiary"], _BENEFICIARY_REQUIRED, {})
    by_id = {f.id: f for f in fields}
    person, relation = by_id.get(raw["id_field"]), by_id.get(raw["relation_field"])
    if person is None or person.type != "id" or person.required:
        raise _fail(path, "beneficiary.id_field", "must name an optional field of type id")
    if relation is None or raw["self"] not in relation.choices:
        raise _fail(path, "beneficiary.self", "must be one of the relation field's choices")
    kinds = _strings(path, "beneficiary.lookups", raw["lookups"], lookups)
    if not kinds or "household" in kinds:
        raise _fail(path, "beneficiary.lookups", "name the look-ups about that person (not household)")
    return Beneficiary(raw["id_field"], raw["relation_field"], raw["self"], kinds)


def parse_service(path: Path, data: dict[str, Any]) -> ServiceType:
    """Validate one catalog file's parsed TOML and build its ServiceType."""
    _check_table(path, "", data, _SERVICE_REQUIRED, _SERVICE_OPTIONAL)
    if data["schema_version"] not in READABLE_SCHEMAS:
        raise _fail(path, "schema_version", f"this app reads versions {list(READABLE_SCHEMAS)}")
    if data["schema_version"] == 1:
        data = _from_schema_1(path, data)
    elif "time_limit_days" in data:
        raise _fail(path, "time_limit_days", "version 2 gives a [time_limit] table")
    if data["category"] not in CATEGORIES:
        raise _fail(path, "category", f"must be one of {list(CATEGORIES)}")
    if data["cross_district"] not in CROSS_DISTRICT_KINDS:
        raise _fail(path, "cross_district", f"must be one of {list(CROSS_DISTRICT_KINDS)}")
    unknown = _strings(path, "unknown", data.get("unknown", []), UNKNOWABLE)
    if "fee" in data and data["fee"] < 0:
        raise _fail(path, "fee", "must not be negative")
    for key in ("fee", "time_limit"):
        if (key in data) == (key in unknown):
            raise _fail(path, key, "give a value, or list it under 'unknown' — not both, not neither")
    lookups = _strings(path, "lookups", data["lookups"], LOOKUP_KINDS)
    rules = tuple(_parse_rule(path, i, r) for i, r in enumerate(data.get("rules", [])))
    needed = set().union(*(lookups_of(r) for r in rules)) if rules else set()
    if missing := needed - set(lookups):
        raise _fail(path, "lookups", f"the rules need the look-ups {sorted(missing)}")
    fields = tuple(_parse_field(path, i, f) for i, f in enumerate(data.get("fields", [])))
    if len({f.id for f in fields}) != len(fields):
        raise _fail(path, "fields", "duplicate field ids")
    field_ids = {f.id for f in fields}
    for i, rule in enumerate(rules):
        for missing_field in sorted(fields_of(rule) - field_ids):
            raise _fail(path, f"rules[{i}].field", f"no field {missing_field!r} in this service")
    beneficiary = _parse_beneficiary(path, data, fields, lookups)
    return ServiceType(
        code=data["code"],
        number=data["number"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        category=data["category"],
        cross_district=data["cross_district"],
        fee=data.get("fee"),
        fee_note=data.get("fee_note", ""),
        time_limit=_parse_limit(path, data),
        handed_over=data.get("handed_over", ""),
        beneficiary=beneficiary,
        fee_waivers=_parse_waivers(path, data),
        due_note=data.get("due_note", ""),
        decides=data["decides"],
        lookups=lookups,
        fields=fields,
        documents=tuple(_parse_document(path, i, d, lookups) for i, d in enumerate(data.get("documents", []))),
        keywords=_strings(path, "keywords", data.get("keywords", [])),
        rules=rules,
        unknown=unknown,
        sources=_strings(path, "sources", data.get("sources", [])),
        catalog_version=data["catalog_version"],
        source_file=path.name,
    )


@dataclass(frozen=True)
class Catalog:
    """The loaded services, in the seed list's order."""

    services: tuple[ServiceType, ...]

    def __iter__(self) -> Iterator[ServiceType]:
        return iter(self.services)

    def __len__(self) -> int:
        return len(self.services)

    def get(self, code: str) -> ServiceType:
        for service in self.services:
            if service.code == code:
                return service
        raise CatalogError("service_unknown", service=code)

    def search(self, query: str) -> list[ServiceType]:
        return [s for s in self.services if s.matches(query)]


def parse_text(name: str, text: str) -> ServiceType:
    """One catalog file's text (as a catalog update carries it), validated like a file on disk."""
    path = Path(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "(file)", str(exc)) from exc
    return parse_service(path, data)


def overlay(base: Catalog, newer: list[ServiceType]) -> Catalog:
    """The catalog with newer versions of some services (a service is replaced only by a higher version)."""
    by_code = {s.code: s for s in base.services}
    for service in newer:
        current = by_code.get(service.code)
        if current is None or service.catalog_version > current.catalog_version:
            by_code[service.code] = service
    return Catalog(tuple(sorted(by_code.values(), key=lambda s: s.number)))


def load_catalog(directory: Path | None = None) -> Catalog:
    """Read every *.toml under the catalog folder.

    Raises:
        CatalogError: a file is not valid TOML, breaks the schema, or repeats another file's code or number.
    """
    folder = directory or resource_path("catalog")
    services: list[ServiceType] = []
    codes: dict[str, Path] = {}
    numbers: dict[int, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise _fail(path, "(file)", str(exc)) from exc
        service = parse_service(path, data)
        if service.code in codes:
            raise _fail(path, "code", f"{service.code!r} is also used by {codes[service.code].name}")
        if service.number in numbers:
            raise _fail(path, "number", f"{service.number} is also used by {numbers[service.number].name}")
        codes[service.code], numbers[service.number] = path, path
        services.append(service)
    if not services:
        raise CatalogError("catalog_invalid", file=str(folder), key="(folder)", problem="no catalog files")
    return Catalog(tuple(sorted(services, key=lambda s: s.number)))
