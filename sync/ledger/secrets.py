"""Secrets (device keys, later tokens) live only in the OS keyring; a missing or plaintext keyring is refused."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors

from sync.ledger.private_files import write_private

SERVICE = "counterdesk"

# Backends that would put secrets on disk in the clear, or that cannot store anything.
_REFUSED_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt", "keyring_insecure")


class SecretUnavailable(Exception):
    """No usable keyring: the app must not store secrets anywhere else."""


class SecretStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class KeyringSecretStore:
    """The OS keyring (Windows Credential Manager, Secret Service, macOS Keychain)."""

    def __init__(self) -> None:
        backend = keyring.get_keyring()
        module = type(backend).__module__
        if any(module.startswith(prefix) for prefix in _REFUSED_BACKENDS):
            raise SecretUnavailable(
                f"沒有可用的系統金鑰圈（{module}）。請安裝並啟用 Windows 認證管理員或 Secret Service（gnome-keyring）。"
            )

    def get(self, name: str) -> str | None:
        try:
            return keyring.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            raise SecretUnavailable(str(exc)) from exc

    def set(self, name: str, value: str) -> None:
        try:
            keyring.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretUnavailable(str(exc)) from exc

    def delete(self, name: str) -> None:
        try:
            keyring.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass  # already gone
        except keyring.errors.KeyringError as exc:
            raise SecretUnavailable(str(exc)) from exc


class MemorySecretStore:
    """Secrets for one process only (sandbox and tests)."""

    def __init__(self, initial: dict[str, str] | None = None) -> None:
        self._values = dict(initial or {})

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def set(self, name: str, value: str) -> None:
        self._values[name] = value

    def delete(self, name: str) -> None:
        self._values.pop(name, None)


class PracticeSecretStore:
    """練習模式 only (synthetic data, no keyring needed): this installation's own random practice keys, in one file
    readable by this user alone (0600) beside the practice ledger. Never used for real data."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _read(self) -> dict[str, str]:
        try:
            values = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}

    def get(self, name: str) -> str | None:
        return self._read().get(name)

    def set(self, name: str, value: str) -> None:
        values = self._read()
        values[name] = value
        self._write_all(values)

    def delete(self, name: str) -> None:
        values = self._read()
        if values.pop(name, None) is not None:
            self._write_all(values)

    def _write_all(self, values: dict[str, str]) -> None:
        write_private(self._path, json.dumps(values).encode("utf-8"))


def device_secret(store: SecretStore) -> bytes:
    """The device's master secret (the keys that hash ID numbers and seal personal fields derive from it);
    made once and kept only in the store."""
    value = store.get("device-secret")
    if value is None:
        value = secrets.token_hex(32)
        store.set("device-secret", value)
    return bytes.fromhex(value)
