"""The city server's configuration: a TOML file for the operator's settings, the environment (or files the
environment names) for the database URL and the audit key — never the command line, where `ps` shows them.

    COUNTERDESK_SERVER_CONFIG   the TOML file (default /etc/counterdesk/server.toml, when it exists)
    COUNTERDESK_DB_URL          the database URL, or COUNTERDESK_DB_URL_FILE: a file holding it
    COUNTERDESK_AUDIT_PEPPER_FILE  a file holding the audit key (64+ hex digits); without it, the key kept in the
                                database is used (the same for every worker and host, but readable by whoever can
                                read the database: a secret file is better)

Every worker process builds the same configuration from the same environment (`app_from_environment`).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from cityserver.context import Settings
from cityserver.limits import networks
from sync.protocol import version

DEFAULT_FILE = Path("/etc/counterdesk/server.toml")
DEFAULT_DB = "sqlite:///cityserver.db"
# Set by `serve` for its workers: the file's and the command line's settings, already checked (no secret in it).
RESOLVED_ENV = "COUNTERDESK_SERVER_RESOLVED"

# What the [server] table may hold besides Settings' own numbers and strings.
PROCESS_KEYS = {
    "host": str,
    "port": int,
    "workers": int,
    "trusted_proxies": list,
    "log_format": str,
    "switch_interval_ms": float,
}
LOG_FORMATS = ("json", "text")


class ConfigError(Exception):
    """A configuration the server cannot start with; the message is for the operator (Traditional Chinese)."""


@dataclass(frozen=True)
class ServerConfig:
    db_url: str = DEFAULT_DB
    audit_pepper: bytes | None = None
    settings: Settings = Settings()
    host: str = "127.0.0.1"
    port: int = 8787
    workers: int = 1
    trusted_proxies: tuple[str, ...] = ()
    log_format: str = "json"
    switch_interval_ms: float = 1.0

    def options(self) -> dict[str, Any]:
        """What `serve` hands its workers (no secret: those each worker reads from the environment)."""
        simple = {f.name: getattr(self.settings, f.name) for f in fields(Settings) if f.name in _SETTINGS_KEYS}
        return {
            "settings": simple,
            "host": self.host,
            "port": self.port,
            "workers": self.workers,
            "trusted_proxies": list(self.trusted_proxies),
            "log_format": self.log_format,
            "switch_interval_ms": self.switch_interval_ms,
        }


# Settings the file may set: its plain numbers and strings (durations and networks have their own forms).
_SETTINGS_KEYS = {f.name: f.type for f in fields(Settings) if f.type in ("int", "str", "float")}


def read_secret(env: Mapping[str, str], name: str) -> str | None:
    """NAME from the environment, or the content of the file NAME_FILE names (as systemd's credentials and
    Docker's secrets are passed)."""
    if env.get(name):
        return env[name].strip()
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"讀不到 {name}_FILE 指定的檔案 {path}：{exc.strerror}") from exc


def _checked(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = PROCESS_KEYS.get(key) or {"int": int, "str": str, "float": float}.get(str(_SETTINGS_KEYS.get(key)))
        if kind is None:
            raise ConfigError(f"{where}：沒有「{key}」這個設定。")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ConfigError(f"{where}：「{key}」的值 {value!r} 型別不對。")
        values[key] = value
    return values


def read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"讀不到設定檔 {path}：{exc.strerror}") from exc
    try:
        table = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"設定檔 {path} 無法解讀：{exc}") from exc
    server = table.get("server", {})
    unknown = set(table) - {"server"}
    if unknown or not isinstance(server, dict):
        raise ConfigError(f"設定檔 {path}：只能有 [server] 一節（多了 {', '.join(sorted(unknown)) or 'server'}）。")
    return _checked(server, str(path))


def load(env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> ServerConfig:
    """File < RESOLVED_ENV (from `serve`) < overrides (the command line), then the secrets from the environment.

    Raises:
        ConfigError: a value the server cannot start with.
    """
    env = os.environ if env is None else env
    named = env.get("COUNTERDESK_SERVER_CONFIG")
    values = read_file(Path(named)) if named else read_file(DEFAULT_FILE)
    if named and not Path(named).is_file():
        raise ConfigError(f"COUNTERDESK_SERVER_CONFIG 指定的設定檔 {named} 不存在。")
    if env.get(RESOLVED_ENV):
        resolved = json.loads(env[RESOLVED_ENV])
        values.update(resolved.pop("settings"))
        values.update(resolved)
    values.update({k: v for k, v in (overrides or {}).items() if v not in (None, "", [])})
    return _build(values, env)


def _build(values: dict[str, Any], env: Mapping[str, str]) -> ServerConfig:
    for key in ("min_client_version", "latest_version"):
        if values.get(key) and version.parse(values[key]) is None:
            raise ConfigError(f"{key} 須為 主.次.修 版本號（例：0.2.0），不是 {values[key]!r}。")
    if values.get("log_format", "json") not in LOG_FORMATS:
        raise ConfigError(f"log_format 只能是 {' 或 '.join(LOG_FORMATS)}。")
    if not 1 <= values.get("workers", 1) <= 64:
        raise ConfigError("workers 須介於 1 與 64 之間。")
    if not 0.1 <= float(values.get("switch_interval_ms", 1.0)) <= 100:
        raise ConfigError("switch_interval_ms 須介於 0.1 與 100 之間。")
    if not 0 <= values.get("port", 8787) <= 65535:
        raise ConfigError("port 須介於 0 與 65535 之間。")
    proxies = tuple(str(p) for p in values.get("trusted_proxies", ()))
    try:
        networks(proxies)
    except ValueError as exc:
        raise ConfigError(f"trusted_proxies 有無效的位址：{exc}") from exc
    settings = replace(Settings(), **{k: v for k, v in values.items() if k in _SETTINGS_KEYS})
    return ServerConfig(
        db_url=_db_url(env),
        audit_pepper=_pepper(env),
        settings=settings,
        host=values.get("host", "127.0.0.1"),
        port=values.get("port", 8787),
        workers=values.get("workers", 1),
        trusted_proxies=proxies,
        log_format=values.get("log_format", "json"),
        switch_interval_ms=float(values.get("switch_interval_ms", 1.0)),
    )


def _db_url(env: Mapping[str, str]) -> str:
    url = read_secret(env, "COUNTERDESK_DB_URL") or DEFAULT_DB
    try:
        make_url(url).port  # noqa: B018 (reading the port checks it)
    except (ArgumentError, ValueError):
        # Not chained, not repeated: the URL may hold a password.
        raise ConfigError("COUNTERDESK_DB_URL 不是有效的資料庫位址。") from None
    return url


def _pepper(env: Mapping[str, str]) -> bytes | None:
    text = read_secret(env, "COUNTERDESK_AUDIT_PEPPER")
    if text is None:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise ConfigError("稽核金鑰須為十六進位字串。") from exc
    if len(key) < 32:
        raise ConfigError("稽核金鑰至少須 32 位元組（64 個十六進位字元）。")
    return key


def url_has_password(url: str) -> bool:
    try:
        return make_url(url).password is not None
    except (ArgumentError, ValueError):
        return "@" in url  # unreadable: assume the worst
