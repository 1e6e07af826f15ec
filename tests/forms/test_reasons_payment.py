"""One rule each, used by the window, the ledger and the wire: a supervisor's reason says enough; a service takes
money only when it has a published fee above nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from forms.catalog import load_catalog
from forms.errors import ValidationError
from forms.payment import WAIVED, Payment, cash_to_collect, change_due, settle, takes_payment
from forms.reasons import REASON_MIN, checked_reason
from forms.types import FeeWaiver

SERVICE = load_catalog().get("SW-01")


@pytest.mark.parametrize(("typed", "kept"), [("重複建檔了", "重複建檔了"), ("  民眾撤回申請  ", "民眾撤回申請")])
def test_a_reason_of_five_characters_or_more_is_kept_without_its_spaces(typed: str, kept: str) -> None:
    assert checked_reason(typed) == kept


@pytest.mark.parametrize("typed", ["", "    ", "重複建檔", "  四個字  "])
def test_a_shorter_reason_is_refused_with_the_limit(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        checked_reason(typed)
    assert (refused.value.code, refused.value.params) == ("override_reason_short", {"min": 5})
    assert REASON_MIN == 5


@pytest.mark.parametrize(("fee", "takes", "method"), [(None, False, "none"), (0, False, "none"), (1, True, "card")])
def test_payment_follows_the_fee(fee: int | None, takes: bool, method: str) -> None:
    service = replace(SERVICE, fee=fee)
    assert takes_payment(service) is takes
    assert settle(service, "card") == Payment(method)


LOW_INCOME = FeeWaiver("low_income", "低收入戶", "某市規費減免自治條例第3條")
PAID = replace(SERVICE, fee=100, fee_waivers=(LOW_INCOME,))


def test_a_waiver_the_service_names_is_recorded_with_its_ground() -> None:
    assert settle(PAID, WAIVED, "low_income") == Payment(WAIVED, LOW_INCOME)


@pytest.mark.parametrize(
    ("service", "method", "waiver", "code"),
    [
        (PAID, WAIVED, "veteran", "waiver_unknown"),  # a ground the rules do not name
        (PAID, WAIVED, None, "waiver_unknown"),
        (replace(PAID, fee_waivers=()), WAIVED, "low_income", "waiver_unknown"),  # the service allows none
        (PAID, "bitcoin", None, "payment_unknown"),
    ],
)
def test_a_waiver_or_method_not_allowed_is_refused(service: object, method: str, waiver: str | None, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        settle(service, method, waiver)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert refused.value.params == ({"service": "身心障礙鑑定及身心障礙證明申請"} if code == "waiver_unknown" else {})


def test_a_free_service_takes_nothing_even_when_waived() -> None:
    assert settle(replace(SERVICE, fee=0), WAIVED, "low_income") == Payment("none")


@pytest.mark.parametrize(
    ("fee", "tendered", "change"),
    [(80, "100", 20), (80, "80", 0), (1500, "2,000", 500), (80, "１００", 20), (80, "500元", 420), (80, " 100 ", 20)],
)
def test_change_for_cash_tendered(fee: int, tendered: str, change: int) -> None:
    assert change_due(fee, tendered) == change


@pytest.mark.parametrize(
    ("tendered", "code"),
    [("50", "tendered_short"), ("79", "tendered_short"), ("一百", "amount_format"), ("", "amount_format")],
)
def test_cash_that_is_no_amount_or_does_not_cover_the_fee_is_refused(tendered: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        change_due(80, tendered)
    assert raised.value.code == code


def test_short_cash_names_both_amounts_as_printed() -> None:
    with pytest.raises(ValidationError) as raised:
        change_due(1500, "1000")
    assert raised.value.params == {"fee": "1,500", "paid": "1,000"}


@pytest.mark.parametrize(
    ("fee", "method", "cash"), [(80, "cash", 80), (80, "card", None), (0, "cash", None), (None, "cash", None)]
)
def test_cash_is_collected_only_for_a_fee_paid_in_cash(fee: int | None, method: str, cash: int | None) -> None:
    service = replace(load_catalog().get("SW-05"), fee=fee)
    assert cash_to_collect(service, method) == cash
