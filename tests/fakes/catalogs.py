"""Catalogs for tests that need a fee at the counter (the shipped catalog publishes none for these services yet)."""

from __future__ import annotations

import re
from pathlib import Path

from forms.catalog import Catalog, load_catalog, overlay, parse_text

FEE = 80


# A ground for 免徵 as a city's rules would publish it (the shipped catalog names none: no service there has a fee).
LOW_INCOME = ("low_income", "低收入戶", "市府規費減免規定（測試用）")


def paid_catalog(fee: int = FEE, waivers: tuple[tuple[str, str, str], ...] = ()) -> Catalog:
    """The catalog with 敬老愛心卡 (SW-05) charging `fee`, as an office's catalog update from the city would, with
    the 免徵 grounds `waivers` ((code, label, basis) each)."""
    path = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "05_sw_05.toml"
    grounds = "".join(
        f'[[fee_waivers]]\ncode = "{c}"\nlabel = "{label}"\nbasis = "{basis}"\n\n' for c, label, basis in waivers
    )
    text = path.read_text(encoding="utf-8").replace("fee = 0\n", f"fee = {fee}\n")
    text = text.replace("[[fields]]", grounds + "[[fields]]", 1)
    version = re.search(r"^catalog_version = (\d+)$", text, re.MULTILINE)
    assert version is not None, path
    text = text.replace(version.group(0), f"catalog_version = {int(version.group(1)) + 1}", 1)  # newer than shipped
    return overlay(load_catalog(), [parse_text(path.name, text)])
