"""Which peso amounts a reply may state: catalogue price x quantity, deposit, services, orders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.pricing import price_line, with_iva
from domain.services import MSI_MINIMUM_CENTS, SERVICES

MAX_QUANTITY = 40  # what the tools accept
AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\d)")


def amounts(text: str) -> list[tuple[str, int]]:
    """Every ``$N`` amount in a text, as written and in cents."""
    out = []
    for match in AMOUNT.finditer(text):
        cents = int(match[1].replace(",", "")) * 100 + int(match[2] or 0)
        out.append((match[0], cents))
    return out


@lru_cache(maxsize=16)
def line_amounts(nets: tuple[int, ...], discount_bp: int) -> frozenset[int]:
    """Totals of every catalogue line (IVA computed on the line, as quotes and orders do) and,
    for a customer with a discount, the discount amounts."""
    out: set[int] = set()
    for net in nets:
        for q in range(1, MAX_QUANTITY + 1):
            line = price_line(net, q, discount_bp)
            out.add(line.total_cents)
            if discount_bp:
                out.add(with_iva(line.discount_cents))
    return frozenset(out)


@dataclass
class PriceBook:
    """The amounts that exist for one persona on one database."""

    units: list[int]  # catalogue unit prices with IVA
    fixed: set[int] = field(default_factory=set)  # deposit, services, order totals
    lines: frozenset[int] = frozenset()  # line totals (IVA on the line) and discounts

    @classmethod
    def build(
        cls,
        engine: Engine,
        *,
        deposit_cents: int,
        discount_bp: int,
        customer_id: int | None,
        role: str,
    ) -> PriceBook:
        """Read the catalogue, the services and the orders this persona may see."""
        with engine.connect() as conn:
            nets = [
                int(r[0])
                for r in conn.execute(
                    sa.text("SELECT DISTINCT price_cents FROM product WHERE active")
                )
            ]
            if role == "customer":
                totals = conn.execute(
                    sa.text("SELECT total_cents FROM orders WHERE customer_id = :c"),
                    {"c": customer_id or -1},
                )
            else:
                totals = conn.execute(sa.text("SELECT total_cents FROM orders"))
            fixed = {int(r[0]) for r in totals}
        fixed |= {deposit_cents, *(with_iva(s.price_cents) for s in SERVICES)}
        units = sorted({with_iva(n) for n in nets})
        return cls(units=units, fixed=fixed, lines=line_amounts(tuple(sorted(nets)), discount_bp))

    def add(self, cents: int) -> None:
        """Allow an amount (e.g. the total of an order created during the task)."""
        self.fixed.add(cents)

    def _total(self, cents: int) -> bool:
        if cents in self.fixed or cents in self.lines:
            return True
        return any(cents % u == 0 and 1 <= cents // u <= MAX_QUANTITY for u in self.units if u)

    def allowed(self, cents: int) -> bool:
        """Whether a stated amount is a real price, total, deposit or monthly payment."""
        if cents <= 0 or self._total(cents):
            return True
        # A monthly payment of months without interest: ceil(total / months).
        for months, minimum in MSI_MINIMUM_CENTS.items():
            low = max(minimum, cents * months - months + 1)
            if any(self._total(t) for t in range(low, cents * months + 1)):
                return True
        return False
