"""Catalogue tools: trims choose the size, preferences filter (and are relaxed by name), prices
are the customer's, and what the search established lands in the dialogue state."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from domain.dialogue import OptionKey, TerrainPreference
from domain.tire_size import parse_tire_size
from domain.tool_results import Branches, BranchStock, ServicePrices, TireOptions
from tests.tools.conftest import MakeCtx, call, customer_of, refusal
from tools.catalog import (
    CHECK_BRANCH_STOCK,
    FIND_TIRES_FOR_VEHICLE,
    GET_BRANCHES,
    GET_SERVICE_PRICES,
    SEARCH_TIRES,
)


def test_a_named_trim_selects_its_size_however_it_is_written(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    for written, trim, size in (
        ("gli", "GLI", "225/40R18"),
        ("  G.L.I ", "GLI", "225/40R18"),
        ("highline", "Highline", "225/45R17"),
        ("r line", "R-Line", "225/45R17"),
        ("comfortline", "Comfortline", "205/55R16"),
    ):
        found = call(
            FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, model="Jetta", year=2020, trim=written
        )
        assert found.size == size and found.trim_known, written
        assert found.vehicle is not None and found.vehicle.trim == trim
    tacoma = call(
        FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, make="toyota", model="tacoma", year=2020,
        trim="trd off road",
    )  # fmt: skip
    assert tacoma.size == "265/70R16" and tacoma.vehicle and tacoma.vehicle.trim == "TRD Off-Road"
    # The same trim name in another generation has that generation's size.
    mk6 = call(FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, model="Jetta", year=2015, trim="GLI")
    assert mk6.size == "225/45R17"


def test_without_a_trim_the_common_size_and_every_trim_to_ask_about(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    for trim in (None, "Turbo Rocket"):  # an unknown trim is treated as no trim
        found = call(FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, model="Jetta", year=2020, trim=trim)
        # One fitment row per size: the tie goes to the smaller rim, the base trims' size.
        assert found.size == "205/55R16"
        assert not found.trim_known and (found.vehicle and found.vehicle.trim) is None
        assert {(t.trim, t.size) for t in found.trims} >= {
            ("GLI", "225/40R18"),
            ("Trendline", "205/55R16"),
            ("Highline", "225/45R17"),
        }
    assert ctx.dialogue.slots.trims and "GLI" in ctx.dialogue.slots.trims
    versa = call(FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, make="Nissan", model="Versa", year=2020)
    assert versa.trim_known == (len({t.size for t in versa.trims}) <= 1)


def test_all_terrain_for_a_pickup_is_in_the_pickups_size_never_a_van_tire(
    make_ctx: MakeCtx,
) -> None:
    ctx = make_ctx()
    found = call(
        FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, make="Toyota", model="Hilux", year=2020,
        terrain="all_terrain",
    )  # fmt: skip
    assert found.options and found.terrain == TerrainPreference.ALL_TERRAIN
    assert "terrain" not in found.unmatched_filters
    assert found.size in {t.size for t in found.trims}
    for option in found.options:
        assert option.terrain == "all_terrain"
        assert not parse_tire_size(option.size).commercial, option
    # The same question for the work trim's C size gets no AT van tire either.
    plain = call(FIND_TIRES_FOR_VEHICLE, ctx, TireOptions, model="Hilux", year=2020, trim="SR")
    assert all(not parse_tire_size(o.size).commercial for o in plain.options)


def test_a_filter_that_matches_nothing_is_relaxed_and_named(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    found = call(
        SEARCH_TIRES, ctx, TireOptions, size="205 55 16", brand="Marca Que No Existe",
        run_flat=True,
    )  # fmt: skip
    assert found.unmatched_filters == ["brand"]
    assert found.options and all(o.run_flat for o in found.options)
    cheap = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16", max_unit_price_pesos=1)
    assert cheap.unmatched_filters == ["max_unit_price_pesos"] and cheap.options
    michelin = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16", brand="michelin")
    assert not michelin.unmatched_filters
    assert {o.brand for o in michelin.options} == {"Michelin"}


def test_options_are_ordered_priced_and_recorded_in_the_dialogue(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    found = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16", quantity=2)
    keys = [o.key for o in found.options]
    assert keys[0] == OptionKey.RECOMMENDED and keys == sorted(keys, key=list(OptionKey).index)
    for option in found.options:
        assert option.unit_price_cents == option.list_unit_price_cents  # retail: shelf price
        assert option.total_cents == option.unit_price_cents * 2
        assert option.available_at_branch == option.stock_by_branch[option.branch or ""] >= 2
    slots = ctx.dialogue.slots
    assert slots.size == "205/55R16" and slots.quantity == 2
    assert [o.sku for o in slots.offers] == [o.sku for o in found.options]
    # A follow-up without a size keeps the conversation's size and quantity.
    again = call(SEARCH_TIRES, ctx, TireOptions, brand="Continental")
    assert again.size == "205/55R16" and again.quantity == 2


def test_dealers_see_their_discount_and_any_quantity(engine: Engine, make_ctx: MakeCtx) -> None:
    dealer = customer_of(engine, "dealer")
    ctx = make_ctx(customer_id=dealer.id, channel="whatsapp")
    found = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16", quantity=40)
    assert found.quantity == 40 and found.discount_bp == dealer.discount_bp > 0
    assert found.customer_kind == "dealer"
    for option in found.options:
        assert option.unit_price_cents < option.list_unit_price_cents
        assert option.total_cents == option.unit_price_cents * 40
        # Where the units are, truthfully: 40 at one branch, or the most there is.
        most = max(option.stock_by_branch.values())
        assert option.available_at_branch == (
            option.stock_by_branch[option.branch or ""] if most >= 40 else most
        )


def test_branch_stock_defaults_to_the_tires_on_the_table(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    found = call(SEARCH_TIRES, ctx, TireOptions, size="205/55R16")
    stock = call(CHECK_BRANCH_STOCK, ctx, BranchStock, branch_code="monterrey")
    assert stock.branch_code == "MTY" and stock.city == "Monterrey"
    assert [i.sku for i in stock.items] == [o.sku for o in found.options]
    for item, option in zip(stock.items, found.options, strict=True):
        assert item.available == option.stock_by_branch.get("MTY", 0)
    assert "Acapulco" in refusal(CHECK_BRANCH_STOCK, ctx, branch_code="Acapulco")


def test_unknown_vehicles_and_sizes_are_refused_in_spanish(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    text = refusal(FIND_TIRES_FOR_VEHICLE, ctx, make="Lada", model="Niva", year=1990)
    assert "medida" in text and "Niva" in text
    assert "205/55R16" in refusal(SEARCH_TIRES, ctx, size="hola")
    assert "medida" in refusal(SEARCH_TIRES, ctx)


def test_branches_and_services(make_ctx: MakeCtx) -> None:
    ctx = make_ctx()
    branches = call(GET_BRANCHES, ctx, Branches)
    assert {b.code for b in branches.branches} == {"CDMX", "GDL", "MTY"}
    assert all(b.hours and b.phone for b in branches.branches)
    services = call(GET_SERVICE_PRICES, ctx, ServicePrices)
    assert next(s for s in services.services if s.code == "installation").price_cents == 0
