"""The write gate's decisions (an ASGI app driven directly, a fake handler): batches beyond the worker's slots wait
in the event loop; one that would wait too long is told to come back (503, Retry-After); everything else passes
untouched. The storm benchmark measures what it does for look-ups during a real storm."""

from __future__ import annotations

import asyncio

from starlette.types import Message, Receive, Scope, Send

from cityserver.limits import WriteGate


class Handler:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(self.seconds)
        self.running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


async def call(app: WriteGate, path: str, method: str = "POST") -> tuple[int, dict[str, str]]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "method": method, "path": path, "headers": []}, receive, send)
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start.get("headers", [])}


def test_batches_beyond_the_slots_wait_and_all_are_served() -> None:
    handler = Handler(0.02)
    gate = WriteGate(handler, concurrency=2, max_wait_s=60)

    async def storm() -> list[int]:
        return [s for s, _ in await asyncio.gather(*(call(gate, "/api/v1/cases:batch") for _ in range(10)))]

    assert asyncio.run(storm()) == [200] * 10
    assert handler.most == 2


def test_a_batch_that_would_wait_too_long_is_told_when_to_come_back() -> None:
    handler = Handler(0.05)
    gate = WriteGate(handler, concurrency=1, max_wait_s=1.0)
    gate._seconds_per_batch = 30.0  # as measured by earlier batches: the second would wait about 30 s

    async def two() -> list[tuple[int, dict[str, str]]]:
        first = asyncio.create_task(call(gate, "/api/v1/cases:batch"))
        await asyncio.sleep(0.01)  # the first holds the only slot
        second = await call(gate, "/api/v1/day-records:batch")
        return [await first, second]

    (ok, _), (busy, headers) = asyncio.run(two())
    assert ok == 200 and busy == 503
    assert 29 <= int(headers["retry-after"]) <= 39  # when its wait would be 1 s again, spread over 10 s


def test_look_ups_and_reads_never_wait_at_the_gate() -> None:
    handler = Handler(0.05)
    gate = WriteGate(handler, concurrency=1, max_wait_s=0.0)
    gate._seconds_per_batch = 3.0

    async def mixed() -> list[int]:
        held = asyncio.create_task(call(gate, "/api/v1/cases:batch"))
        await asyncio.sleep(0.01)
        others = await asyncio.gather(
            call(gate, "/api/v1/lookups/household"), call(gate, "/api/v1/status-changes", method="GET")
        )
        await held
        return [s for s, _ in others]

    assert asyncio.run(mixed()) == [200, 200]
