"""Which of a service's paper documents the look-ups replaced, and which are still owed (一次告知單)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from forms.types import Document, Facts, ServiceType


@dataclass(frozen=True)
class DocumentCheck:
    replaced: tuple[Document, ...]  # fetched electronically: the citizen need not bring them
    owed: tuple[Document, ...]  # still needed on paper, all listed at once
    not_applicable: tuple[Document, ...] = ()  # the register says the citizen has none (e.g. no disability card)
    shown: tuple[Document, ...] = ()  # 已驗: shown at the counter and checked by the clerk, no longer owed


def with_shown(check: DocumentCheck, names: Collection[str]) -> DocumentCheck:
    """The check after the clerk's ticks: the owed documents named in `names` were shown (已驗), the others stay
    owed (待補); looked-up ones stay 免附 whatever is ticked. Earlier ticks are undone first, so the ticks given
    are the whole answer."""
    paper = check.shown + check.owed
    order = {doc.name: i for i, doc in enumerate(paper)}
    unknown = set(names) - set(order)
    if unknown:
        raise ValueError(f"not a document owed on paper: {sorted(unknown)}")
    by_order = sorted(paper, key=lambda doc: order[doc.name])
    return replace(
        check,
        shown=tuple(doc for doc in by_order if doc.name in names),
        owed=tuple(doc for doc in by_order if doc.name not in names),
    )


def check_documents(service: ServiceType, facts: Facts) -> DocumentCheck:
    """A document counts as replaced only when its look-up ran and found a record. When the look-up ran and the
    register holds no such certificate, asking for the paper would be pointless: it is not applicable (the rules
    decide what that means for eligibility). When the look-up could not run, the paper is owed."""
    replaced: list[Document] = []
    owed: list[Document] = []
    missing: list[Document] = []
    for doc in service.documents:
        record = facts.of(doc.replaced_by) if doc.replaced_by else None
        if record is None:
            owed.append(doc)
        elif record.get("found", True):
            replaced.append(doc)
        elif doc.replaced_by == "household":
            owed.append(doc)  # not in the register: the citizen must show what they have
        else:
            missing.append(doc)
    return DocumentCheck(tuple(replaced), tuple(owed), tuple(missing))
