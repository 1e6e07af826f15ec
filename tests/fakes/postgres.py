"""A private PostgreSQL instance for the tests: initdb into a temporary folder, on a free loopback port.

PostgreSQL refuses to run as root; under root (CI) the server runs as the `postgres` system user that Debian's
package creates. Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: run `make test` (it installs Debian's postgresql)")
    return found[-1]


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PrivatePostgres:
    def __init__(self, root: Path, durable: bool = False) -> None:
        """`durable`: fsync on, as a city runs it (benchmarks); tests run without."""
        self.root = root
        self.durable = durable
        self.data = root / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        initdb = [_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
        self.restart()

    def restart(self) -> None:
        """Start the server on its data and port (again, after `stop`: a database restart or failover)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        options += "" if self.durable else " -c fsync=off"
        start = [_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"]
        subprocess.run(_as_server_user(start), check=True, capture_output=True)

    def sql(self, statement: str, database: str = "postgres") -> None:
        self._psql(database, "-c", statement)

    def run_file(self, database: str, script: Path) -> None:
        """A plain pg_dump (or any SQL script) into a database; read from stdin, so the server user needs no
        access to the file."""
        self._psql(database, "-f", "-", stdin=script.read_bytes())

    def dump(self, database: str) -> bytes:
        """pg_dump's custom format, as the nightly backup of the deployment guide makes it."""
        command = [_bin("pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-Fc", database]
        return subprocess.run(_as_server_user(command), check=True, capture_output=True).stdout

    def restore(self, database: str, dump: bytes) -> None:
        command = [_bin("pg_restore"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        subprocess.run(_as_server_user([*command, "--no-owner"]), check=True, capture_output=True, input=dump)

    def _psql(self, database: str, *args: str, stdin: bytes | None = None) -> None:
        base = [_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        subprocess.run(
            _as_server_user([*base, "-q", "-v", "ON_ERROR_STOP=1", *args]),
            check=True,
            capture_output=True,
            input=stdin,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_server_user([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
