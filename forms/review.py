"""Periodic re-verification of beneficiaries (複查): what changed for a person, and the list of people from a file.

Pure: a decision in, a change out; CSV text in, people (or the rows that are wrong) out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from forms.errors import DomainError, ValidationError
from forms.ids import parse_id
from forms.messages import text
from forms.rocdate import parse_date
from forms.types import Decision, Outcome
from forms.validation import validate_name

# Changes, in the order a social-affairs officer deals with them.
MOVED_OUT = "moved_out"  # 遷出本市或查無戶籍
CERTIFICATE_EXPIRED = "certificate_expired"  # 身障證明逾期
NO_LONGER_ELIGIBLE = "no_longer_eligible"  # 其他條件不再符合
UNKNOWN = "unknown"  # could not be checked (a register did not answer)
STILL_ELIGIBLE = "still_eligible"
CHANGES = (MOVED_OUT, CERTIFICATE_EXPIRED, NO_LONGER_ELIGIBLE, UNKNOWN, STILL_ELIGIBLE)

_MOVED = {"residence_elsewhere", "person_not_found"}
_EXPIRED = {"disability_expired"}
MAX_ROWS = 20_000
ID_HEADERS = ("身分證統一編號", "身分證字號", "national_id", "id")
NAME_HEADERS = ("姓名", "name")
BIRTH_HEADERS = ("出生日期", "birth_date")


def classify(decision: Decision) -> str:
    failed = {r.code for r in decision.results if r.outcome is Outcome.FAIL}
    if failed & _MOVED:
        return MOVED_OUT
    if failed & _EXPIRED:
        return CERTIFICATE_EXPIRED
    if failed:
        return NO_LONGER_ELIGIBLE
    if decision.outcome is Outcome.UNKNOWN:
        return UNKNOWN
    return STILL_ELIGIBLE


@dataclass(frozen=True)
class Person:
    national_id: str
    name: str  # "" when the file gives none (the household register's is used)
    birth_date: date | None
    label: str  # where the person came from: 第 N 列


def parse_people_csv(content: str, today: date) -> list[Person]:
    """A list of beneficiaries: a column of ID numbers (header 身分證統一編號 or national_id; a file of bare IDs
    also works), optionally 姓名 and 出生日期. Every row is checked; any bad row refuses the whole file.

    Raises:
        ValidationError: review_csv_empty, review_csv_bad_rows (with the first few row numbers and reasons),
            review_csv_too_long.
    """
    rows = [r for r in csv.reader(io.StringIO(content.lstrip("\ufeff"))) if any(cell.strip() for cell in r)]
    if not rows:
        raise ValidationError("review_csv_empty")
    header = [c.strip().lower() for c in rows[0]]
    has_header = any(h in ID_HEADERS for h in header)
    id_col = next((header.index(h) for h in ID_HEADERS if h in header), 0)
    name_col = next((header.index(h) for h in NAME_HEADERS if h in header), None) if has_header else None
    birth_col = next((header.index(h) for h in BIRTH_HEADERS if h in header), None) if has_header else None
    body = rows[1:] if has_header else rows
    if len(body) > MAX_ROWS:
        raise ValidationError("review_csv_too_long", limit=MAX_ROWS)
    people: list[Person] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(body, start=2 if has_header else 1):
        try:
            nid = parse_id(_cell(row, id_col)).value
            if nid in seen:
                raise ValidationError("review_csv_duplicate")
            seen.add(nid)
            name = validate_name(_cell(row, name_col)) if name_col is not None and _cell(row, name_col) else ""
            raw_birth = _cell(row, birth_col) if birth_col is not None else ""
            birth = parse_date(raw_birth) if raw_birth else None
            if birth is not None and birth > today:
                raise ValidationError("birth_future")
        except DomainError as exc:
            problems.append(f"第 {n} 列：{text(exc.code, **exc.params)}")
            continue
        people.append(Person(nid, name, birth, f"第 {n} 列"))
    if problems:
        raise ValidationError("review_csv_bad_rows", rows="、".join(problems[:5]), count=len(problems))
    if not people:
        raise ValidationError("review_csv_empty")
    return people


def _cell(row: list[str], col: int | None) -> str:
    return row[col].strip() if col is not None and col < len(row) else ""
