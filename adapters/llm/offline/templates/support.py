"""Support answers: care basics, problems, warranty, hand-off to a person."""

from __future__ import annotations

from domain.tool_results import HandoffResult

CARE = (
    "Te comparto lo básico 🔧\n"
    "• La presión correcta viene en la etiqueta del marco de la puerta del conductor (o en el "
    "manual); revísala en frío, cada 15 días.\n"
    "• Rota tus llantas en cada servicio de tu auto para que se gasten parejo.\n"
    "• El código DOT termina en 4 dígitos: semana y año de fabricación (ej. 2324 = semana 23 "
    "de 2024).\n"
    "¿Quieres que un técnico revise tus llantas? Te paso con uno."
)
PROBLEM = (
    "Lamento el problema 😟 Por seguridad, si la llanta pierde aire, tiene chipotes o vibra "
    "mucho, evita carretera y velocidad alta. Eso se debe revisar en el taller. ¿Te paso con un "
    "técnico para que revise tu caso?"
)
WARRANTY = (
    "Claro, te ayudo con la garantía. ¿Me compartes el folio de tu compra (ej. TL-000123)? Un "
    "técnico revisa la llanta y te dice si aplica."
)
OKAY = "Va, aquí sigo por si necesitas algo más 🙂"


def handoff(result: HandoffResult) -> str:
    """The conversation went to a person."""
    if result.kind == "warranty":
        return (
            "Gracias. Ya le pasé tu caso a un técnico con tu folio; te contacta para revisar la "
            "llanta y decirte si aplica la garantía 🔧"
        )
    if result.kind in ("technical", "delivery_issue"):
        return (
            "Listo, ya le pasé tu caso a nuestro equipo con el resumen de la plática; te contactan "
            "en cuanto lo revisen 🙌"
        )
    return (
        "Listo, ya le pasé tu caso a un asesor de TopLlantas con el resumen de nuestra plática. "
        "Te contacta en cuanto esté disponible 🙌"
    )


def tool_error(tool: str, message: str) -> str:
    """A refusal, said kindly (tools write their refusals for customers)."""
    detail = message.strip().rstrip(".")
    if tool in ("create_reservation", "change_reservation"):
        return f"No pude apartarlas 😕 ({detail}). ¿Quieres que revise otra sucursal u otra opción?"
    if detail:
        return detail[0].upper() + detail[1:] + "."
    return "No pude consultar eso ahorita 😕 ¿Lo intentamos de nuevo o te paso con un asesor?"
