"""A fault-injecting HTTP proxy on 127.0.0.1, between the client and cityserver (RELIABILITY.md "tools").

It understands just enough HTTP/1.1 (Content-Length bodies, keep-alive) to place each fault on one request:

- pass:        forward the request, return the answer
- reset:       drop the connection before the request reaches the server
- lost_ack:    forward the request (the server commits), then drop the connection without the answer
- truncate:    forward, then send only half of the answer and drop the connection
- delay:       hold the request longer than the client's read timeout, then forward it (the server may commit)
- s503:        answer 503 without forwarding; `s503_retry` adds Retry-After
- html:        answer 200 with a captive portal's HTML page

Faults are drawn from a seeded generator, so a failing run can be replayed. Loopback only, bounded by its users.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

MODES = ("pass", "reset", "lost_ack", "truncate", "delay", "s503", "s503_retry", "html")


@dataclass
class FaultPlan:
    """Probability of each fault per request (the rest pass). `delay_s` must exceed the client's read timeout."""

    weights: dict[str, float] = field(default_factory=dict)
    delay_s: float = 0.6
    seed: int = 1
    retry_headers: str = "Retry-After: 1\r\n"  # what `s503_retry` adds (raw header lines)

    def draw(self, rng: random.Random) -> str:
        roll = rng.random()
        for mode, p in self.weights.items():
            if roll < p:
                return mode
            roll -= p
        return "pass"


def _read_message(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """One HTTP message (head + Content-Length body) from `sock`; None when the peer closed first."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head_end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buffer) < head_end + length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    message = bytes(buffer[: head_end + length])
    del buffer[: head_end + length]
    return message


def _canned(status: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}"
        "Connection: close\r\n\r\n"
    ).encode() + body


class FaultProxy:
    """Attributes:
    counts: how many requests met each mode.
    paths: how many requests went to each path (e.g. batches pushed).
    """

    def __init__(self, upstream_port: int, plan: FaultPlan) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.plan = plan
        self.counts: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self._rng = random.Random(plan.seed)
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="faultproxy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        # close() alone does not wake a thread blocked in accept() on Linux; shutdown() does.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _mode(self) -> str:
        with self._lock:
            mode = self.plan.draw(self._rng)
            self.counts[mode] += 1
            return mode

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        inbound, outbound = bytearray(), bytearray()
        try:
            while True:
                request = _read_message(client, inbound)
                if request is None:
                    return
                mode = self._mode()
                with self._lock:
                    self.paths[request.split(b" ", 2)[1].decode("latin-1")] += 1
                if mode == "reset":
                    return
                if mode in ("s503", "s503_retry"):
                    extra = self.plan.retry_headers if mode == "s503_retry" else ""
                    client.sendall(_canned("503 Service Unavailable", b'{"detail":"busy"}', "application/json", extra))
                    return
                if mode == "html":
                    page = "<html><body>村里活動中心 Wi-Fi：請先登入</body></html>".encode()
                    client.sendall(_canned("200 OK", page, "text/html; charset=utf-8"))
                    return
                if mode == "delay":
                    time.sleep(self.plan.delay_s)
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=30)
                upstream.sendall(request)
                response = _read_message(upstream, outbound)
                if response is None:
                    return
                if mode == "lost_ack":
                    return
                if mode == "truncate":
                    client.sendall(response[: len(response) // 2])
                    return
                client.sendall(response)
        except OSError:
            return
        finally:
            client.close()
            if upstream is not None:
                upstream.close()
