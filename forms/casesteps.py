"""A case after intake, at the office that decides it: 收件 → 審核中 → 補件 (what is owed, by when) → 核准 / 駁回.

One rule for the city (which refuses a step that breaks it) and the window (which offers only the steps allowed):
which step may follow which, and what each must say. A decided or withdrawn case takes no further step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from forms.errors import ValidationError
from forms.reasons import REASON_MIN
from forms.rocdate import format_roc

RECEIVED = "收件"
FORWARDED = "已轉送"  # 跨區收件: sent on to the applicant's home office, which decides
REVIEWING = "審核中"
SUPPLEMENT = "補件"
APPROVED = "核准"
REJECTED = "駁回"
WITHDRAWN = "撤回"  # the receipt was voided at the counter
STATUSES = (RECEIVED, FORWARDED, REVIEWING, SUPPLEMENT, APPROVED, REJECTED, WITHDRAWN)
FINAL = (APPROVED, REJECTED, WITHDRAWN)
STEPS = (REVIEWING, SUPPLEMENT, APPROVED, REJECTED)  # what the deciding office records
MAX_OWED = 30

# The steps that may follow each open status (a new 補件 while one is open asks for more, with a new date).
NEXT: dict[str, tuple[str, ...]] = {
    RECEIVED: STEPS,
    FORWARDED: STEPS,
    REVIEWING: (SUPPLEMENT, APPROVED, REJECTED),
    SUPPLEMENT: STEPS,
}


@dataclass(frozen=True)
class Step:
    """One step as recorded: the status it moves the case to, why (a reason for 駁回; a note otherwise), and for
    補件 what is owed and the day by which it is to be brought."""

    status: str
    note: str = ""
    owed: tuple[str, ...] = ()
    owed_by: date | None = None


def step_words(note: str, owed: Sequence[str], owed_by: date | None) -> str:
    """A step as the office that took the case keeps it: 「應補：戶口名簿影本（115年12月14日前）；請補齊後送本所」."""
    asked = "、".join(owed)
    if asked:
        asked = f"應補：{asked}" + (f"（{format_roc(owed_by)}前）" if owed_by else "")
    return "；".join(part for part in (asked, note.strip()) if part)


def allowed_steps(current: str) -> tuple[str, ...]:
    """The steps the deciding office may record now (none once decided or withdrawn)."""
    return NEXT.get(current, ())


def check_step(current: str, step: Step, today: date, waiting: Sequence[str] = ()) -> Step:
    """The step, tidied (spaces trimmed), if it may follow `current` and says what it must.

    Raises:
        ValidationError: step_case_closed (decided or withdrawn), step_not_allowed, step_reason_short (駁回 needs
            a reason the citizen can be told), step_owed_missing (補件 names what is owed and by when),
            step_owed_past (a date already gone), step_owed_extra (only 補件 owes anything), step_papers_waiting
            (核准 while paper sent on by the receiving office has not arrived: `waiting` names it).
    """
    if current in FINAL:
        raise ValidationError("step_case_closed", status=current)
    if step.status not in allowed_steps(current):
        raise ValidationError("step_not_allowed", status=current, step=step.status)
    note = step.note.strip()
    owed = tuple(dict.fromkeys(name.strip() for name in step.owed if name.strip()))
    if step.status == APPROVED and waiting:
        raise ValidationError("step_papers_waiting", names="、".join(waiting))
    if step.status == REJECTED and len(note) < REASON_MIN:
        raise ValidationError("step_reason_short", min=REASON_MIN)
    if step.status == SUPPLEMENT:
        if not owed or step.owed_by is None or len(owed) > MAX_OWED:
            raise ValidationError("step_owed_missing", max=MAX_OWED)
        if step.owed_by <= today:
            raise ValidationError("step_owed_past")
    elif owed or step.owed_by is not None:
        raise ValidationError("step_owed_extra")
    return Step(step.status, note, owed, step.owed_by)
