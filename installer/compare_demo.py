"""Compare the PDFs of two demo runs (the bundle's and the venv's) by their text, as a reader sees it: same files,
same words. What differs by nature between two runs is masked first: case UUIDs, the sandbox's port, the receipts'
signed verification codes and QR payloads, clock times, the day-close report's hash (it covers the sign-off
time). One line per PDF; exit 1 on any difference.

    python installer/compare_demo.py demo-venv/ demo-bundle/
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

RUN_SPECIFIC = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"驗證碼\s*[A-Z0-9]{4}-[A-Z0-9]{4}"), "驗證碼 <code>"),
    # The day-close report's hash covers its sign-off time, so it differs whenever the clock minute does.
    (re.compile(r"報表雜湊\s*[0-9a-f]{6,64}"), "報表雜湊 <hash>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<time>"),
    (re.compile(r"\s+"), " "),
)


def masked(text: str) -> str:
    for pattern, instead in RUN_SPECIFIC:
        text = pattern.sub(instead, text)
    return text.strip()


def pdf_texts(folder: Path) -> dict[str, list[list[str]]]:
    """Masked file name -> the words of each PDF of that name (notices are named by case UUID: several per name)."""
    found: dict[str, list[list[str]]] = {}
    for path in sorted(folder.rglob("*.pdf")):
        words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        found.setdefault(masked(str(path.relative_to(folder))), []).append(sorted(masked(words).split()))
    return found


def main(first: str, second: str) -> int:
    a, b = pdf_texts(Path(first)), pdf_texts(Path(second))
    differ = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"DEMO-PDF only-in-{'second' if name not in a else 'first'} {name}")
            differ += 1
        elif sorted(a[name]) != sorted(b[name]):
            only_a = sorted({w for words in a[name] for w in words} - {w for words in b[name] for w in words})
            only_b = sorted({w for words in b[name] for w in words} - {w for words in a[name] for w in words})
            print(f"DEMO-PDF differs {name} first-only={only_a[:5]} second-only={only_b[:5]}")
            differ += 1
    print(f"DEMO-PDF compared={sum(len(v) for v in a.values())} differ={differ}")
    return 1 if differ or not a else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
