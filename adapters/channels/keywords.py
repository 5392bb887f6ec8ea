"""WhatsApp keyword commands: BAJA/STOP (opt out) and ALTA/START (opt back in), also in a sentence.

"nel, BAJA", "ya no me manden nada, STOP" and "dame de baja porfa" are commands; "tengo una llanta
baja", "se baja la presion" and "la baja de precio" are not. A keyword counts as the whole
message (any case), as an upper-case word in a message that is not all capitals, or alone in
its clause of an all-capitals one ("NEL, BAJA" yes, "TENGO UNA LLANTA BAJA" no); an explicit
phrase counts in any case.
"""

from __future__ import annotations

import re
import unicodedata

OPT_OUT = frozenset({"BAJA", "STOP"})
OPT_IN = frozenset({"ALTA", "START"})

_NOTICES = r"(?:nada|mensajes?|avisos?|notificaciones|promociones|publicidad|whats(?:app)?|spam)"
_OUT_PHRASES = re.compile(
    r"\b(?:"
    r"(?:dame|denme|darme|den|doy|dar|dan|da|quiero darme) de baja"
    r"|(?:ya )?no (?:me )?(?:manden|envien|mandes|envies|sigan mandando) (?:mas )?"
    + _NOTICES
    + r"|(?:ya )?no quiero (?:recibir|que me manden|que me envien) (?:mas )?"
    + _NOTICES
    + r"|dejen de (?:mandarme|enviarme|escribirme)"
    r"|(?:cancelar|cancela|cancelen) (?:la |mi )?suscripcion"
    r"|desuscribir(?:me)?|unsubscribe"
    r")\b"
)
_IN_PHRASES = re.compile(
    r"\b(?:"
    r"(?:dame|denme|darme|den) de alta"
    r"|(?:quiero )?volver a recibir (?:los |las )?(?:mensajes|avisos|notificaciones|promociones)"
    r")\b"
)
_CLAUSES = re.compile(r"[,.;:!¡?¿\n]+")
_WORDS = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _keyword_words(body: str) -> set[str]:
    """Upper-case keyword words that read as commands (see the module docstring)."""
    letters = [c for c in body if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters)
    if not all_caps:
        return {w for w in _WORDS.findall(body) if w in OPT_OUT | OPT_IN}
    found: set[str] = set()
    for clause in _CLAUSES.split(body):
        words = _WORDS.findall(clause)
        if len(words) == 1 and words[0] in OPT_OUT | OPT_IN:
            found.add(words[0])
    return found


def opt_change(body: str) -> bool | None:
    """False to opt out (BAJA/STOP), True to opt back in (ALTA/START), None for anything else.
    When a message says both, opting out wins: stopping messages is never the wrong call."""
    plain = _plain(body)
    whole = re.sub(r"[^A-Z]", "", plain.upper())
    if whole in OPT_OUT:
        return False
    if whole in OPT_IN:
        return True
    words = _keyword_words(plain)
    folded = " ".join(_WORDS.findall(plain.lower()))
    if words & OPT_OUT or _OUT_PHRASES.search(folded):
        return False
    if words & OPT_IN or _IN_PHRASES.search(folded):
        return True
    return None
