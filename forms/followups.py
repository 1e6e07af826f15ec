"""Follow-ups (需處理) a case needs after it was taken, and the plain next step each one says: pure, no I/O.

An offline case is accepted as 待查驗 and its receipt promises 「查驗後通知」; when the look-ups run later and find
the applicant not eligible, somebody must tell the citizen and, when a fee was taken, refund it and void the
receipt. Until a clerk records how it was handled (or the receipt is voided) the case stays in 需處理 and in the
day close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from forms.errors import ValidationError
from forms.types import Outcome, RuleResult

RECHECK_FAILED = "recheck_failed"
NOTE_MIN = 4  # characters: 「已電話通知」 is enough
NOTE_MAX = 200


def follow_up_after_recheck(outcome: Outcome) -> str | None:
    """The follow-up a re-check opens: a failed one needs the citizen told; a pass or a still-unknown one none."""
    return RECHECK_FAILED if outcome is Outcome.FAIL else None


@dataclass(frozen=True)
class FollowUp:
    case_uuid: UUID
    case_number: str
    receipt_number: str
    service_code: str
    name_masked: str
    fee: int  # NT$ taken at the counter (0: nothing to refund)
    kind: str
    opened_at: datetime
    reasons: tuple[RuleResult, ...]  # the failed rules, with the applicant's facts

    def next_step(self) -> tuple[str, dict[str, Any]]:
        """The message code and parameters of what to do next."""
        if self.fee:
            return "fu_recheck_failed_fee", {"fee": self.fee}
        return "fu_recheck_failed", {}


def checked_note(note: str) -> str:
    """How a follow-up was handled, in the clerk's words. Raises ValidationError(follow_up_note)."""
    words = " ".join(note.split())
    if len(words) < NOTE_MIN or len(words) > NOTE_MAX:
        raise ValidationError("follow_up_note", min=NOTE_MIN, max=NOTE_MAX)
    return words
