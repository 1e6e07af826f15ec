"""本機設定: a supervisor changes the font size and the idle lock; they are written to the user's settings file
(read back through the same loader the start uses); a broken file is said in the dialog and left alone."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from desktop.config import COMMAND_LINE, Config, load, save_user
from desktop.views.settings_dialog import SettingsDialog


def test_saved_settings_are_what_the_next_start_reads(qtbot: QtBot, tmp_path: Path) -> None:
    machine, user = tmp_path / "machine.toml", tmp_path / "user.toml"
    dialog = SettingsDialog(None, load(machine, user), partial(save_user, path=user))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "settings.png"))
    dialog.font_size.setValue(14)
    dialog.idle_minutes.setValue(25)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.idle_minutes.setFocus()
    qtbot.keyClick(dialog.idle_minutes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted and dialog.saved == user
    again = load(machine, user)
    assert (again.font_size, again.idle_lock_minutes) == (14, 25)


def test_a_broken_user_file_is_said_and_left_alone(qtbot: QtBot, tmp_path: Path) -> None:
    machine, user = tmp_path / "machine.toml", tmp_path / "user.toml"
    user.write_text('server = "https://elsewhere.example"\n', encoding="utf-8")  # not a user's key
    before = user.read_bytes()
    dialog = SettingsDialog(None, Config(), partial(save_user, path=user))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.submit()
    assert dialog.isVisible() and dialog.saved is None
    assert "server" in dialog.problem.text() and str(user) in dialog.problem.text()
    assert user.read_bytes() == before
    del machine


def test_it_says_when_the_command_line_wins(qtbot: QtBot) -> None:
    dialog = SettingsDialog(None, Config(font_size=15, sources={"font_size": COMMAND_LINE}), lambda _c: Path())
    qtbot.addWidget(dialog)
    note = dialog.findChild(type(dialog.problem), "settings_note")
    assert note is not None and "字級由命令列指定" in note.text()
