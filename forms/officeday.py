"""The office's 日結: every device's day as the city holds it — signed or not, its cases, receipts and cash — the
totals per clerk, service and payment method across devices, and what stands between the supervisor and signing
the office's day (a device that took cases and did not close, unless explained; a signed day that accounts for
fewer cases than the city holds).

Built from the city's facts only (forms.officeday is pure): any supervisor PC of the office computes the same."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from forms.cashcount import Pieces, combined, from_figures
from forms.clock import TAIPEI
from forms.dayclose import CASH, NOTE_MIN, Problem
from forms.payment import WAIVED

_RECEIPT = re.compile(r"^(?P<prefix>.*-R)(?P<seq>\d+)$")


@dataclass(frozen=True)
class OfficeCase:
    """A case the city holds of one of the office's devices that day (no personal data)."""

    device_id: str
    case_number: str
    receipt_number: str
    clerk: str
    service_code: str
    fee: int
    payment_method: str
    voided: bool  # withdrawn by a void (its fee is not counted)


@dataclass(frozen=True)
class DeviceClose:
    """A device's signed day as the city holds it."""

    device_id: str
    by: str
    at: datetime
    figures: dict[str, int]


@dataclass(frozen=True)
class OfficeDevice:
    device_id: str
    name: str
    last_seen: datetime | None
    revoked: bool


@dataclass(frozen=True)
class OfficeFacts:
    office_code: str
    day: date
    devices: tuple[OfficeDevice, ...]
    cases: tuple[OfficeCase, ...]
    closes: tuple[DeviceClose, ...]
    corrections: int = 0  # corrections recorded that day by the office's devices


SIGNED = "signed"
OPEN = "open"  # took cases, not closed
IDLE = "idle"  # no cases that day, not closed (nothing to close)


@dataclass(frozen=True)
class DeviceDay:
    device: OfficeDevice
    state: str
    cases: int  # valid
    voided: int
    fees: dict[str, int]
    first_receipt: str | None
    last_receipt: str | None
    gaps: tuple[str, ...]  # receipt numbers between the first and last the city does not hold
    close: DeviceClose | None
    seen_today: bool

    @property
    def cash_expected(self) -> int:
        return self.fees.get(CASH, 0)

    @property
    def cash_counted(self) -> int | None:
        """What its supervisor counted when the device's day was signed (None: not signed, or signed before cash
        was counted)."""
        return None if self.close is None else self.close.figures.get("cash_counted")

    @property
    def pieces(self) -> Pieces:
        """The notes and coins counted at its close (none when counted by amount only)."""
        return () if self.close is None else from_figures(self.close.figures)


@dataclass(frozen=True)
class Totals:
    name: str  # a clerk or a service code
    cases: int
    voided: int
    fees: dict[str, int]
    waived: int = 0


@dataclass(frozen=True)
class OfficeDay:
    office_code: str
    day: date
    devices: tuple[DeviceDay, ...]
    clerks: tuple[Totals, ...]
    services: tuple[Totals, ...]
    fees: dict[str, int]
    cases: int
    voided: int
    corrections: int
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def fee_total(self) -> int:
        return sum(self.fees.values())

    @property
    def cash_counted(self) -> int:
        return sum(d.cash_counted or 0 for d in self.devices)

    @property
    def pieces(self) -> Pieces:
        """The office's cash by note and coin, as its devices' supervisors counted it (for the cashier)."""
        return combined(d.pieces for d in self.devices)


def _sequence(receipt: str) -> tuple[str, int] | None:
    found = _RECEIPT.match(receipt)
    return (found["prefix"], int(found["seq"])) if found else None


def _gaps(numbers: list[str]) -> tuple[str, tuple[str, ...], str] | None:
    """(first, missing, last) of one device's receipt numbers that day."""
    parsed = sorted(p for p in (_sequence(n) for n in numbers) if p is not None)
    if not parsed:
        return None
    prefix, width = parsed[0][0], len(_RECEIPT.match(numbers[0])["seq"])  # type: ignore[index]
    held = {seq for _p, seq in parsed}
    first, last = parsed[0][1], parsed[-1][1]
    missing = tuple(f"{prefix}{seq:0{width}d}" for seq in range(first, last + 1) if seq not in held)
    return f"{prefix}{first:0{width}d}", missing, f"{prefix}{last:0{width}d}"


def _fees(cases: list[OfficeCase]) -> dict[str, int]:
    money: Counter[str] = Counter()
    for c in cases:
        if not c.voided and c.fee:
            money[c.payment_method] += c.fee
    return dict(sorted(money.items()))


