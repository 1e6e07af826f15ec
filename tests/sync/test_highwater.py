"""The high-water marks beside the ledger: compared and merged by hand-written cases, written atomically, read back
only when whole, only ever raised (but for a deliberate replace)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sync.ledger.highwater import KEPT_DAYS, Marks, MarksFile

H1, H2 = "1" * 64, "2" * 64


@pytest.mark.parametrize(
    ("mine", "known", "behind"),
    [
        (Marks(), Marks(), ()),
        (Marks(5, {"2026-11-20": 5}), Marks(5, {"2026-11-20": 5}), ()),
        (Marks(6, {"2026-11-20": 6}), Marks(5, {"2026-11-20": 5}), ()),  # ahead is fine
        (Marks(4, {"2026-11-20": 5}), Marks(5, {"2026-11-20": 5}), ("receipt 4 < 5",)),
        (Marks(5, {"2026-11-20": 4}), Marks(5, {"2026-11-20": 5}), ("cases of 2026-11-20 4 < 5",)),
        (Marks(5, {}), Marks(5, {"2026-11-19": 2, "2026-11-20": 3}), ("cases of 2026-11-20 0 < 3",)),  # the latest
        (Marks(0, {}, 9, H1), Marks(0, {}, 3, H2), ()),  # the audit chain is not a number handed to anyone
    ],
)
def test_behind_names_the_receipt_and_the_latest_day_that_is_behind(
    mine: Marks, known: Marks, behind: tuple[str, ...]
) -> None:
    assert mine.behind(known) == behind


@pytest.mark.parametrize(
    ("mine", "known", "expected"),
    [
        (Marks(audit_seq=3, audit_head=H1), Marks(audit_seq=3, audit_head=H1), False),
        (Marks(audit_seq=2, audit_head=H1), Marks(audit_seq=3, audit_head=H2), True),
        (Marks(audit_seq=3, audit_head=H1), Marks(audit_seq=3, audit_head=H2), True),  # another chain, same length
        (Marks(audit_seq=4, audit_head=H1), Marks(audit_seq=3, audit_head=H2), False),
        (Marks(), Marks(), False),
    ],
)
def test_audit_behind(mine: Marks, known: Marks, expected: bool) -> None:
    assert mine.audit_behind(known) is expected


def test_merged_takes_the_higher_of_each_and_keeps_recent_days() -> None:
    a = Marks(5, {"2026-11-19": 7, "2026-11-20": 2}, 3, H1)
    b = Marks(4, {"2026-11-20": 6, "2026-11-21": 1}, 8, H2)
    assert a.merged(b) == Marks(5, {"2026-11-19": 7, "2026-11-20": 6, "2026-11-21": 1}, 8, H2)
    many = Marks(1, {f"2026-{m:02d}-{d:02d}": 1 for m in range(1, 13) for d in range(1, 29)})
    kept = Marks().merged(many).case_seqs
    assert len(kept) == KEPT_DAYS and min(kept) == sorted(many.case_seqs)[-KEPT_DAYS]


def test_the_file_is_written_whole_private_and_only_raised(tmp_path: Path) -> None:
    marks = MarksFile(tmp_path / "ledger.marks")
    assert marks.read() is None
    marks.raise_to(Marks(3, {"2026-11-20": 3}, 2, H1))
    marks.raise_to(Marks(1, {"2026-11-20": 1}))  # lower: changes nothing
    assert MarksFile(tmp_path / "ledger.marks").read() == Marks(3, {"2026-11-20": 3}, 2, H1)
    assert (tmp_path / "ledger.marks").stat().st_mode & 0o077 == 0
    assert not (tmp_path / "ledger.marks.tmp").exists()
    marks.replace(Marks(3, {"2026-11-20": 3}, 1, H2))  # after a gap in the chain was recorded
    assert MarksFile(tmp_path / "ledger.marks").read() == Marks(3, {"2026-11-20": 3}, 1, H2)


@pytest.mark.parametrize(
    "damage",
    ["not json", "{}", '{"version": 1, "marks": {"receipt_seq": 3}, "sha256": "x"}', "truncated"],
)
def test_a_damaged_marks_file_is_not_believed(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "ledger.marks"
    MarksFile(path).raise_to(Marks(9, {"2026-11-20": 9}))
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-7])
    else:
        path.write_text(damage)
    assert MarksFile(path).read() is None


def test_a_hand_edited_number_breaks_the_checksum(tmp_path: Path) -> None:
    path = tmp_path / "ledger.marks"
    MarksFile(path).raise_to(Marks(9, {"2026-11-20": 9}))
    raw = json.loads(path.read_text())
    raw["marks"]["receipt_seq"] = 2
    path.write_text(json.dumps(raw))
    assert MarksFile(path).read() is None
    os.remove(path)


def test_another_instance_never_writes_lower_marks_over_higher_ones(tmp_path: Path) -> None:
    """A later start (a new MarksFile on the same file) that raises to less than the file holds keeps the file's."""
    path = tmp_path / "ledger.marks"
    MarksFile(path).raise_to(Marks(9, {"2026-11-20": 9}, 4, H1))
    MarksFile(path).raise_to(Marks(3, {"2026-11-20": 3, "2026-11-21": 1}, 2, H2))
    assert MarksFile(path).read() == Marks(9, {"2026-11-20": 9, "2026-11-21": 1}, 4, H1)


def test_equal_audit_chains_keep_the_head_already_kept_and_zero_days_stay_zero() -> None:
    mine, theirs = Marks(1, {"2026-11-20": 0}, 5, H1), Marks(1, {}, 5, H2)
    assert mine.merged(theirs) == Marks(1, {"2026-11-20": 0}, 5, H1)
    assert theirs.merged(mine) == Marks(1, {"2026-11-20": 0}, 5, H2)
    assert Marks(5, {}).behind(Marks(5, {"2026-11-20": 1})) == ("cases of 2026-11-20 0 < 1",)


def test_with_audit_changes_the_head_only() -> None:
    marks = Marks(7, {"2026-11-20": 7}, 9, H1)
    moved = marks.with_audit(3, H2)
    assert moved == Marks(7, {"2026-11-20": 7}, 3, H2) and moved.case_seqs is not marks.case_seqs


def test_a_write_syncs_the_file_and_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Durable before it is believed: the file's data and the rename itself reach the disk (two fsyncs on POSIX)."""
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    MarksFile(tmp_path / "ledger.marks").raise_to(Marks(1, {}))
    assert len(synced) == (2 if os.name == "posix" else 1)


def test_an_unreadable_file_says_why_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ledger.marks"
    MarksFile(path).raise_to(Marks(2, {}))
    path.write_text(path.read_text().replace('"receipt_seq": 2', '"receipt_seq": 3'))
    assert MarksFile(path).read() is None
    assert [r.getMessage() for r in caplog.records if r.name == "sync.ledger.highwater"] == [
        f"high-water marks {path} unreadable (checksum or version does not match): "
        "only the city can tell a rolled-back ledger"
    ]
