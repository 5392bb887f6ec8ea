"""Which peso amounts a reply may state: catalogue price x quantity, deposit, services, orders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.repositories.credit import credit_of, has_credit_line
from db.tables import Customer
from domain.logistics import FEE_BANDS
from domain.pricing import price_line, with_iva
from domain.services import MSI_MINIMUM_CENTS, SERVICES

MAX_QUANTITY = 200  # what the tools accept (dealers and fleets buy by the dozen)
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
        shelf = price_line(net, 1).total_cents
        for q in range(1, MAX_QUANTITY + 1):
            line = price_line(net, q, discount_bp)
            out.add(line.total_cents)
            if discount_bp:
                out.add(with_iva(line.discount_cents))
                out.add(shelf * q - line.total_cents)  # "you save": shelf total - your total
    return frozenset(out)


def order_amounts(total_cents: int, deposit_cents: int, paid_cents: int) -> set[int]:
    """What a reply may say about one order: its total, deposit, what was paid and what is due
    (after the payments, and after the deposit alone)."""
    out = {total_cents, deposit_cents, paid_cents, total_cents - paid_cents}
    if deposit_cents:
        out.add(total_cents - deposit_cents)
    return {a for a in out if a > 0}


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
            sql = "SELECT total_cents, deposit_cents, paid_cents FROM orders"
            if role == "customer":
                rows = conn.execute(
                    sa.text(sql + " WHERE customer_id = :c"), {"c": customer_id or -1}
                )
            else:
                rows = conn.execute(sa.text(sql))
            fixed = {a for r in rows for a in order_amounts(int(r[0]), int(r[1]), int(r[2]))}
        fixed |= {deposit_cents, *(with_iva(s.price_cents) for s in SERVICES)}
        fixed |= {with_iva(cents) for _, cents in FEE_BANDS}  # home delivery by distance
        units = sorted({with_iva(n) for n in nets})
        book = cls(units=units, fixed=fixed, lines=line_amounts(tuple(sorted(nets)), discount_bp))
        book.add_credit(engine, customer_id)
        return book

    def add(self, cents: int) -> None:
        """Allow an amount (e.g. the total of an order created during the task)."""
        self.fixed.add(cents)

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Allow what orders created during the task show: totals, deposits, paid, balances."""
        for o in orders:
            self.fixed |= order_amounts(o["total_cents"], o["deposit_cents"], o["paid_cents"])

    def add_credit(self, engine: Engine, customer_id: int | None) -> None:
        """Allow the persona's credit line as it stands now: limit, used and available."""
        if customer_id is None:
            return
        with Session(engine) as session:
            customer = session.get(Customer, customer_id)
            if customer is None or not has_credit_line(customer):
                return
            credit = credit_of(session, customer)
        self.fixed |= {credit.limit_cents, credit.used_cents, credit.available_cents}

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
