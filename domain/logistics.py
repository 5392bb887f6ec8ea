"""Delivery rules: service time by quantity, the ETA window customers see, delivery fees by
distance, the route and event states, and a gazetteer of neighbourhoods for rough geocoding."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class RouteStatus(StrEnum):
    """A vehicle's route of one day."""

    PLANNED = "planned"
    ACTIVE = "active"  # the driver said "salí"
    DONE = "done"


class DeliveryEventKind(StrEnum):
    """What a driver reports from the road."""

    DEPARTED = "departed"  # the route left the branch
    ARRIVED = "arrived"
    DELIVERED = "delivered"  # with the recipient's name and a photo
    FAILED = "failed"  # with a reason


class FailureReason(StrEnum):
    """Why a delivery could not be made (the driver picks one)."""

    NOBODY_HOME = "nadie_en_casa"
    WRONG_ADDRESS = "direccion_incorrecta"
    REFUSED = "rechazado"
    NO_ACCESS = "sin_acceso"
    OTHER = "otro"


def service_minutes(tires: int) -> int:
    """Minutes at the door: 10 to park and hand over, 8 per tire installed (retail orders of up to
    four are mounted on site), 1 per tire beyond four (a dealer's pallet is only unloaded)."""
    return 10 + 8 * min(tires, 4) + max(0, tires - 4)


ETA_HALF_WINDOW = timedelta(minutes=20)


def eta_window(eta: datetime) -> tuple[datetime, datetime]:
    """What we promise around a predicted arrival: ±20 minutes, snapped to 5-minute marks."""

    def snap(at: datetime) -> datetime:
        at = at.replace(second=0, microsecond=0)
        return at - timedelta(minutes=at.minute % 5)

    return snap(eta - ETA_HALF_WINDOW), snap(eta + ETA_HALF_WINDOW + timedelta(minutes=4))


def minutes_late(eta: datetime, window_end: datetime) -> float:
    """How far past the customer's window the predicted arrival is (0 when on time)."""
    return max(0.0, (eta - window_end).total_seconds() / 60.0)


# Delivery fee by road distance from the branch (km upper bound, net cents); beyond the last
# band we do not deliver (the customer picks up or a dealer sends its own truck).
FEE_BANDS: tuple[tuple[float, int], ...] = ((8.0, 14_900), (15.0, 24_900), (25.0, 34_900))
CIRCUITY = 1.3  # road km per straight-line km (the routing engine's default)


@dataclass(frozen=True, slots=True)
class DeliveryFee:
    km: float
    cents: int | None  # None: outside the delivery area
    band: int | None  # 1-based band number


def delivery_fee(km: float) -> DeliveryFee:
    """The fee for a road distance from the branch."""
    for band, (limit, cents) in enumerate(FEE_BANDS, start=1):
        if km <= limit:
            return DeliveryFee(round(km, 1), cents, band)
    return DeliveryFee(round(km, 1), None, None)


def road_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle km times the urban circuity factor."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a))) * CIRCUITY


# Neighbourhoods (colonias) and municipalities each branch delivers to, with their centre's
# coordinates (OpenStreetMap). Rough geocoding for addresses given in chat; a real geocoder or
# the driver's first delivery corrects the point.
GAZETTEER: dict[str, tuple[tuple[str, float, float], ...]] = {
    "CDMX": (
        ("Polanco", 19.4326, -99.1947), ("Condesa", 19.4110, -99.1730),
        ("Roma Norte", 19.4190, -99.1620), ("Del Valle", 19.3880, -99.1690),
        ("Coyoacán", 19.3500, -99.1620), ("Narvarte", 19.3960, -99.1530),
        ("Nápoles", 19.3930, -99.1770), ("Santa Fe", 19.3590, -99.2590),
        ("San Ángel", 19.3470, -99.1900), ("Tlalpan", 19.2890, -99.1670),
        ("Lindavista", 19.4880, -99.1300), ("Azcapotzalco", 19.4840, -99.1850),
        ("Iztapalapa", 19.3480, -99.0570), ("Churubusco", 19.3590, -99.1450),
        ("Mixcoac", 19.3760, -99.1870), ("Lomas de Chapultepec", 19.4240, -99.2160),
        ("Ciudad Satélite", 19.5100, -99.2350), ("Xochimilco", 19.2620, -99.1040),
        ("Tacuba", 19.4580, -99.1880), ("Jardines del Pedregal", 19.3190, -99.2050),
        ("Portales", 19.3680, -99.1470), ("Doctores", 19.4160, -99.1440),
        ("Guerrero", 19.4450, -99.1460), ("Anzures", 19.4290, -99.1790),
        ("Escandón", 19.4020, -99.1830),
    ),
    "GDL": (
        ("Providencia", 20.6950, -103.3880), ("Chapalita", 20.6650, -103.4000),
        ("Zapopan Centro", 20.7210, -103.3910), ("Tlaquepaque", 20.6400, -103.3110),
        ("Americana", 20.6740, -103.3700), ("Jardines del Bosque", 20.6590, -103.3900),
        ("Ciudad Granja", 20.6830, -103.4440), ("Las Águilas", 20.6330, -103.4170),
        ("Tonalá", 20.6240, -103.2340), ("Oblatos", 20.6990, -103.3010),
        ("Santa Tere", 20.6830, -103.3660), ("Puerta de Hierro", 20.7080, -103.4130),
        ("Colinas de San Javier", 20.6970, -103.4100), ("Miravalle", 20.6160, -103.3420),
        ("El Fresno", 20.6550, -103.3560),
    ),
    "MTY": (
        ("San Pedro Garza García", 25.6530, -100.3600), ("Cumbres", 25.7300, -100.3900),
        ("Centro de Monterrey", 25.6710, -100.3090), ("Mitras Centro", 25.6900, -100.3400),
        ("Contry", 25.6270, -100.2760), ("Guadalupe", 25.6770, -100.2590),
        ("San Nicolás de los Garza", 25.7420, -100.3020), ("Santa Catarina", 25.6740, -100.4580),
        ("Apodaca", 25.7810, -100.1880), ("Linda Vista", 25.6890, -100.2540),
        ("Valle Oriente", 25.6400, -100.3130), ("Tecnológico", 25.6510, -100.2900),
        ("Anáhuac", 25.7400, -100.3140), ("Chepevera", 25.6950, -100.3540),
    ),
}  # fmt: skip


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def zone_of(address: str, branch_code: str) -> str | None:
    """The neighbourhood of a branch's area an address names (the longest match), if any."""
    folded = _fold(address)
    names = [name for name, _, _ in GAZETTEER.get(branch_code, ()) if _fold(name) in folded]
    return max(names, key=len, default=None)


def geocode(address: str, branch_code: str) -> tuple[float, float] | None:
    """(lat, lon) of an address in a branch's area from the neighbourhood it names, spread by
    up to ~400 m with a hash of the address (two houses of one colonia are not one point);
    None when it names none we know."""
    folded = _fold(address)
    best = None
    for name, lat, lon in GAZETTEER.get(branch_code, ()):
        key = _fold(name)
        if key in folded and (best is None or len(key) > len(best[0])):
            best = (key, lat, lon)
    if best is None:
        return None
    digest = hashlib.sha256(folded.encode()).digest()
    dlat = (digest[0] / 255 - 0.5) * 0.007
    dlon = (digest[1] / 255 - 0.5) * 0.007
    return round(best[1] + dlat, 6), round(best[2] + dlon, 6)
