"""The day close (日結), computed from the ledger's facts and the server's day digest: pure, no I/O.

What a supervisor signs: cases and fees per clerk, per service and per payment method; the receipt range and any
gap; voids with reasons; cash counted against cash expected per clerk; cases not yet at the city; cases the city
holds that the device does not and the other way round (by UUID and content hash); unfinished cases near or past
their due date; the look-up audit chain; corrections of earlier signed days made today.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from forms.cashcount import Pieces, as_figures, combined, total
from forms.dayfacts import CloseRecord, CorrectionRecord, DayCase, DayFacts
from forms.payment import WAIVED

CASH = "cash"
NOTE_MIN = 5  # characters of a written explanation


@dataclass(frozen=True)
class ClerkLine:
    clerk: str
    cases: int  # valid (not voided) cases
    voided: int
    fees: dict[str, int]  # payment method -> NT$
    cash_expected: int
    waived: int = 0  # cases whose published fee was not collected (免徵, each with its ground on the receipt)


@dataclass(frozen=True)
class ServiceLine:
    code: str
    cases: int
    fees: dict[str, int]


@dataclass(frozen=True)
class VoidLine:
    case_number: str
    receipt_number: str
    clerk: str
    fee: int
    payment_method: str
    reason: str
    by: str
    at: str  # HH:MM


@dataclass(frozen=True)
class Comparison:
    """The device's day against the city's digest of it."""

    compared: bool  # False when the server could not be asked
    held: int = 0  # cases the city holds from this device that day
    only_server: tuple[str, ...] = ()  # case UUIDs the device does not know
    only_device: tuple[str, ...] = ()  # case numbers delivered here, missing there
    differing: tuple[str, ...] = ()  # case numbers held there with other content
    error: str | None = None  # message code when not compared


@dataclass(frozen=True)
class DueLine:
    case_number: str
    service_code: str
    clerk: str
    due_date: date
    overdue: bool


@dataclass(frozen=True)
class Problem:
    """One line of the discrepancy list: a message code and its parameters; `needs_note` when the supervisor
    must write why before signing."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    needs_note: bool = True


@dataclass(frozen=True)
class DayClose:
    day: date
    cases: int
    voided: int
    fees: dict[str, int]
    clerks: tuple[ClerkLine, ...]
    services: tuple[ServiceLine, ...]
    first_receipt: str | None
    last_receipt: str | None
    gaps: tuple[str, ...]  # receipt numbers missing from the sequence
    voids: tuple[VoidLine, ...]
    pending_sync: tuple[str, ...]  # case numbers not yet at the city
    comparison: Comparison
    due: tuple[DueLine, ...]
    audit_break: int | None
    corrections: tuple[CorrectionRecord, ...]
    per_hour: dict[int, int]  # hour of day -> cases received
    close: CloseRecord | None
    follow_ups: tuple[str, ...] = ()  # case numbers in 需處理 (an offline case found not eligible, …)

    @property
    def fee_total(self) -> int:
        return sum(self.fees.values())

    @property
    def cash_expected(self) -> int:
        return sum(c.cash_expected for c in self.clerks)

    @property
    def waived(self) -> int:
        return sum(c.waived for c in self.clerks)

    @property
    def signed(self) -> bool:
        return self.close is not None

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        if self.gaps:
            found.append(Problem("dc_receipt_gap", {"numbers": "、".join(self.gaps)}))
        if self.audit_break is not None:
            found.append(Problem("dc_audit_break", {"seq": self.audit_break}))
        c = self.comparison
        if not c.compared:
            found.append(Problem("dc_not_compared"))
        if c.only_server:
            found.append(Problem("dc_only_server", {"n": len(c.only_server)}))
        if c.only_device:
            found.append(Problem("dc_only_device", {"numbers": "、".join(c.only_device)}))
        if c.differing:
            found.append(Problem("dc_differing", {"numbers": "、".join(c.differing)}))
        if self.pending_sync:
            found.append(Problem("dc_pending_sync", {"n": len(self.pending_sync)}))
        if self.follow_ups:
            found.append(Problem("dc_follow_up", {"n": len(self.follow_ups), "numbers": "、".join(self.follow_ups)}))
        for v in self.voids:
            found.append(Problem("dc_void", {"receipt": v.receipt_number, "reason": v.reason}, needs_note=False))
        overdue = sum(d.overdue for d in self.due)
        if overdue:
            found.append(Problem("dc_overdue", {"n": overdue}, needs_note=False))
        if len(self.due) - overdue:
            found.append(Problem("dc_due_soon", {"n": len(self.due) - overdue}, needs_note=False))
        return found


@dataclass(frozen=True)
class CashLine:
    clerk: str
    expected: int
    counted: int | None
    explanation: str
    pieces: Pieces = ()  # by note and coin, when the supervisor counted so

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


