"""What the service itself says in Spanish (es-MX), outside any agent's reply: one home for all."""

from __future__ import annotations

import math

# A message that never reaches the agents.
EMPTY_REPLY = "¿Me escribes tu mensaje? Cuéntame para qué auto buscas llantas o en qué te ayudo 🙂"
LONG_REPLY = "Tu mensaje es muy largo para mí 😅 ¿Me lo resumes en unas líneas?"
BINARY_REPLY = "No pude leer ese mensaje. ¿Me lo escribes con texto, por favor?"

# A turn that failed: the customer gets a calm answer on every channel, never silence.
TROUBLE_REPLY = (
    "Perdón, tuve un problema para responderte 😕 ¿Me lo repites en un momento? Si es urgente, "
    "te paso con un asesor."
)


def too_fast(wait_s: float) -> str:
    """A keyless web chat over its message budget: how long to wait, in words."""
    seconds = max(1, math.ceil(wait_s))
    if seconds < 60:
        when = "un segundo" if seconds == 1 else f"{seconds} segundos"
    else:
        minutes = math.ceil(seconds / 60)
        when = "un minuto" if minutes == 1 else f"{minutes} minutos"
    return f"Vas muy rápido 😅 Dame {when} y me vuelves a escribir."


# A turn that ended without text of its own.
FOLLOW_UP = "¿En qué más te ayudo?"

# WhatsApp keywords: notifications and marketing off (BAJA/STOP) or back on (ALTA/START).
OPTED_OUT = (
    "Listo, ya no te enviaremos avisos ni promociones por WhatsApp. "
    "Si quieres volver a recibirlos, escribe ALTA."
)
OPTED_IN = (
    "¡Listo! Volverás a recibir por WhatsApp los avisos de tus pedidos. "
    "Si quieres dejar de recibirlos, escribe BAJA."
)
