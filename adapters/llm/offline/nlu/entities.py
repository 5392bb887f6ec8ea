"""Entity extractors that need no vocabulary: sizes, folios, quantities, prices, choices."""

from __future__ import annotations

import re

from adapters.llm.offline.nlu.lexicon import NUMBER_WORDS as LEXICON_NUMBERS
from core.errors import InvalidRequest
from domain.orders import format_folio
from domain.tire_size import parse_tire_size

# Run on folded original text: "P205/55R16 91V", "205 55 16", "205/55/16", "20555r16",
# "205/55 rin 16", "LT265/70R17", "195/65R16C".
METRIC_SIZE = re.compile(
    r"(?<![\w.])(lt|p|st|t)?\s?(\d{3})\s?[/\-\s]?\s?(\d{2})\s?[/\-]?\s?"
    r"(zr|r|d|b|\s?rin\s?|\s)?\s?[\-/]?\s?(\d{2}(?:\.5)?)(c)?(?![\w/]|\.\d)"
)
FLOTATION_SIZE = re.compile(
    r"(?<![\w.])(\d{2}(?:\.\d)?)\s?x\s?(\d{1,2}(?:\.\d{1,2})?)\s?[\-/]?\s?(r|d|b)?\s?-?\s?"
    r"(\d{2})(?:\s?lt)?(?![\w/]|\.\d)"
)
_FOLIO_TL = re.compile(r"\btl[\s\-]?(\d{1,9})\b")
_FOLIO_WORD = re.compile(
    r"\b(?:folio|pedido|pedidos|numero de pedido)\s+(?:(?:es|el|numero|num|no|n)\s+){0,3}"
    r"(?:tl[\s\-]?)?(\d{3,9})\b"
)
# "once" (11) is left out of quantities: "llantas once" is rarer than the eleven o'clock hour.
NUMBER_WORDS = {word: n for word, n in LEXICON_NUMBERS.items() if word != "once"}
_NUM = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
_UNIT = (
    r"(?:llantas?|piezas?|pzas?|unidades|neumaticos|de esas|de esa medida|iguales|zmedida|"
    r"de zmedida)"
)
_QUANTITY = (
    (re.compile(r"\b(?:un|1|el) juego\b|\bjuego completo\b|\blas cuatro ruedas\b"), 4),
    (re.compile(r"\b(?:un|1|el) par\b|\bpar de\b"), 2),
)
_QUANTITY_N = (
    re.compile(r"\bjuegos? de " + _NUM + r"\b"),
    re.compile(r"(?<!menos de )(?<!mas de )\b" + _NUM + r"\s+" + _UNIT + r"\b"),
    re.compile(
        r"\b(?:necesito|necesitamos|quiero|queremos|dame|deme|me das|me llevo|llevo|"
        r"serian|son|solo|nomas|apartame|aparta|quisiera|compro|cotizame)\s+(?:las\s+)?"
        + _NUM
        + r"\b(?!\s*(?:de la|am|pm|:|hrs|mil|pesos|dias))"
    ),
    re.compile(r"(?<!\ba )(?<!\bpara )\blas\s+" + _NUM + r"\b(?!\s*(?:de la|am|pm|:|hrs|y media))"),
    re.compile(r"\b" + _NUM + r" de (?:las|esas|estas|los)\b(?! (?:\d|manana|tarde|noche))"),
    re.compile(r"^(?:son\s+|serian\s+)?" + _NUM + r"(?:\s+por favor)?$"),
)
_MONEY = r"\$?\s?(\d+(?:\.\d+)?)\s?(mil|k)?\b(?!\s*(?:llantas|piezas|km|kilometros))"
_PRICE = (
    re.compile(
        r"\b(?:menos de|abajo de|debajo de|hasta|maximo|max|no mas de|tope de|tope|"
        r"presupuesto de|presupuesto|no pase de|no pasen de|no mayor a|menor a|menor de|"
        r"no exceda de|no exceda|no mas caras? de|no mas caros? de|limite de)\s+(?:unos\s+)?"
        + _MONEY
    ),
    re.compile(_MONEY + r"\s*(?:pesos|varos|mxn)?\s*(?:o menos|como maximo|maximo|max|tope)\b"),
)
# Options are "llantas"/"opciones" (feminine): "la recomendada", never "la presión
# recomendada" or "el pedido sugerido".
_CHOICES = (
    (
        "cheapest",
        re.compile(
            r"\b(?:mas barat[ao]s?|las? mas economicas?|la barata|las baratas|"
            r"de menor precio|las? mas accesibles?|la que cueste menos)\b"
        ),
    ),
    (
        "economical",
        re.compile(
            r"\b(?:la|las|esas|opcion|la opcion) (?:\d{1,3} |un par de |dos |tres |cuatro |cinco |seis |ocho |diez |doce )?economicas?\b"
        ),
    ),
    (
        "recommended",
        re.compile(
            r"\b(?:la|las|esa|esas|opcion|la opcion) (?:\d{1,3} |un par de |dos |tres |cuatro |cinco |seis |ocho |diez |doce )?(?:recomendadas?|sugeridas?)\b|"
            r"\bla que (?:me )?(?:recomiend(?:as|an|es|e)|sugier(?:es|as|a))\b|"
            r"\bla que (?:tu|usted) (?:digas|diga)\b"
        ),
    ),
    (
        "premium",
        re.compile(
            r"\b(?:la|las|esas|opcion|la opcion) (?:\d{1,3} |un par de |dos |tres |cuatro |cinco |seis |ocho |diez |doce )?(?:premium|mejor|mejores|top|"
            r"de gama alta|mas caras?|de lujo)\b"
        ),
    ),
    (
        "first",
        re.compile(
            r"(?<!\ba )\b(?:la|opcion|la opcion|la numero) (?:primera|1|uno)\b|"
            r"\bprimera opcion\b"
        ),
    ),
    (
        "second",
        re.compile(
            r"(?<!\ba )\b(?:la|opcion|la opcion|la numero) (?:segunda|2|dos)\b(?! de)|"
            r"\bsegunda opcion\b|\bla de en medio\b"
        ),
    ),
    (
        "third",
        re.compile(
            r"(?<!\ba )\b(?:la|opcion|la opcion|la numero) (?:tercera|3|tres)\b(?! de)|"
            r"\btercera opcion\b"
        ),
    ),
)
_PICKUP = re.compile(
    r"\b(?:recoger|recogerlas|recogerla|recojo|recogemos|la recojo|las recojo|paso por (?:ellas|"
    r"ellos|ella|las llantas)|pasar por (?:ellas|ellos|ella)|voy por (?:ellas|ellos|ella)|"
    r"voy a la sucursal|voy a sucursal|paso a la sucursal|paso a recoger|ir por ellas|"
    r"taller|en mostrador|en tienda|paso yo|voy yo|las paso a traer|a la sucursal|"
    r"en la sucursal|en sucursal|en la tienda|vengo yo|voy para alla|alla las recojo|"
    r"voy a la tienda|paso a la tienda|voy a su tienda|voy a la de \w+|"
    r"paso (?:el \w+ |mañana |manana |hoy )?(?:en la \w+ )?por (?:ellas|ellos|las llantas))\b"
)
_DELIVERY = re.compile(
    r"\b(?:a domicilio|domicilio|me las (?:traen|llevan|mandan|envian|traigan|lleven|manden)|"
    r"me la (?:traen|llevan|mandan|envian)|a mi (?:casa|oficina|trabajo|negocio|taller)|"
    r"hasta mi casa|envios?|enviar|envian|mandarlas|traermelas|llevarmelas|mandenmelas|"
    r"en mi (?:casa|domicilio|oficina|trabajo|negocio)|en (?:la )?casa|instaladas en|"
    r"vengan a|vayan a|vayan a mi|vengan a mi|pueden venir|a la casa|me llevan|me traen|"
    r"vengan a instalarlas|me las instalan en|instalarlas en mi|"
    r"que me lleven|que me traigan)\b"
)


