"""Printing a PDF through Qt's print dialog: each page rendered at the printer's resolution."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

# (parent, PDF) -> True when it was sent to a printer
PrintPdf = Callable[[QWidget, Path], bool]


def print_pdf(parent: QWidget, path: Path) -> bool:
    """Ask where to print (Qt's print dialog), then print every page. False when the clerk cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("列印")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return render_to(printer, path)


def render_to(printer: QPrinter, path: Path) -> bool:
    """Print the PDF's pages on `printer` (a real printer, or a PDF file in tests), page size from the PDF."""
    document = QPdfDocument()
    document.load(str(path))
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        return False
    first = document.pagePointSize(0)
    printer.setPageSize(QPageSize(first, QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            image = document.render(page, QSize(int(area.width()), int(area.height())))
            painter.drawImage(QPointF(0, 0), image)
    finally:
        painter.end()
    document.close()
    return True
