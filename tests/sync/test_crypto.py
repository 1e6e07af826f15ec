"""Sealing personal fields: the key derivation against RFC 5869, and what a sealed value is bound to."""

from __future__ import annotations

import base64

import pytest

from sync.ledger.crypto import PREFIX, CipherError, FieldCipher, derive

KEY = bytes(range(32))


def test_derive_matches_rfc_5869_test_case_3() -> None:
    """RFC 5869 A.3: HKDF-SHA256, IKM 0x0b × 22, no salt, no info; the first 32 of its 42 OKM octets."""
    okm = bytes.fromhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d")
    assert derive(b"\x0b" * 22, "") == okm


def test_each_purpose_gets_its_own_key() -> None:
    master = b"\x01" * 32
    keys = {derive(master, p) for p in ("id-digest", "field-seal", "name-digest")}
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)
    assert derive(master, "field-seal") == derive(master, "field-seal")


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_only_a_32_byte_key_is_taken(size: int) -> None:
    with pytest.raises(ValueError, match="^AES-256 needs a 32-byte key$"):
        FieldCipher(b"\x00" * size)


@pytest.mark.parametrize("text", ["王小明", "𡘙小明", "Kolas Yotaka", "", '{"phone": "0912-345-678"}'])
def test_a_sealed_value_opens_in_its_place(text: str) -> None:
    cipher = FieldCipher(KEY)
    sealed = cipher.seal(text, "cases.applicant_name:row-1")
    assert sealed.startswith(PREFIX) and FieldCipher.is_sealed(sealed)
    raw = base64.b64decode(sealed[len(PREFIX) :], validate=True)
    assert len(raw) == 12 + len(text.encode("utf-8")) + 16  # nonce, ciphertext, tag
    assert text.encode("utf-8") not in raw or not text
    assert cipher.open(sealed, "cases.applicant_name:row-1") == text
    assert cipher.seal(text, "cases.applicant_name:row-1") != sealed  # a fresh nonce each time


@pytest.mark.parametrize(
    ("key", "place"),
    [(KEY, "cases.applicant_name:row-2"), (KEY, "cases.national_id:row-1"), (bytes(32), "cases.applicant_name:row-1")],
    ids=["other row", "other column", "other key"],
)
def test_a_sealed_value_does_not_open_elsewhere(key: bytes, place: str) -> None:
    sealed = FieldCipher(KEY).seal("王小明", "cases.applicant_name:row-1")
    with pytest.raises(CipherError, match="^does not decrypt here$"):
        FieldCipher(key).open(sealed, place)


def test_an_altered_value_does_not_open() -> None:
    cipher = FieldCipher(KEY)
    raw = bytearray(base64.b64decode(cipher.seal("王小明", "p")[len(PREFIX) :]))
    raw[14] ^= 0x01
    with pytest.raises(CipherError, match="^does not decrypt here$"):
        cipher.open(PREFIX + base64.b64encode(bytes(raw)).decode("ascii"), "p")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("王小明", "not sealed"),  # stored in the clear by an older version
        ("v2:AAAA", "not sealed"),
        ("v1:@@@@not base64@@@@", "damaged"),
        ("v1:" + base64.b64encode(b"\x00" * 20).decode("ascii"), "damaged"),  # shorter than a nonce and a tag
        ("v1:", "damaged"),
    ],
)
def test_a_damaged_or_unsealed_value_is_refused_with_a_cipher_error(value: str, message: str) -> None:
    with pytest.raises(CipherError, match=f"^{message}$"):
        FieldCipher(KEY).open(value, "p")


def test_a_sealed_value_with_foreign_characters_inside_is_damaged() -> None:
    """Lenient base64 would skip the stray characters and open it: an altered value is refused instead."""
    cipher = FieldCipher(KEY)
    sealed = cipher.seal("王小明", "p")
    middle = len(PREFIX) + 8
    with pytest.raises(CipherError, match="^damaged$"):
        cipher.open(sealed[:middle] + "@" + sealed[middle:], "p")
