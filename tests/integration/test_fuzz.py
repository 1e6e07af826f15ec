"""A bounded property-based fuzz of the city server's whole API (schemathesis, from its own OpenAPI description)
against a real server on 127.0.0.1, once without a token and once with a valid token of each role: no answer may be
a server error, and every answer must be one the published schema declares (status, content type, body)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import (
    FailureGroup,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from cityserver.app import add_user
from cityserver.embedded import EmbeddedServer
from sync.city.client import CityClient, Credentials
from tests.conftest import OFFICE, PASSWORD, SUPERVISOR, SUPERVISOR_PASSWORD, USER
from tests.fakes.devices import enrol

pytestmark = pytest.mark.integration

# Examples per operation, mode and role: `make test` keeps the whole run to a few minutes.
EXAMPLES = int(os.environ.get("COUNTERDESK_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("anonymous", "clerk", "liaison", "supervisor", "administrator")


@pytest.fixture
def tokens(city: EmbeddedServer) -> dict[str, str]:
    """A signed-in token for each role, each on a device of its own (what one role's fuzzing revokes cannot cut off
    the next)."""
    factory = city.app.state.session_factory
    add_user(factory, "fuzz-liaison", "liaison-pw-1", OFFICE.code, "liaison")
    add_user(factory, "fuzz-admin", "admin-pw-1", OFFICE.code, "administrator")
    users = {
        "clerk": (USER, PASSWORD),
        "liaison": ("fuzz-liaison", "liaison-pw-1"),
        "supervisor": (SUPERVISOR, SUPERVISOR_PASSWORD),
        "administrator": ("fuzz-admin", "admin-pw-1"),
    }
    out: dict[str, str] = {}
    for role, (name, password) in users.items():
        device = enrol(city, OFFICE.code, f"fuzz {role}")
        client = CityClient(city.url, device, lambda n=name, p=password: Credentials(n, p))  # type: ignore[misc]
        out[role] = client._ensure_token()
        client.close()
    return out


def fuzz(
    operation: APIOperation, mode: GenerationMode, base_url: str, headers: dict[str, str], examples: int
) -> tuple[int, list[str]]:
    """Run one operation's generated requests; (requests made, failures found)."""
    made = 0
    found: list[str] = []

    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case: schemathesis.Case) -> None:
        nonlocal made
        response = case.call(base_url=base_url, headers=headers, timeout=15)
        made += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:  # every failure is collected and reported by the test
            found.extend(f"{operation.label} {mode.value}: {str(failure)[:700]}" for failure in group.exceptions)

    try:
        exercise()
    except Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no negative cases.
        if mode is GenerationMode.POSITIVE:
            found.append(f"{operation.label}: no valid request can be generated")
    return made, found


def test_fuzz_the_api_as_every_role(
    city: EmbeddedServer, tokens: dict[str, str], summary: Callable[[str], None]
) -> None:
    # Both stores: PostgreSQL differs in NUL bytes, 32/64-bit integers and time zones (it found a 32-bit cursor).
    store = city.app.state.engine.dialect.name
    examples = EXAMPLES
    schema = schemathesis.openapi.from_url(f"{city.url}/openapi.json")
    calls: Counter[str] = Counter()
    failures: list[str] = []
    for role in ROLES:
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        for result in schema.get_all_operations():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                made, found = fuzz(result.ok(), mode, city.url, headers, examples)
                calls[role] += made
                failures += [f"{role} {f}" for f in found]
    total = sum(calls.values())
    operations = len(list(schema.get_all_operations()))
    summary(f"FUZZ store={store} operations={operations} roles={len(ROLES)} cases={total} failures={len(failures)}")
    assert not failures, "\n\n".join(failures[:10])
    assert total >= len(ROLES) * 20 * 2  # every operation, both modes, every role was exercised
