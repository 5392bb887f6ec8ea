"""CFDI 4.0 receiver rules: RFC format, date and SAT check digit; régimen and uso de CFDI."""

from __future__ import annotations

import pytest

from core.errors import InvalidRequest
from domain.cfdi import (
    PersonType,
    check_rfc,
    regime_for,
    rfc_check_digit,
    use_for,
    validate_receiver,
    validate_rfc,
    validate_zip_code,
)

# Public examples: python-stdnum's documentation (GODE561231GR8, MAB9307148T4), the
# validate-rfc library's README (MHTR93041179A valid, MHTR810511A79 should end in 2,
# LME060822IH5 should end in 3) and the SAT's CFDI 4.0 test taxpayer (EKU9003173C9).
VALID = ["GODE561231GR8", "MAB9307148T4", "MHTR93041179A", "MHTR810511A72", "EKU9003173C9"]
WRONG_DIGIT = ["MHTR810511A79", "LME060822IH5", "GODE561231GR9", "MAB9307148T5"]


@pytest.mark.parametrize("rfc", VALID)
def test_public_examples_are_valid(rfc: str) -> None:
    checked = check_rfc(rfc)
    assert checked.valid, checked.problem
    assert checked.person == (PersonType.FISICA if len(rfc) == 13 else PersonType.MORAL)


@pytest.mark.parametrize("rfc", WRONG_DIGIT)
def test_a_wrong_check_digit_is_caught(rfc: str) -> None:
    checked = check_rfc(rfc)
    assert not checked.valid and checked.problem and "dígito verificador" in checked.problem


def test_rfcs_built_with_the_computed_digit_pass_and_every_other_digit_fails() -> None:
    for stem in ("PEGJ850101AB", "ROLA7712318X", "TOR0101017Q", "A&B990228K2", "ÑAÑ121212Z0"):
        digit = rfc_check_digit(stem)
        assert check_rfc(stem + digit).valid, stem + digit
        for other in "0123456789A":
            if other != digit:
                assert not check_rfc(stem + other).valid, stem + other
    assert rfc_check_digit("MHTR810511A7") == "2" and rfc_check_digit("LME060822IH") == "3"


def test_format_dates_and_generic_rfcs_are_refused_with_the_reason() -> None:
    assert "13" in (check_rfc("ABC").problem or "")
    assert "formato" in (check_rfc("GOD1561231GR8").problem or "")  # a digit among the letters
    assert "fecha" in (check_rfc("MHTR815511A70").problem or "")  # month 55
    assert "fecha" in (check_rfc("GODE570229AB" + rfc_check_digit("GODE570229AB")).problem or "")
    leap = "GODE000229AB"
    assert check_rfc(leap + rfc_check_digit(leap)).valid  # 29 Feb 2000
    for generic in ("XAXX010101000", "XEXX010101000"):
        problem = check_rfc(generic).problem or ""
        assert "genérico" in problem and "tu propio RFC" in problem
    assert validate_rfc(" gode-561231-gr8 ").rfc == "GODE561231GR8"
    with pytest.raises(InvalidRequest) as err:
        validate_rfc("GODE561231GR9")
    assert err.value.field == "rfc"


def test_regimes_apply_to_their_kind_of_holder_and_uses_to_their_regimes() -> None:
    assert regime_for("612", PersonType.FISICA).name.startswith("Personas Físicas")
    assert regime_for("626 - RESICO", PersonType.MORAL).code == "626"
    with pytest.raises(InvalidRequest) as err:
        regime_for("601", PersonType.FISICA)
    assert err.value.field == "regime" and "persona física" in err.value.message
    with pytest.raises(InvalidRequest):
        regime_for("999", PersonType.MORAL)
    resico = regime_for("626", PersonType.FISICA)
    assert use_for("g03", PersonType.FISICA, resico).name == "Gastos en general"
    with pytest.raises(InvalidRequest) as err:
        use_for("D01", PersonType.MORAL, regime_for("601", PersonType.MORAL))
    assert err.value.field == "use"
    with pytest.raises(InvalidRequest) as err:
        use_for("G03", PersonType.FISICA, regime_for("616", PersonType.FISICA))
    assert "S01" in err.value.message  # what a 616 receiver may use instead
    assert use_for("S01", PersonType.FISICA, regime_for("616", PersonType.FISICA)).code == "S01"
    with pytest.raises(InvalidRequest) as err:
        use_for("G03", PersonType.FISICA, regime_for("605", PersonType.FISICA))
    assert "no es compatible" in err.value.message


def test_zip_codes_and_a_whole_receiver() -> None:
    assert validate_zip_code(" 03940 ") == "03940"
    for bad in ("3940", "039400", "ABCDE", "00000"):
        with pytest.raises(InvalidRequest) as err:
            validate_zip_code(bad)
        assert err.value.field == "zip_code"
    receiver = validate_receiver(
        rfc="MAB9307148T4", name=" Llantera  del Bajío ", regime="601", use="G03", zip_code="37000"
    )
    assert receiver.person == PersonType.MORAL and receiver.name == "LLANTERA DEL BAJÍO"
