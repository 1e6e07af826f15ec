"""Catalogs for tests that need a fee at the counter (the shipped catalog publishes none for these services yet)."""

from __future__ import annotations

from pathlib import Path

from forms.catalog import Catalog, load_catalog, overlay, parse_text

FEE = 80


def paid_catalog(fee: int = FEE) -> Catalog:
    """The catalog with 敬老愛心卡 (SW-05) charging `fee`, as an office's catalog update from the city would."""
    path = Path(__file__).resolve().parents[2] / "resources" / "catalog" / "05_sw_05.toml"
    text = path.read_text(encoding="utf-8").replace("fee = 0\n", f"fee = {fee}\n")
    text = text.replace("catalog_version = 1\n", "catalog_version = 2\n")
    return overlay(load_catalog(), [parse_text(path.name, text)])
