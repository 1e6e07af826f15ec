"""One way to start and finish an A4 document: fonts registered, Traditional Chinese as the initial font, compressed,
optionally byte-for-byte reproducible (invariant) for golden files."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import FONT_NAME, register_fonts


class Document:
    """A canvas and the bytes it becomes once the `a4` block ends."""

    def __init__(self, canvas: Canvas, buffer: io.BytesIO) -> None:
        self.canvas = canvas
        self._buffer = buffer

    @property
    def pdf(self) -> bytes:
        return self._buffer.getvalue()


@contextmanager
def a4(title: str, invariant: bool = False) -> Iterator[Document]:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=int(invariant), pageCompression=1, initialFontName=FONT_NAME)
    canvas.setTitle(title)
    document = Document(canvas, buffer)
    yield document
    canvas.showPage()
    canvas.save()
