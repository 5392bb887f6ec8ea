"""BAJA/STOP and ALTA/START inside sentences are commands; "baja" as a word of the message is not."""

from __future__ import annotations

import pytest

from adapters.channels.keywords import opt_change

OPT_OUTS = [
    "BAJA",
    "baja",
    "Baja.",
    "¡STOP!",
    "nel, BAJA",
    "nel BAJA",
    "ya no me manden nada, STOP",
    "ya no me manden nada",
    "dame de baja porfa",
    "Denme de baja por favor",
    "me doy de baja",
    "no quiero recibir mas mensajes",
    "dejen de mandarme promociones",
    "NEL, BAJA",
    "YA NO ME MANDEN NADA, STOP",
    "BAJA por favor",
    "ok gracias. BAJA",
]
OPT_INS = ["ALTA", "alta", "START", "quiero ALTA otra vez", "dame de alta porfa", "Alta!"]
NEITHER = [
    "tengo una llanta baja",
    "se baja la presion",
    "se me baja la presión cada semana",
    "la baja de precio es para todas?",
    "TENGO UNA LLANTA BAJA",
    "la llanta esta baja, la pueden revisar?",
    "ya no me manden la llanta, mejor paso por ella",
    "la presion alta es mala?",
    "cuanto cuesta la de alta velocidad",
    "hola, necesito 4 llantas para Jetta 2020",
    "",
]


@pytest.mark.parametrize("body", OPT_OUTS)
def test_opt_out_commands(body: str) -> None:
    assert opt_change(body) is False


@pytest.mark.parametrize("body", OPT_INS)
def test_opt_in_commands(body: str) -> None:
    assert opt_change(body) is True


@pytest.mark.parametrize("body", NEITHER)
def test_baja_and_alta_as_ordinary_words_are_not_commands(body: str) -> None:
    assert opt_change(body) is None


def test_opting_out_wins_when_a_message_says_both() -> None:
    assert opt_change("ALTA no, mejor BAJA") is False
