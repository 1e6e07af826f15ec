"""Where this PC's settings come from, in order: built-in defaults < the machine file (written by the installer; IT
staff's: city server, office, folders; read-only to clerks) < the user's file (their own preferences) < the command
line. Every value is checked here, once, and a bad file is refused whole with a message naming the file, the key and
what is wrong: nothing starts on a half-read configuration. No Qt here."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from forms.errors import DomainError

MACHINE_FILE = "counterdesk.toml"
USER_FILE = "settings.toml"
MACHINE = "machine"
USER = "user"
COMMAND_LINE = "command line"
DEFAULT = "default"


class ConfigError(DomainError):
    """config_unreadable(file, why) / config_key_unknown(file, key, known) / config_machine_only(file, key) /
    config_value_invalid(file, key, value, why)."""


def machine_config_path() -> Path:
    """%ProgramData%\\Counterdesk\\counterdesk.toml on Windows (the installer writes it; users may only read it),
    /etc/counterdesk/counterdesk.toml elsewhere. COUNTERDESK_MACHINE_CONFIG names another (IT staff's tests)."""
    named = os.environ.get("COUNTERDESK_MACHINE_CONFIG")
    if named:
        return Path(named)
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Counterdesk" / MACHINE_FILE
    return Path("/etc/counterdesk") / MACHINE_FILE


def user_config_path() -> Path:
    """%APPDATA%\\counterdesk\\counterdesk\\settings.toml on Windows, ~/.config/counterdesk/settings.toml on Linux."""
    return Path(platformdirs.user_config_dir("counterdesk", "counterdesk")) / USER_FILE


@dataclass(frozen=True)
class Config:
    server: str | None = None  # None: the server this PC enrolled with, else practice mode (練習模式)
    office: str = ""  # the office this PC belongs to; enrolment with another office's code is refused
    data_dir: Path | None = None  # None: the platform's user data folder
    log_dir: Path | None = None  # None: the platform's log folder
    log_level: str = "INFO"
    idle_lock_minutes: int = 10
    font_size: int = 11
    sources: Mapping[str, str] = field(default_factory=dict)  # key -> MACHINE, USER or COMMAND_LINE

    def source(self, key: str) -> str:
        return self.sources.get(key, DEFAULT)


# -- the checks: each takes what a file or the command line gave and returns the value, or raises ValueError(why) --


def _server(value: Any) -> str:
    from forms.messages import text
    from sync.city.client import server_base  # requests is imported with it: only when a server is configured

    if not isinstance(value, str):
        raise ValueError('須為網址文字，例如 "https://counterdesk.city.gov.tw"')
    try:
        return server_base(value)
    except DomainError as exc:
        raise ValueError(text(exc.code, **exc.params)) from exc


def _office(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{8}", value):
        raise ValueError('須為 8 位數字的機關代碼（文字，例如 "68000010"）')
    return value


def _folder(value: Any) -> Path:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise ValueError("須為資料夾路徑文字")
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise ValueError("須為完整路徑（例如 C:\\\\Counterdesk\\\\data 或 /var/lib/counterdesk）")
    return path


def _level(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("須為 DEBUG、INFO、WARNING 或 ERROR")
    return value.upper()


def _whole(low: int, high: int, unit: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"須為 {low}～{high} 的整數（{unit}）")
        return value

    return check


IDLE_MINUTES = (1, 60)
FONT_SIZES = (9, 20)

# key -> (check, may a user's own file set it?)
KEYS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "server": (_server, False),
    "office": (_office, False),
    "data_dir": (_folder, False),
    "log_dir": (_folder, False),
    "log_level": (_level, True),
    "idle_lock_minutes": (_whole(*IDLE_MINUTES, "分鐘"), True),
    "font_size": (_whole(*FONT_SIZES, "點"), True),
}
assert set(KEYS) == {f.name for f in fields(Config)} - {"sources"}


def read_file(path: Path, who: str) -> dict[str, Any]:
    """The checked values of one file ({} when it does not exist). Raises ConfigError, changing nothing."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError("config_unreadable", file=str(path), why=exc.strerror or type(exc).__name__) from exc
    try:
        table = tomllib.loads(raw.decode("utf-8-sig"))  # Notepad may write a byte-order mark
    except UnicodeDecodeError as exc:
        raise ConfigError("config_unreadable", file=str(path), why="不是 UTF-8 文字檔") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config_unreadable", file=str(path), why=str(exc)) from exc
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError("config_key_unknown", file=str(path), key=key[:40], known="、".join(_allowed(who)))
        check, users_may = KEYS[key]
        if who == USER and not users_may:
            raise ConfigError("config_machine_only", file=str(path), key=key, machine=str(machine_config_path()))
        values[key] = _checked(path, key, value, check)
    return values


def _allowed(who: str) -> list[str]:
    return [k for k, (_check, users_may) in KEYS.items() if who == MACHINE or users_may]


def _checked(path: Path | str, key: str, value: Any, check: Callable[[Any], Any]) -> Any:
    try:
        return check(value)
    except ValueError as exc:
        raise ConfigError(
            "config_value_invalid", file=str(path), key=key, value=repr(value)[:60], why=str(exc).rstrip("。")
        ) from exc


def _option(key: str, value: Any) -> Any:
    try:
        return KEYS[key][0](value)
    except ValueError as exc:
        option = "--" + key.replace("_", "-")
        raise ConfigError(
            "config_option_invalid", option=option, value=str(value)[:60], why=str(exc).rstrip("。")
        ) from exc


def load(
    machine: Path | None = None, user: Path | None = None, command_line: Mapping[str, Any] | None = None
) -> Config:
    """The configuration of this start. `command_line`: only the options actually given (None values are ignored).

    Raises:
        ConfigError: a file cannot be read, or has an unknown key, a value out of range, or a machine key in the
            user's file; or a command-line value is out of range.
    """
    layers = [
        (MACHINE, read_file(machine or machine_config_path(), MACHINE)),
        (USER, read_file(user or user_config_path(), USER)),
        (
            COMMAND_LINE,
            {k: _option(k, v) for k, v in (command_line or {}).items() if v is not None and k in KEYS},
        ),
    ]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for who, layer in layers:
        values.update(layer)
        sources.update(dict.fromkeys(layer, who))
    return replace(Config(), **values, sources=sources)


def save_user(changes: Mapping[str, Any], path: Path | None = None) -> Path:
    """Write keys a user may set into the user's file, keeping what else it says. Checked first: a bad value
    raises ConfigError and the file is untouched. The file is replaced whole (written beside it, then renamed)."""
    path = path or user_config_path()
    current = read_file(path, USER)
    for key, value in changes.items():
        if key not in KEYS or not KEYS[key][1]:
            raise ConfigError("config_machine_only", file=str(path), key=key, machine=str(machine_config_path()))
        current[key] = _checked(path, key, value, KEYS[key][0])
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Counterdesk 個人設定（設定 → 本機設定… 寫入；亦可手動修改）"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in current.items()]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
