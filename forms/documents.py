"""Which of a service's paper documents the look-ups replaced, and which are still owed (一次告知單)."""

from __future__ import annotations

from dataclasses import dataclass

from forms.types import Document, Facts, ServiceType


@dataclass(frozen=True)
class DocumentCheck:
    replaced: tuple[Document, ...]  # fetched electronically: the citizen need not bring them
    owed: tuple[Document, ...]  # still needed on paper, all listed at once
    not_applicable: tuple[Document, ...] = ()  # the register says the citizen has none (e.g. no disability card)


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
