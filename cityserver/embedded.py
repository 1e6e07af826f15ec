"""Run cityserver in-process on 127.0.0.1 (sandbox mode and tests): real HTTP over loopback, on a thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket for uvicorn with TCP_NODELAY (accepted connections inherit it). asyncio only sets NODELAY on
    sockets created with proto=IPPROTO_TCP; without it every response waited ~40 ms for a delayed ACK (Nagle),
    which made each request on loopback take 44 ms instead of under one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


class EmbeddedServer:
    """A uvicorn server on a background thread. Port 0 picks a free port; stop() and start() keep the port.

    Attributes:
        port: the bound port once started.
    """

    def __init__(
        self, app: FastAPI, port: int = 0, host: str = "127.0.0.1", tls: tuple[str, str] | None = None
    ) -> None:
        """`tls`: (certificate chain file, private key file) to serve HTTPS."""
        self.app = app
        self.host = host
        self.port = port
        self.tls = tls
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            return
        sock = listening_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        cert, key = self.tls if self.tls else (None, None)
        # proxy_headers off: the app believes X-Forwarded-For only from the proxies it was told of.
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ssl_certfile=cert,
            ssl_keyfile=key,
            proxy_headers=False,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="cityserver", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("cityserver did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        self._server = self._thread = None
