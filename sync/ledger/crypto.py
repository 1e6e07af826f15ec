"""Personal fields at rest: AES-256-GCM per value, bound to its table, column and row (a ciphertext moved to
another row or column does not decrypt). The key lives in the OS keyring, never in the database."""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
_NONCE, _TAG = 12, 16


def derive(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose from the device's master secret (HKDF-SHA256): one secret in the keyring,
    independent keys for hashing IDs and for sealing fields."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


class CipherError(Exception):
    """A stored value does not decrypt with this key and place: wrong key, or the value was moved or altered."""


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AES-256 needs a 32-byte key")
        self._aead = AESGCM(key)

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(PREFIX)

    def seal(self, plaintext: str, place: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), place.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, value: str, place: str) -> str:
        if not self.is_sealed(value):
            raise CipherError("not sealed")
        try:
            raw = base64.b64decode(value[len(PREFIX) :], validate=True)
        except binascii.Error as exc:
            raise CipherError("damaged") from exc
        if len(raw) < _NONCE + _TAG:  # a damaged file: too short to hold a nonce and a tag
            raise CipherError("damaged")
        try:
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], place.encode("utf-8")).decode("utf-8")
        except InvalidTag as exc:
            raise CipherError("does not decrypt here") from exc
