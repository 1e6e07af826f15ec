"""Whether a service takes money at the counter, and how a case records it: one rule for the window and the
ledger (a service without a published fee, or a free one, takes nothing)."""

from __future__ import annotations

from forms.types import ServiceType

NO_PAYMENT = "none"


def takes_payment(service: ServiceType) -> bool:
    return (service.fee or 0) > 0


def payment_method(service: ServiceType, chosen: str) -> str:
    """What the case records: the method chosen, or `none` when nothing is collected."""
    return chosen if takes_payment(service) else NO_PAYMENT
