"""The restore drill of the deployment guide, on PostgreSQL: last night's pg_dump restored into a new database,
migrated, and checked by recomputing every stored case's content hash; a damaged row is named. The devices' own
digest check (test_sync_roundtrip) then re-sends what the backup had not received."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select, update

from cityserver.db import CaseRow, make_engine
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.postgres import PrivatePostgres
from tests.fakes.wire_cases import case_for

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("city", ["postgresql"], indirect=True)]


def server(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityserver", "--db", url, *args], capture_output=True, text=True, timeout=120
    )


def test_last_nights_dump_restores_migrates_and_verifies(
    city: EmbeddedServer, postgres: PrivatePostgres, population: list[Resident]
) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    people = [r for r in population if r.district_code == OFFICE.code][:5]
    cases = [case_for(TEST_DEVICE, OFFICE.code, "SW-05", p.national_id, n + 1) for n, p in enumerate(people)]
    assert [r["status"] for r in clerk.push("cases", cases)] == ["accepted"] * 5
    live = city.app.state.engine.url.database
    dump = postgres.dump(live)
    postgres.sql("CREATE DATABASE drill")
    postgres.restore("drill", dump)
    url = postgres.url("drill")
    assert server(url, "migrate").returncode == 0
    checked = server(url, "verify")
    assert checked.returncode == 0 and "cases 5 筆" in checked.stdout and "全部相符" in checked.stdout
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(CaseRow)).scalar() == 5
        conn.execute(  # a damaged row: the payload no longer says what the device signed off
            update(CaseRow)
            .where(CaseRow.case_uuid == str(cases[2].case_uuid))
            .values(
                payload=CaseRow.payload + " "  # still JSON, same content: must still verify
            )
        )
        conn.execute(
            update(CaseRow)
            .where(CaseRow.case_uuid == str(cases[3].case_uuid))
            .values(payload=func.replace(CaseRow.payload, '"fee":0', '"fee":100'))
        )
    engine.dispose()
    damaged = server(url, "verify")
    assert damaged.returncode == 1
    assert f"不符 cases {cases[3].case_uuid}" in damaged.stderr and str(cases[2].case_uuid) not in damaged.stderr
    assert people[3].national_id not in damaged.stderr + damaged.stdout