_VEHICLE_COUNT = re.compile(
    r"\s+(?:camionetas?|carros?|autos?|coches?|vehiculos?|unidades|taxis?|trailers?|camiones?|motos?)\b"
)


def _number(raw: str) -> int:
    return NUMBER_WORDS[raw] if raw in NUMBER_WORDS else int(raw)


def extract_sizes(folded: str) -> list[tuple[int, int, str]]:
    """Tire sizes in folded original text.

    Args:
        folded: the message lower-cased with accents removed (``fold_text``).

    Returns:
        ``(start, end, canonical)`` per size in text order; text that merely looks like a size
        but fails ``parse_tire_size`` (width 100, rim 40) is skipped.
    """
    found: list[tuple[int, int, str]] = []
    for match in FLOTATION_SIZE.finditer(folded):
        raw = f"{match[1]}x{match[2]}{(match[3] or 'r').upper()}{match[4]}"
        found.append((match.start(), match.end(), raw))
    for match in METRIC_SIZE.finditer(folded):
        if any(s <= match.start() < e for s, e, _ in found):
            continue
        construction = (match[4] or "").strip()
        construction = construction.upper() if construction in ("zr", "r", "d", "b") else "R"
        raw = f"{(match[1] or '').upper()}{match[2]}/{match[3]}{construction}{match[5]}"
        found.append((match.start(), match.end(), raw + ("C" if match[6] else "")))
    sizes: list[tuple[int, int, str]] = []
    for start, end, raw in sorted(found):
        try:
            sizes.append((start, end, parse_tire_size(raw).canonical))
        except InvalidRequest:
            continue
    return sizes


