"""Extractors for purchase details: tire preferences, visit window and address, fiscal data,
payment methods, trims and the speech acts (cancel, yes/no prefixes) found inside sentences."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from domain.dialogue import TerrainPreference, TimeWindow

# --- tire preferences --------------------------------------------------------------------------

_TERRAIN = (
    (
        TerrainPreference.MUD_TERRAIN,
        re.compile(r"\b(?:m/t|mt|mud terrain|mud|lodo|lodoseras?|para lodo|extremas?)\b"),
    ),
    (
        TerrainPreference.ALL_TERRAIN,
        re.compile(
            r"\b(?:a/t|at|all terrain|todo ?terreno|todoterreno|terraceria|brecha|mixtas?|"
            r"para campo|de campo)\b"
        ),
    ),
    (
        TerrainPreference.HIGHWAY,
        re.compile(
            r"\b(?:h/t|ht|highway|de carretera|para carretera|para ciudad y carretera|"
            r"de ciudad|para ciudad|de asfalto)\b"
        ),
    ),
)
_NO_RUN_FLAT = re.compile(r"\b(?:sin|no|nada de) (?:run ?flat|runflat|rft)\b")
_RUN_FLAT = re.compile(
    r"\b(?:run ?flat|runflat|rft|zp|ssr|antiponchaduras?|anti ponchaduras?|"
    r"que no se (?:ponchan|desinflan)|rodado extendido)\b"
)
_LIGHT_TRUCK = re.compile(
    r"\b(?:lt|de carga|para carga|carga pesada|reforzadas?|(?:8|10|12) capas|uso rudo|"
    r"para trabajo pesado)\b"
)


def extract_terrain(text: str) -> TerrainPreference | None:
    """AT / MT / HT as the customer says it ("las AT", "todo terreno", "para lodo")."""
    for terrain, pattern in _TERRAIN:
        if pattern.search(text):
            return terrain
    return None


def extract_run_flat(text: str) -> bool | None:
    """True for "run flat"/"rft", False for "sin run flat", None when not mentioned."""
    if _NO_RUN_FLAT.search(text):
        return False
    return True if _RUN_FLAT.search(text) else None


def extract_light_truck(text: str) -> bool | None:
    """True when the customer asks for LT / load-range tires."""
    return True if _LIGHT_TRUCK.search(text) else None


# --- visit window and address ------------------------------------------------------------------

_WINDOWS = (
    (TimeWindow.MORNING, re.compile(r"\b(?:en la|por la|de la|esta) manana\b|\btemprano\b")),
    (
        TimeWindow.AFTERNOON,
        re.compile(r"\b(?:en la|por la|de la|esta) tarde\b|\bdespues de comer\b|\bmediodia\b"),
    ),
    (TimeWindow.EVENING, re.compile(r"\b(?:en la|por la|de la|esta) noche\b")),
)
_STREET = re.compile(
    r"\b(?:calle|c|av|avenida|privada|priv|cerrada|andador|blvd|boulevard|bulevar|calzada|"
    r"calz|carretera|prolongacion|circuito|retorno|eje)\b"
)
_ADDRESS_HINT = re.compile(
    r"\b(?:col|colonia|fracc|fraccionamiento|num|numero|no|int|interior|depto|depa|cp|"
    r"codigo postal|esquina|entre|mz|manzana|lt|lote|delegacion|alcaldia|municipio)\b"
)


def extract_window(text: str, hour: int | None) -> TimeWindow | None:
    """Morning, afternoon or evening, from words or from a clock hour the NLU resolved."""
    for window, pattern in _WINDOWS:
        if pattern.search(text):
            return window
    if hour is None or hour == 0:
        return None
    if hour < 13:
        return TimeWindow.MORNING
    return TimeWindow.AFTERNOON if hour < 17 else TimeWindow.EVENING


def extract_address(original: str, normalized: str, *, expected: bool) -> str | None:
    """A street address as written ("Calle Pino 123, col. Roma, CP 06700").

    Args:
        original: the message as written (the address keeps its capitals and accents).
        normalized: the normalised message.
        expected: we just asked for the address, so a line with a number is enough.
    """
    has_number = any(c.isdigit() for c in normalized)
    street = _STREET.search(normalized)
    hints = len(_ADDRESS_HINT.findall(normalized))
    if not has_number or not (street or hints >= 2 or expected):
        return None
    if not street and (RFC_PATTERN.search(original) or re.search(r"\brfc\b", normalized)):
        return None
    # Keep what follows the first street word ("es en calle ..."), else the whole line.
    match = re.search(
        r"(?i)\b(calle|c\.|av\.?|avenida|privada|priv\.|cerrada|andador|blvd\.?|boulevard|"
        r"calzada|calz\.|prolongaci[oó]n|circuito|retorno|eje)\b",
        original,
    )
    address = original[match.start() :] if match else original
    address = re.split(r"(?i)\b(?:porfa|por favor|gracias)\b", address)[0]
    address = " ".join(address.replace("\n", ", ").split()).strip(" ,.;")
    if len(address) < 8 or len(address) > 200:
        return None
    return address


# --- fiscal data (CFDI 4.0 receiver) -----------------------------------------------------------

RFC_PATTERN = re.compile(
    r"(?<![A-Za-z0-9Ññ&])([A-Za-zÑñ&]{3,4})[\s\-]?(\d{6})[\s\-]?([A-Za-z0-9]{3})(?![A-Za-z0-9])"
)
_ZIP = re.compile(r"(?:\bc\.?\s?p\.?|codigo postal|cp)\s*:?\s*(\d{5})\b|\b(\d{5})\b")
_REGIME_CODE = re.compile(r"\b(6(?:0[1-9]|1[0-9]|2[0-6]))\b")
_USE_CODE = re.compile(r"\b(g0[1-3]|i0[1-8]|d(?:0[1-9]|10)|s01|cp01|cn01)\b")
# How customers name the régimen fiscal (SAT c_RegimenFiscal).
REGIME_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("626", re.compile(r"\bresico\b|\bsimplificado de confianza\b")),
    ("612", re.compile(r"\bactividad(?:es)? empresarial(?:es)?\b|\bprofesional(?:es)?\b")),
    ("605", re.compile(r"\bsueldos?\b|\basalariad[oa]\b|\bsalarios?\b")),
    ("606", re.compile(r"\barrendamiento\b|\brentas?\b")),
    ("621", re.compile(r"\bincorporacion fiscal\b|\brif\b")),
    ("616", re.compile(r"\bsin obligaciones fiscales\b")),
    ("603", re.compile(r"\bfines no lucrativos\b|\basociacion civil\b")),
    ("625", re.compile(r"\bplataformas tecnologicas\b")),
    ("601", re.compile(r"\bgeneral de ley\b|\bpersonas? morales?\b")),
)
USE_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("G03", re.compile(r"\bgastos? en general\b|\bgasto general\b")),
    ("G01", re.compile(r"\badquisicion de mercancias?\b")),
    ("I04", re.compile(r"\bequipo de computo\b")),
    ("I02", re.compile(r"\bmobiliario\b")),
    ("I03", re.compile(r"\bequipo de transporte\b")),
    ("S01", re.compile(r"\bsin efectos fiscales\b")),
)
_NAME_PREFIX = re.compile(
    r"(?i)\b(?:raz[oó]n social|a nombre de|nombre(?: fiscal)?|empresa)\s*(?:es|:)?\s*"
)
_COMPANY_SUFFIX = re.compile(
    r"(?i)\b(?:s\.?\s?a\.?(?:\s?de\s?c\.?\s?v\.?)?|s\.?\s?de\s?r\.?\s?l\.?(?:\s?de\s?c\.?\s?v\.?)?|"
    r"s\.?\s?c\.?|a\.?\s?c\.?|sapi(?:\s?de\s?c\.?\s?v\.?)?)(?=[\s,.;]|$)"
)


_RFC_CLAIM = re.compile(r"(?i)\brfc\b\s*(?:es|:)?\s*([A-Za-zÑñ&0-9\-]{4,16})\b")


def extract_rfc_claim(original: str) -> str | None:
    """What follows "RFC" even when it is not a well-formed RFC ("mi rfc es GOMJ8503")."""
    match = _RFC_CLAIM.search(original)
    if match and any(c.isdigit() for c in match[1]):
        return match[1].upper().replace("-", "")
    return None


def extract_rfc(original: str) -> str | None:
    """An RFC as typed ("GODE561231GR8", "gode-561231-gr8"), upper-cased, without separators."""
    for match in RFC_PATTERN.finditer(original):
        letters = match[1].upper()
        if letters.isdigit():
            continue
        return f"{letters}{match[2]}{match[3].upper()}"
    return None


def extract_zip(normalized: str, *, expected: bool, rfc: str | None) -> str | None:
    """A five-digit código postal: after "CP" anywhere, or bare when we asked for it."""
    digits_of_rfc = rfc[-9:-3] if rfc else ""
    for match in _ZIP.finditer(normalized):
        if match[1]:
            return match[1]
        if expected and match[2] and match[2] not in digits_of_rfc:
            return match[2]
    return None


def extract_regime(normalized: str) -> str | None:
    """A régimen fiscal code ("612") or its usual name ("actividad empresarial", "RESICO")."""
    match = _REGIME_CODE.search(normalized)
    if match:
        return match[1]
    for code, pattern in REGIME_NAMES:
        if pattern.search(normalized):
            return code
    return None


def extract_cfdi_use(normalized: str) -> str | None:
    """A uso de CFDI code ("G03") or its usual name ("gastos en general")."""
    match = _USE_CODE.search(normalized)
    if match:
        return match[1].upper()
    for code, pattern in USE_NAMES:
        if pattern.search(normalized):
            return code
    return None


_NAME_STOP = re.compile(
    r"(?i)\b(?:rfc|r\.f\.c\.?|r[eé]gimen|uso(?: de)?(?: cfdi)?|cfdi|c[oó]digo postal|c\.?p\.?|cp)\b"
)
_NAME_FILLER = re.compile(
    r"(?i)^(?:(?:perd[oó]n|ok|va|si|sí|es|son|mis datos|datos|mi nombre es|soy|a nombre de|"
    r"factura a nombre de|la factura a nombre de|nombre)\b[\s,:]*)+"
)


def _person_name(original: str, rfc: str | None) -> str | None:
    """A bare personal name among comma-separated invoice data ("jorge gomez martinez")."""
    for part in re.split(r"[,\n;]", original):
        part = _NAME_STOP.split(part)[0]
        if rfc:
            part = re.sub(re.escape(rfc), " ", part, flags=re.I)
        part = _NAME_FILLER.sub("", part.strip())
        words = part.split()
        if len(words) >= 2 and all(re.fullmatch(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü.&']+", w) for w in words):
            return _clean_name(part)
    return None


def extract_business_name(original: str, *, expected: bool, rfc: str | None) -> str | None:
    """The razón social: after "razón social"/"a nombre de", a company suffix, or a bare line
    when we asked for it."""
    text = original.strip()
    match = _NAME_PREFIX.search(text)
    if match:
        tail = text[match.end() :]
        name = re.split(
            r"[,\n;]|\b(?:rfc|r\.f\.c|regimen|r[eé]gimen|uso|cp|c\.p\.)\b", tail, flags=re.I
        )[0]
        return _clean_name(name)
    for part in re.split(r"[,\n;]", text):
        if _COMPANY_SUFFIX.search(part) and not (rfc and rfc in part.upper().replace(" ", "")):
            return _clean_name(part)
    if expected:
        return _person_name(text, rfc)
    return None


def _clean_name(name: str) -> str | None:
    name = " ".join(name.split()).strip(" .:-")
    return name.upper() if 3 <= len(name) <= 254 else None


# --- payment methods -------------------------------------------------------------------------

PAYMENT_METHODS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("oxxo", re.compile(r"\boxxo\b|\btienda de conveniencia\b|\b7 ?eleven\b")),
    ("transfer", re.compile(r"\btransferencia\b|\bspei\b|\bdeposito\b|\bclabe\b")),
    ("cash", re.compile(r"\befectivo\b|\bcash\b|\bcontado\b|\bbilletes\b")),
    ("card", re.compile(r"\btarjeta\b|\bcredito\b|\bdebito\b|\bvisa\b|\bmastercard\b|\bamex\b")),
    ("paypal", re.compile(r"\bpaypal\b|\bmercado ?pago\b")),
)


def extract_payment_method(normalized: str) -> str | None:
    """The payment method a question is about ("¿puedo pagar en OXXO?")."""
    for method, pattern in PAYMENT_METHODS:
        if pattern.search(normalized):
            return method
    return None


# --- trims -------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def trim_names(trims: Iterable[str]) -> list[str]:
    """Each trim of a fitment row's "Sportline/Highline/GLI" on its own."""
    names: list[str] = []
    for trim in trims:
        for part in re.split(r"\s*/\s*", trim):
            if part and part not in names:
                names.append(part)
    return names


