"""Phrasings that carry a speech act or a topic whatever the classifier says: how customers
ask for the hold, the link, the balance, a branch's hours; reserve, change or cancel; choose
"esa"; say "la otra", "déjame pensarlo", "¿y si fueran 2?". Patterns run on normalised text."""

from __future__ import annotations

import re

from domain.dialogue import Awaiting, Topic

TOPIC_PATTERNS: tuple[tuple[Topic, re.Pattern[str]], ...] = (
    (
        Topic.FIND_SIZE,
        re.compile(
            r"\b(?:como|donde)\b.{0,25}\b(?:saber|se|veo|checo|busco|encuentro|reviso)\b.{0,20}"
            r"\b(?:medida|version|rin|cual (?:sea|es|trae|tengo|lleva|le queda))\b|"
            r"\bno se (?:cual|que) (?:sea|es|version|medida|rin|trae|lleva|tengo)\b|"
            r"\b(?:como|pa|para) saber\b.{0,15}\bcual\b|"
            r"\bdonde (?:viene|dice|esta) (?:la medida|el rin|la version)\b"
        ),
    ),
    (
        Topic.BRANCHES,
        re.compile(
            r"^(?!.*\b(?:llega|llegan|entregan|pedido|entrega)\b).*(?:"
            r"\b(?:el|los|este|hoy|manana) (?:lunes|martes|miercoles|jueves|viernes|sabados?|"
            r"domingos?|dias? festivos?)? ?(?:abren|cierran|trabajan|estan abiertos|atienden)\b|"
            r"\b(?:abren|trabajan|atienden) (?:los |el )?(?:domingos?|sabados?|festivos?)\b|"
            r"\ba que hora (?:abren|cierran)\b|\bhorarios?\b|\b(?:abren|cierran) (?:el|los|hoy|mañana|"
            r"manana|entre semana|sabado|domingo)\b|\bhasta que hora\b|\bdonde (?:estan|quedan|se ubican|"
            r"los encuentro|es exactamente|queda exactamente|es la sucursal|esta la sucursal)\b|"
            r"\bsu direccion\b|\bla direccion\b|\bubicacion\b|\bcomo llego\b)"
        ),
    ),
    (
        Topic.SERVICES,
        re.compile(
            r"\b(?:las instalan|ustedes instalan|hacen la instalacion|cuanto (?:cuesta|cobran|sale) "
            r"(?:la instalacion|el balanceo|la alineacion|instalar|balancear|alinear)|"
            r"balanceo|alineacion|valvulas|nitrogeno)\b"
        ),
    ),
    (
        Topic.HOLD_PERIOD,
        re.compile(
            r"\b(?:cuanto tiempo|hasta cuando|cuantos dias|cuantas horas|por cuanto tiempo)\b.*"
            r"\b(?:guard\w*|apart\w*|separ\w*|reserv\w*|vigen\w*|dura|tengo para)\b|"
            r"\b(?:vigencia|dura|vence|expira) (?:el|del|mi) (?:apartado|reserva)\b|"
            r"\bcuando (?:vence|expira|se vence) (?:el|mi) (?:apartado|reserva|link)\b"
        ),
    ),
    (
        Topic.PAYMENT_LINK,
        re.compile(
            r"\b(?:link|liga|enlace|ligas|links)\b.*\b(?:pago|pagar|anticipo)\b|"
            r"\b(?:mandame|pasame|enviame|reenviame|manda|pasa|envia|reenvia|comparteme)\b.*"
            r"\b(?:link|liga|enlace)\b|\bno me llego el (?:link|liga|enlace)\b|"
            r"\b(?:link|liga|enlace) (?:otra vez|de nuevo|nuevamente)\b"
        ),
    ),
    (
        Topic.BALANCE,
        re.compile(
            r"\b(?:cuanto|que) (?:me |nos )?(?:falta|resta|adeudo)\b|\bsaldo\b|"
            r"\bcuanto (?:me |nos )?queda (?:por|de) pagar\b|"
            r"\bcuanto (?:les? )?debo\b(?!\s+\w+(?:ar|er|ir)\b)|"
            r"\b(?:falta|resta) (?:por|de) pagar\b|\bel resto\b.*\bpag\w*|\bliquidar\b"
        ),
    ),
    (
        Topic.PAYMENT_METHODS,
        re.compile(
            r"\b(?:pagar|pago|pagos|aceptan|reciben|puedo pagar|se puede pagar)\b.*"
            r"\b(?:oxxo|efectivo|transferencia|spei|deposito|tarjeta|paypal|mercado pago|cash)\b|"
            r"\b(?:formas|metodos|opciones) de pago\b|\bcomo (?:le )?(?:pago|hago el pago)\b"
        ),
    ),
    (
        Topic.INVOICE,
        re.compile(r"\bfactur\w*\b|\bcfdi\b|\bdatos fiscales\b|\bcomprobante fiscal\b"),
    ),
)
# "¿el domingo abren?": the day is part of a question about hours, not a visit being arranged.
DAY_HOURS = re.compile(
    r"\b(?:el|los|este|hoy|manana)\s+(?:lunes|martes|miercoles|jueves|viernes|sabados?|domingos?|"
    r"dias? festivos?)\s+(?:si |no )?(?:abren|cierran|trabajan|estan abiertos|atienden)\b|"
    r"\b(?:abren|cierran|trabajan|atienden|estan abiertos)\s+(?:los |el |en )?(?:lunes|martes|"
    r"miercoles|jueves|viernes|sabados?|domingos?|festivos?)\b"
)
QUANTITY_CHANGE = re.compile(
    r"\b(?:mejor|nomas|solo|solamente|que sean|y si (?:fueran|son|fuera)|si fueran|"
    r"en vez de \w+ (?:que sean |ponme |dame )?|en lugar de \w+ (?:que sean |ponme |dame )?|"
    r"cambialo a|cambiala a|cambio a|cambiame a|ahora|ponme|hazlo de|hazla de|dejalo en|"
    r"dejala en|dejalas en|mejor que sean|entonces|pues|entons)\s+(\d{1,3}|una|un|dos|tres|cuatro|"
    r"cinco|seis|ocho|diez|doce)\b(?!\s*(?:de la|am|pm|:|mil|pesos|dias|horas))"
)
NUMBER_WORDS = {
    "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "ocho": 8,
    "diez": 10, "doce": 12,
}  # fmt: skip
BARE_NUMBER = re.compile(
    r"^(?:son |serian |seria |nomas |solo )?(\d{1,3}|"
    + "|".join(NUMBER_WORDS)
    + r")(?: llantas?| piezas?)?$"
)
BARE_YEAR = re.compile(
    r"^(?:(?:es|era|seria|perdon|perdon es|no es|no|mas bien|oops|ups|digo)\s+)*"
    r"(?:(?:un|una|el|del|de|modelo|ano|mod)\s+)*((?:19|20)\d\d|\d\d)(?:\s+(?:perdon|jaja|sorry))?$"
)
THAT_ONE = re.compile(
    r"\b(?:esa|esas|esa mero|esas mero|esa misma|esas mismas|la misma|las mismas|esa esta bien|esas estan bien)\b"
)
THAT_ORDER = re.compile(r"\b(?:ese|este|esa|ese pedido|este pedido|el mismo|ese folio)\b")
WHAT_TO_BRING = re.compile(
    r"\bque (?:tiene|tengo|tenemos|hay|necesito|necesita) que llevar\b|\bque (?:llevo|debo llevar)\b|"
    r"\bque (?:documentos|papeles|identificacion)\b"
)
WORST_SELLERS = re.compile(
    r"\b(?:menos se vend\w*|menos vendid\w*|peor\w*|no se vend\w*|no se mueve\w*|no rota\w*|"
    r"menos salida|menos se mueve\w*|menos salen|no salen|no tienen salida|mas lent\w*|"
    r"menos rotacion|menos desplaz\w*|sin vender|estancad\w*|rezagad\w*|"
    r"sin movimiento|no han salido|no se han vendido|hueso|huesos)\b"
)
LOW_STOCK = re.compile(
    r"\b(?:quedando sin|quedamos sin|nos quedamos sin|se (?:nos )?(?:estan )?acab\w*|"
    r"por acabarse|por agotarse|agotando|agotad\w*|poco stock|poca existencia|bajo stock|"
    r"stock bajo|existencia baja|debajo del minimo|bajo (?:el )?minimo|hay que (?:pedir|surtir|resurtir)|"
    r"(?:hacer|armar) el pedido|resurtir|faltantes?)\b"
)
BEST_SELLERS = re.compile(
    r"\b(?:mas se vend\w*|mas vendid\w*|mejor(?:es)? vendid\w*|mas salen|mas salida|"
    r"mas se mueve\w*|top|mas rotacion|mas desplaz\w*|lo que mas sale|"
    r"se vend(?:io|e|en|ieron|ia|ian) mas|vend(?:imos|emos) mas)\b"
)
APART = re.compile(
    r"\baparta(?:r|me|mela|melas|melo|melos|la|las|lo|los|n|nme|nmelas|s)?\b|\bapartarm\w*|"
    r"\baparte(?:n|s|nme|nmelas)\b|"
    r"\bseparam\w*|\bseparalas\b|\breserva(?:r|me|mela|melas|las|los)?\b|\bme las llevo\b|"
    r"\blas quiero\b(?! factur)|\bla quiero\b(?! factur)|\bme quedo con\b|\bvolver a apartar\w*|"
    r"\b(?:apartanos|apartenos|apartenmelas|separanos|reservanos|reservamelas)\b|"
    r"\bvuelv\w* a (?:hacer|apartar|reservar|generar|sacar)\b|\bhazlo de nuevo\b|"
    r"\b(?:apartalas|apartamelas|hazlo|hazme el apartado) (?:de nuevo|otra vez)\b"
)
# "¿me las puedes pasar a la sucursal de allá?": move the reservation, not ask for stock.
MOVE_BRANCH = re.compile(
    r"\b(?:pasa\w*|mueve\w*|mover\w*|cambia\w*|manda\w*|envia\w*|transfier\w*|lleva\w*)\b.{0,30}"
    r"\b(?:sucursal|alla|aca|alli)\b|\bmejor (?:que sea )?en (?:la )?(?:sucursal|tienda)\b"
)
PRICE_QUESTION = re.compile(
    r"\bcuanto (?:me )?(?:sale|salen|cuesta|cuestan|queda|quedan|seria|serian|es|son|me sale)\b"
)
RECOMMEND = re.compile(
    r"\b(?:cual|que|cuales) (?:me )?(?:recomienda\w*|conviene\w*|sugiere\w*|aconseja\w*)\b|"
    r"\b(?:cual|que) es (?:la )?mejor\b|\btu (?:cual|que) (?:escogerias|elegirias|comprarias)\b"
)
RATING_WORDS = {
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "pesimo": 1, "malo": 2, "mal": 2,
    "regular": 3, "bien": 4, "bueno": 4, "muy bien": 5, "excelente": 5, "super": 5,
}  # fmt: skip
RATING = re.compile(
    r"(?<![\d/])([1-5])(?![\d/])(?:\s*(?:de 5|/5|estrellas?))?|\b("
    + "|".join(sorted(RATING_WORDS, key=len, reverse=True))
    + r")\b"
)


