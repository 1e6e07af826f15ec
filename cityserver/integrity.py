"""Is what the city holds what the devices sent? Every stored case, update and book record is read back, its
payload parsed as the wire model and its content hash recomputed: a restored backup, a damaged disk or a hand
edit shows up as a row whose hash no longer matches (named by its key, never by a person). The restore drill of
the deployment guide ends with this check; the devices' own digest check then re-sends whatever the backup had
not yet received."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cityserver.db import CaseRow, CaseUpdateRow, DayRecordRow
from sync.protocol import wire

CHECKED = (
    ("cases", CaseRow, CaseRow.case_uuid, wire.CaseIn),
    ("case_updates", CaseUpdateRow, CaseUpdateRow.update_uuid, wire.CaseUpdateIn),
    ("day_records", DayRecordRow, DayRecordRow.record_uuid, wire.DayRecordIn),
)


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # table, key, why

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(factory: sessionmaker[Session]) -> Report:
    report = Report()
    with factory() as s:
        for name, table, key, model in CHECKED:
            count = 0
            query = select(key, table.payload, table.content_hash).execution_options(yield_per=2_000)
            for ident, payload, stored in s.execute(query):
                count += 1
                try:
                    recomputed = model.model_validate_json(payload).content_hash()
                except ValidationError:
                    report.broken.append((name, str(ident), "payload unreadable"))
                    continue
                if recomputed != stored:
                    report.broken.append((name, str(ident), "content hash differs"))
            report.rows[name] = count
    return report
