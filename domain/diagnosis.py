"""Tire trouble by symptoms: what a customer describes in lay words → the likely causes, how
urgent it is, what to check, the shop services that fix it, and the one question that tells
the causes apart. Pure rules over folded text (no I/O); the support tool adds prices.

The rules are written for how people describe car trouble on WhatsApp ("el volante tiembla
arriba de 90", "se me jala pa la derecha", "tiene un chipote"), not in a manual's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.text import fold_words


class Urgency(StrEnum):
    """How soon the car must be looked at."""

    STOP = "stop"  # do not drive on it (beyond the nearest shop, slowly)
    SOON = "soon"  # within days; avoid highway speed meanwhile
    ROUTINE = "routine"  # at the next visit


@dataclass(frozen=True)
class Problem:
    """One kind of tire trouble."""

    code: str
    title: str
    summary: str  # what it most likely is, in one or two sentences, for the customer
    causes: tuple[str, ...]
    urgency: Urgency
    checks: tuple[str, ...]  # what the customer can look at now
    services: tuple[str, ...]  # shop service codes (domain.services) that fix it
    question: str | None  # the one question that separates the causes
    replace: bool = False  # the tire itself must be replaced
    answered: str | None = None  # words that show the description already answers the question

    def asks(self, text: str) -> str | None:
        """The question, unless the description already answers it."""
        if self.question is None:
            return None
        if self.answered and re.search(self.answered, fold_words(text)):
            return None
        return self.question


_PUNCTURE = r"ponch\w*|clav\w*|tornillo|pija|pinch\w*|agujer\w*|hoyo|perfor\w*|se me fue el aire"
_SIDE = r"hombro|orilla|costado|lateral|pared|canto|esquina|borde|cara de la llanta"

PROBLEMS: tuple[Problem, ...] = (
    Problem(
        code="puncture_shoulder",
        title="Ponchadura en el hombro o el costado",
        summary=(
            "Una ponchadura en el hombro (la orilla) o en el costado no se puede reparar de forma "
            "segura: esa zona se flexiona al rodar y el parche no aguanta. Hay que cambiar la "
            "llanta."
        ),
        causes=("clavo o tornillo en la zona que se flexiona",),
        urgency=Urgency.STOP,
        checks=("pon la refacción y no la ruedes desinflada: se daña por dentro",),
        services=("installation", "balancing"),
        question=None,
        replace=True,
    ),
    Problem(
        code="puncture",
        title="Ponchadura",
        summary=(
            "Si el clavo está en la banda (la parte que pisa) y el agujero mide menos de 6 mm, "
            "sí se repara con parche-tapón por dentro. Si está en el hombro o en el costado, o la "
            "rodaste desinflada, ya no se puede reparar y hay que cambiarla."
        ),
        causes=("clavo, tornillo o vidrio en el camino",),
        urgency=Urgency.SOON,
        checks=(
            "no saques el clavo hasta llegar al taller",
            "si pierde aire rápido, pon la refacción",
        ),
        services=("balancing",),
        question="¿Dónde quedó el clavo: en medio de la banda o cerca de la orilla/costado?",
        answered=r"\b(?:banda|en medio|centro|piso|donde pisa)\b",
    ),
    Problem(
        code="blowout",
        title="Llanta reventada en el camino",
        summary=(
            "Si se te tronó una llanta: enciende las intermitentes, oríllate en un lugar seguro "
            "fuera del carril y pon el triángulo a unos 30 m. Para poner la refacción: afloja "
            "los birlos con el carro en el piso, levántalo con el gato en el punto marcado, "
            "cambia la llanta, aprieta los birlos en estrella y bájalo."
        ),
        causes=("poca presión por tiempo", "golpe fuerte", "sobrecarga o calor"),
        urgency=Urgency.STOP,
        checks=("si no te sientes seguro en la vía rápida, pide grúa o auxilio vial",),
        services=("installation", "balancing"),
        question=None,
        replace=True,
    ),
    Problem(
        code="bulge",
        title="Chipote o burbuja",
        summary=(
            "Un chipote (burbuja) en la llanta es una cuerda interna rota, casi siempre por un "
            "golpe fuerte (bache, banqueta). Puede reventar: no se repara, hay que cambiarla."
        ),
        causes=(
            "golpe contra bache o banqueta",
            "llanta baja de aire al pegar",
            "defecto de fabricación (raro)",
        ),
        urgency=Urgency.STOP,
        checks=("cámbiala por la refacción y evita carretera",),
        services=("installation", "balancing", "alignment"),
        question=None,
        replace=True,
    ),
    Problem(
        code="separation",
        title="Separación de la banda",
        summary=(
            "Si la banda se separa o se levanta, la llanta puede desprenderse: deja de usarla. "
            "Puede ser defecto de fabricación, que cubre la garantía tras revisarla."
        ),
        causes=("defecto de fabricación", "rodar muy baja de aire o con sobrecarga"),
        urgency=Urgency.STOP,
        checks=("guarda tu folio o ticket de compra para la garantía",),
        services=("installation",),
        question=None,
        replace=True,
    ),
    Problem(
        code="vibration",
        title="Vibración",
        summary=(
            "Una vibración que aparece en carretera (arriba de 80–90 km/h) casi siempre es "
            "balanceo; si empezó justo después de cambiar llantas, es balanceo o un birlo mal "
            "apretado. Si vibra a baja velocidad, puede ser una llanta deformada o un chipote."
        ),
        causes=(
            "llantas desbalanceadas (pesas faltantes)",
            "birlos mal apretados tras un cambio",
            "llanta deformada o con chipote",
            "rin golpeado",
        ),
        urgency=Urgency.SOON,
        checks=("revisa que ninguna llanta tenga chipotes", "que los birlos estén apretados"),
        services=("balancing",),
        question=(
            "¿A qué velocidad empieza y dónde la sientes: en el volante (llantas de adelante) o en "
            "el asiento (las de atrás)?"
        ),
        answered=r"\b(?:\d{2,3}|carretera|autopista|volante|asiento)\b",
    ),
    Problem(
        code="pulling",
        title="El carro se jala hacia un lado",
        summary=(
            "Si el carro se jala hacia un lado, lo más común es la alineación; también una "
            "llanta con menos aire que la otra. Si solo se jala al frenar, son los frenos."
        ),
        causes=(
            "alineación fuera de rango",
            "presión desigual entre las llantas de adelante",
            "llanta con defecto de conicidad (se prueba cruzándolas)",
            "frenos (si es solo al frenar)",
        ),
        urgency=Urgency.SOON,
        checks=("revisa que las dos llantas de adelante tengan la misma presión",),
        services=("alignment",),
        question="¿Se jala todo el tiempo o solo cuando frenas?",
        answered=r"\b(?:siempre|todo el tiempo|fren\w*)\b",
    ),
    Problem(
        code="uneven_wear",
        title="Desgaste disparejo",
        summary=(
            "El desgaste dice la causa: gastada de las dos orillas es poca presión; del centro, "
            "exceso de presión; de una sola orilla, alineación; a parches (ondulado), "
            "amortiguadores o balanceo."
        ),
        causes=(
            "presión baja (orillas) o alta (centro)",
            "alineación (una orilla)",
            "amortiguadores o balanceo (a parches)",
            "falta de rotación",
        ),
        urgency=Urgency.ROUTINE,
        checks=("revisa la presión en frío con la etiqueta de la puerta",),
        services=("alignment", "balancing"),
        question="¿Dónde se gasta: en las dos orillas, en el centro, en una sola orilla o a parches?",
        answered=r"\b(?:orillas?|centro|en medio|parches|un lado|por dentro|por fuera|ondulad\w*)\b",
    ),
    Problem(
        code="slow_leak",
        title="Pierde aire poco a poco",
        summary=(
            "Si una llanta se baja poco a poco, suele ser un clavo pequeño, la válvula o el "
            "asiento del rin (corrosión). Se revisa en agua en el taller en unos minutos."
        ),
        causes=("clavo pequeño en la banda", "válvula dañada", "rin corroído o golpeado"),
        urgency=Urgency.SOON,
        checks=("échale agua con jabón: donde salen burbujas está la fuga",),
        services=("valves",),
        question="¿Cada cuánto la tienes que inflar?",
        answered=r"\b(?:cada|diario|diaria|semana|dias?|noche)\b",
    ),
    Problem(
        code="cracks",
        title="Grietas o llanta reseca",
        summary=(
            "Las grietas (llanta reseca o cuarteada) son envejecimiento del hule por sol y edad. "
            "Si son finas y superficiales se vigilan; si son profundas o la llanta tiene más de "
            "6 años, conviene cambiarla."
        ),
        causes=("edad de la llanta", "sol y poca presión por mucho tiempo"),
        urgency=Urgency.ROUTINE,
        checks=("busca el DOT en el costado: los últimos 4 dígitos son semana y año",),
        services=(),
        question="¿Qué dicen los últimos 4 números del DOT en el costado?",
    ),
    Problem(
        code="noise",
        title="Ruido",
        summary=(
            "Un zumbido que sube con la velocidad suele ser desgaste disparejo (falta rotación o "
            "alineación) o un balero; las llantas de tacos (AT/MT) también son más ruidosas."
        ),
        causes=("desgaste disparejo", "balero (rodamiento) dañado", "dibujo de la llanta"),
        urgency=Urgency.ROUTINE,
        checks=("pasa la mano por la banda: si se siente en escalones, es desgaste disparejo",),
        services=("alignment", "balancing"),
        question="¿El ruido cambia al dar vuelta hacia un lado?",
        answered=r"\b(?:vuelta|curva|doblar|girar)\b",
    ),
    Problem(
        code="warning_light",
        title="Testigo de presión encendido",
        summary=(
            "El testigo de presión (TPMS) se enciende cuando una llanta tiene 25% menos aire de "
            "lo indicado; también tras cambiar llantas si el sensor no se reprogramó."
        ),
        causes=("llanta baja de aire", "sensor sin programar o con pila baja"),
        urgency=Urgency.SOON,
        checks=("revisa la presión de las cuatro en frío",),
        services=("nitrogen",),
        question=None,
    ),
    Problem(
        code="tire_age",
        title="Edad de la llanta",
        summary=(
            "La fecha viene en el código DOT del costado: los últimos 4 números son semana y año "
            "de fabricación (2318 = semana 23 de 2018). Aunque se vea nueva, una llanta de más de "
            "6 años ya perdió elasticidad (el hule se reseca por dentro); a los 10 años se cambia "
            "siempre. Ojo con las de tianguis: pueden ser viejas o reparadas."
        ),
        causes=("envejecimiento del hule",),
        urgency=Urgency.ROUTINE,
        checks=("busca 'DOT' en el costado y lee los últimos 4 números",),
        services=(),
        question="¿Qué dicen los últimos 4 números del DOT?",
    ),
)
BY_CODE: dict[str, Problem] = {p.code: p for p in PROBLEMS}

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "blowout",
        re.compile(
            r"\b(?:se (?:me |le )?(?:acaba de |acabo de )?(?:tron|revent|explot)\w*|trono|tronada|revento|reventada|exploto)\b"
        ),
    ),
    (
        "separation",
        re.compile(
            r"\b(?:se (?:le )?(?:esta )?(?:separa|despega|levanta|desprende)\w*|separacion|separand\w*|despegad\w*|desprendid\w*)\b"
        ),
    ),
    (
        "bulge",
        re.compile(
            r"\b(?:chipote\w*|burbuja\w*|bolita|bola|bulto|hinchad\w*|abultad\w*|huevo|ampolla)\b"
        ),
    ),
    (
        "puncture_shoulder",
        re.compile(rf"\b(?:{_PUNCTURE})\b.*\b(?:{_SIDE})\b|\b(?:{_SIDE})\b.*\b(?:{_PUNCTURE})\b"),
    ),
    ("puncture", re.compile(rf"\b(?:{_PUNCTURE}|parch\w*|vulcaniz\w*|talach\w*)\b")),
    (
        "vibration",
        re.compile(
            r"\b(?:vibra\w*|tiembl\w*|temblor\w*|bailote\w*|zangolote\w*|cimbr\w*|brinca\w*|tambale\w*)\b"
        ),
    ),
    (
        "pulling",
        re.compile(
            r"\b(?:se (?:me )?(?:jala|carga|desvia|cuelga|ladea)\w*|se (?:me )?va (?:de lado|chueco|pa|para|hacia)|jalone\w*|jala (?:pa|para|hacia)|se va de lado|se va chueco)\b"
        ),
    ),
    (
        "uneven_wear",
        re.compile(
            r"\b(?:desgast\w*|se (?:me |le |les )?(?:esta |estan )?(?:comiendo|gastando|come|gasta|gastaron|comieron|acabaron)\w*|gastad\w*|comid\w*)\b"
        ),
    ),
    (
        "slow_leak",
        re.compile(
            r"\b(?:pierde aire|perdiendo aire|se (?:me |le )?(?:esta |estan )?(?:baj|desinfl)\w*|baja de aire|se (?:me |le )?sale el aire|bajita|llanta baja|tengo (?:que|q) inflar\w*|(?:echar|echarle|ponerle|meterle) aire)\b"
        ),
    ),
    ("cracks", re.compile(r"\b(?:griet\w*|cuartead\w*|resec\w*|agrietad\w*|craquelad\w*)\b")),
    ("noise", re.compile(r"\b(?:ruido\w*|zumb\w*|chill\w*|rechin\w*|suena\w*|tronid\w*)\b")),
    (
        "warning_light",
        re.compile(
            r"\b(?:foquito|testigo|luz (?:de|del) (?:la )?(?:llanta|presion)|sensor\w*|tpms)\b"
        ),
    ),
    (
        "tire_age",
        re.compile(
            r"\b(?:de que ano|que edad|cuantos anos|caducidad|caduca\w*|fecha de fabricacion|dot|son viejas|se ven como nuevas|(?:numerito|numero|codigo|ovalito)\b.*\b\d{4}|dice \d{4}|ya no sirven|tianguis)\b"
        ),
    ),
)


_NO_NAIL = re.compile(
    r"\b(?:no|ni) (?:le |se le )?(?:ve|ven|veo|vi|nota|tiene|trae|encuentro|encontre|hay|encontraron|vieron)\s+"
    r"(?:ningun |nada de |ni un |algun )?(?:clavo|tornillo|pija|nada)\b|\bsin (?:clavo|tornillo)\b"
)


def diagnose(text: str) -> list[Problem]:
    """The problems a description points to, most specific first (may be empty)."""
    words = fold_words(text)
    found = [BY_CODE[code] for code, pattern in _RULES if pattern.search(words)]
    if _NO_NAIL.search(words):
        # "pierde aire y no le veo ningún clavo": the leak is the valve, the bead or the rim.
        found = [p for p in found if p.code not in ("puncture", "puncture_shoulder")]
    if any(p.code == "puncture_shoulder" for p in found):
        found = [p for p in found if p.code != "puncture"]
    return found


@dataclass(frozen=True)
class DotDate:
    """A DOT date code: week and year of manufacture."""

    week: int
    year: int

    def age_years(self, today_year: int, today_week: int) -> int:
        """Whole years since manufacture."""
        return today_year - self.year - (1 if today_week < self.week else 0)


_DOT_CODE = re.compile(r"(?<!\d)(\d{2})(\d{2})(?!\d)")


def dot_date(text: str, *, current_year: int) -> DotDate | None:
    """The DOT date in a message ("dice 1819", "DOT 2318"): four digits, week 01–53 and a year
    not in the future; None when there is none."""
    for match in _DOT_CODE.finditer(fold_words(text)):
        week, year = int(match[1]), 2000 + int(match[2])
        if 1 <= week <= 53 and year <= current_year:
            return DotDate(week, year)
    return None
