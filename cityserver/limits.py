"""What the server accepts from the network before any handler runs: a body that arrives in time and is not too
large, the client's address (X-Forwarded-For only from proxies the operator named), and rate limits."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
import time
from collections.abc import Callable, Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cityserver import telemetry

MAX_BODY_BYTES = 8 * 1024 * 1024  # a batch of 500 cases is about 1 MB
BODY_IDLE_S = 10.0  # no byte of the body for this long: cut off
BODY_TOTAL_S = 120.0  # a body dripping in for longer than this: cut off (a 256 kbit/s link sends 1 MB in 33 s)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(addresses: Iterable[str]) -> tuple[IpNetwork, ...]:
    """Proxy addresses or networks as the operator writes them ("10.0.0.5", "10.1.0.0/16")."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


def _in(address: str, nets: tuple[IpNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(request: Request, trusted_proxies: tuple[IpNetwork, ...]) -> str:
    """The caller's address. X-Forwarded-For is believed only when the connection comes from a trusted proxy, and
    then only up to the first hop that is not one (the rightmost address a proxy of ours saw)."""
    peer = request.client.host if request.client else ""
    if not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a forged or broken header: the proxy itself is all we know
        if not _in(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer


class RateLimit:
    """At most `limit` requests per `window` seconds from one key (an address), counted in the database so that the
    limit holds for the whole city: every worker and every host shares the count (rate_hits).

    Fixed windows of `window` seconds, with the previous window's count weighed by how much of it still lies
    within the last `window` seconds (a sliding estimate: a burst across a window's edge is not let through
    twice). A refused request is not counted: a client that waits as told gets in again."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        name: str,
        limit: int = 30,
        window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.factory, self.name = factory, name
        self.limit, self.window = limit, window
        self._clock = clock

    def allow(self, key: str) -> bool:
        moment = self._clock() / self.window
        current = int(moment)
        weight = 1.0 - (moment - current)  # the share of the previous window still inside the last `window`
        row_key = f"{self.name}:{key}"[:96]
        with self.factory.begin() as db:
            hits = db.execute(_COUNT, {"key": row_key, "slot": current}).scalar_one()
            before = db.execute(_PREVIOUS, {"key": row_key, "slot": current - 1}).scalar() or 0
            if hits + before * weight <= self.limit:
                if hits == 1 and random.random() < _SWEEP_CHANCE:
                    db.execute(_SWEEP, {"slot": current - 1, "name": f"{self.name}:%"})
                return True
            db.execute(_UNCOUNT, {"key": row_key, "slot": current})
            return False


# One statement counts and answers, so that two workers counting at once never both see the last free place.
_COUNT = text(
    "INSERT INTO rate_hits (key, slot, hits) VALUES (:key, :slot, 1) "
    "ON CONFLICT (key, slot) DO UPDATE SET hits = rate_hits.hits + 1 RETURNING hits"
)
_PREVIOUS = text("SELECT hits FROM rate_hits WHERE key = :key AND slot = :slot")
_UNCOUNT = text("UPDATE rate_hits SET hits = hits - 1 WHERE key = :key AND slot = :slot")
_SWEEP = text("DELETE FROM rate_hits WHERE slot < :slot AND key LIKE :name")
_SWEEP_CHANCE = 1 / 32  # windows older than the previous one are swept now and then, by whoever opens a new one


async def _refuse(send: Send, status: int, code: str, detail: str, retry_after: int | None = None) -> None:
    body = json.dumps({"code": code, "detail": detail, "errors": []}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyGuard:
    """Reads a request's whole body before the app sees it: cut off (408) when it stalls, refused (413) when it is
    larger than the limit, so a client announcing 1 MB and sending nothing holds nothing for long."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, idle_s: float = BODY_IDLE_S, total_s: float = BODY_TOTAL_S
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.idle_s = idle_s
        self.total_s = total_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _refuse(send, 400, "bad_content_length", "Content-Length is not a number")
                return
            if size > self.max_bytes:
                await _refuse(send, 413, "body_too_large", f"at most {self.max_bytes} bytes")
                return
        loop = asyncio.get_running_loop()
        end = loop.time() + self.total_s
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            wait = min(self.idle_s, end - loop.time())
            try:
                message: Message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                await _refuse(send, 408, "body_timeout", "the request body stalled")
                return
            if message["type"] == "http.disconnect":
                return  # the client left: nothing to answer
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await _refuse(send, 413, "body_too_large", f"at most {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)


class WriteGate:
    """Admission for the heavy writes (batches: POST …:batch): at most `concurrency` at a time in this worker,
    the others waiting in the event loop — not on the thread pool, where a counter's look-up would queue behind
    hundreds of them (the 08:00 storm: look-up p99 was 30 s); two at a time, so that one works while the other
    waits for the database. A batch that would wait longer than `max_wait_s`
    (from the recent time per batch) is answered 503 with a Retry-After, which the app's push honours, rather
    than held until the device's own timeout gives up on it."""

    def __init__(self, app: ASGIApp, concurrency: int = 2, max_wait_s: float = 40.0) -> None:
        self.app = app
        self.concurrency = max(1, concurrency)
        self.max_wait_s = max_wait_s
        self._slots: asyncio.Semaphore | None = None  # made in the worker's own event loop
        self._waiting = 0
        self._seconds_per_batch = 0.5  # a moving average, updated by every admitted batch

    @staticmethod
    def heavy(scope: Scope) -> bool:
        return (
            scope["type"] == "http" and scope.get("method") == "POST" and str(scope.get("path", "")).endswith(":batch")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.heavy(scope):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        wait = (self._waiting + 1) / self.concurrency * self._seconds_per_batch if self._slots.locked() else 0.0
        if wait > self.max_wait_s:
            # Come back when the wait would be acceptable again, spread over ten seconds so that the devices told
            # at the same moment do not all return at the same moment.
            retry = min(120, max(5, round(wait - self.max_wait_s + random.uniform(0, 10))))
            telemetry.WRITE_REFUSED.inc()
            await _refuse(send, 503, "server_busy", "the city is busy: try again later", retry_after=retry)
            return
        self._waiting += 1
        telemetry.WRITE_WAITING.inc()
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
            telemetry.WRITE_WAITING.dec()
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()
            self._seconds_per_batch = 0.8 * self._seconds_per_batch + 0.2 * (time.monotonic() - started)
