"""Receipts signed with the device's Ed25519 key, so the city can tell a genuine receipt from a forged one, even
for receipts made offline. The key is made at enrolment and kept in the keyring (a re-enrolled PC signs with a
new one); the city binds the public key at enrolment and can revoke it, cutting off a stolen laptop."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sync.protocol import signing

CONTEXT = "counterdesk-receipt-v1"


def message(case_number: str, receipt_number: str) -> bytes:
    return f"{CONTEXT}|{case_number}|{receipt_number}".encode()


class ReceiptSigner:
    def __init__(self, key: signing.SigningKey) -> None:
        self._key = key
        self.public_key = self._key.public_key
        self.key_id = self._key.key_id

    def sign(self, case_number: str, receipt_number: str) -> str:
        """The `sig` of a receipt's QR: key id and signature."""
        return f"{self.key_id}.{self._key.sign(message(case_number, receipt_number))}"


def verify(public_key: str, signature: str, case_number: str, receipt_number: str) -> bool:
    return signing.verify(public_key, signature, message(case_number, receipt_number))


def short_code(case_uuid: str, case_number: str) -> str:
    """The receipt's short verification code (XXXX-XXXX) for typing in by hand. It is derived from the case's
    random UUID, which is never printed: the city can check it, a forger cannot compute it (40 bits, and the
    page is rate-limited)."""
    digest = hashlib.sha256(f"{CONTEXT}|code|{case_uuid}|{case_number}".encode()).digest()
    code = base64.b32encode(digest).decode("ascii")[:8]
    return f"{code[:4]}-{code[4:]}"


def same_code(typed: str, expected: str) -> bool:
    """Typed codes are forgiving about case, spaces and the dash."""
    clean = typed.upper().replace("-", "").replace(" ", "")
    return hmac.compare_digest(clean.encode("utf-8", "replace"), expected.replace("-", "").encode())


def split(sig: str) -> tuple[str, str] | None:
    """(key id, signature) from a QR's `sig`, or None when it is not of that shape."""
    key_id, dot, signature = sig.partition(".")
    return (key_id, signature) if dot and key_id and signature and len(sig) < 200 else None
