"""Wire items built by hand, as an attacker or a broken client would send them (the real client builds them
through the ledger)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sync.city.enrolment import DeviceIdentity
from sync.protocol import wire

DAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


def case_for(
    device: DeviceIdentity | str, office: str, service: str, national_id: str, n: int, **changes: Any
) -> wire.CaseIn:
    """A case under the device's own numbering (n-th case of the day, n-th receipt) unless `changes` say otherwise."""
    device_id = device if isinstance(device, str) else device.device_id
    values: dict[str, Any] = {
        "case_uuid": uuid.uuid4(),
        "case_number": f"{office}-{device_id}-1151120-{n:04d}",
        "receipt_number": f"{device_id}-R{n:07d}",
        "service_code": service,
        "catalog_version": 1,
        "national_id": national_id,
        "applicant_name": "測試",
        "birth_date": date(1950, 1, 1),
        "office_code": office,
        "device_id": device_id,
        "clerk": "attacker",
        "received_at": AT,
        "fee": 0,
        "payment_method": "none",
        "decision": "pass",
        "reason_codes": [],
    }
    values.update(changes)
    return wire.CaseIn(**values)


def record_for(
    device: DeviceIdentity, office: str, kind: wire.DayRecordKind, approval: str, **changes: Any
) -> wire.DayRecordIn:
    values: dict[str, Any] = {
        "record_uuid": uuid.uuid4(),
        "kind": kind,
        "device_id": device.device_id,
        "office_code": office,
        "business_date": DAY,
        "by": "chief-test",
        "approval": approval,
        "at": AT,
    }
    values.update(changes)
    return wire.DayRecordIn(**values)
