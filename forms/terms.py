"""What the paper promises a citizen: decided once, at acceptance, from the case itself, and stored with it.

A receipt and every reprint of it print these terms, never the catalog of the day: a later catalog update changes
what new cases are told, not what an old receipt said. The window and printing layers only put them into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forms.calendar import OfficeCalendar
from forms.documents import DocumentCheck
from forms.rocdate import format_roc
from forms.timelimits import DEFAULT_LIMIT, DueDate, TimeLimit, due_date
from forms.types import FeeWaiver, Outcome, ServiceType

ON_THE_SPOT = "on_the_spot"  # handed over at the counter: the case is closed when it is accepted
DUE = "due"  # goes on; to be finished by the due date
PENDING = "pending"  # taken without its look-ups (待查驗): the citizen is told after they have run
REFUSED = "refused"  # the rules failed and the applicant asked for it to be taken all the same
PROMISES = (ON_THE_SPOT, DUE, PENDING, REFUSED)
OPEN_PROMISES = (DUE, PENDING)  # the only ones an office still owes an answer by a date

UNPUBLISHED = "依機關公告"


@dataclass(frozen=True)
class CaseTerms:
    """The promise, the fee and the paper, as the receipt prints them."""

    promise: str
    limit: TimeLimit
    due_date: date | None  # None: nothing is owed by a date (on the spot, refused)
    due_covered: bool  # False: counted past the office calendar (weekends only), to be counted again
    handed_over: str  # what the counter hands over on the spot ("" = the result itself)
    due_note: str
    fee: int | None  # None: not published (依機關公告)
    fee_note: str
    exempt: tuple[str, ...]  # 免附: looked up and found
    owed: tuple[str, ...]  # 待補: still to be brought
    shown: tuple[str, ...] = ()  # 已驗: shown at the counter (terms kept before the ticks existed have none)
    waiver: str = ""  # 免徵: the ground, in words (FeeWaiver.words); the fee above is the one published

    @property
    def collected(self) -> int:
        """What the case takes at the counter: the published fee, unless waived."""
        return 0 if self.waiver else (self.fee or 0)


def promise_of(service: ServiceType, outcome: Outcome, overridden: bool, paper_owed: bool = False) -> str:
    """On the spot only when the service issues on the spot, the applicant passed and no paper is still owed
    (what waits for a document cannot be handed over now); a failed case accepted without a supervisor's approval
    is promised nothing; a pending one is told after its look-ups; every other goes on to a due date.

    `paper_owed` is False for cases taken before the rule (terms_of_earlier_case): their receipts said 當場 then."""
    if outcome is Outcome.FAIL and not overridden:
        return REFUSED
    if outcome is Outcome.UNKNOWN:
        return PENDING
    if service.time_limit.on_the_spot and outcome is Outcome.PASS and not paper_owed:
        return ON_THE_SPOT
    return DUE


def owed_limit(limit: TimeLimit, promise: str) -> TimeLimit:
    """What a counter that issues on the spot could not hand over (pending, waiting for paper, or let through by a
    supervisor) is owed within §51's two months."""
    return DEFAULT_LIMIT if promise in OPEN_PROMISES and limit.on_the_spot else limit


def decide_terms(
    service: ServiceType,
    outcome: Outcome,
    overridden: bool,
    documents: DocumentCheck,
    received: date,
    calendar: OfficeCalendar,
    waiver: FeeWaiver | None = None,
) -> CaseTerms:
    """The terms of a case accepted now (see promise_of and owed_limit); `waiver`: the fee is not collected, on
    that ground (forms.payment.settle)."""
    promise = promise_of(service, outcome, overridden, bool(documents.owed))
    limit = owed_limit(service.time_limit, promise)
    due: DueDate | None = due_date(calendar, received, limit) if promise in OPEN_PROMISES else None
    return CaseTerms(
        promise=promise,
        limit=limit,
        due_date=due.day if due else None,
        due_covered=due.covered if due else True,
        handed_over=service.handed_over,
        due_note=service.due_note,
        fee=service.fee,
        fee_note=service.fee_note,
        exempt=tuple(d.name for d in documents.replaced),
        owed=tuple(d.name for d in documents.owed),
        shown=tuple(d.name for d in documents.shown),
        waiver=waiver.words() if waiver is not None and (service.fee or 0) > 0 else "",
    )


def fee_words(fee: int | None, note: str = "", payment: str = "", waiver: str = "") -> str:
    """The one wording of a fee: 依機關公告 / 免費 / 新臺幣 1,000 元（現金） / 新臺幣 100 元，免徵（低收入戶，…）.
    The citizen-facing note explains an unpublished or free fee; a fee collected is stated as collected, a fee
    waived with its ground."""
    if fee is not None and fee > 0 and waiver:
        return f"新臺幣 {fee:,} 元，免徵（{waiver}）"
    if fee is not None and fee > 0:
        return f"新臺幣 {fee:,} 元" + (f"（{payment}）" if payment else "")
    base = UNPUBLISHED if fee is None else "免費"
    return f"{base}（{note}）" if note else base


def limit_words(limit: TimeLimit) -> str:
    """處理期限 as printed: 處理期限 10 日，補正期間不計 (and 2 個月，依行政程序法第51條)."""
    if limit.on_the_spot:
        return "當場辦理"
    return f"處理期限 {limit.words()}，補正期間不計"


def promise_words(terms: CaseTerms) -> str:
    """預定完成, as the receipt prints it."""
    if terms.promise == ON_THE_SPOT:
        said = f"當場發給{terms.handed_over}" if terms.handed_over else "當場核發"
    elif terms.promise == REFUSED:
        said = "不符資格，申請人仍要求受理（不預定完成日期，審核結果另行通知）"
    elif terms.promise == PENDING:
        said = f"待查驗，查驗後通知；{limit_words(terms.limit)}"
    elif terms.due_date is None:
        said = limit_words(terms.limit)
    elif terms.due_covered:
        said = f"{format_roc(terms.due_date)}（{limit_words(terms.limit)}）"
    else:
        said = f"約 {format_roc(terms.due_date)}（行事曆未涵蓋，遇假日順延；{limit_words(terms.limit)}）"
    if terms.promise == DUE and terms.owed:  # the clock waits for the paper (補正期間不計)
        said = f"待補文件補齊後辦理，{'最遲 ' if terms.due_date else ''}{said}"
    return f"{said}；{terms.due_note}" if terms.due_note else said


def terms_of_earlier_case(
    service: ServiceType, outcome: Outcome, overridden: bool, due: date | None, owed: tuple[str, ...], fee: int
) -> CaseTerms:
    """A case taken before terms were stored: the same decision from what the case itself holds (its outcome,
    due date, fee collected and paper owed); whether a fee is published, and the words, from the catalog."""
    promise = promise_of(service, outcome, overridden)
    exempt = tuple(d.name for d in service.documents if d.replaced_by and d.name not in owed)
    return CaseTerms(
        promise=promise,
        limit=owed_limit(service.time_limit, promise),
        due_date=due if promise in OPEN_PROMISES else None,
        due_covered=True,
        handed_over=service.handed_over,
        due_note=service.due_note,
        fee=fee if service.fee is not None else None,
        fee_note=service.fee_note,
        exempt=exempt,
        owed=owed,
    )
