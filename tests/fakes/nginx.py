"""Debian's nginx as a reverse proxy on loopback, in front of several city server processes (the multi-host set-up
of a city, on one machine): its own prefix, config and logs in a temporary folder, a free port, round robin."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

CONFIG = """
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    log_format upstreamlog '$request_method $uri $status $upstream_addr';
    access_log {root}/access.log upstreamlog;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream city {{
{servers}
        keepalive 16;
    }}
    upstream writes {{
{writers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 8m;
        proxy_read_timeout 75s;
        location ~ ":batch$" {{
            proxy_pass http://writes;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
        location / {{
            proxy_pass http://city;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout;  # retried elsewhere: GETs only (nginx never resends a POST)
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopbackProxy:
    def __init__(self, root: Path, upstreams: list[str], writers: list[str] | None = None) -> None:
        """`writers`: where batches (POST …:batch) go, when not to `upstreams` like everything else."""
        self.root = root
        self.port = free_port()
        self.upstreams = upstreams
        self.writers = writers or upstreams
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed: run `make test` (it installs Debian's nginx)")
        self.root.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server {u};" for u in self.upstreams)
        writers = "\n".join(f"        server {u};" for u in self.writers)
        user = "user root;" if os.geteuid() == 0 else ""  # as root, workers would switch to nobody
        conf = self.root / "nginx.conf"
        conf.write_text(
            CONFIG.format(user=user, root=self.root, servers=servers, writers=writers, port=self.port), encoding="utf-8"
        )
        self._process = subprocess.Popen(
            [nginx, "-p", str(self.root), "-c", str(conf), "-e", str(self.root / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/api/v1/health", timeout=1)
                return
            except requests.ConnectionError:
                if self._process.poll() is not None:
                    raise RuntimeError((self.root / "error.log").read_text(encoding="utf-8")) from None
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def upstreams_used(self) -> set[str]:
        lines = (self.root / "access.log").read_text(encoding="utf-8").splitlines()
        return {line.split()[-1] for line in lines if line.split()}

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None
