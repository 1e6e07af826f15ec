"""Paper that travels with a 跨區收件 case: what the receiving office checked at its counter and sends on to the
applicant's home office (公文交換), and whether it arrived.

A paper document the clerk ticked 已驗 travels, unless it is shown and handed back (an ID card, a seal: `returned`
in the catalog). The home office marks each one 已到件 or 未到件 (with why); one marked 未到件 may still arrive
later, one that arrived stays arrived. The office does not approve a case on paper it has not received.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from forms.errors import ValidationError
from forms.reasons import REASON_MIN
from forms.types import Document

IN_TRANSIT = "寄送中"
ARRIVED = "已到件"
MISSING = "未到件"


@dataclass(frozen=True)
class Paper:
    name: str
    state: str = IN_TRANSIT
    on: date | None = None  # the office day it was marked
    note: str = ""  # why it did not arrive


@dataclass(frozen=True)
class Arrival:
    """One marking by the home office: the papers received, those that did not come (and why)."""

    received: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    note: str = ""


def travelling(documents: Sequence[Document], shown: Collection[str]) -> tuple[str, ...]:
    """The service's paper documents checked at the counter that go on to the deciding office, in catalog order."""
    return tuple(d.name for d in documents if d.name in shown and d.replaced_by is None and not d.returned)


def check_arrival(papers: Sequence[Paper], arrival: Arrival) -> Arrival:
    """The marking, tidied, if it may be recorded on these papers.

    Raises:
        ValidationError: arrival_nothing (no paper travels with the case), arrival_empty (nothing marked),
            arrival_unknown (a paper that does not travel with it), arrival_twice (one paper both received and
            missing), arrival_already (a paper that arrived cannot go missing again), arrival_note_short (未到件 needs
            why, for the receiving office to follow up).
    """
    if not papers:
        raise ValidationError("arrival_nothing")
    received = tuple(dict.fromkeys(n.strip() for n in arrival.received if n.strip()))
    missing = tuple(dict.fromkeys(n.strip() for n in arrival.missing if n.strip()))
    if not received and not missing:
        raise ValidationError("arrival_empty")
    state = {p.name: p.state for p in papers}
    unknown = [n for n in received + missing if n not in state]
    if unknown:
        raise ValidationError("arrival_unknown", names="、".join(unknown))
    both = set(received) & set(missing)
    if both:
        raise ValidationError("arrival_twice", names="、".join(sorted(both)))
    gone = [n for n in missing if state[n] == ARRIVED]
    if gone:
        raise ValidationError("arrival_already", names="、".join(gone))
    note = arrival.note.strip()
    if missing and len(note) < REASON_MIN:
        raise ValidationError("arrival_note_short", min=REASON_MIN)
    return Arrival(received, missing, note)


def papers_after(names: Sequence[str], marks: Sequence[tuple[Arrival, date]]) -> tuple[Paper, ...]:
    """Each travelling paper's state after the markings, in the order they were recorded."""
    papers = {name: Paper(name) for name in names}
    for arrival, on in marks:
        for name in arrival.received:
            if name in papers and papers[name].state != ARRIVED:
                papers[name] = Paper(name, ARRIVED, on)
        for name in arrival.missing:
            if name in papers and papers[name].state != ARRIVED:
                papers[name] = Paper(name, MISSING, on, arrival.note)
    return tuple(papers[name] for name in names)


def waiting(papers: Sequence[Paper]) -> tuple[str, ...]:
    """The papers not (yet) at the deciding office."""
    return tuple(p.name for p in papers if p.state != ARRIVED)


def papers_words(papers: Sequence[Paper]) -> str:
    """「申請書 已到件、存摺封面 寄送中」 (empty when nothing travels)."""
    return "、".join(f"{p.name} {p.state}" for p in papers)
