"""Whether a service takes money at the counter, and how a case records it: one rule for the window and the
ledger (a service without a published fee, or a free one, takes nothing; a fee waived on a ground the service's
rules allow takes nothing either, and says why)."""

from __future__ import annotations

from dataclasses import dataclass

from forms.errors import ValidationError
from forms.fields import validate_amount
from forms.types import FeeWaiver, ServiceType

NO_PAYMENT = "none"
WAIVED = "waived"  # 免徵: the fee is published, the ground (FeeWaiver) says why it is not collected
METHODS = ("cash", "card", "transfer")


@dataclass(frozen=True)
class Payment:
    """How the fee of one case is settled: the method the case records and, for 免徵, the ground."""

    method: str
    waiver: FeeWaiver | None = None


def takes_payment(service: ServiceType) -> bool:
    return (service.fee or 0) > 0


def settle(service: ServiceType, method: str, waiver: str | None = None) -> Payment:
    """The payment the case records for the method chosen at the counter (`waiver`: the ground's code with
    WAIVED). Nothing is collected for a free or unpublished fee, whatever was chosen.

    Raises:
        ValidationError: payment_unknown (a method this counter does not take), waiver_unknown (a ground the
            service's rules do not name).
    """
    if not takes_payment(service):
        return Payment(NO_PAYMENT)
    if method == WAIVED:
        for ground in service.fee_waivers:
            if ground.code == waiver:
                return Payment(WAIVED, ground)
        raise ValidationError("waiver_unknown", service=service.name_zh)
    if method not in METHODS:
        raise ValidationError("payment_unknown")
    return Payment(method)


def cash_to_collect(service: ServiceType, method: str) -> int | None:
    """The fee to take in cash at the counter now; None when nothing is paid in cash (free, unpublished, waived,
    or paid another way)."""
    return service.fee if takes_payment(service) and method == "cash" else None


def change_due(fee: int, tendered: str) -> int:
    """The change to hand back for cash tendered (as typed: 1,000 / １０００ / 1000元). Raises ValidationError
    (amount_format, amount_too_large, tendered_short) for an amount that is not one or does not cover the fee."""
    paid = int(validate_amount(tendered))
    if paid < fee:
        raise ValidationError("tendered_short", fee=f"{fee:,}", paid=f"{paid:,}")
    return paid - fee