_TRIM_CUES = frozenset({"version", "modelo", "paquete", "es", "la", "el", "mi", "tipo", "equipo"})


def extract_trim(
    original: str, trims: Sequence[str], *, expected: bool = False, model: str | None = None
) -> str | None:
    """The trim of the customer's vehicle named in the message ("GLI", "trd off road", "pro4x").

    Two-letter trims ("SE", "LE", "EX", "FR") are also common words or tire codes: they count in
    capitals, after a cue ("es la EX", "versión le", "camry 2015 se"), or when the message is
    little more than the trim and we asked for it (``expected``).
    """
    folded = f" {_fold(original)} "
    squeezed = folded.replace(" ", "")
    words = folded.split()
    for name in sorted(trim_names(trims), key=len, reverse=True):
        key = _fold(name)
        if not key:
            continue
        if f" {key} " not in folded:
            # "pro4x" for "PRO-4X V6", "rline" for "R-Line": spacing, dashes and a trailing
            # engine word do not matter.
            parts = key.split()
            for n in range(len(parts), 0, -1):
                joined = "".join(parts[:n])
                if len(joined) >= 4 and joined in squeezed:
                    return name
            continue
        if len(key) > 2:
            return name
        upper = re.search(rf"(?<![A-Za-z]){re.escape(name.upper())}(?![A-Za-z])", original)
        index = words.index(key) if key in words else -1
        before = words[index - 1] if index > 0 else ""
        cued = (
            before in _TRIM_CUES
            or bool(re.fullmatch(r"(?:19|20)\d\d", before))
            or (model is not None and before == _fold(model).replace(" ", ""))
        )
        alone = expected and len(words) <= 4
        if upper or cued or alone:
            return name
    return _misspelt_trim(words, trim_names(trims))


