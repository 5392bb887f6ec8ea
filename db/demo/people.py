"""Deterministic Mexican names, phones and companies for demo customers, drivers and suppliers."""

from __future__ import annotations

import random

FIRST = (
    "Juan", "María", "José", "Guadalupe", "Luis", "Ana", "Carlos", "Sofía", "Miguel", "Fernanda",
    "Jorge", "Daniela", "Alejandro", "Valeria", "Ricardo", "Mariana", "Roberto", "Gabriela",
    "Francisco", "Paola", "Eduardo", "Andrea", "Javier", "Karla", "Héctor", "Lucía", "Arturo",
    "Ximena", "Raúl", "Regina", "Sergio", "Diana", "Fernando", "Claudia", "Manuel", "Verónica",
)  # fmt: skip
LAST = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres",
    "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Castillo", "Moreno", "Romero",
    "Chávez", "Rivera", "Juárez", "Domínguez", "Salazar", "Herrera", "Medina", "Guerrero",
)  # fmt: skip
# Area codes per branch city: CDMX 55/56, Guadalajara 33, Monterrey 81.
AREA = {"CDMX": ("55", "56"), "GDL": ("33",), "MTY": ("81",)}
CITY = {"CDMX": "Ciudad de México", "GDL": "Guadalajara", "MTY": "Monterrey"}
DEALERS = (
    "Llantas y Servicios {}", "Autocentro {}", "Servicio Automotriz {}", "Grupo Automotriz {}",
    "Llantera {}", "Distribuidora de Llantas {}", "Multillantas {}",
)  # fmt: skip
FLEETS = (
    "Transportes {}", "Logística {} del Centro", "Paquetería Express {}", "Fletes {}",
    "Reparto {}", "Taxis Ejecutivos {}",
)  # fmt: skip


def person(rng: random.Random) -> str:
    """A full name: first name and two surnames."""
    return f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"


def phone(rng: random.Random, branch: str, used: set[str]) -> str:
    """A unique Mexican mobile number in E.164 (+52 and ten digits)."""
    while True:
        number = f"+52{rng.choice(AREA[branch])}{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def rfc_company(rng: random.Random, name: str) -> str:
    """A plausible (not real) company RFC: three letters, a date and a homoclave."""
    letters = "".join(c for c in name.upper() if c.isalpha())[:3].ljust(3, "X")
    return f"{letters}{rng.randrange(90, 100):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.choice('ABC')}{rng.randrange(10)}{rng.choice('AB')}"


def fold_domain(name: str) -> str:
    """A lower-case ASCII domain label from a company name."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", name.split("(")[0]).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())[:24]