def compute(
    facts: DayFacts, digest: dict[str, str] | None, near_limit: date, digest_error: str | None = None
) -> DayClose:
    """`near_limit`: an unfinished case due on or before it is near its due date (逾期預警)."""
    valid = [c for c in facts.cases if _counts(c)]
    voided = [c for c in facts.cases if not _counts(c)]
    fees: Counter[str] = Counter()
    for c in valid:
        if c.fee:
            fees[c.payment_method] += c.fee
    numbered = sorted((c for c in facts.cases if c.receipt_seq is not None), key=lambda c: c.receipt_seq or 0)
    return DayClose(
        day=facts.day,
        cases=len(valid),
        voided=len(voided),
        fees=dict(sorted(fees.items())),
        clerks=_clerk_lines(facts.cases),
        services=_service_lines(valid),
        first_receipt=numbered[0].receipt_number if numbered else None,
        last_receipt=numbered[-1].receipt_number if numbered else None,
        gaps=_gaps(numbered, facts),
        voids=tuple(_void_line(c) for c in voided),
        pending_sync=tuple(c.case_number for c in facts.cases if c.sync_state in ("pending", "attention")),
        comparison=_compare(facts.cases, digest, digest_error),
        due=tuple(
            DueLine(d.case_number, d.service_code, d.clerk, d.due_date, d.due_date < facts.day)
            for d in facts.open_due
            if d.due_date <= near_limit
        ),
        audit_break=facts.audit_break,
        corrections=facts.corrections,
        per_hour=dict(sorted(Counter(c.received_at.hour for c in valid).items())),
        close=facts.close,
        follow_ups=facts.follow_ups,
    )


def _counts(case: DayCase) -> bool:
    """A voided receipt, or a case withdrawn before it reached the city, brings no fee and no case."""
    return case.void is None and case.sync_state != "withdrawn"


def _clerk_lines(cases: tuple[DayCase, ...]) -> tuple[ClerkLine, ...]:
    lines = []
    for clerk in sorted({c.clerk for c in cases}):
        mine = [c for c in cases if c.clerk == clerk]
        valid = [c for c in mine if _counts(c)]
        fees: Counter[str] = Counter()
        for c in valid:
            if c.fee:
                fees[c.payment_method] += c.fee
        waived = sum(1 for c in valid if c.payment_method == WAIVED)
        lines.append(
            ClerkLine(clerk, len(valid), len(mine) - len(valid), dict(sorted(fees.items())), fees[CASH], waived)
        )
    return tuple(lines)


def _service_lines(valid: list[DayCase]) -> tuple[ServiceLine, ...]:
    lines = []
    for code in sorted({c.service_code for c in valid}):
        fees: Counter[str] = Counter()
        mine = [c for c in valid if c.service_code == code]
        for c in mine:
            if c.fee:
                fees[c.payment_method] += c.fee
        lines.append(ServiceLine(code, len(mine), dict(sorted(fees.items()))))
    return tuple(lines)


def _gaps(numbered: list[DayCase], facts: DayFacts) -> tuple[str, ...]:
    """Receipt numbers are gapless per device (a void keeps its number): any number issued on the day that is not in
    the ledger was lost or removed. The day runs from the number after the previous day's last (1 on a device's
    first day) to the last one the ledger's counter says was issued that day."""
    seqs = {c.receipt_seq for c in numbered if c.receipt_seq is not None}
    first = (facts.previous_receipt_seq or 0) + 1
    last = max([facts.last_receipt_seq or 0, *seqs])
    return tuple(f"{facts.receipt_prefix}R{n:07d}" for n in range(first, last + 1) if n not in seqs)


def _void_line(c: DayCase) -> VoidLine:
    if c.void is not None:
        return VoidLine(
            c.case_number,
            c.receipt_number or "",
            c.clerk,
            c.fee,
            c.payment_method,
            c.void.reason,
            c.void.voided_by,
            f"{c.void.voided_at:%H:%M}",
        )
    return VoidLine(c.case_number, c.receipt_number or "", c.clerk, c.fee, c.payment_method, "撤回，未送市府", "", "")


def _compare(cases: tuple[DayCase, ...], digest: dict[str, str] | None, error: str | None) -> Comparison:
    """`digest`: what the city holds of the day, case UUID -> content hash (None: it could not be asked)."""
    if digest is None:
        return Comparison(compared=False, error=error or "network_down")
    there = digest
    here = {c.case_uuid: c for c in cases}
    return Comparison(
        compared=True,
        held=len(there),
        only_server=tuple(sorted(u for u in there if u not in here)),
        only_device=tuple(c.case_number for c in cases if c.sync_state == "sent" and c.case_uuid not in there),
        differing=tuple(
            c.case_number
            for c in cases
            if c.case_uuid in there and c.content_hash is not None and there[c.case_uuid] != c.content_hash
        ),
    )


