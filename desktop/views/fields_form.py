"""The applicant page's form, generated from a service's catalog entry: one editor per field, each with its
error line. Holds no rule: values go to forms/ for validation and the messages come back as codes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from forms.fields import FieldSpec
from forms.types import ServiceType

PLACEHOLDERS = {
    "phone": "例：0912-345-678 或 03-3322101",
    "address": "例：桃園市桃園區中正里中正路1號",
    "amount": "新臺幣，整數",
    "date": "民國年，例：115/12/01",
    "id": "例：A123456789",
}


class FieldsForm(QWidget):
    """Signals:
    edited(): any value changed (the verification shown is then stale).
    field_left(str): the clerk left a field (live validation shows that field's problem).
    """

    edited = Signal()
    field_left = Signal(str)
    id_edit: QLineEdit
    name_edit: QLineEdit
    birth_edit: QLineEdit
    consent_box: QCheckBox

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._body: QWidget | None = None
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._specs: tuple[FieldSpec, ...] = ()
        self.build(None)

    def _line(self, name: str, placeholder: str, max_length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        edit.textEdited.connect(lambda _text: self.edited.emit())
        return edit

    def build(self, service: ServiceType | None) -> None:
        """Lay out the applicant's fields and the service's own; what was typed for the applicant is kept. Consent is
        not: it is given for one application's look-ups, and is asked again for another service."""
        kept = {k: self.editors[k].text() for k in ("national_id", "name", "birth_date") if k in self.editors}  # type: ignore[attr-defined]
        if self._body is not None:
            # Hide and detach at once: deleteLater alone would let the old form paint under the new one.
            self._outer.removeWidget(self._body)
            self._body.hide()
            self._body.setParent(None)
            self._body.deleteLater()
        self._body = QWidget(self)
        form = QFormLayout(self._body)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow (150 %): labels above their fields
        self.id_edit = self._line("id_edit", "例：A123456789", 20)
        self.name_edit = self._line("name_edit", "申請人姓名", 60)
        self.birth_edit = self._line("birth_edit", "民國年，例：050/03/15 或 0500315", 20)
        self.consent_box = QCheckBox("申請人同意本所查驗其戶籍等個人資料\n（免附書證謄本）")  # two lines: fits 150 %
        self.consent_box.setObjectName("consent_box")
        self.consent_box.setChecked(False)
        self.consent_box.toggled.connect(lambda _checked: self.edited.emit())
        self.editors = {"national_id": self.id_edit, "name": self.name_edit, "birth_date": self.birth_edit}
        for fixed, typed in kept.items():
            self.editors[fixed].setText(typed)  # type: ignore[attr-defined]
        self.errors = {}
        rows: list[tuple[str, str]] = [("身分證統一編號", "national_id"), ("姓名", "name"), ("出生日期", "birth_date")]
        self._specs = service.fields if service else ()
        for spec in self._specs:
            self.editors[spec.id] = self._editor(spec)
            rows.append((spec.label_zh + ("" if spec.required else "（選填）"), spec.id))
        for key, editor in self.editors.items():
            if isinstance(editor, QLineEdit):
                editor.editingFinished.connect(lambda key=key: self.field_left.emit(key))
            elif isinstance(editor, QComboBox):
                editor.activated.connect(lambda _i, key=key: self.field_left.emit(key))
        for label, key in rows:
            error = QLabel("")
            error.setStyleSheet("color: #b3261e;")
            error.setWordWrap(True)
            error.setObjectName(f"error_{key}")
            error.setVisible(False)
            self.errors[key] = error
            form.addRow(label, self.editors[key])
            form.addRow("", error)
            # A screen reader names each field by its row's label, and reads its problem as the description.
            self.editors[key].setAccessibleName(label)
            spec_hint = next((sp.hint for sp in self._specs if sp.id == key), "")
            if spec_hint:
                self.editors[key].setAccessibleDescription(spec_hint)
        form.addRow(self.consent_box)
        # Tab and Enter both walk the fields in the order the clerk reads them off the ID card and the form.
        chain = [self.editors[key] for _, key in rows] + [self.consent_box]
        for current, nxt in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(current, nxt)
            if isinstance(current, QLineEdit):
                current.returnPressed.connect(nxt.setFocus)
        self._outer.addWidget(self._body)
        self._body.show()  # at once: a layout shows a new child only later, from the event loop

    def _editor(self, spec: FieldSpec) -> QWidget:
        if spec.type in ("choice", "yesno"):
            combo = QComboBox()
            combo.setObjectName(f"field_{spec.id}")
            combo.addItem("（請選擇）", "")
            for choice in spec.choices if spec.type == "choice" else ("是", "否"):
                combo.addItem(choice, choice)
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
            return combo
        edit = self._line(f"field_{spec.id}", spec.hint or PLACEHOLDERS.get(spec.type, ""), 200)
        return edit

    def values(self) -> dict[str, str]:
        """Raw text of the service's own fields (not the fixed three)."""
        out: dict[str, str] = {}
        for spec in self._specs:
            editor = self.editors[spec.id]
            out[spec.id] = str(editor.currentData() or "") if isinstance(editor, QComboBox) else editor.text()  # type: ignore[attr-defined]
        return out

    def set_value(self, key: str, value: str) -> None:
        editor = self.editors[key]
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QLineEdit):
            editor.setText(value)

    def show_errors(self, messages: dict[str, str], focus: bool = True) -> None:
        """Show each field's message under it; with `focus`, put the cursor in the first field to fix."""
        for key, label in self.errors.items():
            label.setText(messages.get(key, ""))
            label.setVisible(key in messages)
        first = next((key for key in self.editors if key in messages), None)
        if focus and first is not None:
            self.editors[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        for key in self.editors:
            self.set_value(key, "")
        self.consent_box.setChecked(False)
        self.show_errors({})
