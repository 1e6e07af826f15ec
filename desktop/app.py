"""QApplication set-up shared by the app, the demo and the tests: Traditional Chinese font and Qt translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from printing.fonts import fallback_file, font_files

log = logging.getLogger(__name__)


def configure(app: QApplication, font_size: int = 11) -> None:
    """Use the same Noto Sans TC the receipts embed, and Qt's own zh_TW strings for its dialogs."""
    families: list[str] = []
    for path in font_files().values():
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families += QFontDatabase.applicationFontFamilies(font_id)
    fallback = fallback_file()
    if families and fallback is not None:
        # Rare characters in names (CJK Extension B) show from the same fallback font the receipts use.
        extra = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(fallback)))
        QFont.insertSubstitutions(families[0], extra)
    if families:
        app.setFont(QFont(families[0], font_size))
    else:
        log.warning("Traditional Chinese font not built yet; run `make fonts`")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.Taiwan))
    translator = QTranslator(app)
    if translator.load("qtbase_zh_TW", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
