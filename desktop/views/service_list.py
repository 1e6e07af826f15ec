"""Type-ahead list of the catalog's services (by name, code, category, keyword)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from forms.catalog import Catalog


class ServiceList(QWidget):
    """Signals:
    service_chosen(ServiceType): the clerk picked a service (Enter or click).
    """

    service_chosen = Signal(object)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self.search_edit = QLineEdit(placeholderText="搜尋申辦項目（名稱、代碼、類別）Ctrl+F")
        self.search_edit.setObjectName("service_search")
        self.search_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setObjectName("service_list")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("申辦項目"))
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list, 1)
        self.search_edit.setAccessibleName("搜尋申辦項目")
        self.search_edit.setAccessibleDescription("輸入名稱、代碼、類別或俗稱；上下鍵選擇，Enter 開始受理")
        self.list.setAccessibleName("申辦項目清單")
        # Up and Down in the search box move the list, as a clerk expects of a type-ahead box.
        self.search_edit.installEventFilter(self)
        self.search_edit.textChanged.connect(self._refill)
        self.search_edit.returnPressed.connect(self._choose_current)
        self.list.itemActivated.connect(lambda _item: self._choose_current())
        self.list.itemClicked.connect(lambda _item: self._choose_current())
        self._refill("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            steps = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}
            if key in steps and self.list.count():
                row = min(max(self.list.currentRow() + steps[key], 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def set_catalog(self, catalog: Catalog) -> None:
        """A newer catalog: list it, keeping what the clerk typed in the search box."""
        self._catalog = catalog
        self._refill(self.search_edit.text())

    def _refill(self, query: str) -> None:
        self.list.clear()
        for service in self._catalog.search(query):
            detail = f"{service.code}・{service.category}・跨區{service.cross_district}"
            item = QListWidgetItem(f"{service.number:>2}. {service.name_zh}\n     {detail}")
            item.setData(Qt.ItemDataRole.UserRole, service.code)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.service_chosen.emit(self._catalog.get(item.data(Qt.ItemDataRole.UserRole)))

    def choose(self, code: str) -> None:
        """Select a service by code (used by shortcuts and the demo)."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentRow(row)
                self._choose_current()
                return
        raise KeyError(code)
