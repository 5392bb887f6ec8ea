"""What a message asks of a home delivery, the way customers and dispatch staff write it.

Customers: "CAMBIAR HORA", "¿y a qué hora llega?", "¿quién me lo lleva?", "mejor el jueves en la
tarde", "mejor paso yo por ellas", "la dirección está mal, es Sonora 20 col. Condesa", "¿cuánto
cobran por llevarlas a Narvarte?", "no, déjalo como estaba", a survey answer ("5", "cinco
estrellas", "excelente servicio"). Staff: "planea las rutas de mañana", "¿qué entregas van
tarde?", "¿dónde va la camioneta de Roberto?", "¿cómo vamos de entregas a tiempo hoy?".

Read on the normalised text (no accents, lower case, slang folded) plus the NLU's entities;
nothing here reads rendered replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz.distance import Levenshtein

from adapters.llm.offline.nlu import Analysis, acts
from adapters.llm.offline.nlu import details as dx
from domain.dialogue import TimeWindow
from domain.logistics import GAZETTEER, zone_of
from domain.text import fold_words


class Ask(StrEnum):
    """What a customer asks of their delivery."""

    STATUS = "status"  # "¿cómo va mi entrega?"
    ETA = "eta"  # "¿a qué hora llega?"
    DRIVER = "driver"  # "¿quién me lo lleva?"
    RESCHEDULE = "reschedule"  # CAMBIAR HORA, another day or time
    PICKUP = "pickup"  # "mejor paso yo por ellas"
    ADDRESS = "address"  # "la dirección está mal"
    COST = "cost"  # "¿cuánto cobran por llevarlas?"
    UNDO = "undo"  # "no, déjalo como estaba"
    SURVEY = "survey"  # "5, muy bien"


class StaffAsk(StrEnum):
    """What dispatch staff ask."""

    PLAN = "plan"
    LATE = "late"
    FLEET = "fleet"
    KPIS = "kpis"


CHANGE_TIME = re.compile(r"\bcambiar? (?:la )?hora\b|\bcambio de hora\b|\bcambiar horario\b")
_DELIVERY_WORDS = re.compile(
    r"\b(?:entrega\w*|envio|envios|flete|repartidor\w*|chofer|conductor\w*|camioneta|"
    r"me (?:lo|la|los|las) (?:traen|llevan|van a traer|van a llevar)|"
    r"(?:traer|llevar|mandar|entregar)(?:me)?(?:lo|la|los|las)|traigan|lleven|manden|"
    r"que (?:me )?(?:lo|la|los|las) (?:traigan|lleven|manden|entreguen))\b"
)
_ETA = re.compile(
    r"\b(?:a que hora (?:llega\w*|lleg\w*|vienen?|pasan?|me (?:lo|la|los|las) traen)|"
    r"cuando (?:me )?(?:llega|llegan|traen|entregan)\b|"
    r"(?:cuando|cuanto) (?:llega\w*|falta\w*|tarda\w*)|ya (?:viene|vienen|salio|salieron|mero)|"
    r"por donde (?:viene|va|anda)|donde (?:viene|va|anda)|ya (?:llego|llegaron)|"
    r"hora (?:de llegada|estimada)|como va (?:mi|la) entrega|"
    r"(?:sigue|sigues|siguen) en camino|no ha llegado|no han llegado|no me ha llegado|"
    r"no me han llegado|ya casi)\b"
)
_WHO_BRINGS = re.compile(
    r"\bquien (?:me )?(?:lo |la |los |las )?(?:trae|lleva|entrega|va a traer|va a llevar)\b|"
    r"\bcomo se llama el (?:chofer|repartidor|conductor)\b"
)
_DRIVER = re.compile(
    r"\b(?:quien viene|que (?:chofer|repartidor|conductor)|el (?:chofer|repartidor|conductor)|"
    r"placas?)\b"
)
_RESCHEDULE = re.compile(
    r"\b(?:reprogram\w*|reagend\w*|cambi\w* (?:la |el )?(?:fecha|dia|hora|horario|entrega)|"
    r"mueve\w*|muev\w*|mover\w*|pasa(?:la|lo|las|los|mela|melo|melas|melos)\b|"
    r"recorre\w*|otro dia|otra fecha|otra hora|otro horario|no (?:voy a )?(?:estar|estoy)|"
    r"no (?:voy a )?(?:poder )?recibir\w*|no hay nadie|no va a haber nadie|"
    r"mejor (?:el|para el|pal|en la|a las|manana|pasado|hoy|temprano|tarde)|"
    r"puede(?:n)? (?:ser|venir|llegar|pasar) (?:el|en la|a las|manana|pasado|otro)|"
    r"(?:para|pal) (?:el )?(?:lunes|martes|miercoles|jueves|viernes|sabado)|"
    r"adelant(?:ar|en|enla|enlo|amela|amelo|arla|arlo)|retras(?:en|ar|enla|arla)\b)"
)
PICKUP = re.compile(
    r"\b(?:(?:mejor )?(?:paso|pasamos|voy|vamos|ire|iremos) (?:yo )?(?:por|a recoger)\w*|"
    r"(?:yo )?(?:las|los|la|lo) (?:recojo|recogemos|recogo|paso a recoger)|"
    r"recoger\w* en (?:la )?(?:sucursal|tienda)|en (?:la )?(?:sucursal|tienda) (?:las|los) recojo|"
    r"ya no (?:me )?(?:las|los|la|lo) (?:traigan|lleven|manden)|cancel\w* (?:la |el )?"
    r"(?:entrega|envio) (?:y|mejor)|mejor (?:voy|paso) (?:yo|a la sucursal|a la tienda))\b"
)
_ADDRESS = re.compile(
    r"\b(?:direccion|domicilio) (?:esta mal|es otra|incorrecta|equivocad\w*|mal)|"
    r"cambi\w* (?:la |de )?(?:direccion|domicilio)|corregir (?:la )?direccion|"
    r"(?:otra|nueva) direccion|(?:mejor )?(?:mandalas|mandalos|mandenlas|llevalas|llevenlas|"
    r"entreguenlas|mandamelas|traiganmelas) (?:a|en)\b|me equivoque de direccion|"
    r"no es esa direccion|la direccion (?:correcta )?es\b"
)
_COST = re.compile(
    r"\b(?:cuanto|precio|costo|cobran|cuesta)\b.{0,30}\b(?:envio|flete|llevar\w*|traer\w*|"
    r"mandar\w*|entrega a domicilio)\b|\b(?:envio|flete|entrega a domicilio)\b.{0,20}"
    r"\b(?:cuesta|cobran|sale|costo|precio|gratis)\b"
)
_UNDO = re.compile(
    r"\b(?:dejal[oa]s? como (?:estaba|estaban|esta)|como estaba|mejor (?:dejalo|dejala|dejalas|"
    r"dejalos) (?:asi|igual|como)|dejalo (?:asi|igual)|la (?:dejo|dejamos) (?:igual|como)|"
    r"siempre no (?:la muevas|lo muevas|la cambies|lo cambies|cambies nada)|"
    r"regresal[oa]|vuelvel[oa] a (?:como|la hora|el dia))\b"
)
# A survey answer: a bare 1-5, a number of stars, or praise or complaint of the service.
_SURVEY = re.compile(
    r"^(?:(?:le doy |un |una |califico con |mi calificacion es )?(?:[1-5]|uno|dos|tres|cuatro|"
    r"cinco)(?: de 5| de cinco|/5)?(?: estrellas?)?)(?:[ ,.!]+.*)?$|"
    r"^(?:muy )?(?:excelente|buen|buenisimo|pesimo|mal|malisimo|regular) "
    r"(?:servicio|atencion|trato|entrega|chofer|repartidor)\b|^(?:cinco|5) estrellas\b"
)
_FILLER = re.compile(r"^(?:(?:este|oye|pues|mira|bueno|ok|okey|ah|eh|ahh|mmm|hola|si)[ ,]+)+")
_RATING_NUMBER = re.compile(r"^(?:le doy |un |una |califico con |mi calificacion es )?([1-5])\b")
_STAR_WORDS = {"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5}
_PRAISE = {
    "excelente": 5, "buenisimo": 5, "muy buen": 5, "buen": 4, "regular": 3, "mal": 2,
    "pesimo": 1, "malisimo": 1,
}  # fmt: skip
_HOUR = re.compile(
    r"\b(?:a la[sz]|a la|despues de la[sz]|antes de la[sz]|tipo|como a la[sz]|de la[sz])\s+"
    r"(\d{1,2})(?::\d{2})?"
    r"\s*(am|pm|de la manana|de la tarde|de la noche)?\b"
)
_ORDINAL = {
    "primera": 0, "primer": 0, "primero": 0, "segunda": 1, "segundo": 1, "tercera": 2,
    "tercero": 2, "cuarta": 3, "quinta": 4, "ultima": -1, "ultimo": -1,
}  # fmt: skip
_ORDINAL_RE = re.compile(r"\b(?:la |el |opcion |)(" + "|".join(_ORDINAL) + r")\b")
_EARLIEST = re.compile(r"\b(?:mas temprano|mas temprana|lo antes posible|la mas pronto|cuanto antes)\b")
_NONE = re.compile(r"\b(?:ninguna|ninguno|ninguna me (?:queda|sirve)|no me (?:queda|sirve) ninguna)\b")

# Staff.
_PLAN = re.compile(
    r"\b(?:plane\w*|arma\w* (?:las )?rutas?|program\w* (?:las )?rutas?|optimiz\w* (?:las )?rutas?|"
    r"haz (?:las )?rutas?|genera\w* (?:las )?rutas?|rutas? de (?:manana|hoy|pasado|el|la))\b"
)
_LATE = re.compile(
    r"\b(?:atrasad\w*|retrasad\w*|retraso\w*|va[nbm]? tarde|vienen tarde|llegando tarde|"
    r"fuera de (?:horario|ventana)|tarde las entregas|entregas tarde)\b"
)
_FLEET = re.compile(
    r"\b(?:donde (?:va|anda|esta|viene)|ubicacion|posicion|avance|progreso|como va (?:la )?"
    r"(?:ruta|camioneta|unidad)|cuantas (?:paradas|entregas) (?:lleva|le faltan|van)|"
    r"le faltan|camionetas?|unidad(?:es)?|gps)\b"
)
_KPIS = re.compile(
    r"\b(?:a tiempo|puntualidad|on time|costo por entrega|cuanto (?:nos )?cuesta cada entrega|"
    r"indicadores?|kpis?|como vamos (?:con|de) (?:las )?entregas|cuanto (?:nos )?(?:costo|cuesta) "
    r"(?:la|cada) entrega|porcentaje)\b"
)
_STAFF_LOGISTICS = re.compile(r"\b(?:entregas?|rutas?|camionetas?|choferes|conductores|reparto)\b")
_PLATE = re.compile(r"\b([a-z]{2})[- ]?(\d{3})[- ]?(\d[a-h])\b")
_DRIVER_NAME = re.compile(
    r"\b(?:camioneta|unidad|ruta|chofer|conductor|repartidor) (?:de |del )?([a-z]{3,})\b|"
    r"\b(?:donde|por donde) (?:va|anda|viene|esta) ([a-z]{3,})\b"
)
_NOT_NAMES = frozenset({
    "la", "el", "las", "los", "hoy", "ahorita", "manana", "cdmx", "gdl", "mty", "monterrey",
    "guadalajara", "mexico", "que", "ese", "esa", "este", "esta", "una", "uno", "mi", "mis",
    "ruta", "camioneta", "unidad", "entrega", "pedido", "todas", "cada",
})  # fmt: skip


@dataclass(frozen=True)
class DeliveryAsk:
    """One customer message about a delivery."""

    ask: Ask | None
    day: date | None
    window: TimeWindow | None
    address: str | None


def _day(analysis: Analysis) -> date | None:
    when = analysis.entities.when
    if when is None or not acts.DATE_WORDS.search(fixed(analysis)):
        return None
    return when.date()


def window_of_words(analysis: Analysis) -> TimeWindow | None:
    """The window a time of day falls in ("a las 5 de la tarde" is the evening), or the one
    named ("en la tarde")."""
    text = fixed(analysis)
    hour = _HOUR.search(text)
    if hour is None:
        named = re.search(r"\b(?:en|por|para|pa) la (manana|tarde|noche)\b", text)
        if analysis.entities.window is None and named:
            return {"manana": TimeWindow.MORNING, "tarde": TimeWindow.AFTERNOON,
                    "noche": TimeWindow.EVENING}[named[1]]  # fmt: skip
        return analysis.entities.window
    h = int(hour[1])
    suffix = hour[2] or ""
    if "pm" in suffix or "tarde" in suffix or "noche" in suffix or (1 <= h <= 7):
        h = h + 12 if h < 12 else h
    if h < 13:
        return TimeWindow.MORNING
    return TimeWindow.AFTERNOON if h < 17 else TimeWindow.EVENING


def survey_score(analysis: Analysis) -> int | None:
    """The 1-5 a survey answer gives ("5 muy bien", "cinco estrellas", "excelente servicio")."""
    text = _FILLER.sub("", fixed(analysis))
    if not _SURVEY.search(text):
        return None
    number = _RATING_NUMBER.match(text)
    if number:
        return int(number[1])
    first = text.split()[0]
    if first in _STAR_WORDS:
        return _STAR_WORDS[first]
    for words, score in sorted(_PRAISE.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(words) or text.startswith(f"muy {words}"):
            return 5 if text.startswith("muy ") and score >= 4 else score
    return None


# The words the cues above are made of (and our colonias): a token one slipped key away from
# exactly one of them is read as it ("cuanwo" → cuando, "direcciog" → direccion, "popanco" →
# polanco). Only for these cues: the text the NLU and other flows read is not changed.
_CUE_WORDS = frozenset(["cuando", "cuanto", "llega", "llegan", "llegue", "lleguen", "lleva", "llevan", "llevar", "llevas", "traen", "traer", "entrega", "entregas", "entregar", "entreguen", "envio", "flete", "cambiar", "cambien", "cambia", "cambiala", "cambiamela", "cambiame", "direccion", "domicilio", "equivoque", "tarde", "manana", "noche", "sabado", "domingo", "lunes", "martes", "miercoles", "jueves", "viernes", "estrellas", "excelente", "servicio", "cinco", "cuatro", "chofer", "repartidor", "conductor", "camioneta", "atrasadas", "retrasadas", "rutas", "planea", "planear", "horario", "recoger", "sucursal", "dejalo", "dejala", "estaba", "cuesta", "cobran", "costo", "precio", "colonia", "calle", "avenida", "universidad", "pedido", "llantas", "reprogramar", "mover", "muevan", "pasala", "quien", "donde", "ubicacion", "tiempo", "puntualidad", "como", "hora", "paso", "pasan"])
_ZONE_WORDS = frozenset(
    w for names in GAZETTEER.values() for name, _, _ in names
    for w in fold_words(name).split() if len(w) >= 5
)
_KNOWN = _CUE_WORDS | _ZONE_WORDS


def _fix_word(token: str) -> str:
    if len(token) < 4 or token in _KNOWN or not token.isalpha():
        return token
    near = [
        w for w in _KNOWN
        if abs(len(w) - len(token)) <= 1 and (len(w) >= 5 or w in ("como", "hora", "paso"))
        and Levenshtein.distance(token, w) <= 1
    ]  # fmt: skip
    return near[0] if len(near) == 1 else token


def fixed(analysis: Analysis) -> str:
    """The normalised text with slipped keys in the delivery cues put right."""
    return " ".join(_fix_word(w) for w in analysis.normalized.split())


_ADDRESS_LEAD = re.compile(
    r"^.*?\b(?:direccion|domicilio)\b(?: correcta)?(?: (?:es|a|seria|sera|queda))?[:, ]*", re.S
)


def names_zone(text: str) -> bool:
    """The text names a colonia of one of our delivery areas."""
    return any(zone_of(text, code) for code in GAZETTEER)


def address_in(analysis: Analysis, *, expected: bool) -> str | None:
    """The address a message gives: the NLU's reading, else (when it names a colonia we
    deliver to) the words after "la dirección es"."""
    text = analysis.normalized
    found = dx.extract_address(analysis.text, text, expected=expected) or analysis.entities.address
    if found and names_zone(found):
        return found
    raw = analysis.text if names_zone(analysis.text) else fixed(analysis)
    if not names_zone(raw):
        return found
    lead = _ADDRESS_LEAD.match(raw) or _ADDRESS_LEAD.match(fixed(analysis))
    if lead and not _ADDRESS_LEAD.match(raw):
        raw = fixed(analysis)
    rest = _ADDRESS_LEAD.sub("", raw.strip()) if lead else ""
    rest = re.sub(r"\b(?:porfa\w*|por favor|gracias)\b", "", rest, flags=re.I).strip(" ,.!?")
    return rest if len(rest) >= 5 else (raw.strip() if expected else found)


def read(analysis: Analysis, *, in_delivery: bool) -> DeliveryAsk:
    """A customer's message about their delivery. ``in_delivery``: the conversation is already
    about it (a bare "mejor el jueves" moves it; elsewhere it needs delivery words)."""
    text = fixed(analysis)
    e = analysis.entities
    day, window = _day(analysis), window_of_words(analysis)
    address = address_in(analysis, expected=False)
    about = in_delivery or bool(_DELIVERY_WORDS.search(text))
    ask: Ask | None = None
    if CHANGE_TIME.search(text):
        ask = Ask.RESCHEDULE
    elif _UNDO.search(text) and in_delivery:
        ask = Ask.UNDO
    elif _COST.search(text) and not e.sizes:
        ask = Ask.COST
    elif (
        _ADDRESS.search(text)
        or (in_delivery and address and not day and not window)
        or ("direccion" in text and address and names_zone(text))
    ):
        ask = Ask.ADDRESS
    elif PICKUP.search(text) and about:
        ask = Ask.PICKUP
    elif _WHO_BRINGS.search(text) or (_DRIVER.search(text) and about):
        ask = Ask.DRIVER
    elif _ETA.search(text):
        ask = Ask.ETA
    elif about and (_RESCHEDULE.search(text) or analysis.intent == "delivery_reschedule"):
        ask = Ask.RESCHEDULE
    elif (in_delivery or about) and (day or window) and not e.sizes:
        ask = Ask.RESCHEDULE  # "mejor el jueves", "que me la lleven en la tarde"
    return DeliveryAsk(ask, day, window, address)


def pick_offer(analysis: Analysis, offers: list[tuple[date, TimeWindow]]) -> int | None | bool:
    """Which offered window the answer picks (its index); False for "ninguna"; None when it
    names none of them."""
    text = analysis.normalized
    if not offers:
        return None
    if _NONE.search(text):
        return False
    day, window = _day(analysis), window_of_words(analysis)
    hits = [
        i for i, (d, w) in enumerate(offers)
        if (day is None or d == day) and (window is None or w == window)
    ]  # fmt: skip
    if (day or window) and hits:
        return hits[0]
    ordinal = _ORDINAL_RE.search(text)
    if ordinal:
        index = _ORDINAL[ordinal[1]]
        return index if index < len(offers) else None
    if _EARLIEST.search(text):
        return 0
    bare = acts.BARE_NUMBER.match(text)
    if bare and bare[1].isdigit() and 1 <= int(bare[1]) <= len(offers):
        return int(bare[1]) - 1
    if re.search(r"\b(?:esa|ese|la que sea|cualquiera|si|va|dale|sale)\b", text) and len(offers) == 1:
        return 0
    return None


def staff_ask(analysis: Analysis) -> StaffAsk | None:
    """The dispatch question of a staff message, if it is one."""
    text = fixed(analysis)
    if _PLAN.search(text) and (_STAFF_LOGISTICS.search(text) or "plane" in text):
        return StaffAsk.PLAN
    if _KPIS.search(text) and (_STAFF_LOGISTICS.search(text) or "tiempo" in text):
        return StaffAsk.KPIS
    if _LATE.search(text) and (_STAFF_LOGISTICS.search(text) or "tarde" in text):
        return StaffAsk.LATE
    if _FLEET.search(text) and (_STAFF_LOGISTICS.search(text) or _PLATE.search(text)
                                 or _DRIVER_NAME.search(text)):  # fmt: skip
        return StaffAsk.FLEET
    return None


def vehicle_named(analysis: Analysis) -> str | None:
    """A plate ("CD-512-0B") or a driver's first name the staff member names (read on the
    words as written: the normaliser would take a name for a word it knows)."""
    text = fold_words(analysis.text)
    plate = _PLATE.search(text)
    if plate:
        return f"{plate[1]}-{plate[2]}-{plate[3]}".upper()
    for match in _DRIVER_NAME.finditer(text):
        name = match[1] or match[2]
        if name and name not in _NOT_NAMES:
            return name
    return None
