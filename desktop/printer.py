"""Printing a PDF: straight to the printer chosen in the settings, or through Qt's print dialog when none is
chosen. Each page is rendered at the printer's resolution. Painting on a QPrinter is allowed off the GUI thread
(Qt's threading rules), so a direct print runs on the window's `print` lane."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from forms.errors import DomainError
from sync.ledger.private_files import private_dir
from sync.ledger.settings import PDF_PRINTER

# (parent, PDF) -> True when it was sent to a printer
PrintPdf = Callable[[QWidget, Path], bool]

PDF_DPI = 200  # the PDF printer's pages: sharp enough to read, far smaller than 1,200 dpi


class PrintFailed(DomainError):
    """printer_unavailable(printer, file) / print_failed(printer, file): the PDF is kept at `file`."""


def printer_names() -> list[str]:
    """The printers this PC knows (CUPS on Linux, the spooler on Windows)."""
    return list(QPrinterInfo.availablePrinterNames())


def print_pdf(parent: QWidget, path: Path) -> bool:
    """Ask where to print (Qt's print dialog), then print every page. False when the clerk cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("列印")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    return render_to(printer, path)


def print_direct(path: Path, printer_name: str, pdf_dir: Path) -> str:
    """Print `path` on the named printer without a dialog; with PDF_PRINTER, as a new PDF file in `pdf_dir`.
    Returns where it went (the printer's name or the file). Raises PrintFailed; the PDF at `path` stays."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(path.stem)
    if printer_name == PDF_PRINTER:
        target = _free_name(private_dir(pdf_dir), path.stem)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setResolution(PDF_DPI)
        printer.setOutputFileName(str(target))
        where = str(target)
    else:
        printer.setPrinterName(printer_name)
        if not printer.isValid() or printer.printerName() != printer_name:
            raise PrintFailed("printer_unavailable", printer=printer_name, file=path.name)
        where = printer_name
    if not render_to(printer, path):
        raise PrintFailed("print_failed", printer=printer_name, file=path.name)
    return where


def _free_name(folder: Path, stem: str) -> Path:
    for n in itertools.count(1):
        candidate = folder / (f"{stem}.pdf" if n == 1 else f"{stem}-{n}.pdf")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


BAND_ROWS = 256  # pixel rows drawn at a time


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
        document.close()
        return False
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            area = printer.pageRect(QPrinter.Unit.DevicePixel)
            image = document.render(page, QSize(int(area.width()), int(area.height())))
            # In bands: one drawImage of a whole A4 page at 200 dpi held Python's lock for 66 ms while Qt compressed
            # it, freezing the window; a band takes a tenth of that and the window runs in between.
            for top in range(0, image.height(), BAND_ROWS):
                painter.drawImage(QPointF(0, top), image.copy(0, top, image.width(), BAND_ROWS))
    finally:
        painter.end()
    document.close()
    return True
