"""A city as a city runs it: two `counterdesk-server` processes (two workers each, the two "hosts") on one
PostgreSQL database, behind nginx on loopback. Stands in for an EmbeddedServer in the sync suite: `url` is the
proxy's, `app` a local app on the same database for reading what the city stored, `stop()`/`start()` take the
city off the network and back (the proxy goes down; the servers keep running)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cityserver.app import create_app
from tests.fakes.cityprocess import ServerProcess
from tests.fakes.nginx import LoopbackProxy
from tests.fakes.postgres import PrivatePostgres

DATABASE = "city_workers"


class Cluster:
    def __init__(self, pg: PrivatePostgres, root: Path, hosts: int = 2, workers: int = 2) -> None:
        self.pg = pg
        self.root = root
        pg.sql(f"CREATE DATABASE {DATABASE} TEMPLATE city_template")
        self.servers = [ServerProcess(pg.url(DATABASE), root / f"host{n}.log", workers) for n in range(hosts)]
        self.proxy = LoopbackProxy(root / "nginx", [s.address for s in self.servers])
        self._app: FastAPI | None = None

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def running(self) -> bool:
        return self.proxy._process is not None

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            self._app = create_app(self.pg.url(DATABASE))
        return self._app

    def boot(self) -> None:
        for server in self.servers:
            server.start()
        self.proxy.start()

    def start(self) -> None:
        if not self.running:
            self.proxy.start()

    def stop(self) -> None:
        self.proxy.stop()

    def reset(self) -> None:
        """A fresh copy of the template city under the running servers (their pools reconnect: pre-ping)."""
        if self._app is not None:
            self._app.state.engine.dispose()
            self._app = None
        self.pg.sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        self.pg.sql(f"CREATE DATABASE {DATABASE} TEMPLATE city_template")
        self.start()

    def shutdown(self) -> None:
        if self._app is not None:
            self._app.state.engine.dispose()
        self.proxy.stop()
        for server in self.servers:
            server.stop()
