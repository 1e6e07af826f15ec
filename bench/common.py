"""What every benchmark shares: the BENCH line, timing, a city server in its own process, cached fixtures."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from forms.types import Office

if TYPE_CHECKING:
    from sync.protocol.signing import SigningKey  # imported lazily: the start benchmark's process stays light

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-cache"
OFFICE = Office(code="68000010", name="桃園市桃園區公所", city_code="68000000", city_name="桃園市")
USER, PASSWORD = "bench-clerk", "bench-password"
SUPERVISOR, SUPERVISOR_PASSWORD = "bench-chief", "bench-chief-pw"
SECRET = b"\x07" * 32
# The bench device, enrolled into each bench city through the real HTTP path with these keys: the first device of
# a fresh city is D0001 (checked when the city is made).
DEVICE_ID = "D0001"
IDENTITY_SEED, RECEIPT_SEED = bytes([0x21]) * 32, bytes([0x22]) * 32


def fmt(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}".replace(",", "")


def emit(name: str, median: float, baseline: float, unit: str, note: str = "") -> None:
    """One line per benchmark: the median, the baseline measured in the same run, and their ratio."""
    ratio = median / baseline if baseline else float("nan")
    line = f"BENCH {name} median={fmt(median)}{unit} baseline={fmt(baseline)}{unit} ratio={ratio:.3g}"
    print(line + (f"  # {note}" if note else ""), flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall seconds of each run."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def city_db(size: int) -> Path:
    """A populated city database with the bench users and the bench device, made once per size and schema and
    copied for each use."""
    from cityserver.app import add_user, create_app
    from cityserver.db import make_engine
    from cityserver.devices import create_enrolment
    from cityserver.embedded import EmbeddedServer
    from cityserver.schema import HEAD, prepare_sandbox
    from sync.city import enrolment
    from sync.city.client import CityClient

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"city-{size}-r{HEAD}.db"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{tmp}")
        factory = prepare_sandbox(engine, size=size)
        add_user(factory, USER, PASSWORD, OFFICE.code, "clerk")
        add_user(factory, SUPERVISOR, SUPERVISOR_PASSWORD, OFFICE.code, "supervisor")
        code = create_enrolment(factory, OFFICE.code, "bench counter", "bench").code
        app = create_app(f"sqlite:///{tmp}")
        server = EmbeddedServer(app)
        server.start()
        c = CityClient(server.url, None, lambda: None)
        identity, receipt = identity_keys()
        answer = c.enrol(enrolment.enrol_request(code, identity, receipt, "bench"))
        c.close()
        server.stop()
        app.state.engine.dispose()
        assert answer.device_id == DEVICE_ID, answer.device_id
        engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        tmp.replace(path)
    return path


def identity_keys() -> tuple[SigningKey, SigningKey]:
    from sync.protocol.signing import SigningKey

    return SigningKey(IDENTITY_SEED), SigningKey(RECEIPT_SEED)


@contextmanager
def city_process(workdir: Path, size: int = 3000) -> Iterator[str]:
    """The city server in its own process (as in production: no shared interpreter with the client), on a fresh
    copy of the populated database. Yields its URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "city.db"
    shutil.copy2(city_db(size), db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.server", f"sqlite:///{db}"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"bench city server did not start: {url!r}")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def client(url: str, username: str = USER, password: str = PASSWORD):  # type: ignore[no-untyped-def]  # lazy import
    from sync.city.client import CityClient, Credentials
    from sync.city.enrolment import DeviceIdentity

    device = DeviceIdentity(DEVICE_ID, *identity_keys())
    return CityClient(url, device, lambda: Credentials(username, password), timeout=(2.0, 60.0))
