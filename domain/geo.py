"""Which branch a Mexican phone number is nearest to, from its area code."""

from __future__ import annotations

# Area codes of the metro areas our branches serve (CDMX 55/56, Guadalajara 33, Monterrey 81).
AREA_BRANCH = {"55": "CDMX", "56": "CDMX", "33": "GDL", "81": "MTY"}


def branch_for_phone(phone: str | None) -> str | None:
    """The branch code for an E.164 Mexican number (+52 55..., +521 33...), or None."""
    if not phone or not phone.startswith("+52"):
        return None
    national = phone[3:]
    if len(national) == 11 and national.startswith("1"):  # the old mobile prefix
        national = national[1:]
    return AREA_BRANCH.get(national[:2]) if len(national) == 10 else None
