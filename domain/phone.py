"""Phone numbers: E.164 as the one type, and Mexican numbers as people type them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

E164_PATTERN = r"^\+[1-9]\d{7,14}$"
E164 = re.compile(E164_PATTERN)
# A phone number in E.164 (+5215512345678, +525512345678): the type of phones in requests.
Phone = Annotated[str, StringConstraints(pattern=E164_PATTERN)]

_SEPARATORS = re.compile(r"[\s\-.()/]")
_OLD_PREFIXES = ("044", "045", "01")  # mobile and long-distance dialling before 2019/2020


def is_e164(value: str) -> bool:
    """True for ``+`` and 8 to 15 digits, the first not 0."""
    return E164.fullmatch(value) is not None


def normalize_mx_phone(raw: str) -> str:
    """A Mexican number as typed (``55 1234 5678``, ``(55) 1234-5678``, ``044 55 1234 5678``,
    ``52 1 55 1234 5678``, ``0052 ...``) in E.164; an international ``+...`` stays as written.

    The old mobile ``1`` after 52 is kept when it is written: WhatsApp still sends it, and a
    number keeps the identity its customer record has.

    Raises:
        ValueError: not a phone number; the message says what to write.
    """
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        for prefix in _OLD_PREFIXES:
            if digits.startswith(prefix) and len(digits) == len(prefix) + 10:
                digits = digits[len(prefix) :]
                break
        if len(digits) == 10:
            digits = "+52" + digits
        elif digits.startswith("52") and len(digits) in (12, 13):
            digits = "+" + digits
    if not is_e164(digits) or (digits.startswith("+52") and len(digits) not in (13, 14)):
        raise ValueError(
            f"'{raw}' is not a phone number: write the 10 digits (55 1234 5678) or +52 and them"
        )
    return digits
