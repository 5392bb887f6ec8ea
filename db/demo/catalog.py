"""Demo product catalogue: real brands and lines sold in Mexico, in Mexican sizes, 2026 prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from domain.pricing import net_for_shelf_price, with_iva
from domain.tire_size import TireSize, parse_tire_size

VehicleType = Literal["auto", "suv", "camioneta", "comercial"]
Terrain = Literal["highway", "all_season", "performance", "all_terrain", "mud_terrain"]
Tier = Literal["premium", "mid", "economy"]


@dataclass(frozen=True, slots=True)
class ProductSpec:
    """One demo SKU. Money is integer cents (MXN) before IVA, rounded to whole pesos."""

    sku: str
    brand: str
    line: str
    size: str
    load_index: int
    speed_rating: str
    run_flat: bool
    vehicle_type: VehicleType
    terrain: Terrain
    tier: Tier
    price_cents: int
    cost_cents: int
    warranty_km: int
    warranty_months: int
    popularity: float


@dataclass(frozen=True, slots=True)
class _Line:
    """A product line: segment, tier, list price (with IVA, pesos) at a reference size, sizes."""

    brand: str
    code: str
    name: str
    vehicle_type: VehicleType
    terrain: Terrain
    tier: Tier
    ref_size: str
    ref_price_iva: int
    speed: str
    warranty_km: int
    warranty_months: int
    sizes: str
    pop: float = 1.0
    run_flat: bool = False


# Size groups; a line's ``sizes`` mixes group names and literal sizes.
_GROUPS: dict[str, str] = {
    "T13": "155/80R13 165/70R13 175/70R13",
    "T14": "165/70R14 175/65R14 175/70R14 185/60R14 185/65R14",
    "T15": "185/55R15 185/60R15 185/65R15 195/60R15 195/65R15 205/60R15",
    "S16": "195/55R16 205/55R16 205/60R16 215/60R16 215/65R16",
    "S17": "205/50R17 215/45R17 215/55R17 225/45R17 225/50R17 225/55R17",
    "U17": "215/60R17 225/60R17 225/65R17 235/65R17",
    "U18": "215/55R18 225/55R18 235/55R18 235/60R18 255/55R18",
    "P18": "225/40R18 225/45R18 235/45R18 245/45R18",
    "P19": "245/40R19 255/35R19",
    "PU": "245/70R16 255/70R16 265/70R16 265/75R16 245/65R17 265/65R17 265/70R17 235/75R17 265/60R18 "
    "275/65R18 255/60R19 275/55R20",
    "VAN": "195/70R15C 205/70R15C 225/70R15C 195/75R16C 205/75R16C 215/65R16C 225/65R16C "
    "205/80R16C",
    "LT": "LT235/75R15 LT245/75R16 LT265/75R16 LT265/70R17 LT275/65R18 LT285/70R17 LT255/75R17 "
    "LT275/70R18 LT315/70R17",
    "FL": "31x10.50R15 33x12.50R15 33x12.50R20 35x12.50R17",
    "RF": "205/55R16 225/45R17 225/50R17 225/45R18 245/45R18",
    # Less common OE sizes of db/demo/data/fitment.csv
    "X14": "155/70R14 165/65R14 185/70R14",
    "X15": "155/80R15 175/55R15 175/60R15 175/65R15 205/65R15",
    "X16": "185/55R16 185/60R16 195/60R16 205/65R16 215/55R16 215/45R16",
    "X17": "195/45R17 205/45R17 205/55R17 215/40R17 215/50R17",
    "X18": "215/45R18 215/50R18 225/50R18 235/40R18 235/50R18",
    "X19": "195/50R19 235/35R19 235/40R19 235/45R19 255/40R19 255/45R19 275/40R19",
    "XSUV": "215/65R17 235/55R17 235/60R17 225/60R18 245/60R18 255/60R18 255/65R18 265/65R18 "
    "255/70R18 225/55R19 235/55R19 255/55R20 255/50R20 265/50R20 255/45R20 275/45R21 275/60R20",
    "XPU": "205/70R16 205/75R15 195/80R15 215/70R16 225/70R16 235/70R16 225/75R16 245/75R16 "
    "255/70R15 245/70R17 245/75R17 255/70R17 285/70R17",
}

# fmt: off
_LINES: tuple[_Line, ...] = (
    _Line("Michelin", "PRI4", "Primacy 4+", "auto", "highway", "premium", "205/55R16", 3150, "H",
          70_000, 60, "185/65R15 195/65R15 S16 S17 225/45R18 235/45R18 215/55R18 X17 X18 X19"),
    _Line("Michelin", "PRI3ZP", "Primacy 3 ZP", "auto", "highway", "premium", "205/55R16", 4250,
          "V", 0, 60, "205/55R16 225/45R17 225/50R17 245/45R18", 0.8, True),
    _Line("Michelin", "EXM2", "Energy XM2+", "auto", "highway", "premium", "175/70R14", 2050, "H",
          60_000, 60, "T13 T14 T15 195/55R16 205/55R16 X14 X15 X16", 1.4),
    _Line("Michelin", "PS4", "Pilot Sport 4", "auto", "performance", "premium", "225/45R17", 4350,
          "W", 0, 60, "205/55R16 S17 P18", 0.8),
    _Line("Michelin", "PS5", "Pilot Sport 5", "auto", "performance", "premium", "225/45R18", 5200,
          "Y", 0, 60, "215/45R17 225/45R17 P18 P19", 0.7),
    _Line("Michelin", "PSUV", "Primacy SUV+", "suv", "highway", "premium", "225/65R17", 4300, "H",
          70_000, 60, "215/65R16 U17 U18 255/60R19 XSUV"),
    _Line("Michelin", "LTXF", "LTX Force", "camioneta", "all_terrain", "premium", "265/70R17",
          5400, "T", 60_000, 60, "PU 235/75R15 XPU"),
    _Line("Michelin", "DLTX", "Defender LTX M/S2", "camioneta", "all_season", "premium",
          "265/70R17", 6100, "T", 110_000, 60, "PU 235/65R17 235/60R18 255/55R18"),
    _Line("Michelin", "AGI3", "Agilis 3", "comercial", "highway", "premium", "195/75R16C", 4200,
          "R", 0, 60, "VAN"),
    _Line("Continental", "PC6", "PremiumContact 6", "auto", "highway", "premium", "205/55R16",
          2890, "V", 0, 60, "185/65R15 195/65R15 S16 S17 P18 215/55R18"),
    _Line("Continental", "PC6SSR", "PremiumContact 6 SSR", "auto", "highway", "premium",
          "225/45R17", 4600, "W", 0, 60, "205/55R16 225/45R17 225/45R18 245/45R18", 0.8, True),
    _Line("Continental", "UC", "UltraContact", "auto", "highway", "premium", "185/65R15", 2150, "H",
          80_000, 60, "165/70R14 175/65R14 175/70R14 185/60R14 185/65R14 T15 S16", 1.1),
    _Line("Continental", "CCLX2", "CrossContact LX2", "suv", "all_season", "premium", "235/65R17",
          4500, "T", 80_000, 60, "215/65R16 U17 245/65R17 265/65R17 265/70R17 245/70R16 "
          "265/70R16 255/70R16 235/60R18 255/55R18 275/65R18 265/60R18"),
    _Line("Continental", "DWS06", "ExtremeContact DWS06 Plus", "auto", "performance", "premium",
          "225/45R17", 4100, "W", 80_000, 60, "S17 P18 P19", 0.8),
    _Line("Continental", "VC200", "VanContact 200", "comercial", "highway", "premium",
          "195/75R16C", 3900, "R", 0, 60, "VAN"),
    _Line("Pirelli", "CP1", "Cinturato P1", "auto", "highway", "mid", "205/55R16", 2240, "H",
          50_000, 60, "175/70R13 T14 T15 195/55R16 205/55R16 205/60R16 215/60R16", 1.2),
    _Line("Pirelli", "CP7", "Cinturato P7", "auto", "highway", "premium", "205/55R16", 3050, "V",
          0, 60, "S16 S17 225/45R18 235/45R18 245/45R18 215/55R18"),
    _Line("Pirelli", "CP7RF", "Cinturato P7 Run Flat", "auto", "highway", "premium", "225/45R17",
          4700, "W", 0, 60, "RF", 0.8, True),
    _Line("Pirelli", "PZERO", "P Zero", "auto", "performance", "premium", "225/40R18", 5600, "Y",
          0, 60, "215/45R17 225/45R17 P18 P19", 0.7),
    _Line("Pirelli", "SVERDE", "Scorpion Verde", "suv", "highway", "premium", "235/65R17", 4400,
          "H", 0, 60, "215/65R16 U17 U18 255/60R19"),
    _Line("Pirelli", "SATP", "Scorpion All Terrain Plus", "camioneta", "all_terrain", "premium",
          "265/70R17", 5600, "T", 0, 60, "PU LT245/75R16 LT265/70R17 LT275/65R18"),
    _Line("Pirelli", "CARR", "Carrier", "comercial", "highway", "mid", "195/75R16C", 3500, "R",
          0, 60, "195/70R15C 225/70R15C 195/75R16C 205/75R16C 215/65R16C"),
    _Line("Bridgestone", "EP150", "Ecopia EP150", "auto", "highway", "mid", "185/65R15", 1950, "H",
          0, 60, "T13 T14 T15 195/55R16 205/55R16", 1.1),
    _Line("Bridgestone", "T005", "Turanza T005", "auto", "highway", "premium", "205/55R16", 3000,
          "V", 0, 60, "195/65R15 S16 S17 225/45R18 235/45R18 215/55R18 225/55R18"),
    _Line("Bridgestone", "T005RFT", "Turanza T005 RFT", "auto", "highway", "premium", "205/55R16",
          4150, "V", 0, 60, "RF", 0.8, True),
    _Line("Bridgestone", "RE050RFT", "Potenza RE050A RFT", "auto", "performance", "premium",
          "245/45R18", 6200, "W", 0, 60, "225/45R17 225/40R18 245/45R18 245/40R19", 0.6, True),
    _Line("Bridgestone", "DHT684", "Dueler H/T 684 II", "camioneta", "highway", "premium",
          "265/70R17", 5300, "T", 0, 60, "PU 235/75R15"),
    _Line("Bridgestone", "DAT001", "Dueler A/T 001", "camioneta", "all_terrain", "premium",
          "265/70R17", 5600, "S", 0, 60, "PU LT265/70R17 LT265/75R16"),
    _Line("Bridgestone", "R250", "Duravis R250", "comercial", "highway", "premium", "195/75R16C",
          3900, "R", 0, 60, "VAN"),
    _Line("Goodyear", "AML", "Assurance MaxLife", "auto", "all_season", "premium", "205/55R16",
          2950, "H", 100_000, 60, "T14 T15 S16 215/55R17 225/55R17 225/60R17"),
    _Line("Goodyear", "EGP", "EfficientGrip Performance", "auto", "highway", "premium",
          "205/55R16", 2750, "V", 0, 60, "185/65R15 195/65R15 S16 S17"),
    _Line("Goodyear", "EF1A6", "Eagle F1 Asymmetric 6", "auto", "performance", "premium",
          "225/45R17", 4500, "Y", 0, 60, "215/45R17 225/45R17 225/50R17 P18 P19", 0.7),
    _Line("Goodyear", "WFHT", "Wrangler Fortitude HT", "camioneta", "highway", "premium",
          "265/70R17", 4900, "T", 80_000, 60, "PU 235/75R15 225/65R17 235/65R17"),
    _Line("Goodyear", "WWAT", "Wrangler Workhorse AT", "camioneta", "all_terrain", "mid",
          "265/70R17", 4700, "S", 0, 60, "245/70R16 265/70R16 265/75R16 245/65R17 265/65R17 "
          "265/70R17 275/65R18 275/55R20 LT245/75R16 LT265/70R17 LT275/65R18"),
    _Line("Goodyear", "CMAR2", "Cargo Marathon 2", "comercial", "highway", "mid", "195/75R16C",
          3300, "R", 0, 60, "195/70R15C 225/70R15C 195/75R16C 205/75R16C 215/65R16C"),
    _Line("Firestone", "F700", "F-700", "auto", "highway", "mid", "175/70R14", 1550, "H", 0, 60,
          "T13 T14 T15 195/55R16 205/55R16", 1.3),
    _Line("Firestone", "FH900", "Firehawk 900", "auto", "performance", "mid", "205/55R16", 2250,
          "V", 0, 60, "185/55R15 195/60R15 195/55R16 205/55R16 S17 225/45R18 235/45R18"),
    _Line("Firestone", "DLE3", "Destination LE3", "suv", "highway", "mid", "235/65R17", 3400, "H",
          0, 60, "215/65R16 U17 245/65R17 265/65R17 265/70R17 245/70R16 265/70R16 225/55R18 "
          "235/55R18 235/60R18"),
    _Line("Firestone", "DESTAT2", "Destination A/T2", "camioneta", "all_terrain", "mid",
          "265/70R17", 4200, "S", 0, 60, "PU 235/75R15 LT245/75R16 LT265/70R17 LT265/75R16"),
    _Line("BFGoodrich", "ADVC", "Advantage Control", "auto", "all_season", "mid", "205/55R16",
          2500, "H", 90_000, 60, "185/65R15 195/65R15 S16 215/55R17 225/50R17 225/55R17 "
          "225/60R17 235/65R17"),
    _Line("BFGoodrich", "KO2", "All-Terrain T/A KO2", "camioneta", "all_terrain", "premium",
          "LT265/70R17", 6900, "S", 80_000, 60, "LT FL LT265/70R16 LT245/70R17 LT275/70R18"),
    _Line("BFGoodrich", "KM3", "Mud-Terrain T/A KM3", "camioneta", "mud_terrain", "premium",
          "LT265/70R17", 7400, "Q", 0, 60, "LT245/75R16 LT265/75R16 LT265/70R17 LT275/65R18 "
          "LT285/70R17 FL", 0.7),
    _Line("Hankook", "KEX", "Kinergy EX", "auto", "highway", "mid", "185/65R15", 1700, "H", 0, 48,
          "T13 T14 T15 195/55R16 205/55R16 205/60R16 X14 X15 X16", 1.2),
    _Line("Hankook", "VP4", "Ventus Prime 4", "auto", "highway", "mid", "205/55R16", 2300, "V", 0,
          48, "185/65R15 195/65R15 S16 S17 225/45R18 235/45R18 X17 X18 X19"),
    _Line("Hankook", "DYNHT", "Dynapro HT", "suv", "highway", "mid", "235/65R17", 3300, "H", 0, 48,
          "215/65R16 U17 245/65R17 265/65R17 265/70R17 245/70R16 265/70R16 255/70R16 235/60R18 "
          "275/65R18 265/60R18 275/55R20 XPU"),
    _Line("Hankook", "DYNAT2", "Dynapro AT2", "camioneta", "all_terrain", "mid", "265/70R17",
          4300, "T", 0, 48, "245/70R16 265/70R16 265/75R16 265/65R17 265/70R17 245/65R17 "
          "275/65R18 265/60R18 LT245/75R16 LT265/75R16 LT265/70R17 LT275/65R18 31x10.50R15"),
    _Line("Yokohama", "AE51", "BluEarth-GT AE51", "auto", "highway", "mid", "205/55R16", 2400,
          "V", 0, 48, "185/65R15 195/65R15 S16 S17 225/45R18"),
    _Line("Yokohama", "G015", "Geolandar A/T G015", "camioneta", "all_terrain", "mid", "265/70R17",
          4600, "T", 0, 48, "215/65R16 235/65R17 PU 235/75R15 LT245/75R16 LT265/70R17 "
          "31x10.50R15"),
    _Line("Yokohama", "ADVS", "Advan Sport V105", "auto", "performance", "premium", "225/45R18",
          5000, "Y", 0, 48, "225/45R17 P18 P19", 0.6),
    _Line("Kumho", "PS71", "Ecsta PS71", "auto", "performance", "mid", "225/45R17", 2700, "W", 0,
          48, "205/55R16 S17 P18 245/40R19"),
    _Line("Kumho", "TA31", "Solus TA31", "auto", "all_season", "mid", "205/55R16", 2050, "H",
          80_000, 48, "T14 T15 S16 215/55R17 225/55R17 225/60R17"),
    _Line("Kumho", "HP71", "Crugen HP71", "suv", "highway", "mid", "235/65R17", 3300, "H", 0, 48,
          "215/65R16 U17 U18 245/65R17 265/65R17 255/60R19 275/55R20 265/60R18 XSUV"),
    _Line("General Tire", "RT45", "Altimax RT45", "auto", "all_season", "mid", "205/55R16", 2150,
          "H", 100_000, 60, "T14 T15 S16 215/55R17 225/55R17 225/60R17"),
    _Line("General Tire", "AT3", "Grabber AT3", "camioneta", "all_terrain", "mid", "265/70R17",
          4400, "T", 80_000, 60, "PU 235/75R15 LT 31x10.50R15"),
    _Line("General Tire", "HTS60", "Grabber HTS60", "camioneta", "highway", "mid", "265/70R17",
          3900, "T", 100_000, 60, "PU 235/75R15 225/65R17 235/65R17"),
    _Line("Euzkadi", "ED2", "Euro Drive 2", "auto", "highway", "economy", "175/70R14", 1350, "H",
          0, 60, "T13 T14 T15 195/55R16 205/55R16 205/60R16 215/60R16", 1.3),
    _Line("Euzkadi", "EVAN2", "Eurovan 2", "comercial", "highway", "economy", "195/75R16C", 2600,
          "R", 0, 60, "VAN"),
    _Line("Tornel", "REAL", "Real", "auto", "highway", "economy", "175/70R13", 1050, "T", 0, 48,
          "T13 T14 T15 195/55R16 205/55R16", 1.4),
    _Line("Tornel", "ASTRAL", "Astral", "auto", "highway", "economy", "185/65R15", 1400, "H", 0, 48,
          "T14 T15 S16 215/55R17 225/55R17 225/60R17 235/65R17"),
    _Line("Tornel", "AST820", "AST-820", "camioneta", "all_terrain", "economy", "LT235/75R15",
          2600, "R", 0, 48, "LT235/75R15 LT245/75R16 LT265/75R16 LT265/70R17 245/70R16 "
          "265/70R16 265/75R16 265/70R17 31x10.50R15"),
    _Line("Tornel", "CLASICA", "Clásica", "auto", "highway", "economy", "155/80R13", 950, "S", 0,
          48, "155/80R13 165/80R13 175/70R13 175/80R13 175/70R14 185/70R14", 0.8),
    _Line("Landsail", "LS388", "LS388", "auto", "highway", "economy", "185/65R15", 1250, "H", 0,
          36, "T13 T14 T15 S16 S17", 1.2),
    _Line("Landsail", "LS588", "LS588 UHP", "auto", "performance", "economy", "225/45R17", 1750,
          "W", 0, 36, "S17 P18 P19 X18 X19"),
    _Line("Landsail", "LSV88", "LSV88", "comercial", "highway", "economy", "195/75R16C", 2100, "R",
          0, 36, "VAN"),
    _Line("Sailun", "ATREL", "Atrezzo Elite", "auto", "highway", "economy", "185/65R15", 1300, "H",
          0, 36, "T14 T15 S16 215/55R17 225/55R17"),
    _Line("Sailun", "TERAT", "Terramax A/T", "camioneta", "all_terrain", "economy", "265/70R17",
          3100, "S", 0, 36, "PU LT FL"),
    _Line("Triangle", "TE301", "TE301", "auto", "highway", "economy", "185/65R15", 1200, "H", 0, 36,
          "T13 T14 T15 S16 X14 X15 X16"),
    _Line("Triangle", "TR257", "TR257", "suv", "highway", "economy", "235/65R17", 2300, "H", 0, 36,
          "215/65R16 U17 U18 245/65R17 265/65R17 265/70R17 245/70R16 265/70R16 275/55R20 "
          "255/60R19 XSUV"),
    _Line("Westlake", "RP18", "RP18", "auto", "highway", "economy", "175/70R13", 950, "T", 0, 36,
          "T13 T14 T15 S16 X14 X15"),
    _Line("Westlake", "SL369", "SL369 A/T", "camioneta", "all_terrain", "economy", "265/70R17",
          2900, "S", 0, 36, "PU 235/75R15 LT245/75R16 LT265/70R17 XPU"),
    _Line("Westlake", "H188", "H188", "comercial", "highway", "economy", "195/75R16C", 2000, "R",
          0, 36, "VAN"),
    _Line("Linglong", "HP010", "Green-Max HP010", "auto", "highway", "economy", "205/55R16", 1500,
          "V", 0, 36, "T15 S16 S17 P18 X17 X18 X19"),
    _Line("Dunlop", "SPTR1", "SP Touring R1", "auto", "highway", "mid", "185/65R15", 1700, "T", 0,
          48, "T13 T14 T15 205/55R16"),
    _Line("Dunlop", "AT5", "Grandtrek AT5", "camioneta", "all_terrain", "mid", "265/70R17", 4100,
          "S", 0, 48, "PU 235/75R15"),
    _Line("Nexen", "NBHDP", "N'blue HD Plus", "auto", "highway", "mid", "205/55R16", 1900, "V", 0,
          48, "T14 T15 S16 215/55R17 225/55R17"),
)
# fmt: on

BRANDS: tuple[str, ...] = tuple(dict.fromkeys(line.brand for line in _LINES))

# Load index by size (single-load, standard load); sizes not listed use _estimate_load_index.
_LOAD_INDEX: dict[str, int] = {
    "155/80R13": 79, "165/70R13": 79, "175/70R13": 82, "165/80R13": 83, "175/80R13": 86,
    "165/70R14": 81, "175/65R14": 82, "175/70R14": 84, "185/60R14": 82, "185/65R14": 86,
    "185/70R14": 88, "185/55R15": 82, "185/60R15": 84, "185/65R15": 88, "195/60R15": 88,
    "195/65R15": 91, "205/60R15": 91, "195/55R16": 87, "205/55R16": 91, "205/60R16": 92,
    "215/60R16": 95, "215/65R16": 98, "225/50R17": 94, "205/50R17": 93, "215/45R17": 91,
    "215/55R17": 94, "225/45R17": 94, "225/55R17": 97, "215/60R17": 96, "225/60R17": 99,
    "225/65R17": 102, "235/65R17": 104, "215/55R18": 95, "225/55R18": 98, "235/55R18": 100,
    "235/60R18": 103, "245/45R18": 100, "225/45R18": 95, "235/45R18": 94, "225/40R18": 92,
    "255/55R18": 109, "245/40R19": 98, "255/35R19": 96, "245/70R16": 107, "265/70R16": 112,
    "265/75R16": 116, "255/70R16": 111, "265/65R17": 112, "265/70R17": 115, "245/65R17": 107,
    "275/65R18": 116, "265/60R18": 110, "275/55R20": 113, "255/60R19": 108, "235/75R15": 109,
    "195/75R16C": 107, "195/70R15C": 104, "205/75R16C": 110, "225/70R15C": 112, "215/65R16C": 109,
    "225/65R16C": 112, "LT235/75R15": 104, "LT245/75R16": 120, "LT265/75R16": 123,
    "LT265/70R17": 121, "LT275/65R18": 123, "LT285/70R17": 121, "LT265/70R16": 121,
    "LT245/70R17": 119, "LT275/70R18": 125, "31x10.50R15": 109, "33x12.50R15": 108,
    "33x12.50R20": 114, "35x12.50R17": 121, "LT255/75R17": 115, "LT315/70R17": 121,
}  # fmt: skip

# Relative demand of a size in Mexico (1.0 = the best sellers); unknown sizes get _RARE_SIZE.
_SIZE_DEMAND: dict[str, float] = {
    "155/80R13": 0.35, "165/70R13": 0.3, "175/70R13": 0.6, "165/70R14": 0.6, "175/65R14": 0.65,
    "175/70R14": 0.9, "185/60R14": 0.45, "185/65R14": 0.6, "185/55R15": 0.55, "185/60R15": 0.75,
    "185/65R15": 1.0, "195/60R15": 0.5, "195/65R15": 0.85, "205/60R15": 0.35, "195/55R16": 0.5,
    "205/55R16": 1.0, "205/60R16": 0.55, "215/60R16": 0.5, "215/65R16": 0.7, "205/50R17": 0.25,
    "215/45R17": 0.3, "215/55R17": 0.5, "225/45R17": 0.4, "225/50R17": 0.35, "225/55R17": 0.4,
    "215/60R17": 0.4, "225/60R17": 0.35, "225/65R17": 0.55, "235/65R17": 0.4, "215/55R18": 0.35,
    "225/55R18": 0.35, "235/55R18": 0.3, "235/60R18": 0.3, "255/55R18": 0.15, "225/40R18": 0.15,
    "225/45R18": 0.2, "235/45R18": 0.15, "245/45R18": 0.18, "245/70R16": 0.35, "255/70R16": 0.2,
    "265/70R16": 0.45, "265/75R16": 0.3, "245/65R17": 0.25, "265/65R17": 0.3, "265/70R17": 0.45,
    "265/60R18": 0.25, "275/65R18": 0.2, "275/55R20": 0.15, "235/75R15": 0.25, "195/75R16C": 0.35,
    "195/70R15C": 0.25, "205/75R16C": 0.2, "215/65R16C": 0.2, "LT265/70R17": 0.2,
    "LT245/75R16": 0.15, "LT235/75R15": 0.15, "31x10.50R15": 0.12, "175/65R15": 0.4,
    "185/55R16": 0.4, "165/65R14": 0.3, "205/65R16": 0.3, "225/60R18": 0.3, "225/55R19": 0.2,
    "235/55R19": 0.2, "215/70R16": 0.25, "245/70R17": 0.25, "275/60R20": 0.2,
}  # fmt: skip
_RARE_SIZE = 0.08
_SIZE_SKEW = (
    3.0  # best-selling sizes concentrate demand (top decile of SKUs ~ two thirds of the units)
)
_TIER_DEMAND: dict[Tier, float] = {"economy": 1.0, "mid": 0.75, "premium": 0.4}
_POPULARITY_SCALE = 3.0  # popularity ~ units/day at a branch of weight 1.0 (db.demo.history)
_COST_RATIO: dict[Tier, tuple[float, float]] = {
    "premium": (0.70, 0.78), "mid": (0.66, 0.75), "economy": (0.62, 0.72),
}  # fmt: skip
_IVA = 1.16


def _sizes_of(line: _Line) -> list[str]:
    out: list[str] = []
    for token in line.sizes.split():
        out.extend(_GROUPS[token].split() if token in _GROUPS else [token])
    return list(dict.fromkeys(out))


def _aspect(size: TireSize) -> float:
    """Aspect ratio in percent; flotation sizes get the equivalent sidewall ratio."""
    if size.aspect is not None:
        return float(size.aspect)
    diameter, width = float(size.flotation_diameter or 0), float(size.flotation_width or 1)
    return (diameter - size.rim) / 2 / width * 100


def _is_light_truck(size: TireSize) -> bool:
    return size.prefix == "LT" or size.is_flotation


def _estimate_load_index(size: TireSize) -> int:
    """Regression fitted on the _LOAD_INDEX passenger sizes (max error 3)."""
    sidewall = size.width * _aspect(size) / 100
    estimate = 13.6 + 0.1695 * size.width + 0.176 * sidewall + 1.374 * size.rim
    if _is_light_truck(size) or size.commercial:
        estimate += 8
    return round(estimate)


def _speed_rating(line: _Line, size: TireSize) -> str:
    if _is_light_truck(size):
        return line.speed if line.speed in "QRS" else "S"
    if line.speed == "H" and size.rim <= 13:
        return "T"
    if line.speed == "H" and size.rim >= 18 and line.vehicle_type == "auto":
        return "V"
    if line.speed == "T" and size.rim >= 16 and line.vehicle_type == "auto":
        return "H"
    return line.speed


def _price_factor(line: _Line, size: TireSize) -> float:
    """List price of ``size`` relative to the line's reference size."""
    ref = parse_tire_size(line.ref_size)
    rim_step = 1.08 if line.vehicle_type in ("camioneta", "comercial") else 1.12
    factor = rim_step ** (size.rim - ref.rim) * (1 + 0.006 * (size.width - ref.width))
    factor *= 1 + 0.004 * (_aspect(ref) - _aspect(size))
    if _is_light_truck(size) and not _is_light_truck(ref):
        factor *= 1.18
    if size.commercial and not ref.commercial:
        factor *= 1.10
    return max(factor, 0.55)


