"""The 08:00 storm of a whole city (seed 004: ~12 district offices, ~10 counters and ~24 liaison laptops each):
N devices (default 400), each enrolled with its own keys and signed in with its own token, reconnect at once with
200 queued cases each, while one counter per office keeps doing look-ups. The city: two uvicorn workers on a
durable PostgreSQL (fsync on), configured from the environment as `counterdesk-server serve` is.

Baseline, in the same run and on the same server processes: the same bodies POSTed at once to an endpoint that
stores the same rows with one executemany per table and batch (bench.stormapp), with the same look-up load.

    BENCH city_storm devices=400 cases=80000 drain_s=… lookup_p50_ms=… lookup_p99_ms=… errors=…
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.common import emit, fmt
from sync.city.client import BATCH_READ_TIMEOUT_S
from sync.city.push import backoff

DEVICES = int(os.environ.get("STORM_DEVICES", "400"))
CASES_PER_DEVICE = int(os.environ.get("STORM_CASES", "200"))
RUNS = int(os.environ.get("STORM_RUNS", "3"))
WORKERS = 2
SPLIT = os.environ.get("STORM_SPLIT") == "1"
INTERACTIVE = 1  # workers for everything but batches, when SPLIT
OFFICES = 12
LOOKUP_PAUSE_S = 0.25  # a counter's pace while the storm lasts (a real one looks up far less often)
PASSWORD = "storm-password"
APP_READ_TIMEOUT_S = BATCH_READ_TIMEOUT_S  # a device gives up waiting for its batch's answer after this
TEMPLATE = "storm_template"
DATABASE = "storm"


@dataclass
class Device:
    device_id: str
    office: str
    username: str
    identity: object  # DeviceIdentity (imported lazily)
    body: bytes = b""
    token: str = ""


@dataclass
class Outcome:
    drain_s: float = 0.0
    errors: int = 0
    lookups_ms: list[float] = field(default_factory=list)
    lookup_errors: int = 0
    busy: int = 0  # batches told to come back later (503), then sent again
    server_cpu_s: float = 0.0  # CPU the workers used during the storm (look-ups included)
    db_cpu_s: float = 0.0  # and PostgreSQL
    client_cpu_s: float = 0.0  # and this load generator, on the same two cores


def _offices(population: list) -> list[str]:  # type: ignore[type-arg]
    """The city's districts with most residents: the offices of the storm."""
    counts: dict[str, int] = {}
    for r in population:
        counts[r.district_code] = counts.get(r.district_code, 0) + 1
    return sorted(counts, key=lambda d: -counts[d])[:OFFICES]


def prepare(pg: object, work: Path) -> tuple[list[Device], list[str]]:
    """The template city: migrated, seeded, one clerk per office, every device enrolled over HTTP."""
    from cityserver.app import add_user, create_app
    from cityserver.db import make_engine
    from cityserver.devices import create_enrolment
    from cityserver.embedded import EmbeddedServer
    from cityserver.population import generate
    from cityserver.schema import prepare_sandbox
    from sync.city import enrolment
    from sync.city.client import CityClient
    from sync.city.enrolment import DeviceIdentity
    from tests.fakes.postgres import PrivatePostgres

    assert isinstance(pg, PrivatePostgres)
    pg.sql(f"CREATE DATABASE {TEMPLATE}")
    url = pg.url(TEMPLATE)
    engine = make_engine(url)
    factory = prepare_sandbox(engine)
    population = list(generate())
    offices = _offices(population)
    for office in offices:
        add_user(factory, f"clerk-{office}", PASSWORD, office, "clerk")
    app = create_app(url)
    server = EmbeddedServer(app)
    server.start()
    devices: list[Device] = []
    try:
        c = CityClient(server.url, None, lambda: None, timeout=(2.0, 30.0))
        for n in range(DEVICES):
            office = offices[n % len(offices)]
            code = create_enrolment(factory, office, f"storm-{n}", "bench").code
            identity, receipt = enrolment.new_keys()
            answer = c.enrol(enrolment.enrol_request(code, identity, receipt, "bench"))
            devices.append(
                Device(answer.device_id, office, f"clerk-{office}", DeviceIdentity(answer.device_id, identity, receipt))
            )
        c.close()
    finally:
        server.stop()
        app.state.engine.dispose()
        engine.dispose()
    people = [r.national_id for r in population]
    for d in devices:
        d.body = _body(d, people)
    return devices, people


def _body(device: Device, people: list[str]) -> bytes:
    from sync.protocol import wire
    from tests.fakes.wire_cases import case_for

    rng = random.Random(device.device_id)
    cases = [
        case_for(device.device_id, device.office, "SW-05", rng.choice(people), n + 1) for n in range(CASES_PER_DEVICE)
    ]
    return wire.CasesBatchRequest(cases=cases).model_dump_json().encode()


