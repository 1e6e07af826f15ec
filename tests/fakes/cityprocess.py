"""`counterdesk-server serve` as its own process with several workers (what a city runs under systemd): the
database URL in the environment, a free port, its log in a file; stopped with SIGTERM as systemd does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.fakes.nginx import free_port


class ServerProcess:
    def __init__(self, db_url: str, log: Path, workers: int = 2, env: dict[str, str] | None = None) -> None:
        self.db_url = db_url
        self.log = log
        self.workers = workers
        self.port = free_port()
        self.extra_env = env or {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, "COUNTERDESK_DB_URL": self.db_url, **self.extra_env}
        env.pop("COUNTERDESK_SERVER_RESOLVED", None)
        command = [sys.executable, "-m", "cityserver", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--log-format", "json"]
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log.read_text(encoding='utf-8')[-2000:]}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer")

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
            self._process = None

    def worker_pids(self) -> set[int]:
        """The worker processes uvicorn's supervisor started (its children but multiprocessing's resource tracker)."""
        assert self._process is not None
        children = Path(f"/proc/{self._process.pid}/task/{self._process.pid}/children")
        found = set()
        for pid in children.read_text().split() if children.exists() else []:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue  # it just ended
            if b"spawn_main" in command:
                found.add(int(pid))
        return found
