"""Whether a service takes money at the counter, and how a case records it: one rule for the window and the
ledger (a service without a published fee, or a free one, takes nothing)."""

from __future__ import annotations

from forms.errors import ValidationError
from forms.fields import validate_amount
from forms.types import ServiceType

NO_PAYMENT = "none"


def takes_payment(service: ServiceType) -> bool:
    return (service.fee or 0) > 0


def payment_method(service: ServiceType, chosen: str) -> str:
    """What the case records: the method chosen, or `none` when nothing is collected."""
    return chosen if takes_payment(service) else NO_PAYMENT


def cash_to_collect(service: ServiceType, method: str) -> int | None:
    """The fee to take in cash at the counter now; None when nothing is paid in cash (free, unpublished, or
    paid another way)."""
    return service.fee if takes_payment(service) and method == "cash" else None


def change_due(fee: int, tendered: str) -> int:
    """The change to hand back for cash tendered (as typed: 1,000 / １０００ / 1000元). Raises ValidationError
    (amount_format, amount_too_large, tendered_short) for an amount that is not one or does not cover the fee."""
    paid = int(validate_amount(tendered))
    if paid < fee:
        raise ValidationError("tendered_short", fee=f"{fee:,}", paid=f"{paid:,}")
    return paid - fee
