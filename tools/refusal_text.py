"""Spanish words for the domain errors that staff tools pass on in chat.

Repositories raise English messages for the API and the logs; a chat reply must read as Spanish.
Each known message shape keeps its facts (branch, units, SKU, folio); anything else gets a plain
Spanish sentence chosen by the error's kind and field, never the English text.
"""

from __future__ import annotations

import re

from core.errors import Conflict, DomainError, InvalidRequest, NotFound

_STATUS = {
    "requested": "solicitado",
    "in_transit": "en tránsito",
    "received": "recibido",
    "cancelled": "cancelado",
    "confirmed": "confirmado",
    "ordered": "pedido",
    "dismissed": "descartado",
    "open": "abierto",
    "acknowledged": "atendido",
    "resolved": "resuelto",
    "superseded": "reemplazada por una más nueva",
}

# (pattern over the English message, Spanish template with the pattern's groups)
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (
            r"^(\S+) has (\d+) available units of (\S+), not (\d+)$",
            "En {0} solo hay {1} disponibles de {2}, no {3}.",
        ),
        (r"^only (\d+) units available to ship$", "Solo hay {0} disponibles para enviar."),
        (r"^transfer (\S+) does not exist$", "No encontré el traspaso {0}."),
        (r"^transfer (\S+) is (\w+), not \w+$", "El traspaso {0} ya está {1}."),
        (r"^alert (\S+) does not exist$", "No encontré la alerta {0}."),
        (r"^alert (\S+) is (\w+), not open$", "La alerta {0} ya está {1}."),
        (r"^reorder suggestion (\S+) does not exist$", "No encontré la sugerencia {0}."),
        (r"^reorder suggestion (\S+) is (\w+)$", "La sugerencia {0} ya está {1}."),
        (r"^SKU (\S+) is not in suggestion (\S+)$", "El SKU {0} no viene en la sugerencia {1}."),
        (r"^every line was set to 0; nothing to order$", "Todo quedó en 0; no hay nada que pedir."),
        (r"^SKU '(.+)' does not exist$", "No encontré el SKU {0}."),
        (r"^supplier (\S+) does not exist$", "No encontré ese proveedor."),
        (
            r"^from_branch and to_branch must differ$",
            "La sucursal de origen y la de destino tienen que ser distintas.",
        ),
        (r"^unknown branch '(.+?)'; known branches: (.+)$", "No ubico la sucursal {0}; tengo {1}."),
        (r"^no branch (\S+)$", "No ubico la sucursal {0}."),
        (
            r"^'(.+?)' is not a valid tire size: width \d+ mm must end in 5 \(e\.g\. (\d+)\).*$",
            "{0} no es una medida válida; ¿será {1}? Escríbela como 205/55R16.",
        ),
        (
            r"^'(.+?)' is not a valid tire size.*$",
            "{0} no es una medida válida; escríbela como 205/55R16.",
        ),
        (r"^weeks must be between 1 and 52$", "Puedo pronosticar de 1 a 52 semanas."),
        (
            r"^group_by must be one of .+$",
            "Puedo agrupar por medida, marca, línea, categoría o sucursal.",
        ),
        (
            r"^no forecast has run yet.*$",
            "Todavía no hay pronóstico: se calcula en la corrida nocturna de inventario.",
        ),
    )
)

_BY_KIND: tuple[tuple[type[DomainError], str], ...] = (
    (NotFound, "No encontré eso; revisa el folio o el nombre y me dices."),
    (Conflict, "No se puede en este momento: el registro cambió de estado."),
    (InvalidRequest, "Algún dato no cuadra; ¿me lo repites?"),
)


def _status(word: str, feminine: bool) -> str:
    """A status in Spanish, agreeing with "la alerta" / "la sugerencia" when feminine."""
    text = _STATUS.get(word)
    if text is None:
        return word
    return text[:-1] + "a" if feminine and " " not in text and text.endswith("o") else text


def spanish(exc: DomainError) -> str:
    """The error as a short Spanish sentence for chat."""
    for pattern, text in _SHAPES:
        match = pattern.match(exc.message)
        if match:
            feminine = text.startswith(("La ", "Las "))
            return text.format(*(_status(g, feminine) for g in match.groups()))
    if exc.field == "size":
        return "No entendí la medida; escríbela como 205/55R16."
    for kind, text in _BY_KIND:
        if isinstance(exc, kind):
            return text
    return "No se pudo hacer eso; ¿lo intentamos de otra forma?"
