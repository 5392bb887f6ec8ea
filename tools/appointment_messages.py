"""What a customer reads when an appointment tool says no (es-MX): the reason, then what we
can offer instead. Every time and day comes from the caller, already in words."""

from __future__ import annotations

NEED_IDENTITY = (
    "Para agendar a tu nombre escríbenos desde tu WhatsApp o dame tu número, y te aparto el lugar."
)
NOT_FOUND = (
    "No encontré esa cita a tu nombre 🙏 Por seguridad solo veo las citas de este número. "
    "¿Me confirmas el folio? (p. ej. CT-000123)"
)
NO_UPCOMING = "No tienes citas próximas. ¿Quieres que te agende una?"


def joined(items: list[str]) -> str:
    """``a``, ``a o b``, ``a, b o c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} o {items[-1]}"


def no_bays(service: str, branch: str, elsewhere: list[str]) -> str:
    """The branch does not do that service in a bay."""
    other = f" Sí lo hacemos en {joined(elsewhere)}." if elsewhere else ""
    return f"En {branch} no agendamos {service.lower()}.{other}"


def past(when: str, offer: str) -> str:
    """The time asked for has passed (or is too close to prepare the bay)."""
    return f"El {when} ya pasó o está demasiado cerca para apartar la bahía. {offer}"


def too_far(days: int, offer: str) -> str:
    """Beyond the booking horizon."""
    return f"Solo agendamos con hasta {days} días de anticipación. {offer}"


def closed_day(day: str, offer: str) -> str:
    """The branch is closed that day."""
    return f"El {day} la sucursal está cerrada. {offer}"


def outside_hours(at: str, hours: str, offer: str) -> str:
    """Before opening or too late to finish before closing."""
    return f"A las {at} no alcanzamos: ese día el horario es {hours}. {offer}"


def off_grid(at: str, minutes: int, offer: str) -> str:
    """Not the start of a slot (slots of the service start every ``minutes``)."""
    return f"Las citas de ese servicio empiezan cada {minutes} minutos y las {at} no es un horario. {offer}"  # noqa: E501


def full(service: str, branch: str, when: str, offer: str) -> str:
    """Every bay is taken at that time."""
    return f"Ya no hay lugar para {service.lower()} en {branch} el {when}. {offer}"


def same_day(at_times: list[str]) -> str:
    """Other free times that day."""
    return f"Ese día tengo lugar a las {joined(at_times)}. ¿Te acomoda alguno?"


def other_day(day: str, at_times: list[str]) -> str:
    """The first day with room."""
    return f"El siguiente día con lugar es el {day}, a las {joined(at_times)}. ¿Te acomoda?"


CLOSER_DATE = "¿Te busco lugar en una fecha más cercana?"
NOTHING_FREE = (
    "No me quedan lugares en los próximos días en esa sucursal; si quieres te paso con la "
    "sucursal para acomodarte."
)


def which(choices: list[str]) -> str:
    """Several upcoming appointments and none named."""
    return f"Tienes varias citas: {joined(choices)}. ¿Cuál?"


def already_booked(service: str, number: str, when: str) -> str:
    """The customer already has that service booked that day."""
    return (
        f"Ya tienes cita de {service.lower()} el {when} (folio {number}). Si quieres otra hora, "
        "la muevo."
    )


def too_many(count: int) -> str:
    """Upcoming appointments at their limit."""
    return f"Ya tienes {count} citas próximas; para agendar otra, cancelo o muevo una de ellas."


def not_booked(number: str, status: str) -> str:
    """A cancelled, finished or missed appointment cannot be changed."""
    words = {"cancelled": "cancelada", "done": "ya atendida", "no_show": "vencida"}
    return f"La cita {number} está {words.get(status, status)}; si quieres, agendo una nueva."


def started(number: str) -> str:
    """Its time has come: the branch handles it now."""
    return f"La cita {number} ya empezó o está por empezar; para cambiarla llama a la sucursal."


def same_slot(number: str, when: str) -> str:
    """Moved to where it already is."""
    return f"Tu cita {number} ya está el {when}. ¿A qué otro día u hora la muevo?"
