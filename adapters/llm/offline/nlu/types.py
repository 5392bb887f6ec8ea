"""Result types of the offline NLU: what a message means and which entities it names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.dialogue import TerrainPreference, TimeWindow


@dataclass(frozen=True, slots=True)
class VehicleMention:
    """A vehicle named in a message; any part may be missing ("mi Jetta", "un Nissan 2018")."""

    make: str | None
    model: str | None
    year: int | None


@dataclass(frozen=True, slots=True)
class Entities:
    """Everything the NLU recognised in one message, in canonical form.

    ``when`` is timezone-aware; a date said without a time of day comes back at 00:00, which
    callers read as "that day, no time given".
    """

    sizes: tuple[str, ...] = ()
    vehicle: VehicleMention | None = None
    other_vehicles: tuple[VehicleMention, ...] = ()
    brands: tuple[str, ...] = ()
    lines: tuple[tuple[str, str], ...] = ()
    quantity: int | None = None
    when: datetime | None = None
    folios: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    max_price_pesos: int | None = None
    choice: str | None = None
    fulfillment: str | None = None
    trim: str | None = None
    terrain: TerrainPreference | None = None
    run_flat: bool | None = None
    light_truck: bool | None = None
    window: TimeWindow | None = None
    address: str | None = None
    rfc: str | None = None
    zip_code: str | None = None
    regime: str | None = None
    cfdi_use: str | None = None
    business_name: str | None = None
    payment_method: str | None = None


@dataclass(frozen=True, slots=True)
class Analysis:
    """The NLU's reading of one message."""

    text: str
    normalized: str
    intent: str
    confidence: float
    entities: Entities