def _size_code(size: TireSize) -> str:
    if size.is_flotation:
        width = (size.flotation_width or "").replace(".", "")
        return f"{size.flotation_diameter}X{width}R{size.rim}"
    return f"{size.prefix}{size.width}{size.aspect}{size.rim}{'C' if size.commercial else ''}"


def _brand_code(brand: str) -> str:
    return {"BFGoodrich": "BFG", "General Tire": "GEN"}.get(brand, brand[:3].upper())


def _net_for_round_shelf_price(gross_cents: int) -> int:
    """A net price whose IVA-inclusive price is exactly a multiple of $10 near ``gross_cents``.

    Half-up IVA rounding cannot reach every gross amount; the next $10 step up always can.
    """
    for step in range(20):
        net = net_for_shelf_price(gross_cents + step * 1000)
        if with_iva(net) == gross_cents + step * 1000:
            return net
    raise RuntimeError(f"no net price reaches {gross_cents}")  # pragma: no cover


def build_catalog(seed: int = 7) -> list[ProductSpec]:
    """Build the demo catalogue.

    Args:
        seed: drives the small price, cost and popularity variations; SKUs, sizes and the
            product mix do not depend on it.

    Returns:
        The SKUs, ordered by line then size; ``sku`` is unique and ASCII.
    """
    rng = np.random.default_rng(seed)
    specs: list[ProductSpec] = []
    for line in _LINES:
        for raw in _sizes_of(line):
            size = parse_tire_size(raw)
            canonical = size.canonical
            price_iva = line.ref_price_iva * _price_factor(line, size) * rng.uniform(0.96, 1.04)
            # Shelf prices are IVA-inclusive round numbers ($2,890); the net is derived exactly.
            price_net_cents = _net_for_round_shelf_price(round(price_iva / 10) * 1000)
            low, high = _COST_RATIO[line.tier]
            cost_pesos = round(price_net_cents / 100 * rng.uniform(low, high))
            demand = _SIZE_DEMAND.get(canonical, _RARE_SIZE) ** _SIZE_SKEW * _TIER_DEMAND[line.tier]
            popularity = _POPULARITY_SCALE * demand * line.pop * rng.lognormal(0.0, 0.6)
            load_index = _LOAD_INDEX.get(canonical) or _estimate_load_index(size)
            specs.append(
                ProductSpec(
                    sku=f"{_brand_code(line.brand)}-{line.code}-{_size_code(size)}",
                    brand=line.brand,
                    line=line.name,
                    size=canonical,
                    load_index=load_index,
                    speed_rating=_speed_rating(line, size),
                    run_flat=line.run_flat,
                    vehicle_type=line.vehicle_type,
                    terrain=line.terrain,
                    tier=line.tier,
                    price_cents=price_net_cents,
                    cost_cents=cost_pesos * 100,
                    warranty_km=line.warranty_km,
                    warranty_months=line.warranty_months,
                    popularity=round(float(popularity), 4),
                )
            )
    skus = [spec.sku for spec in specs]
    if len(set(skus)) != len(skus):  # pragma: no cover - guards edits to the tables above
        raise RuntimeError("duplicate SKU in the demo catalogue")
    return specs
