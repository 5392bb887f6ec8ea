from __future__ import annotations

import pytest

from core.errors import Conflict, InvalidRequest
from domain.enums import OrderStatus as S
from domain.orders import StockEffect, check_transition, format_folio, parse_folio
from domain.pricing import format_mxn, iva_of, price_line, with_iva
from domain.text import fold


@pytest.mark.parametrize(
    ("current", "target", "effect"),
    [
        (S.QUOTE, S.RESERVED, StockEffect.RESERVE),
        (S.RESERVED, S.PAID, StockEffect.NONE),
        (S.RESERVED, S.CANCELLED, StockEffect.RELEASE),
        (S.PAID, S.READY_FOR_PICKUP, StockEffect.NONE),
        (S.READY_FOR_PICKUP, S.DELIVERED, StockEffect.CONSUME),
        (S.OUT_FOR_DELIVERY, S.DELIVERED, StockEffect.CONSUME),
        (S.PAID, S.CANCELLED, StockEffect.RELEASE),
        (S.DELIVERED, S.RETURNED, StockEffect.RESTOCK),
        (S.QUOTE, S.CANCELLED, StockEffect.NONE),
    ],
)
def test_legal_moves_and_their_stock_effect(current: S, target: S, effect: StockEffect) -> None:
    assert check_transition(current, target) == effect


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.QUOTE, S.DELIVERED),
        (S.DELIVERED, S.CANCELLED),
        (S.CANCELLED, S.RESERVED),
        (S.RETURNED, S.PAID),
        (S.RESERVED, S.RESERVED),
        (S.OUT_FOR_DELIVERY, S.CANCELLED),
    ],
)
def test_illegal_moves_are_conflicts_that_say_what_is_allowed(current: S, target: S) -> None:
    with pytest.raises(Conflict) as err:
        check_transition(current, target)
    assert current.value in err.value.message
    assert err.value.field == "status"


def test_folios_round_trip_in_the_ways_customers_write_them() -> None:
    assert format_folio(123) == "TL-000123"
    for text in ("TL-000123", "tl 123", "#TL-123", "TL123"):
        assert parse_folio(text) == 123
    with pytest.raises(InvalidRequest):
        parse_folio("pedido 123")


def test_iva_and_discounts_are_exact_integer_cents() -> None:
    assert iva_of(249_138) == 39_862  # 2491.38 * 0.16 = 398.6208 -> 398.62
    assert with_iva(249_138) == 289_000
    line = price_line(249_138, 4, discount_bp=1000)
    assert line.subtotal_cents == 996_552
    assert line.discount_cents == 4 * 24_914  # 10 % of one unit, half-up, times four
    assert line.iva_cents == 4 * iva_of(249_138 - 24_914)
    assert line.total_cents == 996_552 - line.discount_cents + line.iva_cents
    assert price_line(249_138, 4).total_cents == 4 * 289_000  # shelf price x quantity, exactly
    assert format_mxn(1_156_000) == "$11,560"
    assert format_mxn(289_050) == "$2,890.50"


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("CR-V") == "crv"
    assert fold("Sedán") == "sedan"
    assert fold("Mazda 3") == "mazda3"


def test_net_prices_are_derived_from_iva_inclusive_shelf_prices() -> None:
    from domain.pricing import net_for_shelf_price

    assert with_iva(net_for_shelf_price(289_000)) == 289_000
    for gross in range(100_000, 160_000, 7):
        net = net_for_shelf_price(gross)
        assert with_iva(net) <= gross < with_iva(net + 2)


def test_phones_suggest_the_nearest_branch() -> None:
    from domain.geo import branch_for_phone

    codes = {"CDMX": ["55", "56"], "GDL": ["33"], "MTY": ["81"], "QRO": ["442"]}
    assert branch_for_phone("+525512345678", codes) == "CDMX"
    assert branch_for_phone("+5213312345678", codes) == "GDL"  # old mobile prefix
    assert branch_for_phone("+528112345678", codes) == "MTY"
    assert branch_for_phone("+524421234567", codes) == "QRO"  # a 3-digit area code
    assert branch_for_phone("+529991234567", codes) is None
    assert branch_for_phone("+14155550100", codes) is None
    assert branch_for_phone(None, codes) is None
