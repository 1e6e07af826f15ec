"""Register the Traditional Chinese font with reportlab once (a TrueType-outline static Noto Sans TC instance).

The font is derived at set-up from the OFL variable font (`python -m printing.fontbuild`), because reportlab
cannot embed CFF-outline CJK fonts and reads a variable font only at its Thin default (ECOSYSTEM.md).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from forms.resources import resource_path

FONT_NAME = "NotoSansTC"
FONT_BOLD = "NotoSansTC-Bold"
# Names with characters outside Big5 (CJK Extension B, e.g. 𡒄 𪜶) that Noto Sans TC lacks are drawn, character by
# character, in HanaMinB (Debian fonts-hanazono, TrueType, OFL/free licence): nothing becomes a box.
FONT_FALLBACK = "HanaMinB"
FALLBACK_PLACES = (
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
    Path(__file__).resolve().parents[1] / "resources" / "fonts" / "HanaMinB.ttf",
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
    global _registered
    with _lock:
        if _registered:
            return
        for name, path in font_files().items():
            if not path.exists():
                raise FontMissing(f"{path} is missing: run `make fonts` (python -m printing.fontbuild)")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        fallback = fallback_file()
        if fallback is not None:
            pdfmetrics.registerFont(TTFont(FONT_FALLBACK, str(fallback)))
        _registered = True


def fallback_file() -> Path | None:
    return next((p for p in FALLBACK_PLACES if p.exists()), None)
