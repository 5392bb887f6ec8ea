"""Mexican phone numbers as people type them become E.164; nonsense is refused with the fix."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.phone import Phone, is_e164, normalize_mx_phone


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("55 1234 5678", "+525512345678"),
        ("(55) 1234-5678", "+525512345678"),
        ("5512345678", "+525512345678"),
        ("044 55 1234 5678", "+525512345678"),
        ("01 33 1234 5678", "+523312345678"),
        ("52 55 1234 5678", "+525512345678"),
        ("521 55 1234 5678", "+5215512345678"),
        ("+52 1 55 1234 5678", "+5215512345678"),
        ("0052 81 1234 5678", "+528112345678"),
        ("+1 415 523 8886", "+14155238886"),
    ],
)
def test_typed_numbers_become_e164(typed: str, e164: str) -> None:
    assert normalize_mx_phone(typed) == e164 and is_e164(e164)


@pytest.mark.parametrize("typed", ["", "hola", "1234", "55 1234 567", "+52 55 1234", "+0 555"])
def test_nonsense_is_refused_with_what_to_write(typed: str) -> None:
    with pytest.raises(ValueError, match="10 digits"):
        normalize_mx_phone(typed)


def test_the_phone_type_takes_e164_only() -> None:
    adapter = TypeAdapter(Phone)
    assert adapter.validate_python("+5215512345678") == "+5215512345678"
    with pytest.raises(ValidationError):
        adapter.validate_python("55 1234 5678")
