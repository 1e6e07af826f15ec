"""The city server for benchmarks, in its own process: the real app plus trivial endpoints on the same stack
(the baselines: what the same server does for a request that does nothing). Prints its URL, then serves."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import Request, Response

from cityserver.app import create_app
from cityserver.context import Settings
from cityserver.embedded import listening_socket


def main() -> None:
    # The benchmarks measure speed, not policy: the per-user and per-office look-up caps are lifted.
    settings = Settings(
        lookups_warn_per_user_day=10**9, lookups_cap_per_user_day=10**9, batch_people_per_office_day=10**9
    )
    app = create_app(sys.argv[1], settings=settings)

    @app.post("/bench/sink")
    async def sink(request: Request) -> Response:
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    sock = listening_socket("127.0.0.1", 0)
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")).run(sockets=[sock])


if __name__ == "__main__":
    main()
