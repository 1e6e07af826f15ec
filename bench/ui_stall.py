"""The longest the window's GUI thread goes without running its event loop while the heavy work runs on the
window's own TaskRunner lanes: pushing 10,000 queued cases, re-verifying 4,600 beneficiaries (a progress bar fed from
the worker), printing 20 receipts on the PDF printer. A 5 ms timer in the GUI thread notes every gap between its
ticks; the baseline is the same timer in the idle loop for as long. Goal (issue 14): ≤ 50 ms.

Found with it: the collector's full passes (88 ms each over the start-up heap; desktop.heap freezes it) and drawing a
whole receipt page into the print engine at once (66 ms; desktop.printer draws it in bands)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import OFFICE, SECRET, SUPERVISOR, SUPERVISOR_PASSWORD, city_process, client, emit, median
from bench.fixtures import ledger_with_cases, open_ledger, working_copy
from bench.receipt import RECEIPT
from bench.review import NOW, PEOPLE, POPULATION, SERVICE, TODAY, beneficiaries

TICK_MS = 5
CASES = 10_000
RECEIPTS = 20


class StallMeter:
    """Gaps between ticks of a GUI-thread timer: a gap much longer than the tick is the window frozen."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def measure(self, start: Callable[[], None], done: Callable[[], bool]) -> tuple[float, float]:
        """Run the event loop from `start()` until `done()`: (longest gap in ms, seconds it took)."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        check = QTimer()
        check.setInterval(20)
        check.timeout.connect(lambda: loop.quit() if done() else None)
        self.gaps.clear()
        began = self._last = time.perf_counter()
        self._timer.start()
        check.start()
        start()
        loop.exec()
        self._timer.stop()
        check.stop()
        return max(self.gaps, default=0.0) * 1000, time.perf_counter() - began


def idle(meter: StallMeter, seconds: float) -> float:
    until = time.perf_counter() + seconds
    stall, _ = meter.measure(lambda: None, lambda: time.perf_counter() >= until)
    return stall


Work = Callable[[Any, Callable[[BaseException], None]], None]  # (runner, on_failure): queues its tasks


def on_runner(meter: StallMeter, work: Work) -> tuple[float, float]:
    """Start `work` on a TaskRunner and measure until every task's result reached the GUI thread."""
    from desktop.tasks import TaskRunner

    runner = TaskRunner()
    failures: list[BaseException] = []
    try:
        result = meter.measure(lambda: work(runner, failures.append), lambda: not runner.busy)
    finally:
        runner.shutdown()
    if failures:
        raise failures[0]
    return result


def push_task(ledger_path: Path, url: str) -> Work:
    from sync.city.push import push_pending

    def work(runner: Any, failed: Callable[[BaseException], None]) -> None:
        def push() -> None:  # the ledger and the client are opened on the worker: the window has them open already
            ledger = open_ledger(ledger_path)
            c = client(url)
            try:
                report = push_pending(ledger, c, ignore_schedule=True)
                assert report.accepted == CASES, (report.accepted, report.rejected, report.error_code)
            finally:
                c.close()
                ledger.close()

        runner.run("net", push, lambda _r: None, failed)

    return work


def review_task(work_dir: Path, url: str, listing: str) -> Work:
    from PySide6.QtWidgets import QProgressBar

    from forms.catalog import load_catalog
    from forms.eligibility import Context
    from sync.ledger import Device, Ledger
    from sync.services.review import ReviewService

    bar = QProgressBar()
    bar.show()  # repainted on every report, as the review page's bar is

    def work(runner: Any, failed: Callable[[BaseException], None]) -> None:
        def show(done: int, total: int) -> None:
            bar.setRange(0, total)
            bar.setValue(done)

        def review() -> None:
            ledger = Ledger(work_dir / f"review-{time.monotonic_ns()}.db", Device(OFFICE, "D0001"), SECRET)
            c = client(url, SUPERVISOR, SUPERVISOR_PASSWORD)
            catalog = load_catalog()
            service = ReviewService(ledger, c, catalog, lambda: Context(TODAY, OFFICE), SUPERVISOR, lambda: NOW)
            try:
                started = service.start_from_csv(SERVICE, "list.csv", listing)
                finished = service.run(started.run_id, progress=lambda p: runner.post(lambda: show(p.done, p.total)))
                assert finished.finished and finished.total == PEOPLE
            finally:
                c.close()
                ledger.close()

        runner.run("net", review, lambda _r: None, failed)

    return work


def print_task(work_dir: Path) -> Work:
    from desktop.printer import print_direct
    from printing.receipt import build_receipt_pdf
    from sync.ledger.settings import PDF_PRINTER

    def work(runner: Any, failed: Callable[[BaseException], None]) -> None:
        for n in range(RECEIPTS):
            source = work_dir / f"receipt-{n}.pdf"

            def write_and_print(source: Path = source, n: int = n) -> None:
                receipt = replace(RECEIPT, qr_payload=f"{RECEIPT.qr_payload}{n}")  # each its own QR
                source.write_bytes(build_receipt_pdf(receipt))
                print_direct(source, PDF_PRINTER, work_dir / "printed")

            runner.run("print", write_and_print, lambda _r: None, failed)

    return work


def run(work: Path, runs: int = 3) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.heap import freeze_startup_heap
    from printing.fonts import register_fonts

    app = QApplication.instance() or QApplication([])
    register_fonts()
    meter = StallMeter()
    source = ledger_with_cases(CASES, "push")
    listing = beneficiaries()
    freeze_startup_heap()  # as the app does once its window is up
    (work / "print").mkdir(parents=True, exist_ok=True)
    results: dict[str, tuple[list[float], list[float], list[float]]] = {
        name: ([], [], []) for name in ("push_10k", "review_4600", "print_20")
    }
    for n in range(runs):
        with city_process(work / f"city-{n}", size=POPULATION) as url:
            tasks = {
                "push_10k": push_task(working_copy(source, work / f"city-{n}" / "ledger.db"), url),
                "review_4600": review_task(work / f"city-{n}", url, listing),
                "print_20": print_task(work / "print"),
            }
            for name, task in tasks.items():
                stall, seconds = on_runner(meter, task)
                stalls, baselines, durations = results[name]
                stalls.append(stall)
                durations.append(seconds)
                baselines.append(idle(meter, min(seconds, 5.0)))
    for name, (stalls, baselines, durations) in results.items():
        emit(
            f"ui_stall_max_{name}",
            median(stalls),
            median(baselines),
            " ms",
            f"{runs} runs of {median(durations):.1f} s; longest gap of a {TICK_MS} ms GUI timer vs the idle loop; "
            "goal ≤ 50 ms",
        )
    del app
