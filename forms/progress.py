"""What the public progress page (/track) tells a citizen about their case: the steps so far with their dates, the
expected completion date (moved on by the days spent waiting for paper) and whether it has passed, and what is to
be brought if the office asked for it. Nothing personal: a rejection's reason goes to the citizen in writing, not
on a public page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from forms.calendar import OfficeCalendar
from forms.casesteps import APPROVED, FINAL, FORWARDED, RECEIVED, REJECTED, REVIEWING, SUPPLEMENT, WITHDRAWN
from forms.overdue import OVERDUE, Mark, urgency

STEP_WORDS = {
    RECEIVED: "收件",
    FORWARDED: "轉送戶籍地區公所辦理",
    REVIEWING: "審核中",
    SUPPLEMENT: "通知補件",
    APPROVED: "核准",
    REJECTED: "未核准（駁回），理由詳見書面通知",
    WITHDRAWN: "撤回（收據作廢）",
}
NOW_WORDS = {
    RECEIVED: "已收件，等待承辦",
    FORWARDED: "已轉送戶籍地區公所辦理",
    REVIEWING: "審核中",
    SUPPLEMENT: "需補件，請於期限內補齊下列文件",
    APPROVED: "已核准",
    REJECTED: "未核准（駁回），詳見書面通知",
    WITHDRAWN: "已撤回（收據作廢）",
}
STAGES = ("收件", "審核", "完成")  # the bar a phone shows: where the case is along the way


@dataclass(frozen=True)
class Entry:
    """One step as it happened: its status, office day, and (補件) what was asked and by when."""

    status: str
    on: date
    owed: tuple[str, ...] = ()
    owed_by: date | None = None


@dataclass(frozen=True)
class Progress:
    now: str  # 辦理狀態 in words
    steps: tuple[tuple[date, str], ...]  # (day, words), oldest first
    stage: int  # 0 收件, 1 審核, 2 完成 (STAGES)
    expected: date | None  # 預定完成日, 補件 days added; None when nothing is owed by a date
    late_by: int | None  # working days past it (None: not late, or decided)
    owed: tuple[str, ...] = ()  # 補件: what to bring …
    owed_by: date | None = None  # … by when
    moved: bool = False  # the expected date is later than the receipt's: days waiting for paper do not count


def _stage(status: str) -> int:
    if status in FINAL:
        return 2
    return 1 if status in (REVIEWING, SUPPLEMENT) else 0


def progress(
    status: str, history: Sequence[Entry], due: date | None, today: date, calendar: OfficeCalendar
) -> Progress:
    marks = [Mark(e.status, e.on) for e in history]
    found = urgency(status, due, marks, today, calendar)
    last = history[-1] if history else None
    asked = last is not None and last.status == SUPPLEMENT and status == SUPPLEMENT
    return Progress(
        now=NOW_WORDS.get(status, status),
        steps=tuple((e.on, STEP_WORDS.get(e.status, e.status)) for e in history),
        stage=_stage(status),
        expected=found.due,
        late_by=found.working_days if found.kind == OVERDUE else None,
        owed=last.owed if asked and last is not None else (),
        owed_by=last.owed_by if asked and last is not None else None,
        moved=found.due is not None and found.due != due,
    )
