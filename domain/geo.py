"""Which branch a Mexican phone number is nearest to, from its area code (codes on the branches)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def national_number(phone: str | None) -> str | None:
    """The 10-digit national number of an E.164 Mexican phone (+52 55..., +521 33...), or None."""
    if not phone or not phone.startswith("+52"):
        return None
    national = phone[3:]
    if len(national) == 11 and national.startswith("1"):  # the old mobile prefix
        national = national[1:]
    return national if len(national) == 10 and national.isdigit() else None


def branch_for_phone(phone: str | None, area_codes: Mapping[str, Sequence[str]]) -> str | None:
    """The branch whose area codes (2 or 3 digits, from the Branch table) start the number."""
    national = national_number(phone)
    if national is None:
        return None
    # Longest code first: a 3-digit area code never loses to a 2-digit one that prefixes it.
    pairs = sorted(
        ((code, branch) for branch, codes in area_codes.items() for code in codes),
        key=lambda pair: -len(pair[0]),
    )
    return next((branch for code, branch in pairs if national.startswith(code)), None)
