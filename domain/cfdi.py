"""CFDI 4.0 receiver data: RFC (format, date, SAT check digit), régimen fiscal, uso de CFDI, CP.

Pure rules, no I/O. Every refusal names the field and says the reason in Spanish (es-MX), so
the chat can show it as it is; ``check_rfc`` lets the dialogue check an RFC as soon as it is
typed. Catalogues: SAT c_RegimenFiscal and c_UsoCFDI (Anexo 20, CFDI 4.0), current entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.errors import InvalidRequest


class PersonType(StrEnum):
    """Who holds an RFC: a person (13 characters) or a company (12)."""

    FISICA = "fisica"
    MORAL = "moral"


# SAT's alphabet for the check digit; a company's RFC is padded with a leading space.
_CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_RFC = re.compile(r"^(?P<letters>[A-ZÑ&]{3,4})(?P<date>\d{6})(?P<homoclave>[A-Z0-9]{2}[0-9A])$")
GENERIC_RFCS = {
    "XAXX010101000": "el RFC genérico de público en general",
    "XEXX010101000": "el RFC genérico de extranjeros",
}
_ZIP = re.compile(r"^\d{5}$")


@dataclass(frozen=True, slots=True)
class RfcCheck:
    """What an RFC check found: the normalised RFC and its holder type, or the problem."""

    rfc: str
    person: PersonType | None
    problem: str | None = None  # Spanish, for the customer

    @property
    def valid(self) -> bool:
        """True when the RFC can go on an invoice."""
        return self.problem is None


def normalize_rfc(text: str) -> str:
    """Upper case without spaces, dashes or dots: ``gode-561231-gr8`` → ``GODE561231GR8``."""
    return re.sub(r"[\s\-.]", "", text).upper()


def rfc_check_digit(first_twelve: str) -> str:
    """The SAT check digit of an RFC given without it (11 characters for a company, 12 for a
    person): weights 13..2 over the padded characters, modulo 11; 10 is written ``A``."""
    padded = first_twelve.rjust(12)
    if len(padded) != 12 or any(c not in _CHECK_ALPHABET for c in padded):
        raise ValueError(f"not an RFC without its check digit: {first_twelve!r}")
    total = sum(_CHECK_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return _CHECK_ALPHABET[(11 - total % 11) % 11]


def _valid_date(digits: str) -> bool:
    """YYMMDD is a real date in the 1900s or the 2000s."""
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    for century in (1900, 2000):
        try:
            date(century + yy, mm, dd)
        except ValueError:
            continue
        return True
    return False


def check_rfc(text: str) -> RfcCheck:
    """Check an RFC for an invoice: format (12 for a company, 13 for a person), the embedded
    date, the homoclave's check digit, and that it is not a generic RFC."""
    rfc = normalize_rfc(text)
    if rfc in GENERIC_RFCS:
        return RfcCheck(
            rfc,
            PersonType.MORAL if len(rfc) == 12 else PersonType.FISICA,
            f"{rfc} es {GENERIC_RFCS[rfc]}; para facturar a tu nombre necesito tu propio RFC",
        )
    if len(rfc) not in (12, 13):
        return RfcCheck(
            rfc,
            None,
            f"el RFC tiene {len(rfc)} caracteres; debe tener 13 si es persona física "
            "o 12 si es empresa",
        )
    person = PersonType.FISICA if len(rfc) == 13 else PersonType.MORAL
    match = _RFC.match(rfc)
    letters = 4 if person == PersonType.FISICA else 3
    if match is None or len(match["letters"]) != letters:
        shape = "4 letras" if person == PersonType.FISICA else "3 letras"
        return RfcCheck(
            rfc,
            person,
            f"el RFC no tiene el formato correcto: {shape}, 6 dígitos de la fecha (AAMMDD) "
            "y 3 de homoclave",
        )
    if not _valid_date(match["date"]):
        return RfcCheck(rfc, person, f"la fecha del RFC ({match['date']}) no es una fecha válida")
    if rfc_check_digit(rfc[:-1]) != rfc[-1]:
        return RfcCheck(
            rfc,
            person,
            "el último carácter (dígito verificador) no corresponde a ese RFC; revisa la "
            "homoclave en tu Constancia de Situación Fiscal (si así viene, un asesor lo captura)",
        )
    return RfcCheck(rfc, person)


def validate_rfc(text: str) -> RfcCheck:
    """The checked RFC, or InvalidRequest (field ``rfc``) with the reason in Spanish."""
    result = check_rfc(text)
    if result.problem is not None:
        raise InvalidRequest(result.problem, field="rfc")
    return result


