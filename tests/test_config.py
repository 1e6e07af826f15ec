"""Where the settings come from: built-in < machine file < user's file < command line; a bad file is refused whole
with a message that names the file, the key and what is wrong, and nothing starts or changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.config import COMMAND_LINE, DEFAULT, MACHINE, USER, ConfigError, load, save_user
from forms.messages import text


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "machine.toml", tmp_path / "user.toml"


def test_each_layer_overrides_the_one_before(files: tuple[Path, Path]) -> None:
    machine, user = files
    machine.write_text(
        'server = "https://city.example.gov.tw/"\noffice = "68000010"\nfont_size = 12\nidle_lock_minutes = 15\n'
        'log_level = "warning"\n',
        encoding="utf-8",
    )
    user.write_text("font_size = 14\nidle_lock_minutes = 5\n", encoding="utf-8")
    found = load(machine, user, {"font_size": 16, "server": None})
    assert found.server == "https://city.example.gov.tw"  # the machine's, normalised; None on the line is no value
    assert found.office == "68000010"
    assert found.log_level == "WARNING"
    assert (found.font_size, found.idle_lock_minutes) == (16, 5)
    assert found.source("font_size") == COMMAND_LINE
    assert found.source("idle_lock_minutes") == USER
    assert found.source("server") == MACHINE
    assert found.source("data_dir") == DEFAULT and found.data_dir is None


def test_no_files_give_the_defaults(files: tuple[Path, Path]) -> None:
    found = load(*files)
    assert (found.server, found.font_size, found.idle_lock_minutes, found.log_level) == (None, 11, 10, "INFO")


def test_notepads_byte_order_mark_is_read(files: tuple[Path, Path]) -> None:
    machine, user = files
    machine.write_bytes('\ufeffoffice = "63000010"\n'.encode())
    assert load(machine, user).office == "63000010"


@pytest.mark.parametrize(
    ("machine_text", "user_text", "code", "said"),
    [
        ('server = "https://city.example"\nfont_size = \n', "", "config_unreadable", "line 2"),
        ("office = 68000010\n", "", "config_value_invalid", "8 位數字"),
        ('office = "6800"\n', "", "config_value_invalid", "8 位數字"),
        ('server = "http://city.example"\n', "", "config_value_invalid", "https"),
        ("font_size = 40\n", "", "config_value_invalid", "9～20"),
        ("idle_lock_minutes = 0\n", "", "config_value_invalid", "1～60"),
        ("idle_lock_minutes = true\n", "", "config_value_invalid", "1～60"),
        ('data_dir = "relative/folder"\n', "", "config_value_invalid", "完整路徑"),
        ('log_level = "LOUD"\n', "", "config_value_invalid", "DEBUG"),
        ("fontsize = 12\n", "", "config_key_unknown", "fontsize"),
        ("", 'server = "https://elsewhere.example"\n', "config_machine_only", "server"),
        ("", 'office = "68000010"\n', "config_machine_only", "office"),
        ("", "font_size = 8\n", "config_value_invalid", "9～20"),
    ],
)
def test_a_bad_file_is_refused_with_the_file_key_and_reason(
    files: tuple[Path, Path], machine_text: str, user_text: str, code: str, said: str
) -> None:
    machine, user = files
    machine.write_text(machine_text, encoding="utf-8")
    user.write_text(user_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(machine, user)
    assert err.value.code == code
    message = text(err.value.code, **err.value.params)
    assert said in message
    assert str(machine if machine_text else user) in message  # the file to open and mend


def test_a_bad_command_line_value_names_the_option(files: tuple[Path, Path]) -> None:
    with pytest.raises(ConfigError) as err:
        load(*files, command_line={"idle_lock_minutes": 999})
    assert "--idle-lock-minutes" in text(err.value.code, **err.value.params)


def test_saving_keeps_the_rest_and_a_bad_value_leaves_the_file_alone(files: tuple[Path, Path]) -> None:
    machine, user = files
    user.write_text('log_level = "DEBUG"\n', encoding="utf-8")
    save_user({"font_size": 13, "idle_lock_minutes": 20}, user)
    found = load(machine, user)
    assert (found.font_size, found.idle_lock_minutes, found.log_level) == (13, 20, "DEBUG")
    before = user.read_bytes()
    for bad in ({"font_size": 99}, {"server": "https://x.example"}):
        with pytest.raises(ConfigError):
            save_user(bad, user)
        assert user.read_bytes() == before


def test_the_app_refuses_to_start_on_a_bad_machine_file_and_changes_nothing(tmp_path: Path) -> None:
    machine = tmp_path / "counterdesk.toml"
    machine.write_text('server = "https://city.example"\noffice = "中壢"\n', encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "COUNTERDESK_MACHINE_CONFIG": str(machine), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    run = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), "check-ledger"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert str(machine) in run.stderr and "office" in run.stderr and "8 位數字" in run.stderr
    assert not data.exists()
