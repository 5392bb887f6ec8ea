"""Load the deterministic demo data set: catalogue, branches, fitment, stock, people, orders, history."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import db.tables as t
from adapters.erp.csv_import import import_fitment
from db.demo import people
from db.demo.catalog import ProductSpec, build_catalog
from db.demo.history import demand_profiles, generate_sales_history
from db.engine import session_scope
from db.repositories.audit import record
from db.repositories.lots import adjust_lots
from db.repositories.orders import create_order, update_order
from domain.appointments import ServiceKind
from domain.clock import utcnow
from domain.enums import CustomerKind, DealerType, DeliveryStatus, OrderStatus, PurchaseOrderStatus
from domain.sales import OrderCreate, OrderLineCreate, OrderUpdate
from domain.tire_size import parse_tire_size

FITMENT_CSV = Path(__file__).resolve().parent / "data" / "fitment.csv"
ACTOR = "system:seed"
BRANCH_WEIGHTS = {"CDMX": 1.0, "GDL": 0.6, "MTY": 0.7}
BRANCHES = (
    ("CDMX", "TopLlantas Insurgentes", "Ciudad de México", "Ciudad de México",
     "Av. Insurgentes Sur 1602, Crédito Constructor, Benito Juárez, 03940 CDMX", 19.3637, -99.1790, "+525555340000"),
    ("GDL", "TopLlantas López Mateos", "Guadalajara", "Jalisco",
     "Av. Adolfo López Mateos Sur 2375, Cd. del Sol, 45050 Zapopan, Jal.", 20.6467, -103.4080, "+523336470000"),
    ("MTY", "TopLlantas Constitución", "Monterrey", "Nuevo León",
     "Av. Constitución 2050 Pte., Obispado, 64060 Monterrey, N.L.", 25.6724, -100.3460, "+528183450000"),
)  # fmt: skip
HOURS = {"lun-vie": "08:30-19:00", "sab": "08:30-15:00", "dom": "cerrado"}
MAIN_BRANCH = "CDMX"
# Service bays per branch: how many appointments one slot of each service takes.
BAYS = {
    "CDMX": {"alignment": 2, "balancing": 3, "rotation": 2, "installation": 4, "warranty_inspection": 1},
    "GDL": {"alignment": 1, "balancing": 2, "rotation": 1, "installation": 2, "warranty_inspection": 1},
    "MTY": {"alignment": 1, "balancing": 2, "rotation": 2, "installation": 3, "warranty_inspection": 1},
}  # fmt: skip
# Phone area codes of the metro area each branch serves (CDMX 55/56, Guadalajara 33, Monterrey 81).
AREA_CODES = {"CDMX": ["55", "56"], "GDL": ["33"], "MTY": ["81"]}
# Statuses whose seeded orders were paid in full at the counter.
PAID_IN_FULL = frozenset(
    {
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.DELIVERED,
        OrderStatus.RETURNED,
    }
)
SUPPLIERS = (
    ("Michelin México (incl. BFGoodrich)", ("Michelin", "BFGoodrich"), 5),
    ("Continental Tire de México (incl. General Tire, Euzkadi)", ("Continental", "General Tire", "Euzkadi"), 6),
    ("Pirelli Neumáticos de México", ("Pirelli",), 7),
    ("Bridgestone de México (incl. Firestone)", ("Bridgestone", "Firestone"), 5),
    ("Goodyear-Oxo Distribución", ("Goodyear",), 6),
    ("Corporación Tornel", ("Tornel",), 4),
    ("Importadora Llantera del Bajío", (), 21),
)  # fmt: skip


# Minimum order value per supplier (net cents); the importer ships only full pallets.
MIN_ORDER_CENTS = {"Corporación Tornel": 2_000_000, "Importadora Llantera del Bajío": 5_000_000}
# Who gets each branch's inventory alerts, and by which channel (no rng: the rest of the demo
# data does not move when this list changes).
STAFF = (
    ("CDMX", "Gabriela Torres Ruiz", "compras", "+525550101010", "compras.cdmx@topllantas.mx", "whatsapp"),
    ("CDMX", "Raúl Medina Cruz", "almacén", "+525550202020", "almacen.cdmx@topllantas.mx", "email"),
    ("GDL", "Lucía Ramírez Ortiz", "compras", "+523330303030", "compras.gdl@topllantas.mx", "whatsapp"),
    ("GDL", "Héctor Juárez Díaz", "almacén", "+523330404040", "almacen.gdl@topllantas.mx", "sms"),
    ("MTY", "Sergio Salazar Rivera", "compras", "+528180505050", "compras.mty@topllantas.mx", "whatsapp"),
    ("MTY", "Diana Herrera Moreno", "almacén", "+528180606060", "almacen.mty@topllantas.mx", "email"),
)  # fmt: skip


@dataclass
class SeedReport:
    """Counts of what the seed wrote (or that it skipped an already seeded database)."""

    skipped: bool = False
    products: int = 0
    fitment: int = 0
    customers: int = 0
    orders: int = 0
    sales_rows: int = 0


def is_seeded(engine: Engine) -> bool:
    """True when the catalogue already has products."""
    with Session(engine) as session:
        return session.exec(select(sa.func.count()).select_from(t.Product)).one() > 0


def clear(engine: Engine) -> None:
    """Delete every row of every table (children first), keeping the schema and API keys."""
    with session_scope(engine, write=True) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "api_key":
                session.execute(table.delete())


def seed_demo(
    engine: Engine,
    *,
    seed: int = 7,
    anchor: date | None = None,
    history_days: int = 760,
    reset: bool = False,
) -> SeedReport:
    """Fill an empty, migrated database with the demo data; a seeded one is left alone.

    The data depends only on ``seed`` and ``anchor`` (the day after the last day of sales
    history; default today), so two runs with the same values give the same rows.
    """
    if is_seeded(engine):
        if not reset:
            return SeedReport(skipped=True)
        clear(engine)
    anchor = anchor or date.today()
    rng = random.Random(seed)
    report = SeedReport()
    specs = build_catalog(seed)
    with session_scope(engine, write=True) as session:
        branches = _branches(session)
        _service_bays(session, branches)
        products = _products(session, specs)
        if FITMENT_CSV.exists():
            report.fitment = import_fitment(
                session,
                FITMENT_CSV.read_text(encoding="utf-8"),
                actor=ACTOR,
                current_year=anchor.year,
            ).rows
        _stock(session, rng, specs, products, branches, anchor)
        customers = _customers(session, rng, branches)
        suppliers = _suppliers(session, rng, specs, products)
        _fleet(session, rng, branches)
        _staff(session, branches)
        report.products, report.customers = len(products), len(customers)
    report.orders = _orders(engine, rng, specs, products, customers, branches, anchor)
    with session_scope(engine, write=True) as session:
        _purchase_orders(session, rng, suppliers, specs, products, branches, anchor)
    report.sales_rows = _history(engine, specs, products, branches, anchor, history_days, seed)
    with session_scope(engine, write=True) as session:
        record(
            session,
            actor=ACTOR,
            action="seed",
            entity="database",
            entity_id=str(seed),
            anchor=anchor.isoformat(),
            products=report.products,
            orders=report.orders,
            sales_rows=report.sales_rows,
        )
    return report


def _branches(session: Session) -> dict[str, t.Branch]:
    rows = {}
    for code, name, city, state, address, lat, lon, phone in BRANCHES:
        branch = t.Branch(
            code=code,
            name=name,
            city=city,
            state=state,
            address=address,
            latitude=lat,
            longitude=lon,
            phone=phone,
            opening_hours=dict(HOURS),
            is_main=code == MAIN_BRANCH,
            area_codes=list(AREA_CODES[code]),
        )
        session.add(branch)
        rows[code] = branch
    session.flush()
    return rows


def _service_bays(session: Session, branches: dict[str, t.Branch]) -> None:
    for code, bays in BAYS.items():
        branch_id = branches[code].id
        assert branch_id is not None
        for service, count in bays.items():
            kind = ServiceKind(service)  # a typo in BAYS fails the seed, not a booking
            session.add(t.ServiceBay(branch_id=branch_id, service=kind.value, bays=count))


def _products(session: Session, specs: list[ProductSpec]) -> dict[str, t.Product]:
    rows = {}
    for spec in specs:
        size = parse_tire_size(spec.size)
        product = t.Product(
            sku=spec.sku,
            brand=spec.brand,
            line=spec.line,
            **size.product_columns(),
            load_index=spec.load_index,
            speed_rating=spec.speed_rating,
            run_flat=spec.run_flat,
            vehicle_type=spec.vehicle_type,
            terrain=spec.terrain,
            tier=spec.tier,
            price_cents=spec.price_cents,
            cost_cents=spec.cost_cents,
            warranty_km=spec.warranty_km,
            warranty_months=spec.warranty_months,
        )
        session.add(product)
        rows[spec.sku] = product
    session.flush()
    return rows


def _stock(
    session: Session,
    rng: random.Random,
    specs: list[ProductSpec],
    products: dict[str, t.Product],
    branches: dict[str, t.Branch],
    anchor: date,
) -> None:
    """Stock sized from demand: reorder point covers a week of lead time plus safety stock."""
    for spec in specs:
        for code, branch in branches.items():
            daily = spec.popularity * BRANCH_WEIGHTS[code]
            reorder_point = max(2, math.ceil(daily * 7 + 2 * math.sqrt(daily * 7)))
            max_level = max(reorder_point + 4, math.ceil(reorder_point + daily * 30))
            draw = rng.random()
            if draw < 0.05:
                on_hand = 0
            elif draw < 0.15:
                on_hand = rng.randint(1, reorder_point)
            else:
                on_hand = rng.randint(reorder_point + 1, max_level)
            stock = t.Stock(
                product_id=products[spec.sku].id or 0,
                branch_id=branch.id or 0,
                on_hand=on_hand,
                reorder_point=reorder_point,
                max_level=max_level,
            )
            session.add(stock)
            session.flush()
            left = on_hand
            while left > 0:
                quantity = left if left <= 4 else rng.randint(4, left)
                produced = anchor - timedelta(days=rng.randint(20, 700))
                week = min(52, produced.isocalendar().week)
                session.add(
                    t.StockLot(
                        stock_id=stock.id or 0,
                        dot_week=week,
                        dot_year=produced.year,
                        quantity=quantity,
                    )
                )
                left -= quantity


def _customers(
    session: Session, rng: random.Random, branches: dict[str, t.Branch]
) -> list[t.Customer]:
    used: set[str] = set()
    rows: list[t.Customer] = []
    codes = list(branches)
    for i in range(160):
        code = rng.choices(codes, weights=[BRANCH_WEIGHTS[c] for c in codes])[0]
        number = people.phone(rng, code, used)
        name = people.person(rng)
        on_whatsapp = rng.random() < 0.85
        rows.append(
            t.Customer(
                kind=CustomerKind.RETAIL,
                name=name,
                phone=number,
                whatsapp_id=number.lstrip("+") if on_whatsapp else None,
                email=f"{name.split()[0].lower()}.{i}@example.mx".encode("ascii", "ignore").decode()
                if rng.random() < 0.6
                else None,
                rfc=None,
                city=people.CITY[code],
                consent_marketing=rng.random() < 0.4,
                consent_notifications=rng.random() < 0.92,
            )
        )
    for i in range(24):
        code = codes[i % len(codes)]
        name = rng.choice(people.DEALERS).format(rng.choice(people.LAST))
        number = people.phone(rng, code, used)
        tier = rng.choice((500, 800, 1200))
        rows.append(
            t.Customer(
                kind=CustomerKind.DEALER,
                dealer_type=rng.choice(list(DealerType)),
                name=name,
                phone=number,
                whatsapp_id=number.lstrip("+"),
                email=f"compras{i}@dealer-example.mx",
                rfc=people.rfc_company(rng, name),
                city=people.CITY[code],
                discount_bp=tier,
                credit_limit_cents=rng.choice((150_000, 300_000, 600_000)) * 100,
                consent_marketing=True,
                consent_notifications=True,
            )
        )
    for i in range(10):
        code = codes[i % len(codes)]
        name = rng.choice(people.FLEETS).format(rng.choice(people.LAST))
        number = people.phone(rng, code, used)
        rows.append(
            t.Customer(
                kind=CustomerKind.FLEET,
                name=name,
                phone=number,
                whatsapp_id=number.lstrip("+"),
                email=f"flotilla{i}@fleet-example.mx",
                rfc=people.rfc_company(rng, name),
                city=people.CITY[code],
                discount_bp=rng.choice((300, 600)),
                credit_limit_cents=rng.choice((400_000, 1_000_000)) * 100,
                consent_marketing=False,
                consent_notifications=True,
            )
        )
    for row in rows:  # fictional people: test data evaluator keys may speak as
        row.is_test = True
    session.add_all(rows)
    session.flush()
    return rows


def _suppliers(
    session: Session, rng: random.Random, specs: list[ProductSpec], products: dict[str, t.Product]
) -> list[t.Supplier]:
    rows = []
    for name, brands, lead in SUPPLIERS:
        supplier = t.Supplier(
            name=name,
            rfc=people.rfc_company(rng, name),
            email=f"ventas@{people.fold_domain(name)}.mx",
            phone=f"+5255{rng.randrange(10**8):08d}",
            lead_time_days=lead,
            min_order_cents=MIN_ORDER_CENTS.get(name, 0),
            brands=list(brands),
        )
        session.add(supplier)
        rows.append(supplier)
    session.flush()
    by_brand = {b: s for s in rows for b in s.brands}
    importer = rows[-1]
    importer.brands = sorted({s.brand for s in specs if s.brand not in by_brand})
    session.add(importer)
    for spec in specs:
        supplier = by_brand.get(spec.brand, importer)
        for min_quantity, factor in ((1, 1.0), (20, 0.96), (100, 0.92)):
            session.add(
                t.SupplierPrice(
                    supplier_id=supplier.id or 0,
                    product_id=products[spec.sku].id or 0,
                    min_quantity=min_quantity,
                    unit_cost_cents=round(spec.cost_cents * factor),
                )
            )
    session.flush()
    return rows


def _staff(session: Session, branches: dict[str, t.Branch]) -> None:
    for code, name, job, phone, email, channel in STAFF:
        session.add(
            t.StaffMember(
                name=name, branch_id=branches[code].id, job=job, phone=phone, email=email,
                notify_channel=channel,
            )
        )  # fmt: skip


# Vehicle kinds: tires, payload kg, cost per km (diesel/gasoline, tires, maintenance) and per hour
# (driver and helper wages with benefits), in cents.
FLEET = (
    ("Nissan NP300 Estacas", 40, 1_100, 650, 18_000),
    ("Isuzu ELF 400", 120, 3_500, 950, 22_000),
    ("Chevrolet Tornado Van", 24, 650, 450, 16_000),
)


def _fleet(session: Session, rng: random.Random, branches: dict[str, t.Branch]) -> None:
    for code, branch in branches.items():
        for n, (kind, capacity, kg, per_km, per_hour) in enumerate(
            FLEET[: 3 if code == "CDMX" else 2]
        ):
            session.add(
                t.FleetVehicle(
                    plate=f"{code[:2]}-{rng.randrange(100, 999)}-{n}{rng.choice('ABCDEFGH')}",
                    branch_id=branch.id or 0,
                    kind=kind,
                    capacity_tires=capacity,
                    capacity_kg=kg,
                    shift_start=time(8, 0),
                    shift_end=time(19, 0),
                    cost_per_km_cents=per_km,
                    cost_per_hour_cents=per_hour,
                )
            )
        for _ in range(3 if code == "CDMX" else 2):
            session.add(
                t.Driver(
                    name=people.person(rng),
                    phone=people.phone(rng, code, set()),
                    branch_id=branch.id or 0,
                )
            )
    session.flush()


# How many seeded orders end in each status, and the path of moves that gets them there.
ORDER_PATHS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.QUOTE: (),
    OrderStatus.RESERVED: (),
    OrderStatus.PAID: (OrderStatus.PAID,),
    OrderStatus.READY_FOR_PICKUP: (OrderStatus.PAID, OrderStatus.READY_FOR_PICKUP),
    OrderStatus.OUT_FOR_DELIVERY: (OrderStatus.PAID, OrderStatus.OUT_FOR_DELIVERY),
    OrderStatus.DELIVERED: (OrderStatus.PAID, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED),
    OrderStatus.CANCELLED: (OrderStatus.CANCELLED,),
    OrderStatus.RETURNED: (
        OrderStatus.PAID,
        OrderStatus.READY_FOR_PICKUP,
        OrderStatus.DELIVERED,
        OrderStatus.RETURNED,
    ),
}
ORDER_COUNTS = {
    OrderStatus.QUOTE: 12, OrderStatus.RESERVED: 10, OrderStatus.PAID: 8, OrderStatus.READY_FOR_PICKUP: 8,
    OrderStatus.OUT_FOR_DELIVERY: 6, OrderStatus.DELIVERED: 40, OrderStatus.CANCELLED: 8, OrderStatus.RETURNED: 3,
}  # fmt: skip


def _orders(
    engine: Engine,
    rng: random.Random,
    specs: list[ProductSpec],
    products: dict[str, t.Product],
    customers: list[t.Customer],
    branches: dict[str, t.Branch],
    anchor: date,
) -> int:
    """Orders in every status, made through the same code path as the API (stock stays consistent)."""
    popular = sorted(specs, key=lambda s: -s.popularity)[:150]
    plan = [status for status, n in ORDER_COUNTS.items() for _ in range(n)]
    rng.shuffle(plan)
    made = 0
    for final in plan:
        customer = rng.choice(customers)
        spec = rng.choice(popular)
        code = rng.choice(list(branches))
        quantity = (
            rng.choice((2, 4, 4, 4))
            if customer.kind == CustomerKind.RETAIL
            else rng.choice((8, 12, 20))
        )
        delivery = (
            final in (OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED) or rng.random() < 0.2
        )
        payload = OrderCreate(
            customer_id=customer.id or 0,
            branch_code=code,
            lines=[OrderLineCreate(sku=spec.sku, quantity=quantity)],
            status="quote" if final == OrderStatus.QUOTE else "reserved",
            channel=rng.choice(["whatsapp", "whatsapp", "web", "store", "phone"]),
            fulfillment="delivery" if delivery else "pickup",
        )
        with session_scope(engine, write=True) as session:
            stock = session.exec(
                select(t.Stock).where(
                    t.Stock.product_id == products[spec.sku].id,
                    t.Stock.branch_id == branches[code].id,
                )
            ).one()
            if payload.status == "reserved" and stock.on_hand - stock.reserved < quantity:
                stock.on_hand += quantity  # a restock before this order, so the seed never fails
                adjust_lots(session, stock.id or 0, quantity, received=anchor - timedelta(days=70))
                session.add(stock)
                session.flush()
            order = create_order(session, payload, actor=ACTOR, hold_hours=48)
            for step in ORDER_PATHS[final]:
                order = update_order(
                    session, order.id, OrderUpdate(status=step), actor=ACTOR, hold_hours=48
                )
            row = session.get(t.Order, order.id)
            assert row is not None
            age = timedelta(
                days=rng.randint(0, 2)
                if final in (OrderStatus.RESERVED, OrderStatus.QUOTE)
                else rng.randint(1, 60),
                hours=rng.randint(0, 10),
            )
            created = datetime.combine(anchor, time(17, 0), tzinfo=utcnow().tzinfo) - age
            row.created_at, row.updated_at = created, created + timedelta(hours=rng.randint(1, 30))
            if final in PAID_IN_FULL:
                row.paid_cents = row.total_cents
            session.add(row)
            if delivery and final != OrderStatus.CANCELLED:
                day = (created + timedelta(days=1)).replace(
                    hour=15 + rng.choice((0, 1, 2)), minute=0
                )
                branch = branches[code]
                session.add(
                    t.Delivery(
                        order_id=order.id,
                        address=f"Calle {rng.choice(people.LAST)} {rng.randint(1, 999)}, {branch.city}",
                        latitude=branch.latitude + rng.uniform(-0.08, 0.08),
                        longitude=branch.longitude + rng.uniform(-0.08, 0.08),
                        window_start=day,
                        window_end=day + timedelta(hours=3),
                        status={
                            OrderStatus.OUT_FOR_DELIVERY: DeliveryStatus.OUT_FOR_DELIVERY,
                            OrderStatus.DELIVERED: DeliveryStatus.DELIVERED,
                            OrderStatus.RETURNED: DeliveryStatus.DELIVERED,
                        }.get(final, DeliveryStatus.SCHEDULED),
                    )
                )
        made += 1
    return made


def _purchase_orders(
    session: Session,
    rng: random.Random,
    suppliers: list[t.Supplier],
    specs: list[ProductSpec],
    products: dict[str, t.Product],
    branches: dict[str, t.Branch],
    anchor: date,
) -> None:
    statuses = (
        [PurchaseOrderStatus.DRAFT] * 3
        + [PurchaseOrderStatus.SENT] * 4
        + [PurchaseOrderStatus.RECEIVED] * 8
        + [PurchaseOrderStatus.CANCELLED]
    )
    by_brand: dict[str, list[ProductSpec]] = {}
    for spec in specs:
        by_brand.setdefault(spec.brand, []).append(spec)
    for n, status in enumerate(statuses, start=1):
        supplier = suppliers[n % len(suppliers)]
        choices = [s for b in supplier.brands for s in by_brand.get(b, [])]
        created = datetime.combine(
            anchor - timedelta(days=rng.randint(1, 90)), time(10, 0), tzinfo=utcnow().tzinfo
        )
        po = t.PurchaseOrder(
            supplier_id=supplier.id or 0,
            branch_id=rng.choice(list(branches.values())).id or 0,
            status=status,
            created_at=created,
            expected_on=(created + timedelta(days=supplier.lead_time_days)).date(),
        )
        session.add(po)
        session.flush()
        po.folio = f"OC-{po.id:06d}"
        for spec in rng.sample(choices, k=min(4, len(choices))):
            quantity = rng.choice((20, 40, 100))
            cost = round(spec.cost_cents * (0.92 if quantity >= 100 else 0.96))
            session.add(
                t.PurchaseOrderLine(
                    purchase_order_id=po.id or 0,
                    product_id=products[spec.sku].id or 0,
                    quantity=quantity,
                    unit_cost_cents=cost,
                )
            )
            po.total_cents += cost * quantity
        session.add(po)


def _history(
    engine: Engine,
    specs: list[ProductSpec],
    products: dict[str, t.Product],
    branches: dict[str, t.Branch],
    anchor: date,
    days: int,
    seed: int,
) -> int:
    """Bulk-insert the daily sales history (only days with sales)."""
    start, end = anchor - timedelta(days=days), anchor - timedelta(days=1)
    ids = {s.sku: (products[s.sku].id or 0, products[s.sku].price_cents) for s in specs}
    branch_ids = {code: b.id or 0 for code, b in branches.items()}
    rows = generate_sales_history(demand_profiles(specs), BRANCH_WEIGHTS, start, end, seed)
    table = t.SalesDaily.__table__  # type: ignore[attr-defined]
    batch: list[dict[str, object]] = []
    count = 0
    with engine.begin() as conn:
        for row in rows:
            product_id, price = ids[row.key]
            batch.append(
                {
                    "day": row.day,
                    "product_id": product_id,
                    "branch_id": branch_ids[row.branch],
                    "units": row.units,
                    "revenue_cents": row.units * price,
                }
            )
            if len(batch) >= 20_000:
                conn.execute(table.insert(), batch)
                count += len(batch)
                batch.clear()
        if batch:
            conn.execute(table.insert(), batch)
            count += len(batch)
    return count
