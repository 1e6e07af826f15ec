"""The documents page's paper list: each document owed on paper is 已驗 (shown and checked at the counter) or 待補
(still to be brought), one key each. What follows from a tick (the receipt, the 一次告知單) is forms.documents'."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

SHOWN_MARK, OWED_MARK = "☑ 已驗", "☐ 待補"
HINT = "空白鍵切換 已驗／待補（1＝已驗，2＝待補，A＝全部已驗）"


class TickList(QListWidget):
    """Signals:
    ticked(str, bool): a document's name and whether it is now shown (已驗).
    """

    ticked = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription(HINT)

    def show_documents(self, owed: tuple[str, ...], shown: tuple[str, ...], note: str = "") -> None:
        """The paper documents in the catalog's order as given (shown first is fine: the order is the caller's)."""
        current = self.currentRow()
        self.clear()
        for name in (*shown, *owed):
            item = QListWidgetItem(f"{SHOWN_MARK if name in shown else OWED_MARK}　{name}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.addItem(item)
        if note:
            self.addItem(QListWidgetItem(note))  # not a document: nothing to tick
        if self.count():
            self.setCurrentRow(min(max(current, 0), self.count() - 1))

    def names(self) -> list[str]:
        """The documents listed (not the note)."""
        items = (self.item(i) for i in range(self.count()))
        return [name for item in items if (name := item.data(Qt.ItemDataRole.UserRole))]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_A and not event.modifiers():
            # The citizen brought everything: one key for all (each still untickable on its own).
            for name in self.names():
                self.ticked.emit(name, True)
            return
        item = self.currentItem()
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if name and item is not None and not event.modifiers():
            shown = item.text().startswith(SHOWN_MARK)
            answer = {Qt.Key.Key_Space.value: not shown, Qt.Key.Key_1.value: True, Qt.Key.Key_2.value: False}
            if event.key() in answer:
                self.ticked.emit(name, answer[event.key()])
                return
        super().keyPressEvent(event)
