"""What a queue entry's stored reason says on screen: words and the next step, never a raw code."""

from __future__ import annotations

import re

import pytest

from forms.messages import reason_text


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        ("conflict: different content for this key",
         "市府已有同一案件但內容不同；請核對本機與市府資料，確認後「更正後重送」或「撤回」。"),
        ("rejected: a_code_of_a_newer_city", "市府拒收此筆資料；請依原因「更正後重送」，或「撤回」並聯絡申請人。"),
        ("net_unreachable", "無法連線到市府伺服器，已改為離線作業。"),
        ("撤回（chief-test）：民眾撤回申請", "撤回（chief-test）：民眾撤回申請"),  # already words
    ],
)  # fmt: skip
def test_stored_reasons_in_words(stored: str, said: str) -> None:
    assert reason_text(stored) == said


def test_no_raw_code_reaches_the_screen() -> None:
    for stored in ("conflict: different content for this key", "rejected: receipt_number_taken", "net_timeout"):
        assert not re.search(r"[a-z]+_[a-z]+|different content", reason_text(stored)), stored


def test_a_sentence_that_needs_figures_falls_back_to_the_status() -> None:
    """service_unknown needs the service it names; a stored "rejected: service_unknown" has none."""
    assert (
        reason_text("rejected: service_unknown") == "市府拒收此筆資料；請依原因「更正後重送」，或「撤回」並聯絡申請人。"
    )
