"""This PC's enrolment with the city: the device id and office the city assigned (kept in the data folder,
`device.json`), and the device's own keys (kept in the OS keyring only).

The identity key proves at every log-in and refresh that a request comes from this enrolled PC; the receipt key
signs receipts. Both are made on this PC and never leave it; the city holds their public halves.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from forms.errors import DomainError
from forms.types import Office
from sync.ledger.private_files import private_dir, write_private
from sync.ledger.secrets import SecretStore
from sync.protocol import signing, wire

log = logging.getLogger(__name__)

CONFIG_NAME = "device.json"


@dataclass(frozen=True)
class DeviceIdentity:
    """The enrolled device's id and its private keys (from the keyring)."""

    device_id: str
    identity: signing.SigningKey
    receipt: signing.SigningKey

    def sign(self, message: bytes) -> str:
        return self.identity.sign(message)


@dataclass(frozen=True)
class Enrolment:
    """What the city told this PC when it enrolled it (not secret)."""

    server: str
    device_id: str
    name: str
    office: Office
    enrolled_at: datetime


def _key_name(device_id: str) -> str:
    return f"device-keys:{device_id}"


def new_keys() -> tuple[signing.SigningKey, signing.SigningKey]:
    """A fresh identity key and receipt key for an enrolment."""
    return signing.SigningKey.generate(), signing.SigningKey.generate()


def enrol_request(
    code: str, identity: signing.SigningKey, receipt: signing.SigningKey, version: str
) -> wire.EnrolRequest:
    """The request that presents the one-time code and proves this PC holds the private keys."""
    return wire.EnrolRequest(
        code=code.strip(),
        public_key=identity.public_key,
        receipt_key=wire.ReceiptKey(key_id=receipt.key_id, public_key=receipt.public_key),
        signature=identity.sign(wire.enrol_message(code.strip(), identity.public_key, receipt.key_id)),
        client_version=version,
    )


def save(
    data_dir: Path,
    store: SecretStore,
    server: str,
    answer: wire.EnrolResponse,
    identity: signing.SigningKey,
    receipt: signing.SigningKey,
    at: datetime,
) -> tuple[Enrolment, DeviceIdentity]:
    """Keep the enrolment: keys to the keyring first (a PC whose config exists but whose keys are lost must enrol
    again; the reverse cannot happen), then device.json (readable by this user only)."""
    store.set(
        _key_name(answer.device_id),
        json.dumps({"identity": signing.b64(identity.private_bytes), "receipt": signing.b64(receipt.private_bytes)}),
    )
    enrolment = Enrolment(
        server=server,
        device_id=answer.device_id,
        name=answer.name,
        office=Office(answer.office_code, answer.office_name, answer.city_code, answer.city_name),
        enrolled_at=at,
    )
    text = json.dumps(
        {
            "server": server,
            "device_id": answer.device_id,
            "name": answer.name,
            "office_code": answer.office_code,
            "office_name": answer.office_name,
            "city_code": answer.city_code,
            "city_name": answer.city_name,
            "enrolled_at": at.isoformat(),
        },
        ensure_ascii=False,
        indent=2,
    )
    write_private(private_dir(data_dir) / CONFIG_NAME, text.encode("utf-8"))
    log.info("enrolled as device %s of office %s", answer.device_id, answer.office_code)
    return enrolment, DeviceIdentity(answer.device_id, identity, receipt)


def load(data_dir: Path, store: SecretStore) -> tuple[Enrolment, DeviceIdentity] | None:
    """This PC's enrolment, or None when it has none yet.

    Raises:
        DomainError: enrolment_damaged (device.json unreadable), enrolment_keys_missing (the keyring lost the keys:
            the PC must be enrolled again).
    """
    path = data_dir / CONFIG_NAME
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        enrolment = Enrolment(
            server=str(raw["server"]),
            device_id=str(raw["device_id"]),
            name=str(raw["name"]),
            office=Office(
                str(raw["office_code"]), str(raw["office_name"]), str(raw["city_code"]), str(raw["city_name"])
            ),
            enrolled_at=datetime.fromisoformat(str(raw["enrolled_at"])),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError("enrolment_damaged") from exc
    secret = store.get(_key_name(enrolment.device_id))
    if secret is None:
        raise DomainError("enrolment_keys_missing", device=enrolment.device_id)
    try:
        keys = json.loads(secret)
        identity = DeviceIdentity(
            enrolment.device_id,
            signing.SigningKey(signing.unb64(keys["identity"])),
            signing.SigningKey(signing.unb64(keys["receipt"])),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DomainError("enrolment_keys_missing", device=enrolment.device_id) from exc
    return enrolment, identity


def forget(data_dir: Path, store: SecretStore, device_id: str) -> None:
    """Drop an enrolment (a revoked PC, before enrolling again): the keys and the config."""
    store.delete(_key_name(device_id))
    (data_dir / CONFIG_NAME).unlink(missing_ok=True)