@dataclass(frozen=True, slots=True)
class Regime:
    """An entry of c_RegimenFiscal."""

    code: str
    name: str
    fisica: bool
    moral: bool


REGIMES: dict[str, Regime] = {
    r.code: r
    for r in (
        Regime("601", "General de Ley Personas Morales", False, True),
        Regime("603", "Personas Morales con Fines no Lucrativos", False, True),
        Regime("605", "Sueldos y Salarios e Ingresos Asimilados a Salarios", True, False),
        Regime("606", "Arrendamiento", True, False),
        Regime("607", "Régimen de Enajenación o Adquisición de Bienes", True, False),
        Regime("608", "Demás ingresos", True, False),
        Regime(
            "610",
            "Residentes en el Extranjero sin Establecimiento Permanente en México",
            True,
            True,
        ),
        Regime("611", "Ingresos por Dividendos (socios y accionistas)", True, False),
        Regime(
            "612", "Personas Físicas con Actividades Empresariales y Profesionales", True, False
        ),
        Regime("614", "Ingresos por intereses", True, False),
        Regime("615", "Régimen de los ingresos por obtención de premios", True, False),
        Regime("616", "Sin obligaciones fiscales", True, False),
        Regime(
            "620",
            "Sociedades Cooperativas de Producción que optan por diferir sus ingresos",
            False,
            True,
        ),
        Regime("621", "Incorporación Fiscal", True, False),
        Regime("622", "Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras", False, True),
        Regime("623", "Opcional para Grupos de Sociedades", False, True),
        Regime("624", "Coordinados", False, True),
        Regime(
            "625",
            "Régimen de las Actividades Empresariales con ingresos a través de Plataformas "
            "Tecnológicas",
            True,
            False,
        ),
        Regime("626", "Régimen Simplificado de Confianza", True, True),
    )
}

# Which regimes may receive each use (c_UsoCFDI, column "Régimen Fiscal Receptor").
_BUSINESS = frozenset({"601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"})
_PERSONAL = frozenset({"605", "606", "607", "608", "611", "612", "614", "615", "625"})
_ANY = frozenset(REGIMES)


@dataclass(frozen=True, slots=True)
class CfdiUse:
    """An entry of c_UsoCFDI."""

    code: str
    name: str
    fisica: bool
    moral: bool
    regimes: frozenset[str]


USES: dict[str, CfdiUse] = {
    u.code: u
    for u in (
        CfdiUse("G01", "Adquisición de mercancías", True, True, _BUSINESS),
        CfdiUse("G02", "Devoluciones, descuentos o bonificaciones", True, True, _BUSINESS),
        CfdiUse("G03", "Gastos en general", True, True, _BUSINESS),
        CfdiUse("I01", "Construcciones", True, True, _BUSINESS),
        CfdiUse("I02", "Mobiliario y equipo de oficina por inversiones", True, True, _BUSINESS),
        CfdiUse("I03", "Equipo de transporte", True, True, _BUSINESS),
        CfdiUse("I04", "Equipo de cómputo y accesorios", True, True, _BUSINESS),
        CfdiUse("I05", "Dados, troqueles, moldes, matrices y herramental", True, True, _BUSINESS),
        CfdiUse("I06", "Comunicaciones telefónicas", True, True, _BUSINESS),
        CfdiUse("I07", "Comunicaciones satelitales", True, True, _BUSINESS),
        CfdiUse("I08", "Otra maquinaria y equipo", True, True, _BUSINESS),
        CfdiUse(
            "D01", "Honorarios médicos, dentales y gastos hospitalarios", True, False, _PERSONAL
        ),
        CfdiUse("D02", "Gastos médicos por incapacidad o discapacidad", True, False, _PERSONAL),
        CfdiUse("D03", "Gastos funerales", True, False, _PERSONAL),
        CfdiUse("D04", "Donativos", True, False, _PERSONAL),
        CfdiUse(
            "D05",
            "Intereses reales efectivamente pagados por créditos hipotecarios (casa habitación)",
            True,
            False,
            _PERSONAL,
        ),
        CfdiUse("D06", "Aportaciones voluntarias al SAR", True, False, _PERSONAL),
        CfdiUse("D07", "Primas por seguros de gastos médicos", True, False, _PERSONAL),
        CfdiUse("D08", "Gastos de transportación escolar obligatoria", True, False, _PERSONAL),
        CfdiUse(
            "D09",
            "Depósitos en cuentas para el ahorro, primas que tengan como base planes de pensiones",
            True,
            False,
            _PERSONAL,
        ),
        CfdiUse("D10", "Pagos por servicios educativos (colegiaturas)", True, False, _PERSONAL),
        CfdiUse("S01", "Sin efectos fiscales", True, True, _ANY),
        CfdiUse("CP01", "Pagos", True, True, _ANY),
        CfdiUse("CN01", "Nómina", True, False, frozenset({"605"})),
    )
}

