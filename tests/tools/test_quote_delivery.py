"""A quote shows what home delivery costs, from the same fee bands the logistics tools charge."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.llm.offline.templates.catalog import quote as quote_text
from db.tables import Product
from domain.logistics import FEE_BANDS, delivery_fee
from domain.pricing import with_iva
from domain.tool_results import Quote
from tests.tools.conftest import MakeCtx, call
from tools.sales import QUOTE_TIRES


def test_a_quote_carries_the_delivery_bands_and_says_the_nearest(
    make_ctx: MakeCtx, engine: Engine
) -> None:
    with Session(engine) as s:
        sku = s.exec(select(Product.sku).where(Product.size == "205/55R16")).first()
    assert sku
    quote = call(QUOTE_TIRES, make_ctx(), Quote, sku=sku, quantity=4)
    assert [(b.up_to_km, b.price_cents) for b in quote.delivery] == [
        (km, with_iva(cents)) for km, cents in FEE_BANDS
    ]
    near = delivery_fee(3.0)  # a customer a few km away pays the first band
    assert near.cents is not None and quote.delivery[0].price_cents == with_iva(near.cents)
    text = quote_text(quote)
    assert "Envío a domicilio desde $172.84 (hasta 8 km de la sucursal)" in text
    assert "recoges sin costo" in text
