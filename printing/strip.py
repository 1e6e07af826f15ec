"""A document laid out as a stack of lines, top to bottom: the 80 mm thermal receipt (its length follows its
content) and the void slip. Text wraps to the width and uses the fallback font for rare characters."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import FONT_BOLD, FONT_NAME, register_fonts
from printing.qr import draw_qr
from printing.text import draw, wrap

Painter = Callable[[Canvas, float], None]  # draws with its top at y


@dataclass
class Strip:
    width: float  # paper width, points
    margin: float = 4 * mm
    _items: list[tuple[float, Painter]] = field(default_factory=list)

    def __post_init__(self) -> None:
        register_fonts()  # text is measured while the strip is built

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin

    @property
    def height(self) -> float:
        return sum(h for h, _ in self._items) + 2 * self.margin

    def text(self, value: str, size: float = 9, bold: bool = False, align: str = "left", red: bool = False) -> None:
        font = FONT_BOLD if bold else FONT_NAME
        leading = size * 1.45
        x = {"left": self.margin, "centre": self.width / 2, "right": self.width - self.margin}[align]
        for line in wrap(value, self.inner, font, size) or [""]:

            def paint(c: Canvas, top: float, line: str = line) -> None:
                if red:
                    c.setFillColorRGB(0.7, 0.1, 0.1)
                draw(c, x, top - size, line, font, size, align)
                c.setFillColorRGB(0, 0, 0)

            self._items.append((leading, paint))

    def pair(self, label: str, value: str, size: float = 8.5) -> None:
        self.text(f"{label}：{value}", size)

    def gap(self, height: float = 2 * mm) -> None:
        self._items.append((height, lambda c, top: None))

    def rule(self, dashed: bool = False) -> None:
        def paint(c: Canvas, top: float) -> None:
            if dashed:
                c.setDash(3, 2)
            c.line(self.margin, top - 1.5 * mm, self.width - self.margin, top - 1.5 * mm)
            c.setDash()

        self._items.append((3 * mm, paint))

    def qr(self, payload: str, size: float) -> None:
        def paint(c: Canvas, top: float) -> None:
            draw_qr(c, payload, (self.width - size) / 2, top - size, size)

        self._items.append((size, paint))

    def render(self, title: str, invariant: bool = False, page_height: float | None = None) -> bytes:
        """One page: as long as the content (thermal paper), or `page_height` tall with the content at the top."""
        height = max(self.height, page_height or 0)
        buffer = io.BytesIO()
        c = Canvas(
            buffer,
            pagesize=(self.width, height),
            invariant=int(invariant),
            pageCompression=1,
            initialFontName=FONT_NAME,
        )
        c.setTitle(title)
        top = height - self.margin
        for item_height, paint in self._items:
            paint(c, top)
            top -= item_height
        c.showPage()
        c.save()
        return buffer.getvalue()
