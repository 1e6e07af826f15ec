"""A PDF preview that fits the page to its width (receipts, the day-close report)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QWidget


def pdf_preview(parent: QWidget, name: str, label: str, multi_page: bool) -> tuple[QPdfDocument, QPdfView]:
    """The document and its view. The vertical scroll bar is always there: fitted to the width, a page as tall as
    the view made the bar come and go for ever (each toggle changes the width, so the zoom, so the height) and froze
    the window at 1366×768."""
    document = QPdfDocument(parent)
    view = QPdfView(parent)
    view.setObjectName(name)
    view.setAccessibleName(label)
    view.setDocument(document)
    view.setPageMode(QPdfView.PageMode.MultiPage if multi_page else QPdfView.PageMode.SinglePage)
    view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return document, view