def _totals(cases: tuple[OfficeCase, ...], key: str) -> tuple[Totals, ...]:
    lines = []
    for name in sorted({getattr(c, key) for c in cases}):
        mine = [c for c in cases if getattr(c, key) == name]
        valid = [c for c in mine if not c.voided]
        waived = sum(1 for c in valid if c.payment_method == WAIVED)
        lines.append(Totals(name, len(valid), len(mine) - len(valid), _fees(mine), waived))
    return tuple(lines)


def _device_day(device: OfficeDevice, facts: OfficeFacts) -> DeviceDay:
    mine = [c for c in facts.cases if c.device_id == device.device_id]
    close = next((c for c in facts.closes if c.device_id == device.device_id), None)
    receipts = _gaps([c.receipt_number for c in mine])
    state = SIGNED if close is not None else OPEN if mine else IDLE
    seen = device.last_seen is not None and device.last_seen.astimezone(TAIPEI).date() >= facts.day
    valid = [c for c in mine if not c.voided]
    return DeviceDay(
        device,
        state,
        len(valid),
        len(mine) - len(valid),
        _fees(mine),
        receipts[0] if receipts else None,
        receipts[2] if receipts else None,
        receipts[1] if receipts else (),
        close,
        seen,
    )


def _problems(days: tuple[DeviceDay, ...], explained: dict[str, str]) -> tuple[Problem, ...]:
    problems: list[Problem] = []
    for d in days:
        why = explained.get(d.device.device_id, "").strip()
        if d.state == OPEN:
            needs = len(why) < NOTE_MIN
            problems.append(Problem("od_device_open", {"device": d.device.device_id, "name": d.device.name}, needs))
        if d.close is not None:
            f = d.close.figures
            accounted = f.get("cases", 0) + f.get("voided", 0) + f.get("only_server", 0)
            if accounted < d.cases + d.voided:
                params = {"device": d.device.device_id, "signed": accounted, "held": d.cases + d.voided}
                problems.append(Problem("od_close_short", params, len(why) < NOTE_MIN))
            if f.get("pending_sync", 0):
                params = {"device": d.device.device_id, "pending": f["pending_sync"]}
                problems.append(Problem("od_pending", params, False))
            counted, expected = f.get("cash_counted"), f.get("cash_expected")
            if counted is not None and expected is not None and counted != expected:
                params = {"device": d.device.device_id, "diff": counted - expected}
                problems.append(Problem("od_cash_diff", params, False))
        if d.gaps:
            params = {"device": d.device.device_id, "numbers": "、".join(d.gaps[:10]), "count": len(d.gaps)}
            problems.append(Problem("od_receipt_gap", params, False))
        if d.state != IDLE and not d.seen_today and d.close is None:
            problems.append(Problem("od_not_seen", {"device": d.device.device_id}, False))
    return tuple(problems)


def compute(facts: OfficeFacts, explained: dict[str, str] | None = None) -> OfficeDay:
    """The office's day from the city's facts, with the supervisor's explanations (device id → why it did not close)."""
    days = tuple(_device_day(d, facts) for d in facts.devices if not (d.revoked and not _took(d, facts)))
    valid = [c for c in facts.cases if not c.voided]
    return OfficeDay(
        facts.office_code,
        facts.day,
        days,
        _totals(facts.cases, "clerk"),
        _totals(facts.cases, "service_code"),
        _fees(list(facts.cases)),
        len(valid),
        len(facts.cases) - len(valid),
        facts.corrections,
        _problems(days, explained or {}),
    )


def _took(device: OfficeDevice, facts: OfficeFacts) -> bool:
    return any(c.device_id == device.device_id for c in facts.cases)


def blockers(day: OfficeDay) -> list[Problem]:
    """What must be explained before the office's day can be signed (empty: it may be signed)."""
    return [p for p in day.problems if p.needs_note]


def report_json(day: OfficeDay, explained: dict[str, str]) -> str:
    """The signed content of the office's day: canonical JSON (its SHA-256 goes to the city with the sign-off)."""
    body = {
        "office": day.office_code,
        "day": day.day.isoformat(),
        "cases": day.cases,
        "voided": day.voided,
        "fees": day.fees,
        "devices": [
            {
                "device": d.device.device_id,
                "state": d.state,
                "cases": d.cases,
                "voided": d.voided,
                "fees": d.fees,
                "receipts": [d.first_receipt, d.last_receipt],
                "gaps": list(d.gaps),
                "closed_by": d.close.by if d.close else None,
                **({"cash_counted": d.cash_counted} if d.cash_counted is not None else {}),
                **({"pieces": [list(p) for p in d.pieces]} if d.pieces else {}),
            }
            for d in day.devices
        ],
        "clerks": [[t.name, t.cases, t.voided, t.fees, t.waived] for t in day.clerks],
        "services": [[t.name, t.cases, t.voided, t.fees, t.waived] for t in day.services],
        "explanations": {k: v.strip() for k, v in sorted(explained.items()) if v.strip()},
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
