"""Money rules: integer cents, IVA at 16 %, dealer discounts; half-up rounding, never floats."""

from __future__ import annotations

from dataclasses import dataclass

IVA_RATE_BP = 1600  # basis points: 16 %
BP = 10_000


def _round_half_up(numerator: int, denominator: int) -> int:
    return (numerator * 2 + denominator) // (denominator * 2)


def with_iva(net_cents: int, iva_bp: int = IVA_RATE_BP) -> int:
    """The price including IVA for a net price (cents, rounded half-up)."""
    return net_cents + iva_of(net_cents, iva_bp)


def iva_of(net_cents: int, iva_bp: int = IVA_RATE_BP) -> int:
    """The IVA on a net amount (cents, rounded half-up)."""
    return _round_half_up(net_cents * iva_bp, BP)


def net_for_shelf_price(gross_cents: int, iva_bp: int = IVA_RATE_BP) -> int:
    """The net price whose price with IVA is ``gross_cents`` (shelf prices are IVA-inclusive).

    Some gross amounts are unreachable after half-up rounding; then the closest net price
    whose gross does not exceed the shelf price is returned.
    """
    guess = gross_cents * BP // (BP + iva_bp)
    candidates = [
        n for n in range(guess - 2, guess + 3) if n >= 0 and with_iva(n, iva_bp) <= gross_cents
    ]
    return max(candidates, key=lambda n: (with_iva(n, iva_bp), n))


def apply_discount(net_cents: int, discount_bp: int) -> int:
    """The discount amount (cents) for a net amount and a discount in basis points."""
    if not 0 <= discount_bp <= BP:
        raise ValueError(f"discount {discount_bp} bp is outside 0-10000")
    return _round_half_up(net_cents * discount_bp, BP)


@dataclass(frozen=True, slots=True)
class LineAmounts:
    """Amounts of one order line, all in cents."""

    unit_price_cents: int  # net of IVA, before discount
    quantity: int
    subtotal_cents: int  # unit x quantity
    discount_cents: int
    iva_cents: int
    total_cents: int  # what the customer pays for the line


def price_line(unit_price_cents: int, quantity: int, discount_bp: int = 0) -> LineAmounts:
    """Price one line: subtotal, discount, IVA on the discounted amount, total.

    Discount and IVA are rounded per unit, then multiplied: four tires at a $2,890 shelf price
    cost exactly $11,560, as the customer multiplies it, never $11,560.02.
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    subtotal = unit_price_cents * quantity
    unit_discount = apply_discount(unit_price_cents, discount_bp)
    discount = unit_discount * quantity
    iva = iva_of(unit_price_cents - unit_discount) * quantity
    return LineAmounts(
        unit_price_cents, quantity, subtotal, discount, iva, subtotal - discount + iva
    )


def format_mxn(cents: int) -> str:
    """Mexican peso format: ``$2,890`` or ``$2,890.50``."""
    pesos, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}${pesos:,}" + (f".{rest:02d}" if rest else "")


def unit_total_cents(unit_price_cents: int, discount_bp: int = 0) -> int:
    """What one unit costs the customer with their discount, IVA included (as in price_line)."""
    return price_line(unit_price_cents, 1, discount_bp).total_cents
