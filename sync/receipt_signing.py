"""Receipts signed with the device's Ed25519 key, so the city can tell a genuine receipt from a forged one, even
for receipts made offline. The key derives from the device secret in the keyring; the city holds the public key
(registered at sign-in) and can revoke it, cutting off a stolen laptop."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sync.crypto import derive

CONTEXT = "counterdesk-receipt-v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def message(case_number: str, receipt_number: str) -> bytes:
    return f"{CONTEXT}|{case_number}|{receipt_number}".encode()


class ReceiptSigner:
    def __init__(self, master: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(derive(master, "counterdesk receipt-signing v1"))
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = _b64(raw)
        self.key_id = hashlib.sha256(raw).hexdigest()[:12]

    def sign(self, case_number: str, receipt_number: str) -> str:
        """The `sig` of a receipt's QR: key id and signature."""
        return f"{self.key_id}.{_b64(self._key.sign(message(case_number, receipt_number)))}"


def verify(public_key: str, signature: str, case_number: str, receipt_number: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(signature), message(case_number, receipt_number))
    except (InvalidSignature, ValueError):
        return False
    return True


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
    return hmac.compare_digest(clean, expected.replace("-", ""))


def split(sig: str) -> tuple[str, str] | None:
    """(key id, signature) from a QR's `sig`, or None when it is not of that shape."""
    key_id, dot, signature = sig.partition(".")
    return (key_id, signature) if dot and key_id and signature and len(sig) < 200 else None
