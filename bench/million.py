"""A ledger of 1,000,000 cases (about eleven years of one busy counter): search by ID and by name, and the app's
start-up with it. Generated once with the ledger's own sealing and hashing, written in bulk, cached."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from bench.common import CACHE, emit, median
from bench.start import probe
from desktop.bootstrap import SANDBOX_OFFICE
from forms.clock import TAIPEI
from forms.ids import check_digit, mask_id
from forms.rocdate import format_roc_compact
from sync.ledger import Device, Ledger
from sync.ledger.store.migrate import head_revision

CASES = 1_000_000
PER_DAY = 250
PEOPLE = 200_000
# The practice ledger's key for this fixture: written into the practice keys of the start-up benchmark's sandbox,
# so the same file serves both.
SECRET = bytes([0x5A]) * 32
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
GIVEN = "志明淑芬家豪美玲俊傑雅婷建宏怡君冠宇佩珊宗翰欣怡承恩詩涵柏宇宜蓁冠廷郁婷彥廷思妤"
SANDBOX_DEVICE = Device(SANDBOX_OFFICE, "D0001")  # the sandbox city enrols its first device as D0001
OFFICE_CODE, DEVICE_ID = SANDBOX_DEVICE.office.code, SANDBOX_DEVICE.device_id
SERVICES = ("SW-05", "SW-03", "SW-21", "CA-07", "SW-13", "SW-27")


def person(n: int) -> tuple[str, str, date]:
    """A valid, synthetic ID number, a name and a birth date for person n (deterministic)."""
    rng = random.Random(n)
    prefix = f"{'ABCDEFGHJKLMNPQRSTUVXYWZIO'[n % 26]}{1 + n % 2}{n // 26 % 10_000_000:07d}"
    given = GIVEN[rng.randrange(len(GIVEN) // 2) * 2 :][:2]
    name = SURNAMES[rng.randrange(len(SURNAMES))] + given
    return (
        prefix + check_digit(prefix),
        name,
        date(1930 + rng.randrange(75), 1 + rng.randrange(12), 1 + rng.randrange(28)),
    )


def million_ledger(work: Path) -> Path:
    """The ledger file (cached per schema revision); `work` gets a fresh copy each time."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"ledger-million-{CASES}-{DEVICE_ID}-r{head_revision()}.db"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        ledger = Ledger(tmp, SANDBOX_DEVICE, SECRET)  # the schema, by the ledger's own migrations
        _fill(ledger, tmp)
        ledger.close()
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        tmp.replace(path)
    target = work / "ledger.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


def _rows(ledger: Ledger) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    start = datetime(2015, 1, 5, 8, 0, tzinfo=TAIPEI)
    seal = ledger.core.seal  # the ledger's own sealing, so every generated value opens like a real one
    people = [person(n) for n in range(PEOPLE)]  # each person about five cases over the years
    for n in range(CASES):
        day, slot = divmod(n, PER_DAY)
        received = start + timedelta(days=day, seconds=slot * 100)
        nid, name, birth = people[n % PEOPLE]
        key = str(uuid4())
        number = f"{OFFICE_CODE}-{DEVICE_ID}-{format_roc_compact(received.date())}-{slot + 1:04d}"
        yield (
            (
                key, number, SERVICES[n % len(SERVICES)], 1,
                seal(nid, "cases.national_id", key), mask_id(nid), ledger.id_digest(nid),
                seal(name, "cases.applicant_name", key), seal(birth.isoformat(), "cases.birth_date", key),
                OFFICE_CODE, DEVICE_ID, "櫃台甲", received.isoformat(), received.date().isoformat(),
                0, "none", "pass", "[]", "已受理", seal("{}", "cases.fields_json", key), None, "[]", None,
                "核准", None, ledger.name_digest(name),
            ),
            (n + 1, f"{DEVICE_ID}-R{n + 1:07d}", key, received.isoformat(), received.date().isoformat()),
        )  # fmt: skip


def _fill(ledger: Ledger, path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")  # generating a fixture: durability is not what is measured
    columns = (
        "case_uuid, case_number, service_code, catalog_version, national_id, id_masked, id_digest, applicant_name, "
        "birth_date, office_code, device_id, clerk, received_at, business_date, fee, payment_method, decision, "
        "reasons_json, status, fields_json, due_date, documents_owed_json, override_json, server_status, "
        "server_note, name_digest"
    )
    rows = _rows(ledger)
    while True:
        chunk = [r for _, r in zip(range(50_000), rows, strict=False)]
        if not chunk:
            break
        conn.executemany(f"INSERT INTO cases ({columns}) VALUES ({', '.join('?' * 26)})", [c for c, _ in chunk])
        conn.executemany("INSERT INTO receipts VALUES (?, ?, ?, ?, ?)", [r for _, r in chunk])
        conn.commit()
    conn.execute("INSERT OR REPLACE INTO counters VALUES ('receipt', ?)", (CASES,))
    conn.commit()
    conn.close()


def run(work: Path, searches: int = 200) -> None:
    path = million_ledger(work / "million")
    ledger = Ledger(path, SANDBOX_DEVICE, SECRET)
    rng = random.Random(7)
    ids = [person(rng.randrange(PEOPLE))[0] for _ in range(searches)]
    names = [person(rng.randrange(PEOPLE))[1] for _ in range(searches)]
    by_id = _times(lambda q: ledger.cases.search(q), ids)
    by_name = _times(lambda q: ledger.cases.search(q), names)
    digests = [ledger.id_digest(i) for i in ids]
    ledger.close()
    conn = sqlite3.connect(path)
    floor = _times(
        lambda q: conn.execute("SELECT case_uuid FROM cases WHERE id_digest = ? LIMIT 50", (q,)).fetchall(), digests
    )
    conn.close()
    emit(
        "search_1m_by_id",
        median(by_id) * 1000,
        median(floor) * 1000,
        "ms",
        f"{searches} searches; baseline: bare indexed SELECT",
    )
    emit("search_1m_by_name", median(by_name) * 1000, median(floor) * 1000, "ms", f"{searches} searches")
    startup(work)


def _times(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def startup(work: Path, runs: int = 3) -> None:
    """The app (practice mode) with the million-case ledger, against the app with an empty one."""
    big = work / "start-big"
    practice_sandbox(big)
    million_ledger(big)
    empty = work / "start-empty"
    probe("app", big), probe("app", empty)  # the practice city's database is made on the first start
    with_big = [probe("app", big)[1] for _ in range(runs)]
    with_empty = [probe("app", empty)[1] for _ in range(runs)]
    emit("start_with_1m_ledger", median(with_big) * 1000, median(with_empty) * 1000, "ms", "baseline: empty ledger")


def practice_sandbox(folder: Path) -> None:
    """A practice sandbox whose device is enrolled and whose ledger key is SECRET (the million ledger's)."""
    from desktop.bootstrap import start_sandbox
    from sync.ledger.secrets import PracticeSecretStore

    folder.mkdir(parents=True, exist_ok=True)
    PracticeSecretStore(folder / "practice-keys.json").set("device-secret", SECRET.hex())
    services = start_sandbox(folder)
    assert services.device.device_id == SANDBOX_DEVICE.device_id, services.device.device_id
    services.close()
