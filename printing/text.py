"""Drawing text with a fallback font, run by run: a character the main font lacks is drawn in the fallback font
(when it has it), so a rare character in a name is printed, never a box."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import FONT_FALLBACK, register_fonts


@cache
def _covers(font: str, ch: str) -> bool:
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return face is None or ord(ch) in face.charToGlyph


@cache
def _fallback() -> str | None:
    register_fonts()
    try:
        pdfmetrics.getFont(FONT_FALLBACK)
    except KeyError:
        return None
    return FONT_FALLBACK


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """(chunk, font name) pieces of `text`: the main font wherever it has the glyph."""
    pieces: list[tuple[str, str]] = []
    for ch in text:
        use = _font_for(ch, font)
        if pieces and pieces[-1][1] == use:
            pieces[-1] = (pieces[-1][0] + ch, use)
        else:
            pieces.append((ch, use))
    return pieces


@cache
def _char_width(ch: str, font: str, size: float) -> float:
    """The advance of one character in the font that will draw it (TrueType text here has no kerning, so a
    string's width is the sum of its characters')."""
    return float(pdfmetrics.stringWidth(ch, _font_for(ch, font), size))


def _font_for(ch: str, font: str) -> str:
    fallback = _fallback()
    if ch.isspace() or _covers(font, ch) or fallback is None or not _covers(fallback, ch):
        return font
    return fallback


def width(text: str, font: str, size: float) -> float:
    return sum(_char_width(ch, font, size) for ch in text)


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
    current, used = "", 0.0
    for ch in text:
        advance = _char_width(ch, font, size)
        if current and used + advance > limit:
            lines.append(current)
            current, used = ch, advance
        else:
            current, used = current + ch, used + advance
    return [*lines, current] if current else lines


def markup(text: str, font: str) -> str:
    """The text as Paragraph markup (escaped), with fallback runs in <font> tags."""
    return "".join(
        escape(chunk) if f == font else f'<font name="{f}">{escape(chunk)}</font>' for chunk, f in runs(text, font)
    )
