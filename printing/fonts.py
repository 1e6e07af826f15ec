"""Register the Traditional Chinese font with reportlab once (a TrueType-outline static Noto Sans TC instance).

The font is derived at set-up from the OFL variable font (`python -m printing.fontbuild`), because reportlab
cannot embed CFF-outline CJK fonts and reads a variable font only at its Thin default (ECOSYSTEM.md).
"""

from __future__ import annotations

import threading
from pathlib import Path

from forms.resources import resource_path

FONT_NAME = "NotoSansTC"
FONT_BOLD = "NotoSansTC-Bold"
# Names with characters outside Big5 (CJK Extension B, e.g. 𡒄 𪜶) that Noto Sans TC lacks are drawn, character by
# character, in HanaMinB (Debian fonts-hanazono, TrueType, OFL/free licence): nothing becomes a box.
FONT_FALLBACK = "HanaMinB"
# The bundle's own copy first (a Windows PC has no Debian fonts), then Debian's.
FALLBACK_PLACES = (
    resource_path("fonts", "HanaMinB.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
_lock = threading.Lock()
_registered = False


class FontMissing(RuntimeError):
    """The derived font files are not there: set-up did not run."""


def font_files() -> dict[str, Path]:
    folder = resource_path("fonts")
    return {FONT_NAME: folder / "NotoSansTC-Regular.ttf", FONT_BOLD: folder / "NotoSansTC-Bold.ttf"}


def register_fonts() -> None:
    """Idempotent and thread-safe; raises FontMissing with the command that makes the files."""
    # reportlab is imported here, not at the top: the window imports this module for the font paths only, and
    # should not pay for reportlab before it first paints.
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFont

    global _registered
    with _lock:
        if _registered:
            return
        ttfonts.makeToUnicodeCMap = to_unicode_cmap  # see to_unicode_cmap
        for name, path in font_files().items():
            if not path.exists():
                raise FontMissing(f"{path} is missing: run `make fonts` (python -m printing.fontbuild)")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        fallback = fallback_file()
        if fallback is not None:
            pdfmetrics.registerFont(TTFont(FONT_FALLBACK, str(fallback)))
        _registered = True


def _utf16_hex(code_point: int) -> str:
    return chr(code_point).encode("utf-16-be").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab 5.1's ToUnicode CMap writes a code point above U+FFFF as five hex digits, so a PDF reader (and a
    screen reader, and search) gets a wrong character for a CJK Extension B name. The PDF format wants UTF-16BE
    there, i.e. a surrogate pair: the same CMap, written correctly."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def fallback_file() -> Path | None:
    return next((p for p in FALLBACK_PLACES if p.exists()), None)
