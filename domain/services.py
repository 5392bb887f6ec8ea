"""Shop services sold with tires, financing terms and quote rules (prices net of IVA, in cents)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShopService:
    """A service offered with a tire purchase."""

    code: str
    name: str  # Spanish, as customers read it
    unit: str  # "llanta", "vehículo", "pieza"
    price_cents: int  # net of IVA; 0 = free with the purchase


SERVICES: tuple[ShopService, ...] = (
    ShopService("installation", "Instalación", "llanta", 0),
    ShopService("balancing", "Balanceo", "llanta", 12_900),
    ShopService("alignment", "Alineación", "vehículo", 38_800),
    ShopService("valves", "Válvulas nuevas", "pieza", 5_200),
    ShopService("nitrogen", "Inflado con nitrógeno", "llanta", 3_400),
)

# Months without interest offered above a minimum purchase (IVA included), per term.
MSI_MINIMUM_CENTS: dict[int, int] = {3: 300_000, 6: 600_000, 12: 1_000_000}
QUOTE_VALID_DAYS = 7


def msi_terms(total_cents: int) -> list[tuple[int, int]]:
    """(months, monthly payment in cents) for every term the total qualifies for."""
    return [
        (months, -(-total_cents // months))
        for months, minimum in sorted(MSI_MINIMUM_CENTS.items())
        if total_cents >= minimum
    ]