def cash_lines(
    report: DayClose, counted: dict[str, tuple[int | None, str]], pieces: dict[str, Pieces] | None = None
) -> tuple[CashLine, ...]:
    """Cash expected per clerk against what the supervisor counted (clerk -> (NT$ or None, explanation)), and the
    count by note and coin where one was made (clerk -> pieces)."""
    by_piece = pieces or {}
    return tuple(
        CashLine(c.clerk, c.cash_expected, *counted.get(c.clerk, (None, "")), by_piece.get(c.clerk, ()))
        for c in report.clerks
        if c.cash_expected
    )


def sign_off_problems(report: DayClose, cash: tuple[CashLine, ...], note: str) -> list[Problem]:
    """Why the day cannot be signed yet (empty: it can)."""
    if report.signed:
        return [Problem("day_already_closed")]
    blockers = []
    for line in cash:
        if line.counted is None:
            blockers.append(Problem("dc_cash_missing", {"clerk": line.clerk}))
        elif line.pieces and total(line.pieces) != line.counted:
            params = {"clerk": line.clerk, "pieces": total(line.pieces), "counted": line.counted}
            blockers.append(Problem("dc_cash_pieces", params))
        elif line.difference and len(line.explanation.strip()) < NOTE_MIN:
            blockers.append(Problem("dc_cash_explain", {"clerk": line.clerk, "diff": line.difference}))
    if any(p.needs_note for p in report.problems()) and len(note.strip()) < NOTE_MIN:
        blockers.append(Problem("dc_note_required", {"min": NOTE_MIN}))
    return blockers


def report_json(report: DayClose, cash: tuple[CashLine, ...], note: str) -> str:
    """The signed content: canonical JSON (its SHA-256 goes to the city with the sign-off)."""
    body = {
        "day": report.day.isoformat(),
        "cases": report.cases,
        "voided": report.voided,
        "fees": report.fees,
        "clerks": [asdict(c) for c in report.clerks],
        "services": [asdict(s) for s in report.services],
        "receipts": [report.first_receipt, report.last_receipt],
        "gaps": list(report.gaps),
        "voids": [asdict(v) for v in report.voids],
        "cash": [_cash_json(c) for c in cash],
        "pending_sync": list(report.pending_sync),
        "follow_ups": list(report.follow_ups),
        "comparison": asdict(report.comparison),
        "due": [{**asdict(d), "due_date": d.due_date.isoformat()} for d in report.due],
        "audit_break": report.audit_break,
        "corrections": [
            {
                "uuid": str(c.correction_uuid),
                "corrects_day": c.corrects_day.isoformat(),
                "case_number": c.case_number,
                "kind": c.kind,
                "amount": c.amount,
                "reason": c.reason,
                "by": c.made_by,
            }
            for c in report.corrections
        ],
        "note": note.strip(),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _cash_json(line: CashLine) -> dict[str, Any]:
    body = {**asdict(line), "difference": line.difference}
    if not line.pieces:
        del body["pieces"]  # a day counted by amount only signs what it always signed
    return body


def signed_inputs(report: DayClose) -> tuple[dict[str, tuple[int | None, str]], str]:
    """What the supervisor entered when the day was signed (cash counted per clerk, the note), from the signed
    report itself: a signed day is shown as it was signed, never as retyped."""
    if report.close is None:
        return {}, ""
    body = json.loads(report.close.report_json or "{}")
    cash = {c["clerk"]: (c["counted"], c["explanation"]) for c in body.get("cash", [])}
    return cash, str(body.get("note", ""))


def signed_pieces(report: DayClose) -> dict[str, Pieces]:
    """The counts by note and coin the signed report holds (clerk -> pieces; none before sign-off)."""
    if report.close is None:
        return {}
    body = json.loads(report.close.report_json or "{}")
    return {
        c["clerk"]: tuple((int(d), int(n)) for d, n in c.get("pieces", ()))
        for c in body.get("cash", [])
        if c.get("pieces")
    }


def report_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def figures(report: DayClose, cash: tuple[CashLine, ...]) -> dict[str, int]:
    """The totals the city keeps of a signed day (no names, no IDs)."""
    c = report.comparison
    return {
        "cases": report.cases,
        "voided": report.voided,
        "fees": report.fee_total,
        "cash_expected": report.cash_expected,
        "cash_counted": sum(line.counted or 0 for line in cash),
        **as_figures(combined(line.pieces for line in cash)),
        "pending_sync": len(report.pending_sync),
        "gaps": len(report.gaps),
        "only_server": len(c.only_server),
        "only_device": len(c.only_device),
        "differing": len(c.differing),
        "corrections": len(report.corrections),
    }
