"""Bad input typed into the window gets a Traditional Chinese message on its field and changes nothing."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from cityserver.population import Resident
from desktop.bootstrap import Services
from desktop.main_window import MainWindow
from forms.rocdate import format_roc_slash
from tests.desktop.conftest import table_count
from tests.desktop.test_window import choose

BAD = [
    ("national_id", "A123456788", "檢查碼不符"),
    ("national_id", "A1234567", "格式不正確"),
    ("birth_date", "115/02/30", "沒有這一天"),
    ("birth_date", "120/01/01", "不能晚於今天"),
    ("birth_date", "昨天", "看不懂"),
    ("name", "王\u202e明", "不允許的字元"),
    ("name", "王\x07明", "不允許的字元"),
    ("name", "王" * 10_000, "姓名過長"),
    ("name", "", "請輸入申請人姓名"),
    ("phone", "12345", "區碼"),
    ("phone", "09123", "10 碼"),
]


@pytest.mark.parametrize(("field", "raw", "message"), BAD, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD)])
def test_bad_input_is_refused_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow, services: Services, senior: Resident, field: str, raw: str, message: str
) -> None:
    choose(qtbot, window, "SW-05")
    form = window.intake.form
    good = {
        "national_id": senior.national_id,
        "name": senior.name,
        "birth_date": format_roc_slash(senior.birth_date),
        "phone": "0912345678",
    }
    for key, value in {**good, field: raw}.items():
        form.set_value(key, value)  # as pasted: the field's length limit applies, as it would for a clerk
    form.consent_box.setChecked(True)
    qtbot.keyClick(form.consent_box, Qt.Key.Key_F5)
    assert message in form.errors[field].text()
    assert form.errors[field].isVisible()
    assert window.intake.step == 0 and form.editors[field].hasFocus()
    for table in ("cases", "receipts", "outbox", "lookups"):
        assert table_count(services, table) == 0, table