_PERSON_ES = {PersonType.FISICA: "persona física", PersonType.MORAL: "persona moral (empresa)"}


def _code(text: str) -> str:
    """``"612 - Personas Físicas..."`` or ``"g03"`` → ``"612"`` / ``"G03"``."""
    token = text.strip().split()[0] if text.strip() else ""
    return token.rstrip("-.:").upper()


def regime_for(text: str, person: PersonType) -> Regime:
    """The régimen fiscal (code, or code and name), valid for this kind of RFC holder.

    Raises:
        InvalidRequest: field ``regime``, with the reason in Spanish.
    """
    regime = REGIMES.get(_code(text))
    if regime is None:
        raise InvalidRequest(
            f"'{text.strip()}' no es un régimen fiscal del SAT; viene en tu Constancia de "
            "Situación Fiscal, p. ej. 612 (Actividades Empresariales y Profesionales), 626 "
            "(RESICO) o 601 (General de Ley Personas Morales)",
            field="regime",
        )
    if not (regime.fisica if person == PersonType.FISICA else regime.moral):
        raise InvalidRequest(
            f"el régimen {regime.code} ({regime.name}) no aplica a una {_PERSON_ES[person]}",
            field="regime",
        )
    return regime


def use_for(text: str, person: PersonType, regime: Regime) -> CfdiUse:
    """The uso de CFDI, valid for this holder and compatible with the régimen.

    Raises:
        InvalidRequest: field ``use``, with the reason in Spanish.
    """
    use = USES.get(_code(text))
    if use is None:
        raise InvalidRequest(
            f"'{text.strip()}' no es un uso de CFDI del SAT; para llantas normalmente es G03 "
            "(Gastos en general) o I03 (Equipo de transporte)",
            field="use",
        )
    if not (use.fisica if person == PersonType.FISICA else use.moral):
        raise InvalidRequest(
            f"el uso {use.code} ({use.name}) no aplica a una {_PERSON_ES[person]}", field="use"
        )
    if regime.code not in use.regimes:
        raise InvalidRequest(
            f"el uso {use.code} ({use.name}) no es compatible con el régimen {regime.code} "
            f"({regime.name}); con ese régimen puedes usar, p. ej., S01 (Sin efectos fiscales)"
            if regime.code == "616"
            else f"el uso {use.code} ({use.name}) no es compatible con el régimen "
            f"{regime.code} ({regime.name})",
            field="use",
        )
    return use


def validate_zip_code(text: str) -> str:
    """The código postal of the tax address: exactly 5 digits.

    Raises:
        InvalidRequest: field ``zip_code``.
    """
    digits = text.strip()
    if not _ZIP.match(digits) or digits == "00000":
        raise InvalidRequest(
            f"el código postal '{text.strip()}' debe tener 5 dígitos (el de tu domicilio fiscal)",
            field="zip_code",
        )
    return digits


def validate_name(text: str) -> str:
    """The receiver's name or razón social as on the Constancia (upper case, single spaces).

    Raises:
        InvalidRequest: field ``name``.
    """
    name = " ".join(text.split()).upper()
    if len(name) < 3 or not any(c.isalpha() for c in name):
        raise InvalidRequest(
            "necesito tu nombre o razón social tal como aparece en tu Constancia de Situación "
            "Fiscal",
            field="name",
        )
    if len(name) > 254:
        raise InvalidRequest("el nombre o razón social es demasiado largo", field="name")
    return name


@dataclass(frozen=True, slots=True)
class Receiver:
    """Validated CFDI 4.0 receiver data."""

    rfc: str
    person: PersonType
    name: str
    regime: Regime
    use: CfdiUse
    zip_code: str


def validate_receiver(*, rfc: str, name: str, regime: str, use: str, zip_code: str) -> Receiver:
    """All receiver fields checked in the order a customer gives them.

    Raises:
        InvalidRequest: the first bad field (``rfc``, ``name``, ``regime``, ``use``,
            ``zip_code``) with the reason in Spanish.
    """
    checked = validate_rfc(rfc)
    assert checked.person is not None
    clean_name = validate_name(name)
    the_regime = regime_for(regime, checked.person)
    the_use = use_for(use, checked.person, the_regime)
    return Receiver(
        rfc=checked.rfc,
        person=checked.person,
        name=clean_name,
        regime=the_regime,
        use=the_use,
        zip_code=validate_zip_code(zip_code),
    )
