"""Rules that beat statistics: one-word yes/no, emoji-only messages and prompt injection."""

from __future__ import annotations

import re

# Opt-out keywords ("BAJA", "STOP") are deliberately absent: callers handle them before the NLU.
AFFIRM = frozenset(
    {
        "si",
        "va",
        "sale",
        "dale",
        "orale",
        "simon",
        "correcto",
        "ok",
        "claro",
        "de acuerdo",
        "esta bien",
        "si esta bien",
        "perfecto",
        "exacto",
        "asi es",
        "adelante",
        "si por favor",
        "si claro",
        "claro que si",
        "andale",
        "va que va",
        "sale pues",
        "ok va",
        "confirmo",
        "afirmativo",
        "seguro",
        "por supuesto",
        "si si",
        "sisi",
        "va pues",
        "ok perfecto",
    }
)
DENY = frozenset(
    {
        "no",
        "nel",
        "mejor no",
        "todavia no",
        "aun no",
        "no gracias",
        "para nada",
        "ahorita no",
        "no por ahora",
        "negativo",
        "ninguna",
        "ninguno",
        "tampoco",
        "nones",
        "no no",
        "no todavia",
        "de momento no",
        "por ahora no",
    }
)
_EMOJI_INTENTS = (
    ("\U0001f44d\U0001f44c\u2705\u2714", "affirm"),
    ("\U0001f44e\u274c\u2716", "deny"),
    ("\U0001f64f", "thanks"),
    ("\U0001f44b", "greeting"),
)
_INJECTION = re.compile(
    "|".join(
        (
            r"\bignor\w* (?:\w+ ){0,3}(?:instrucciones|reglas|indicaciones|anterior|anteriores)\b",
            r"\bignore (?:\w+ ){0,2}instructions\b",
            r"\bolvid\w* (?:\w+ ){0,4}(?:reglas|instrucciones|anterior|restricciones|te dijeron)\b",
            r"\b(?:system prompt|prompt del sistema|instrucciones del sistema|instrucciones internas)",
            r"\b(?:muestra\w*|imprime|revela|repite|ensena\w*|dime|pasame) (?:tu|tus|el|la|las|los)"
            r" (?:prompt|configuracion|codigo fuente|instrucciones|reglas)\b",
            r"\b(?:eres ahora|ahora eres|desde ahora eres|a partir de ahora eres)\b",
            r"\b(?:eres|modo) dan\b",
            r"\b(?:actua|actue|finge|pretende|haz de cuenta) (?:como|que eres) (?:si fueras )?"
            r"(?:el |la |un |una |otro )?(?:admin|administrador|root|desarrollador|gerente|dueno|"
            r"sistema|asistente)",
            r"\bsoy (?:el|la|tu) (?:admin|administrador|desarrollador|programador|dueno)\b",
            r"\bmodo (?:desarrollador|dios|debug|developer|admin|administrador)\b",
            r"\b(?:developer mode|jailbreak|sin (?:restricciones|filtros|censura|reglas))\b",
            r"\b(?:datos|telefonos|correos|direcciones|lista|base de datos|pedidos) de (?:todos )?"
            r"(?:los |tus |sus |otros )?clientes\b",
            r"\bdrop table\b|\bselect\b.*\bfrom\b|\bdelete from\b",
            r"\bapi key\b|\b(?:contrasena|password) del (?:admin|administrador|sistema)\b",
            r"^(?:system|sistema)\b",
            r"\b(?:you are now|pretend you)\b",
        )
    )
)


# "¿eres un robot?" is curiosity, not an insult (the classifier confused the two).
_ARE_YOU_A_BOT = re.compile(
    r"^(oye |y )?(eres|tu eres|hablo con|estoy hablando con) (un |una )?"
    r"(robot|bot|maquina|persona( real)?|humano|ia|inteligencia artificial)( o (que|persona|humano))?$"
)


def rule_intent(normalized: str, original: str) -> tuple[str, float] | None:
    """The intent when a rule is sure, else None.

    Args:
        normalized: the normalised message.
        original: the raw message (emoji-only messages normalise to nothing).

    Returns:
        ``(intent, confidence)`` or None to let the classifier decide.
    """
    plain = normalized.replace("?", " ").replace("$", " ").strip()
    plain = " ".join(plain.split())
    if not plain:
        for emojis, intent in _EMOJI_INTENTS:
            if any(e in original for e in emojis):
                return intent, 0.9
        return "small_talk", 0.3
    if _INJECTION.search(plain):
        return "prompt_injection", 0.99
    if _ARE_YOU_A_BOT.search(plain):
        return "small_talk", 0.95
    if plain in AFFIRM:
        return "affirm", 0.99
    if plain in DENY:
        return "deny", 0.99
    return None
