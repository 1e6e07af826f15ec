"""Ed25519 as the project uses it (device identity, receipts, supervisors' offline approvals): raw keys and
signatures in unpadded base64url, key ids from the public key. Both the device and the city import this."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    """Raises ValueError for text that is not base64url."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("not base64url") from exc


class SigningKey:
    """An Ed25519 private key with its public half in the project's text form."""

    def __init__(self, private: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(private)
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = b64(raw)
        self.key_id = key_id(self.public_key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @property
    def private_bytes(self) -> bytes:
        return self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def sign(self, message: bytes) -> str:
        return b64(self._key.sign(message))


def key_id(public_key: str) -> str:
    """A short, stable name for a public key (the first 12 hex digits of its SHA-256)."""
    try:
        raw = unb64(public_key)
    except ValueError:
        raw = public_key.encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def verify(public_key: str, signature: str, message: bytes) -> bool:
    """True only for a valid signature by that key over exactly that message."""
    try:
        key = Ed25519PublicKey.from_public_bytes(unb64(public_key))
        key.verify(unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True