def _misspelt_trim(words: Sequence[str], names: Sequence[str]) -> str | None:
    """A one-word trim of five letters or more written with one slipped key ("cojfortline",
    "limitdd", "spott"), when exactly one of the model's trims is that close."""
    singles = {_fold(n): n for n in names if len(_fold(n)) >= 5 and " " not in _fold(n)}
    for word in words:
        if len(word) < 5 or not word.isalpha() or word in singles:
            continue
        near = {n for key, n in singles.items() if DamerauLevenshtein.distance(word, key) == 1}
        if len(near) == 1:
            return near.pop()
    return None


# --- speech acts inside sentences --------------------------------------------------------------

CANCEL = re.compile(
    r"\bcancel(?:a|ame|amelo|amela|amelas|amelos|alo|ala|alas|alos|ar|arlo|arla|arlas|arlos|"
    r"en|enlo|enla|enlas|enme|acion)\b|\bya no (?:las|los|la|lo) (?:quiero|ocupo|necesito|voy a (?:querer|ocupar))\b|"
    r"\bya no (?:quiero|ocupo|necesito) (?:nada|el apartado|las llantas|el pedido)\b|"
    r"\bno (?:las|lo|me las) apartes\b|\b(?:quita|quitame|borra|borrame|deshaz|deshacer)\b"
    r".{0,20}\b(?:apartado|pedido|reserva\w*)\b|\bsiempre no (?:las|lo|la|los) (?:quiero|voy a)\b"
)
AFFIRM_PREFIX = re.compile(
    r"^(?:si|sii|simon|va|vale|sale|dale|ok|okey|okay|claro|orale|andale|perfecto|"
    r"de acuerdo|esta bien|me parece|correcto|exacto|eso|asi es|confirmo|afirmativo)\b"
)
DENY_PREFIX = re.compile(
    r"^(?:no(?! se\b)|nel|nop|nope|nones|mejor no|siempre no|ahorita no|todavia no)\b"
)
CHANGE_MIND = re.compile(
    r"\b(?:siempre no|mejor|en vez de|en lugar de|cambia\w*|corrijo|perdon|"
    r"me equivoque|no es|no son|mas bien|ahora)\b"
)
BRANCH_QUESTION = re.compile(
    r"\b(?:tienen|tiene|hay|tendran|manejan|cuentan con|alcanzan|habra)\b|\by en\b|\?"
)
