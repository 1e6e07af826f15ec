"""Drawing text with a fallback font, run by run: a character the main font lacks is drawn in the fallback font
(when it has it), so a rare character in a name is printed, never a box."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import FONT_FALLBACK


@cache
def _covers(font: str, ch: str) -> bool:
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return face is None or ord(ch) in face.charToGlyph


def _fallback() -> str | None:
    try:
        pdfmetrics.getFont(FONT_FALLBACK)
    except KeyError:
        return None
    return FONT_FALLBACK


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """(chunk, font name) pieces of `text`: the main font wherever it has the glyph."""
    fallback = _fallback()
    pieces: list[tuple[str, str]] = []
    for ch in text:
        use = font if ch.isspace() or _covers(font, ch) or fallback is None or not _covers(fallback, ch) else fallback
        if pieces and pieces[-1][1] == use:
            pieces[-1] = (pieces[-1][0] + ch, use)
        else:
            pieces.append((ch, use))
    return pieces


def width(text: str, font: str, size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(chunk, f, size) for chunk, f in runs(text, font)))


def draw(c: Canvas, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> None:
    """Draw `text` at (x, y) with fallback runs; align is left, right or centre (x is then the right edge or
    the centre)."""
    w = width(text, font, size)
    start = x - w if align == "right" else x - w / 2 if align == "centre" else x
    for chunk, f in runs(text, font):
        c.setFont(f, size)
        c.drawString(start, y, chunk)
        start += pdfmetrics.stringWidth(chunk, f, size)
    c.setFont(font, size)


def wrap(text: str, limit: float, font: str, size: float) -> list[str]:
    """Break text into lines no wider than `limit` points (CJK text breaks between any two characters)."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and width(current + ch, font, size) > limit:
            lines.append(current)
            current = ch
        else:
            current += ch
    return [*lines, current] if current else lines


def markup(text: str, font: str) -> str:
    """The text as Paragraph markup (escaped), with fallback runs in <font> tags."""
    return "".join(
        escape(chunk) if f == font else f'<font name="{f}">{escape(chunk)}</font>' for chunk, f in runs(text, font)
    )
