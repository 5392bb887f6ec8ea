"""What a described tire problem is for the warranty (knowledge_base/content/garantia.md):
a manufacturing defect, road hazard, misuse, wear... read from problem codes or lay words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from domain.diagnosis import diagnose
from domain.text import fold_words


class Cause(StrEnum):
    """What a problem is for the warranty."""

    DEFECT = "defect"  # materials or workmanship of the factory: covered
    EVEN_WEAR = "even_wear"  # worn out evenly: only a line's mileage warranty
    UNCLEAR = "unclear"  # a defect or not: the technician tells
    ROAD_HAZARD = "road_hazard"  # punctures, nails, cuts, impacts
    MISUSE = "misuse"  # low pressure, overload, racing, wrong size or use
    IMPROPER_REPAIR = "improper_repair"
    ACCIDENT = "accident"  # crash, fire, chemicals, vandalism
    IRREGULAR_WEAR = "irregular_wear"  # alignment, suspension, pressure
    COMFORT = "comfort"  # noise or feel
    NOT_TIRE = "not_tire"  # the pressure warning light, a sensor


EXCLUDED = frozenset(
    {
        Cause.ROAD_HAZARD,
        Cause.MISUSE,
        Cause.IMPROPER_REPAIR,
        Cause.ACCIDENT,
        Cause.IRREGULAR_WEAR,
        Cause.COMFORT,
        Cause.NOT_TIRE,
    }
)
# When a description shows several, the first in this order decides: an exclusion beats a
# defect ("rodé desinflada y se separó" is misuse), a defect beats a doubt.
PRIORITY: tuple[Cause, ...] = (
    Cause.ROAD_HAZARD,
    Cause.ACCIDENT,
    Cause.IMPROPER_REPAIR,
    Cause.MISUSE,
    Cause.IRREGULAR_WEAR,
    Cause.DEFECT,
    Cause.EVEN_WEAR,
    Cause.UNCLEAR,
    Cause.COMFORT,
    Cause.NOT_TIRE,
)


@dataclass(frozen=True)
class ProblemRule:
    """How the warranty treats one problem code, and why (Spanish, for the customer)."""

    cause: Cause
    reason: str


_ROAD = (
    "Ponchaduras, clavos, cortes y golpes son riesgo de camino: la garantía del fabricante no "
    "los cubre, aunque la llanta sea nueva."
)
_MISUSE = (
    "Sobrecarga, competencias, un uso distinto al indicado o una medida o índice de carga "
    "incorrectos no los cubre la garantía."
)

# Problem codes: those of domain.diagnosis, and the warranty's own.
RULES: dict[str, ProblemRule] = {
    "separation": ProblemRule(
        Cause.DEFECT,
        "La separación de la banda sin golpe es defecto de fabricación: la cubre la garantía "
        "del fabricante, una vez que el técnico la dictamina.",
    ),
    "defect": ProblemRule(
        Cause.DEFECT,
        "Un defecto de materiales o de hechura lo cubre la garantía del fabricante, una vez que "
        "el técnico lo dictamina.",
    ),
    "bulge": ProblemRule(
        Cause.UNCLEAR,
        "Un chipote casi siempre es un golpe (bache o banqueta): eso es riesgo de camino y no se "
        "cubre. Si el técnico no encuentra impacto, se trata como defecto de fabricación.",
    ),
    "pulling": ProblemRule(
        Cause.UNCLEAR,
        "Si se jala puede ser conicidad de la llanta (defecto, cubierto) o alineación (no "
        "cubierta): el técnico lo prueba cruzando las llantas.",
    ),
    "slow_leak": ProblemRule(
        Cause.UNCLEAR,
        "Una fuga por el hule es defecto; por un clavo, la válvula o el rin no lo es: el técnico "
        "la revisa en agua.",
    ),
    "vibration": ProblemRule(
        Cause.UNCLEAR,
        "Una llanta deformada de origen es defecto; el balanceo o un rin golpeado no lo son: el "
        "técnico la revisa en la balanceadora.",
    ),
    "cracks": ProblemRule(
        Cause.UNCLEAR,
        "Grietas prematuras en una llanta joven pueden ser defecto; las del sol, la edad o la "
        "poca presión no se cubren.",
    ),
    "puncture": ProblemRule(Cause.ROAD_HAZARD, _ROAD),
    "puncture_shoulder": ProblemRule(Cause.ROAD_HAZARD, _ROAD),
    "impact": ProblemRule(Cause.ROAD_HAZARD, _ROAD),
    "cut": ProblemRule(Cause.ROAD_HAZARD, _ROAD),
    "uneven_wear": ProblemRule(
        Cause.IRREGULAR_WEAR,
        "El desgaste disparejo viene de la alineación, la suspensión o la presión: no lo cubre "
        "la garantía.",
    ),
    "even_wear": ProblemRule(
        Cause.EVEN_WEAR,
        "El desgaste parejo es desgaste normal: sólo lo cubre la garantía de kilometraje de la "
        "línea.",
    ),
    "low_pressure": ProblemRule(
        Cause.MISUSE,
        "Rodar con baja presión o sin aire daña la llanta por dentro: no lo cubre la garantía.",
    ),
    "overload": ProblemRule(Cause.MISUSE, _MISUSE),
    "racing": ProblemRule(Cause.MISUSE, _MISUSE),
    "wrong_size": ProblemRule(Cause.MISUSE, _MISUSE),
    "improper_repair": ProblemRule(
        Cause.IMPROPER_REPAIR,
        "Una llanta reparada de forma incorrecta o con tapón por fuera pierde la garantía.",
    ),
    "accident": ProblemRule(
        Cause.ACCIDENT,
        "Los daños por accidente, fuego, químicos o vandalismo no los cubre la garantía.",
    ),
    "noise": ProblemRule(
        Cause.COMFORT,
        "El ruido o la sensación al manejar (confort) no los cubre la garantía, salvo que el "
        "técnico compruebe un defecto.",
    ),
    "warning_light": ProblemRule(
        Cause.NOT_TIRE,
        "El testigo de presión indica aire bajo o un sensor: no es una falla de la llanta.",
    ),
}
ProblemCode = Literal[
    "separation",
    "defect",
    "bulge",
    "pulling",
    "slow_leak",
    "vibration",
    "cracks",
    "puncture",
    "puncture_shoulder",
    "impact",
    "cut",
    "uneven_wear",
    "even_wear",
    "low_pressure",
    "overload",
    "racing",
    "wrong_size",
    "improper_repair",
    "accident",
    "noise",
    "warning_light",
]  # the keys of RULES (a test keeps them equal)
NO_PROBLEM_REASON = (
    "Está dentro del plazo: el técnico revisa la llanta por dentro y por fuera y dictamina si es "
    "defecto de fabricación (cubierto) o daño del camino o del uso (no cubierto)."
)

# Words the diagnosis rules do not look for but the warranty turns on.
_WARRANTY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("impact", re.compile(r"\b(?:golpe\w*|bache\w*|banqueta\w*|tope\w*|pozo|zanja)\b")),
    ("cut", re.compile(r"\b(?:cortad\w*|corte\w*|rajad\w*|raja|tajo|navaja\w*)\b")),
    (
        "low_pressure",
        re.compile(
            r"\b(?:rod\w* (?:desinflad\w*|ponchad\w*|baja|sin aire)|(?:desinflad\w*|ponchad\w*) "
            r"(?:varios|muchos|un buen|kilometros|km)|sin aire (?:varios|kilometros|km))\b"
        ),
    ),
    (
        "overload",
        re.compile(r"\b(?:sobrecarg\w*|sobrepeso|sobre peso|mucho peso|cargad\w* de mas)\b"),
    ),
    ("racing", re.compile(r"\b(?:arrancon\w*|competencia\w*|carrera\w*|pista|drift\w*)\b")),
    ("wrong_size", re.compile(r"\b(?:otra medida|medida equivocada|medida incorrecta)\b")),
    (
        "improper_repair",
        re.compile(r"\b(?:tapon\w*|tapita|mal (?:reparad|parchad|vulcanizad)\w*)\b"),
    ),
    (
        "accident",
        re.compile(
            r"\b(?:choque\w*|choco|accidente\w*|fuego|incendi\w*|quemad\w*|quimic\w*|vandal\w*"
            r"|acuchill\w*)\b"
        ),
    ),
    (
        "even_wear",
        re.compile(
            r"\b(?:parej\w*|uniforme\w*|se acab\w*|ya no tiene (?:dibujo|piso)|lisa\w*|pelon\w*)\b"
        ),
    ),
)


# "no le pegué a ningún bache", "sin golpe": the customer rules the impact out.
_NO_IMPACT = re.compile(
    r"\b(?:no|ni|nunca|sin)\b(?:\s+\w+){0,4}?\s*\b(?:golpe\w*|bache\w*|banqueta\w*|tope\w*)\b"
)


def problem_codes(text: str) -> list[str]:
    """The warranty problem codes a lay description shows (may be empty)."""
    words = fold_words(text)
    codes = [p.code for p in diagnose(text) if p.code in RULES]
    codes += [code for code, pattern in _WARRANTY_WORDS if pattern.search(words)]
    if "impact" in codes and _NO_IMPACT.search(words):
        codes = [c for c in codes if c != "impact"]
    if "even_wear" in codes:
        # diagnose() reads any "desgaste" as uneven; "se gastó parejo" is the mileage claim.
        codes = [c for c in codes if c != "uneven_wear"]
    return list(dict.fromkeys(codes))


def deciding(codes: list[str]) -> str | None:
    """The problem code that decides the warranty (see PRIORITY), or None for none."""
    known = [c for c in codes if c in RULES]
    if not known:
        return None
    return min(known, key=lambda c: PRIORITY.index(RULES[c].cause))