def mask_folios(text: str) -> str:
    """Hide folio numbers so they are read neither as years nor as quantities.

    Args:
        text: normalised text.

    Returns:
        ``text`` with every folio number replaced by the token ``zfolio``.
    """
    text = _FOLIO_TL.sub("zfolio", text)
    return _FOLIO_WORD.sub(lambda m: m[0][: m.start(1) - m.start()] + "zfolio", text)


def mask_sizes(text: str) -> str:
    """Hide tire sizes so their digits are read neither as times nor as quantities.

    Args:
        text: normalised text.

    Returns:
        ``text`` with every valid tire size replaced by the token ``zmedida``.
    """
    for start, end, _ in reversed(extract_sizes(text)):
        text = f"{text[:start]} zmedida {text[end:]}"
    return " ".join(text.split())


def extract_folios(text: str) -> list[str]:
    """Order folios named in a message.

    Args:
        text: normalised text; "TL-123", "#tl123", "folio 123" and "pedido 4567" count, a
            bare number does not.

    Returns:
        Distinct folios as ``TL-000123``, in text order.
    """
    found = [(m.start(), int(m[1])) for m in _FOLIO_TL.finditer(text)]
    found += [(m.start(), int(m[1])) for m in _FOLIO_WORD.finditer(text)]
    folios: list[str] = []
    for _, number in sorted(found):
        folio = format_folio(number)
        if number > 0 and folio not in folios:
            folios.append(folio)
    return folios


def extract_quantity(text: str) -> int | None:
    """How many tires the message talks about.

    Args:
        text: normalised text with sizes masked.

    Returns:
        "un juego" = 4, "un par" = 2, "una llanta" = 1, "4 llantas", "las cuatro"; None
        when no count is given.
    """
    for pattern, value in _QUANTITY:
        if pattern.search(text):
            return value
    found: list[tuple[int, int]] = []
    for pattern in _QUANTITY_N:
        for match in pattern.finditer(text):
            if _VEHICLE_COUNT.match(text, match.end()):
                continue  # "son 3 camionetas": vehicles, not tires
            value = _number(match[1])
            if 1 <= value <= 200:
                found.append((match.start(1), value))
    # A correction ends with the number that counts: "son 3 camionetas, serian 12".
    return max(found)[1] if found else None


def extract_max_price(text: str) -> int | None:
    """The most the customer wants to pay per tire.

    Args:
        text: normalised text ("hasta $2500", "menos de 2 mil", "1500 o menos").

    Returns:
        Whole pesos, or None.
    """
    for pattern in _PRICE:
        match = pattern.search(text)
        if match:
            amount = float(match[1]) * (1000 if match[2] else 1)
            if 100 <= amount <= 200_000:
                return round(amount)
    return None


def extract_choice(text: str) -> str | None:
    """Which offered option the message points at.

    Args:
        text: normalised text.

    Returns:
        ``cheapest``, ``economical``, ``recommended``, ``premium``, ``first``, ``second``,
        ``third`` or None.
    """
    for name, pattern in _CHOICES:
        if pattern.search(text):
            return name
    return None


def extract_fulfillment(text: str) -> str | None:
    """How the tires reach the customer, when the message says so.

    Args:
        text: normalised text.

    Returns:
        ``pickup`` or ``delivery`` (the first one mentioned wins), or None.
    """
    delivery, pickup = _DELIVERY.search(text), _PICKUP.search(text)
    if delivery and pickup:
        return "delivery" if delivery.start() < pickup.start() else "pickup"
    if delivery:
        return "delivery"
    return "pickup" if pickup else None
