"""Derive static Noto Sans TC instances (Regular 400, Bold 700) from the variable font in justmytype-intl-cjk.

Run at set-up: `python -m printing.fontbuild`. Needs the `fonts` extra (fonttools, justmytype-intl-cjk).
The outputs are git-ignored; the OFL licence is copied beside them.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources as importlib_resources
from pathlib import Path

from printing.fonts import FONT_BOLD, FONT_NAME, font_files

WEIGHTS = {FONT_NAME: 400, FONT_BOLD: 700}


def source_font() -> Path:
    base = Path(str(importlib_resources.files("justmytype_intl_cjk"))) / "fonts" / "ofl" / "notosanstc"
    return base / "NotoSansTC[wght].ttf"


def build(force: bool = False) -> list[Path]:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    made: list[Path] = []
    src = source_font()
    for name, target in font_files().items():
        if target.exists() and not force:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        variable = TTFont(str(src))
        static = instancer.instantiateVariableFont(variable, {"wght": WEIGHTS[name]}, updateFontNames=True)
        tmp = target.with_suffix(".tmp")
        static.save(str(tmp))
        tmp.replace(target)
        made.append(target)
    shutil.copyfile(src.parent / "OFL.txt", font_files()[FONT_NAME].parent / "OFL.txt")
    return made


if __name__ == "__main__":
    for path in build(force="--force" in sys.argv):
        print(f"built {path}")
