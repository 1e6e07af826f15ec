"""The deployment guide's files do what it says: the example configuration loads, the nginx site passes
`nginx -t`, and the backup and restore-drill scripts run for real against PostgreSQL — a dump, its checksum, a
restore into a scratch database, the migration and the content-hash check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import trustme

from cityserver import config
from cityserver.embedded import EmbeddedServer
from cityserver.population import Resident
from tests.conftest import OFFICE, PASSWORD, USER
from tests.fakes.devices import TEST_DEVICE, Api, token_for
from tests.fakes.postgres import PrivatePostgres, _bin
from tests.fakes.wire_cases import case_for

HERE = Path(__file__).resolve().parents[2] / "installer" / "server"


def test_the_example_configuration_loads() -> None:
    cfg = config.load({"COUNTERDESK_SERVER_CONFIG": str(HERE / "server.toml.example")})
    assert (cfg.workers, cfg.trusted_proxies, cfg.settings.audit_retention_days) == (4, ("10.20.0.10",), 1826)


def test_the_nginx_site_is_valid(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("counterdesk.city.example")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "chain.pem"))
    site = (HERE / "nginx-counterdesk.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/counterdesk/fullchain.pem", str(tmp_path / "chain.pem"))
    site = site.replace("/etc/ssl/counterdesk/privkey.pem", str(tmp_path / "chain.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.integration
@pytest.mark.parametrize("city", ["postgresql"], indirect=True)
def test_the_backup_and_the_restore_drill_run_as_written(
    city: EmbeddedServer, postgres: PrivatePostgres, population: list[Resident], tmp_path: Path
) -> None:
    clerk = Api(city, token_for(city, TEST_DEVICE, USER, PASSWORD))
    person = next(r for r in population if r.district_code == OFFICE.code)
    assert clerk.push("cases", [case_for(TEST_DEVICE, OFFICE.code, "SW-05", person.national_id, 1)])[0]["status"] == (
        "accepted"
    )
    database = str(city.app.state.engine.url.database)
    env = {
        **os.environ,
        "PATH": f"{Path(_bin('pg_dump')).parent}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(postgres.port),
        "PGUSER": "postgres",
        "COUNTERDESK_SERVER": f"{sys.executable} -m cityserver",
        "COUNTERDESK_SERVER_CONFIG": str(HERE / "server.toml.example"),
    }
    backups = tmp_path / "backups"
    made = subprocess.run(
        ["sh", str(HERE / "backup.sh"), str(backups), database], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert len(list(backups.glob(f"{database}-*.dump"))) == 1 and (backups / "SHA256SUMS").exists()
    drill = subprocess.run(
        ["sh", str(HERE / "restore-drill.sh"), str(backups), database], env=env, capture_output=True, text=True
    )
    assert drill.returncode == 0, drill.stderr + drill.stdout
    assert "cases 1 筆" in drill.stdout and "restore drill passed" in drill.stdout
    (backups / "SHA256SUMS").write_text("0" * 64 + f"  {next(backups.glob('*.dump')).name}\n")
    tampered = subprocess.run(
        ["sh", str(HERE / "restore-drill.sh"), str(backups), database], env=env, capture_output=True, text=True
    )
    assert tampered.returncode != 0  # a dump that is not the one written is never restored


def test_the_systemd_units_are_valid(tmp_path: Path) -> None:
    """systemd-analyze verify, with the installed programs' paths pointed at a program that exists here."""
    units = sorted(HERE.glob("*.service")) + sorted(HERE.glob("*.timer"))
    assert len(units) == 5
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        for program in ("/opt/counterdesk-server/bin/counterdesk-server", "/opt/counterdesk-server/share/backup.sh"):
            text = text.replace(program, "/bin/true")
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u.name) for u in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and "Unknown" not in checked.stderr, checked.stderr
