"""The command generator reads a message against the dialogue state (no rendered text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from adapters.llm.offline.nlu import NLU, Vocabulary
from adapters.llm.offline.understand import understand
from domain.clock import MEXICO_CITY
from domain.dialogue import (
    Awaiting,
    CommandKind,
    DialogueState,
    InvoiceSlot,
    Offer,
    OptionKey,
    PersonaRole,
    Topic,
    VehicleSlot,
)

NOW = datetime(2026, 11, 27, 11, 0, tzinfo=MEXICO_CITY)  # a Friday
OFFERS = [
    Offer(key=OptionKey.RECOMMENDED, sku="CON-1", brand="Continental", line="UltraContact",
          size="205/55R16", unit_price_cents=281_000),
    Offer(key=OptionKey.ECONOMICAL, sku="TRI-1", brand="Triangle", line="TE301",
          size="205/55R16", unit_price_cents=154_000),
]  # fmt: skip
JETTA = VehicleSlot(make="Volkswagen", model="Jetta", year=2020)


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> NLU:
    return NLU(Vocabulary.from_demo_files(), cache_dir=tmp_path_factory.mktemp("nlu"))


def commands(nlu: NLU, text: str, awaiting: str = "nothing", **slots: Any) -> set[str]:
    state = DialogueState(awaiting=Awaiting(awaiting))
    for name, value in slots.items():
        setattr(state.slots, name, value)
    found = understand(nlu.analyze(text, now=NOW), state, PersonaRole.CUSTOMER)
    return {str(c) for c in found}


def test_a_bare_year_answers_the_year_question(nlu: NLU) -> None:
    sentra = VehicleSlot(make="Nissan", model="Sentra")
    assert "set_slot(vehicle.year=2019)" in commands(nlu, "2019", "year", vehicle=sentra)
    assert "set_slot(vehicle.year=2019)" in commands(nlu, "es del 19", "year", vehicle=sentra)


def test_a_new_year_for_the_same_car_is_a_correction(nlu: NLU) -> None:
    found = commands(nlu, "perdon es 2019", "option", offers=OFFERS, vehicle=JETTA)
    assert "correct_slot(vehicle.year=2019)" in found


def test_a_named_trim_is_a_slot(nlu: NLU) -> None:
    found = commands(nlu, "llantas para jetta gli 2020")
    assert any("'trim': 'GLI'" in c for c in found)
    trims = ["Trendline", "Comfortline", "Highline", "GLI"]
    assert "set_slot(vehicle.trim=GLI)" in commands(
        nlu, "es GLI", "trim", vehicle=JETTA, trims=trims
    )


def test_terrain_run_flat_and_load_preferences(nlu: NLU) -> None:
    hilux = VehicleSlot(make="Toyota", model="Hilux", year=2020)
    assert "set_slot(terrain=all_terrain)" in commands(
        nlu, "cuanto las AT?", "option", vehicle=hilux
    )
    assert "set_slot(terrain=all_terrain)" in commands(
        nlu, "unas todo terreno", "option", vehicle=hilux
    )
    assert "set_slot(run_flat=True)" in commands(nlu, "tienen run flat?", "option", vehicle=JETTA)
    assert "set_slot(light_truck=True)" in commands(
        nlu, "las ocupo de carga, 10 capas", "option", vehicle=hilux
    )


def test_choosing_an_offer_by_brand_position_or_price(nlu: NLU) -> None:
    assert "set_slot(chosen_sku=CON-1)" in commands(
        nlu, "me interesa la continental", "option", offers=OFFERS
    )
    assert "set_slot(chosen_sku=TRI-1)" in commands(nlu, "la mas barata", "option", offers=OFFERS)
    assert "set_slot(chosen_sku=TRI-1)" in commands(nlu, "la segunda", "option", offers=OFFERS)


def test_yes_no_and_cancel_inside_sentences(nlu: NLU) -> None:
    assert "confirm()" in commands(
        nlu, "si pero nomas 2", "reserve_confirm", chosen_sku="CON-1", quantity=4
    )
    assert "correct_slot(quantity=2)" in commands(
        nlu, "si pero nomas 2", "reserve_confirm", chosen_sku="CON-1", quantity=4
    )
    assert "deny()" in commands(nlu, "nel", "reserve_confirm", chosen_sku="CON-1")
    found = commands(nlu, "siempre no, cancelame el apartado porfa", folio="TL-000096")
    assert "cancel(reservation)" in found and "confirm()" not in found


def test_fewer_tires_after_reserving_is_a_quantity_correction(nlu: NLU) -> None:
    found = commands(
        nlu, "mejor solo 2", "install_choice", folio="TL-000096", chosen_sku="CON-1", quantity=4
    )
    assert "correct_slot(quantity=2)" in found


@pytest.mark.parametrize(
    "text", ["bueno entonces 2", "entonces 2", "ok pues 2 llantas", "va, entonces 2"]
)
def test_entonces_with_a_number_changes_the_quantity_not_a_goodbye(nlu: NLU, text: str) -> None:
    """After a quote for 4 (or a refusal for too many), "bueno entonces 2" is the new count;
    it was taken for a goodbye ("bueno")."""
    found = commands(nlu, text, "option", offers=OFFERS, quantity=4)
    assert "correct_slot(quantity=2)" in found or "set_slot(quantity=2)" in found, found
    later = commands(nlu, "entonces a las 2 de la tarde", "option", offers=OFFERS, quantity=4)
    assert not any("quantity=2" in c for c in later), later  # an hour, not a count


def test_home_or_shop_answer_sets_fulfilment_with_day_and_window(nlu: NLU) -> None:
    found = commands(
        nlu, "mejor a domicilio, el sabado en la mañana", "install_choice", folio="TL-1"
    )
    assert {"set_slot(fulfillment.mode=delivery)", "set_slot(fulfillment.day=2026-11-28)",
            "set_slot(fulfillment.window=morning)"} <= found  # fmt: skip
    assert "set_slot(fulfillment.mode=delivery)" in commands(
        nlu, "a domicilio porfa", "install_choice", folio="TL-1"
    )
    address = commands(nlu, "calle Pino 123, col. Roma", "delivery_details", folio="TL-1")
    assert any(c.startswith("set_slot(fulfillment.address=calle Pino 123") for c in address)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("me mandas otra vez el link de pago?", Topic.PAYMENT_LINK),
        ("cuanto tiempo me guardan las llantas?", Topic.HOLD_PERIOD),
        ("cuanto me falta por pagar?", Topic.BALANCE),
        ("puedo pagar en oxxo?", Topic.PAYMENT_METHODS),
        ("me dan factura?", Topic.INVOICE),
    ],
)
def test_questions_in_the_middle_of_a_purchase_are_digressions(
    nlu: NLU, text: str, topic: Topic
) -> None:
    found = commands(nlu, text, "install_choice", folio="TL-000096")
    assert any(c.startswith(f"digress({topic.value}") for c in found), found
    assert "cancel(reservation)" not in found


def test_another_branch_after_a_quote_asks_for_its_stock(nlu: NLU) -> None:
    found = commands(
        nlu, "y en monterrey tienen?", "reserve_confirm", offers=OFFERS, chosen_sku="CON-1"
    )
    assert "digress(branch_stock=MTY)" in found
    assert "digress(branches)" not in found


def test_invoice_fields_across_messages(nlu: NLU) -> None:
    assert "set_slot(invoice.rfc=GODE561231GR8)" in commands(
        nlu, "GODE561231GR8", "invoice_data", folio="TL-1"
    )
    name = commands(nlu, "Llantera el Guero SA de CV", "invoice_data", folio="TL-1",
                    invoice=InvoiceSlot(rfc="GODE561231GR8"))  # fmt: skip
    assert "set_slot(invoice.name=LLANTERA EL GUERO SA DE CV)" in name
    assert not any(c.startswith("digress(terms") for c in name)
    zip_code = commands(nlu, "06700", "invoice_data", folio="TL-1",
                        invoice=InvoiceSlot(rfc="GODE561231GR8", name="X", regime="612", use="G03"))  # fmt: skip
    assert "set_slot(invoice.zip_code=06700)" in zip_code
    together = commands(
        nlu,
        "RFC GODE561231GR8, razon social Llantas del Norte SA de CV, regimen 601, uso G03, CP 64000",
        "invoice_data",
        folio="TL-1",
    )
    assert {"set_slot(invoice.rfc=GODE561231GR8)", "set_slot(invoice.regime=601)",
            "set_slot(invoice.use=G03)", "set_slot(invoice.zip_code=64000)"} <= together  # fmt: skip


def test_commands_are_typed(nlu: NLU) -> None:
    state = DialogueState(awaiting=Awaiting.RESERVE_CONFIRM)
    found = understand(nlu.analyze("si", now=NOW), state, PersonaRole.CUSTOMER)
    assert [c.kind for c in found] == [CommandKind.CONFIRM]