def rating(text: str) -> int | None:
    """A 1-5 satisfaction answer ("5", "un 4", "cinco estrellas", "excelente")."""
    match = RATING.search(text)
    if match is None:
        return None
    return int(match[1]) if match[1] else RATING_WORDS[match[2]]


# "¿ya me van a hablar?": a customer asking about the case already open.
WAITING_CASE = re.compile(
    r"\b(?:ya me van a (?:hablar|marcar|llamar|contestar)|cuando me (?:hablan|marcan|llaman|contestan)|"
    r"sigo esperando|nadie me ha (?:hablado|marcado|llamado|contestado)|que paso con mi caso|"
    r"y mi caso|no me han (?:hablado|marcado|llamado))\b"
)
# "en la tarde me pueden marcar": how and when to call, for the case already open.
CALL_ME = re.compile(
    r"\b(?:marc\w*|llam\w*|hablen|contact\w*|whats|wasap|correo)\b|"
    r"\b(?:en la (?:manana|tarde|noche)|despues de las|antes de las)\b"
)
CHEAPEST = re.compile(r"\b(?:mas barat\w*|mas economic\w*|las baratas|la barata|lo mas barato)\b")
OTHER = re.compile(
    r"\b(?:la otra|las otras|otra opcion|otras opciones|algo mas barato|mas barat[ao]s?|mas economic[ao]s?)\b"
)
REPORTED_CANCEL = re.compile(
    r"\b(?:se cancelo|se me cancelo|me cancelaron|cancelaron|fue cancelad\w*|esta cancelad\w*|"
    r"quedo cancelad\w*|salio cancelad\w*|aparece cancelad\w*)\b"
)
YEAR_ANYWHERE = re.compile(r"\b(19[89]\d|20[0-3]\d)\b(?!\s*(?:pesos|mil|km|llantas|piezas))")
CORRECTION_CUE = re.compile(
    r"\b(?:me equivoque|perdon|no es|mas bien|digo|es|era|corrijo|modelo|ano|año)\b"
)
BASE_TRIM = re.compile(
    r"\b(?:basica|la normal|sencilla|estandar|la base|version base|de entrada|"
    r"ni idea de la version|no se (?:la|que) version|no se cual version)\b"
)
TERMS = re.compile(
    r"\bdescuento\b|\bcredito (?:disponible|tengo|me queda)\b|\bmi (?:linea de )?credito\b|"
    r"\blinea de credito\b|\bcuanto credito\b|\bprecio de (?:distribuidor|mayoreo|flotilla)\b"
)
INVOICE_WORDS = re.compile(
    r"\b(?:rfc|regimen|uso de cfdi|cfdi|codigo postal|razon social|factur\w*)\b"
)
WANTS_PERSON = re.compile(
    r"\b(?:tecnico|asesor|persona|humano|alguien)\b.*\b(?:revis\w*|llam\w*|marqu\w*|contact\w*|"
    r"atiend\w*|ayud\w*|vea|chequ\w*)\b|\b(?:revis\w*|llam\w*|marqu\w*|contact\w*|chequ\w*)\b.*"
    r"\b(?:tecnico|asesor|persona|alguien)\b"
)
BRAND_QUESTION = re.compile(
    r"\b(?:tienes|tienen|tiene|hay|manejan|manejas|venden|vendes|trabajan|habra|tendras|tendran)\b|"
    r"^(?:y |mm |mmm |oye |ok )*en\b|\by en\b|\by de\b|\bque tal (?:las|la)\b|\by las?\b.*\?"
)
RIM = re.compile(r"\b(?:rin|rines|aro|aros|r)\s?(?:de )?(1[2-9]|2[0-4])\b")
HEAVY_TRUCK = re.compile(
    r"\b(?:\d{2}r22\.?5|\d{3}/\d{2}r22\.?5|r ?22\.5|r ?24\.5|22\.5|camion de carga|tractocamion|"
    r"trailer|torton|rabon|tractor agricola|montacargas)\b"
)
MINE = re.compile(
    r"\b(?:el mio|la mia|los mios|las mias|mi pedido|mis pedidos|mi orden|mi folio)\b"
)
MY_RESERVATION = re.compile(
    r"\b(?:tengo|traigo|deje|hice) (?:unas |mis |las |un )?(?:llantas )?(?:apartad\w*|pedid\w*|"
    r"apartado|pedido)\b|\bmis llantas apartadas\b|\bya (?:las )?tengo apartadas\b|"
    r"\b(?:las|unas) (?:llantas )?que (?:aparte|pedi|compre)\b"
)
OTHER_ORDER = re.compile(
    r"\b(?:el otro|mi otro|otro pedido|el otro pedido|los otros|el de las otras|el otro folio|"
    r"(?:el|mi) (?:pedido |folio )?anterior|el de antes|el pasado|el primero que hice)\b"
)
DATE_WORDS = re.compile(
    r"\b(?:hoy|(?<!la )(?<!esta )manana|pasado manana|lunes|martes|miercoles|jueves|viernes|sabado|domingo|"
    r"fin de semana|semana|(?:el|al) (?:dia )?\d{1,2}|\d{1,2} de \w+)\b"
)
PROMO = re.compile(
    r"\b(?:promo\w*|ofertas?|rebajas?|buen fin|descuentos? (?:hay|tienen|manejan))\b"
)
LATER = re.compile(
    r"\b(?:luego te escribo|te escribo (?:luego|al rato|despues|mas tarde)|despues te escribo|"
    r"al rato te escribo|luego le escribo|te marco (?:luego|despues)|lo veo (?:luego|despues))\b|"
    r"\b(?:dejame pensarlo|lo pienso|lo voy a pensar|lo voy a checar|luego te (?:digo|aviso|confirmo)|"
    r"despues te (?:digo|aviso|confirmo)|al rato te (?:digo|aviso|confirmo)|te aviso|lo consulto|"
    r"lo platico|deja lo (?:checo|veo|pienso)|dejame (?:checar|ver|consultar)lo|"
    r"lo (?:checo|checamos|consulto|platico|comento|veo) con (?:mi|la|el|los|mis)\b)"
)
VISIT = re.compile(
    r"\b(?:paso|pasamos|me paso|voy|vamos|llego|caigo|me lanzo|me doy una vuelta)\s+"
    r"(?:manana|hoy|el|en la|al rato|ahorita|mas tarde|temprano|por alla|para alla|luego)\b|"
    r"\b(?:ahorita|al rato|manana|luego) (?:paso|voy|me paso|caigo|llego)\b"
)
YES_NO = frozenset({
    Awaiting.RESERVE_CONFIRM, Awaiting.CHANGE_CONFIRM, Awaiting.CANCEL_CONFIRM,
    Awaiting.HANDOFF_CONFIRM,
})  # fmt: skip
DEALER = re.compile(
    r"\b(?:distribuidor|mayoreo|por volumen|revendo|reventa|flotilla|llantera|taller mecanico)\b"
)
