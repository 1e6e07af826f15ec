"""`make mutation` / `python -m tests.mutation [module ...]`: mutation testing (mutmut) of the code whose bugs cost
most, each module against the tests that are meant to catch its bugs (fast ones where they suffice).

One line per module: `MUTATION module=<m> killed=<n> survived=<n> score=<pct>`. A mutant no test runs counts as
survived. Survivors judged equivalent (the mutated code behaves the same for every input the program can give it)
are listed in tests/mutation/equivalent.toml with the reason, checked against the mutant's diff each run (a stale
entry counts as a survivor again), and left out of the score. Every other survivor is printed with its diff line.

Each module runs in its own scratch copy under .mutation/<module>/. mutmut keeps its results there but only
notices changes to the mutated code, so they are thrown away whenever any source, test or resource changed.
It takes long; it is not part of `make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".mutation"
MUTMUT = Path(sys.executable).with_name("mutmut")
SOURCES = ("forms", "sync", "printing", "cityserver", "desktop")
GOAL = 90.0

KILLED = {"killed", "timeout", "segfault", "caught by type check"}
SURVIVED = {"survived", "no tests"}


@dataclass(frozen=True)
class Module:
    """A module to mutate, the tests meant to catch its bugs, and (optionally) the functions that are in scope."""

    name: str
    path: str
    tests: tuple[str, ...]
    functions: frozenset[str] = field(default_factory=frozenset)  # empty: every function of the module


SQLITE = ("-k", "not postgresql")
MODULES = (
    Module("forms.ids", "forms/ids.py", ("tests/forms",)),
    Module("forms.rocdate", "forms/rocdate.py", ("tests/forms",)),
    Module("forms.calendar", "forms/calendar.py", ("tests/forms",)),
    Module("forms.eligibility", "forms/eligibility.py", ("tests/forms",)),
    Module("forms.validation", "forms/validation.py", ("tests/forms",)),
    # What paper promises and when it is due; names as people write them; the city's reference documents.
    Module("forms.names", "forms/names.py", ("tests/forms",)),
    Module("forms.timelimits", "forms/timelimits.py", ("tests/forms",)),
    Module("forms.terms", "forms/terms.py", ("tests/forms", "tests/printing")),
    Module("forms.reference", "forms/reference.py", ("tests/forms",)),
    Module("forms.offices", "forms/offices.py", ("tests/forms", "tests/printing")),
    # Cases after intake: what step may follow which, how late a case is, what the citizen is told on /track, what
    # paper travels with a 跨區收件 case.
    Module("forms.casesteps", "forms/casesteps.py", ("tests/forms",)),
    Module("forms.overdue", "forms/overdue.py", ("tests/forms",)),
    Module("forms.progress", "forms/progress.py", ("tests/forms", "tests/integration/test_decisions.py", *SQLITE)),
    Module("forms.transit", "forms/transit.py", ("tests/forms",)),
    # Which paper the look-ups replaced, which was shown at the counter, which is still owed; cash by note and coin.
    Module("forms.documents", "forms/documents.py", ("tests/forms",)),
    Module("forms.payment", "forms/payment.py", ("tests/forms",)),
    Module("forms.cashcount", "forms/cashcount.py", ("tests/forms",)),
    # The ledger: numbering, sealing, the outbox writes, the audit chain; what stops it issuing numbers twice.
    Module(
        "sync.ledger.core",
        "sync/ledger/core.py",
        ("tests/sync",),
        frozenset({"seal", "open", "write", "read", "decoding", "next", "raise_counter", "check_may_issue"}),
    ),
    Module(
        "sync.ledger.cases",
        "sync/ledger/cases.py",
        ("tests/sync",),
        frozenset({"accept", "record_verification", "verify_rows", "_agreement", "_saved"}),
    ),
    Module(
        "sync.ledger.outbox",
        "sync/ledger/outbox.py",
        ("tests/sync",),
        frozenset(
            {"mark_results", "resend", "set_aside", "requeue", "withdraw", "mark_retry", "due", "counts", "backlog"}
        ),
    ),
    Module("sync.ledger.audit", "sync/ledger/audit.py", ("tests/sync",), frozenset({"record_many", "head"})),
    Module("sync.ledger.highwater", "sync/ledger/highwater.py", ("tests/sync",)),
    Module(
        "sync.ledger.restore",
        "sync/ledger/restore.py",
        ("tests/sync", "tests/integration/test_ledger_rollback.py", "tests/integration/test_recover.py", *SQLITE),
    ),
    Module("sync.ledger.crypto", "sync/ledger/crypto.py", ("tests/sync",)),
    Module("sync.city.push", "sync/city/push.py", ("tests/sync",)),
    Module("forms.dayclose", "forms/dayclose.py", ("tests/sync", "tests/integration/test_dayclose.py", *SQLITE)),
    # The city's idempotency: each item stored once under its key, a replay a duplicate, other content a conflict.
    Module(
        "cityserver.cases",
        "cityserver/cases.py",
        (
            "tests/integration/test_sync_roundtrip.py",
            "tests/integration/test_attacks_writes.py",
            "tests/integration/test_city_stores_cases.py",
            "tests/integration/test_cursor_order.py",  # on PostgreSQL: the batch path takes the numbering lock
            *SQLITE,
        ),
        frozenset({"_insert_once", "_store_cases", "cases_batch", "_prepare_case", "_binding", "_numbers_taken"}),
    ),
    # A register that fails or stalls must degrade to 待查驗, and the breaker must open, probe and close.
    Module("cityserver.registers", "cityserver/registers.py", ("tests/integration/test_registers.py", *SQLITE)),
    Module(
        "cityserver.track",
        "cityserver/track.py",
        ("tests/integration/test_track.py", "tests/integration/test_track_page.py", *SQLITE),
    ),
    # What reaches paper: the data the receipts, slips and reports are drawn from (masked names and IDs).
    Module(
        "desktop.paperwork",
        "desktop/paperwork.py",
        ("tests/desktop/test_paper_privacy.py", "tests/printing", *SQLITE),
        frozenset(
            {
                *("receipt_data", "notice_data", "void_slip_data", "review_rows", "dayclose_data", "track_url"),
                *("service_kind_text", "case_terms", "fee_text", "case_fee_text", "decision_text", "money"),
                "status_text",
                *("_capped", "office_hours", "problem_lines", "audit_text", "_service_name", "change_text"),
                *("deadline_text", "clerk_fees_text"),
            }
        ),
    ),
)


def _fingerprint() -> str:
    """What a result depends on: every source, test and resource file (and the tool's own settings)."""
    digest = hashlib.sha256()
    for name in (*SOURCES, "tests", "resources", "pyproject.toml"):
        base = ROOT / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _scratch(module: Module, fingerprint: str) -> Path:
    """A copy of the sources and tests for mutmut to work in (its results kept only while nothing changed)."""
    folder = WORK / module.name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "fingerprint"
    if not stamp.exists() or stamp.read_text() != fingerprint:
        shutil.rmtree(folder / "mutants", ignore_errors=True)
        stamp.write_text(fingerprint)
    for name in (*SOURCES, "tests"):
        target = folder / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    resources = folder / "resources"
    if not resources.exists():
        resources.symlink_to(ROOT / "resources")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    tests = ", ".join(f'"{t}"' for t in module.tests)
    config += f"""
[tool.mutmut]
source_paths = [{", ".join(f'"{s}"' for s in SOURCES)}]
only_mutate = ["{module.path}"]
also_copy = ["resources"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-p", "no:randomly"]
pytest_add_cli_args_test_selection = [{tests}]
"""
    (folder / "pyproject.toml").write_text(config, encoding="utf-8")
    return folder


def _function(mutant: str, module: str) -> str:
    """forms.ids.x_parse_id__mutmut_3 → parse_id; sync.ledger.xǁLedgerǁaccept__mutmut_2 → accept."""
    local = mutant[len(module) + 1 :].rsplit("__mutmut_", 1)[0]
    return local.split("ǁ")[-1] if "ǁ" in local else local.removeprefix("x_")


def _patterns(module: Module) -> list[str]:
    """mutmut name patterns of the functions in scope (none: every mutant), so out-of-scope mutants are not run."""
    return [
        pattern
        for f in sorted(module.functions)
        for pattern in (f"{module.name}.x_{f}__mutmut_*", f"{module.name}.xǁ*ǁ{f}__mutmut_*")
    ]


def _results(folder: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def _diff_lines(folder: Path, mutant: str) -> list[str]:
    """The mutant's changed lines: what it adds, or (when it only deletes) what it deletes, marked "deleted:"."""
    run = subprocess.run([str(MUTMUT), "show", mutant], cwd=folder, capture_output=True, text=True)
    shown = run.stdout.splitlines()
    added = [ln[1:].strip() for ln in shown if ln.startswith("+") and not ln.startswith("+++")]
    deleted = [ln[1:].strip() for ln in shown if ln.startswith("-") and not ln.startswith("---")]
    return [a for a in added if a] or [f"deleted: {d}" for d in deleted]


def _equivalents() -> dict[str, dict[str, str]]:
    path = Path(__file__).with_name("equivalent.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {m["name"]: m for m in data.get("mutant", [])}


def run(module: Module, timeout: float, fingerprint: str) -> tuple[int, int, list[str]]:
    """Mutate one module; returns (killed, survived, report lines)."""
    folder = _scratch(module, fingerprint)
    log = folder / "mutmut.log"
    started = time.monotonic()
    with log.open("w") as out:
        subprocess.run(
            [str(MUTMUT), "run", *_patterns(module)],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
        )
    statuses = {
        name: status
        for name, status in _results(folder).items()
        if name.startswith(module.name + ".")
        and (not module.functions or _function(name, module.name) in module.functions)
    }
    equivalent = _equivalents()
    lines: list[str] = []
    killed = survived = 0
    counts = Counter(statuses.values())
    for name, status in sorted(statuses.items(), key=lambda kv: _natural(kv[0])):
        if status in KILLED:
            killed += 1
            continue
        diff = _diff_lines(folder, name)
        judged = equivalent.get(name)
        if status in SURVIVED and judged and judged.get("line", "").strip() in diff:
            lines.append(f"  equivalent {name}: {judged['reason']}")
            continue
        survived += 1
        stale = " (equivalence entry no longer matches)" if judged else ""
        lines.append(f"  {status} {name}{stale}: {' | '.join(diff)[:160]}")
    seconds = time.monotonic() - started
    lines.insert(0, f"  ({dict(counts)}; {seconds:.0f} s; log {log.relative_to(ROOT)})")
    return killed, survived, lines


def _natural(name: str) -> tuple[str, int]:
    head, _, number = name.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation")
    parser.add_argument("modules", nargs="*", help="module names (default: all)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per module")
    args = parser.parse_args(argv)
    chosen = [m for m in MODULES if not args.modules or m.name in args.modules]
    unknown = set(args.modules) - {m.name for m in MODULES}
    if unknown:
        print(f"unknown module(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    below = []
    fingerprint = _fingerprint()
    for module in chosen:
        killed, survived, lines = run(module, args.timeout, fingerprint)
        total = killed + survived
        score = 100.0 * killed / total if total else 0.0
        print(f"MUTATION module={module.name} killed={killed} survived={survived} score={score:.1f}", flush=True)
        for line in lines:
            print(line, flush=True)
        if score < GOAL:
            below.append(module.name)
    if below:
        print(f"# below {GOAL:.0f} %: {', '.join(below)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
