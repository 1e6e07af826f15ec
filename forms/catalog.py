"""Load and validate the service catalog: one TOML file per service under resources/catalog/.

A bad file fails loudly with the file and the key (CatalogError), so a broken catalog never reaches a counter.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms.eligibility import RULE_KINDS
from forms.errors import CatalogError
from forms.resources import resource_path
from forms.types import Rule, ServiceType

CATALOG_SCHEMA_VERSION = 1
KNOWN_LOOKUPS = frozenset({"household"})
KNOWN_FIELDS = frozenset({"national_id", "name", "birth_date"})
CROSS_DISTRICT_KINDS = frozenset({"申辦", "收件"})

_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "schema_version": int,
    "catalog_version": int,
    "code": str,
    "name_zh": str,
    "name_en": str,
    "category": str,
    "cross_district": str,
    "fee": int,
    "time_limit_days": int,
    "decides": str,
    "lookups": list,
    "fields": list,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {"fee_note": str, "keywords": list, "rules": list}


def _fail(path: Path, key: str, problem: str) -> CatalogError:
    return CatalogError("catalog_invalid", file=str(path), key=key, problem=problem)


def _string_list(path: Path, key: str, value: list[Any], allowed: frozenset[str] | None = None) -> tuple[str, ...]:
    for item in value:
        if not isinstance(item, str):
            raise _fail(path, key, f"expected strings, got {item!r}")
        if allowed is not None and item not in allowed:
            raise _fail(path, key, f"unknown value {item!r}; known: {sorted(allowed)}")
    if len(set(value)) != len(value):
        raise _fail(path, key, "duplicate entries")
    return tuple(value)


def _parse_rule(path: Path, index: int, raw: Any) -> Rule:
    key = f"rules[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
        raise _fail(path, key, "each rule needs a string 'kind'")
    kind = raw["kind"]
    spec = RULE_KINDS.get(kind)
    if spec is None:
        raise _fail(path, f"{key}.kind", f"unknown rule kind {kind!r}; known: {sorted(RULE_KINDS)}")
    params = {k: v for k, v in raw.items() if k != "kind"}
    for name, expected in spec.params.items():
        if name not in params:
            raise _fail(path, f"{key}.{name}", "missing")
        if not isinstance(params[name], expected):
            raise _fail(path, f"{key}.{name}", f"expected {expected.__name__}")
    extra = set(params) - set(spec.params)
    if extra:
        raise _fail(path, f"{key}.{sorted(extra)[0]}", "unknown key")
    if spec.check is not None and (problem := spec.check(params)):
        raise _fail(path, key, problem)
    return Rule(kind, params)


def parse_service(path: Path, data: dict[str, Any]) -> ServiceType:
    """Validate one catalog file's parsed TOML and build its ServiceType."""
    for key in _REQUIRED:
        if key not in data:
            raise _fail(path, key, "missing")
    for key, value in data.items():
        expected = _REQUIRED.get(key) or _OPTIONAL.get(key)
        if expected is None:
            raise _fail(path, key, "unknown key")
        # bool is an int subclass: a fee of `true` is a typo, not NT$1.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise _fail(path, key, f"expected {getattr(expected, '__name__', expected)}")
    if data["schema_version"] != CATALOG_SCHEMA_VERSION:
        raise _fail(path, "schema_version", f"this app reads version {CATALOG_SCHEMA_VERSION}")
    if data["cross_district"] not in CROSS_DISTRICT_KINDS:
        raise _fail(path, "cross_district", f"must be one of {sorted(CROSS_DISTRICT_KINDS)}")
    if data["fee"] < 0:
        raise _fail(path, "fee", "must not be negative")
    if data["time_limit_days"] < 0:
        raise _fail(path, "time_limit_days", "must not be negative")
    rules = tuple(_parse_rule(path, i, r) for i, r in enumerate(data.get("rules", [])))
    lookups = _string_list(path, "lookups", data["lookups"], KNOWN_LOOKUPS)
    for rule in rules:
        needed = RULE_KINDS[rule.kind].lookup
        if needed is not None and needed not in lookups:
            raise _fail(path, "lookups", f"rule {rule.kind!r} needs the {needed!r} look-up")
    return ServiceType(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        category=data["category"],
        cross_district=data["cross_district"],
        fee=data["fee"],
        fee_note=data.get("fee_note", ""),
        time_limit_days=data["time_limit_days"],
        decides=data["decides"],
        lookups=lookups,
        fields=_string_list(path, "fields", data["fields"], KNOWN_FIELDS),
        keywords=_string_list(path, "keywords", data.get("keywords", [])),
        rules=rules,
        catalog_version=data["catalog_version"],
        source_file=path.name,
    )


@dataclass(frozen=True)
class Catalog:
    """The loaded services, in file-name order."""

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


def load_catalog(directory: Path | None = None) -> Catalog:
    """Read every *.toml under the catalog folder.

    Raises:
        CatalogError: a file is not valid TOML, breaks the schema, or repeats another file's code.
    """
    folder = directory or resource_path("catalog")
    services: list[ServiceType] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise _fail(path, "(file)", str(exc)) from exc
        service = parse_service(path, data)
        if service.code in seen:
            raise _fail(path, "code", f"{service.code!r} is also used by {seen[service.code].name}")
        seen[service.code] = path
        services.append(service)
    if not services:
        raise CatalogError("catalog_invalid", file=str(folder), key="(folder)", problem="no catalog files")
    return Catalog(tuple(services))