def sign_in(url: str, devices: list[Device]) -> float:
    """Every device's own token (what a reconnecting PC holds or gets first); returns the seconds it took."""
    from sync.city.client import CityClient, Credentials

    def one(d: Device) -> None:
        c = CityClient(url, d.identity, lambda: Credentials(d.username, PASSWORD), timeout=(5.0, 120.0))  # type: ignore[arg-type]
        d.token = c._ensure_token()
        c.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, devices))
    return time.perf_counter() - start


def storm(url: str, devices: list[Device], people: list[str], path: str) -> Outcome:
    """All devices push at once (one thread and connection each) while each office's counter looks people up."""
    outcome = Outcome()
    lock = threading.Lock()
    go = threading.Barrier(len(devices) + 1)
    done = threading.Event()
    ends: list[float] = []

    def device(d: Device) -> None:
        with requests.Session() as s:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {d.token}"}
            go.wait()
            rng = random.Random(d.device_id)
            for attempt in range(1, 20):
                try:
                    answer = s.post(url + path, data=d.body, headers=headers, timeout=APP_READ_TIMEOUT_S)
                except requests.RequestException:
                    answer = None
                if answer is not None and answer.status_code == 503:
                    # As the app's push does: wait what the city says, or the back-off if longer, then again.
                    told = float(answer.headers.get("Retry-After", "0") or 0)
                    with lock:
                        outcome.busy += 1
                    time.sleep(max(told, backoff(attempt, rng).total_seconds()))
                    continue
                break
            bad = (
                answer is None
                or answer.status_code != 200
                or (path != "/bench/cases" and any(r["status"] != "accepted" for r in answer.json()["results"]))
            )
            with lock:
                ends.append(time.perf_counter())
                outcome.errors += bad

    def counter(office_device: Device, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {office_device.token}"}
        with requests.Session() as s:
            while not done.is_set():
                body = {
                    "case_uuid": str(uuid.uuid4()),
                    "purpose": "SW-05",
                    "consent": True,
                    "national_id": rng.choice(people),
                }
                start = time.perf_counter()
                try:
                    ok = s.post(url + "/api/v1/lookups/household", json=body, headers=headers, timeout=30).ok
                except requests.RequestException:
                    ok = False
                with lock:
                    outcome.lookups_ms.append((time.perf_counter() - start) * 1000)
                    outcome.lookup_errors += not ok
                time.sleep(LOOKUP_PAUSE_S)

    threads = [threading.Thread(target=device, args=(d,)) for d in devices]
    firsts = {d.office: d for d in reversed(devices)}  # one counter per office, on that office's first device
    counters = [threading.Thread(target=counter, args=(d, n)) for n, d in enumerate(firsts.values())]
    for t in threads + counters:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    outcome.drain_s = max(ends) - start
    done.set()
    for t in counters:
        t.join()
    return outcome


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            for child in children.read_text().split():
                found += _tree(int(child))
    return found


def cpu_seconds(root: int) -> float:
    """User and system CPU time of a process tree (the server's workers, or PostgreSQL's backends)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it just ended
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == root:
            total += int(fields[13]) + int(fields[14])  # and of its children that ended (reaped backends)
    return total / tick


def _own_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _reset(pg: object) -> None:
    pg.sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")  # type: ignore[attr-defined]
    pg.sql(f"CREATE DATABASE {DATABASE} TEMPLATE {TEMPLATE}")  # type: ignore[attr-defined]


def _server(pg: object, work: Path) -> tuple[Callable[[], None], str, list[int]]:
    """The city: one uvicorn of WORKERS workers; with STORM_SPLIT=1, that one takes the batches only and a second
    one (INTERACTIVE workers) everything else, behind nginx routing POST …:batch to the first (the layout the
    deployment guide suggests when look-ups must stay fast under a storm)."""
    import subprocess

    from tests.fakes.nginx import LoopbackProxy, free_port

    config = work / "server.toml"
    # Speed, not policy: the per-user look-up caps and the per-address challenge limit are lifted.
    config.write_text(
        "[server]\nlookups_warn_per_user_day = 1000000000\nlookups_cap_per_user_day = 1000000000\n"
        'challenges_per_minute = 1000000\nlog_format = "json"\n' + os.environ.get("STORM_SERVER_TOML", ""),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "COUNTERDESK_DB_URL": pg.url(DATABASE),  # type: ignore[attr-defined]
        "COUNTERDESK_SERVER_CONFIG": str(config),
        "PYTHONUNBUFFERED": "1",
    }
    log = (work / "server.log").open("ab")
    procs: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    for workers in (WORKERS, INTERACTIVE) if SPLIT else (WORKERS,):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.stormapp:app",
                    "--factory",
                    "--workers",
                    str(workers),
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--backlog",
                    "4096",
                ],  # fmt: skip
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise RuntimeError("storm server did not start")
    proxy = None
    if SPLIT:
        hosts = [u.removeprefix("http://") for u in urls]
        proxy = LoopbackProxy(work / "nginx", [hosts[1]], writers=[hosts[0]])
        proxy.start()

    def stop() -> None:
        if proxy is not None:
            proxy.stop()
        for proc in procs:
            proc.terminate()
            proc.wait(30)
        log.close()

    return stop, proxy.url if proxy is not None else urls[0], [p.pid for p in procs]


def _stored(pg: object) -> int:
    from sqlalchemy import func, select

    from cityserver.db import CaseRow, make_engine

    engine = make_engine(pg.url(DATABASE))  # type: ignore[attr-defined]
    with engine.connect() as conn:
        n = int(conn.execute(select(func.count()).select_from(CaseRow)).scalar_one())
    engine.dispose()
    return n


def run(work: Path) -> None:
    from tests.fakes.postgres import PrivatePostgres

    work.mkdir(parents=True, exist_ok=True)
    pg = PrivatePostgres(Path(f"/tmp/counterdesk-storm-{os.getpid()}"), durable=True)
    pg.start()
    if os.environ.get("STORM_ASYNC_COMMIT") == "1":  # a diagnosis only: how much of a look-up is waiting for fsync
        pg.sql("ALTER SYSTEM SET synchronous_commit = off")
        pg.sql("SELECT pg_reload_conf()")
    stop: Callable[[], None] | None = None
    try:
        t = time.perf_counter()
        devices, people = prepare(pg, work)
        print(f"# storm: {len(devices)} devices enrolled, bodies made in {time.perf_counter() - t:.0f} s", flush=True)
        _reset(pg)
        stop, url, server_pids = _server(pg, work)
        pg_pid = int((pg.data / "postmaster.pid").read_text().split()[0])
        real: list[Outcome] = []
        bare: list[Outcome] = []
        for n in range(RUNS):
            _reset(pg)
            signed = sign_in(url, devices)
            before = sum(map(cpu_seconds, server_pids)), cpu_seconds(pg_pid), _own_cpu()
            real.append(storm(url, devices, people, "/api/v1/cases:batch"))
            real[-1].server_cpu_s = sum(map(cpu_seconds, server_pids)) - before[0]
            real[-1].db_cpu_s = cpu_seconds(pg_pid) - before[1]
            real[-1].client_cpu_s = _own_cpu() - before[2]
            stored = _stored(pg)
            _reset(pg)
            sign_in(url, devices[:OFFICES])  # the counters' tokens for the baseline's look-ups
            bare.append(storm(url, devices, people, "/bench/cases"))
            print(
                f"# storm run {n + 1}: sign-in {signed:.1f} s, drain {real[-1].drain_s:.1f} s "
                f"(stored {stored}), baseline {bare[-1].drain_s:.1f} s, errors {real[-1].errors}, "
                f"told to come back {real[-1].busy}, look-up p99 {_percentile(real[-1].lookups_ms, 0.99):.0f} ms, "
                f"CPU: workers {real[-1].server_cpu_s:.1f} s, PostgreSQL {real[-1].db_cpu_s:.1f} s, "
                f"load generator {real[-1].client_cpu_s:.1f} s",
                flush=True,
            )
        drain = statistics.median(o.drain_s for o in real)
        looks = [v for o in real for v in o.lookups_ms]
        errors = sum(o.errors + o.lookup_errors for o in real)
        cases = len(devices) * CASES_PER_DEVICE
        base_looks = [v for o in bare for v in o.lookups_ms]
        print(
            f"BENCH city_storm devices={len(devices)} cases={cases} drain_s={fmt(drain)} "
            f"lookup_p50_ms={fmt(_percentile(looks, 0.5))} lookup_p99_ms={fmt(_percentile(looks, 0.99))} "
            f"errors={errors} workers={WORKERS}{f'+{INTERACTIVE}' if SPLIT else ''} runs={RUNS} "
            f"baseline_drain_s={fmt(statistics.median(o.drain_s for o in bare))} "
            f"baseline_lookup_p99_ms={fmt(_percentile(base_looks, 0.99))}",
            flush=True,
        )
        emit(
            "city_storm_drain",
            drain,
            statistics.median(o.drain_s for o in bare),
            " s",
            "baseline: the same rows, one executemany per batch, no checks",
        )
        worker_cpu = statistics.median(o.server_cpu_s for o in real)
        db_cpu = statistics.median(o.db_cpu_s for o in real)
        figures = {
            "cases_per_s": round(cases / drain),
            "server_cpu_s": round(worker_cpu, 1),
            "db_cpu_s": round(db_cpu, 1),
            "load_generator_cpu_s": round(statistics.median(o.client_cpu_s for o in real), 1),
            "cases_per_worker_cpu_s": round(cases / worker_cpu) if worker_cpu else None,
            "cases_per_db_cpu_s": round(cases / db_cpu) if db_cpu else None,
        }
        print(f"# storm: {json.dumps(figures)}", flush=True)
    finally:
        if stop is not None:
            stop()
        pg.stop()
