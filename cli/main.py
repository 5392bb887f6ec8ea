"""topllantas: serve, seed, keys, imports, ERP sync."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.erp.csv_import import ImportReport
from cli.appointments import appointments_app
from cli.backup import backup_app
from cli.forecast import forecast_app
from cli.inventory import inventory_app
from cli.kb import kb_app
from cli.prompt import prompt_loop
from cli.report import report_app
from cli.routes import routes_app
from cli.whatsapp import whatsapp_app
from cli.worker import worker
from core.errors import DomainError
from core.settings import Settings, get_settings
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from domain.phone import normalize_mx_phone
from evals.cli import eval_app

app = typer.Typer(no_args_is_help=True, help="TopLlantas AI service.", add_completion=False)
keys_app = typer.Typer(no_args_is_help=True, help="API keys (only a hash is stored).")
fitment_app = typer.Typer(no_args_is_help=True, help="Vehicle fitment catalogue.")
import_app = typer.Typer(no_args_is_help=True, help="CSV imports from an existing ERP.")
erp_app = typer.Typer(no_args_is_help=True, help="Sync with an external ERP.")
app.add_typer(keys_app, name="keys")
app.add_typer(fitment_app, name="fitment")
app.add_typer(import_app, name="import")
app.add_typer(erp_app, name="erp")
app.add_typer(eval_app, name="eval")
app.add_typer(whatsapp_app, name="whatsapp")
app.add_typer(kb_app, name="kb")
app.add_typer(appointments_app, name="appointments")
app.add_typer(forecast_app, name="forecast")
app.add_typer(routes_app, name="routes")
app.add_typer(inventory_app, name="inventory")
app.add_typer(report_app, name="report")
app.add_typer(backup_app, name="backup")
CLI_ACTOR = "cli"
WORKER_START_S = 120


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: TOPLLANTAS_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Default: TOPLLANTAS_PORT (8000)")] = None,
    seed_if_empty: Annotated[
        bool, typer.Option(help="Load the demo data into an empty database")
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes (a conversation keeps its order across them; on PostgreSQL "
            "across machines too)",
        ),
    ] = 1,
) -> None:
    """Migrate the database, load the demo data if it is empty, train or load the Spanish model,
    then serve the API (it listens only when the first customer can be answered at once)."""
    import uvicorn

    from api.app import create_app
    from db.demo.deliveries import seed_delivery_day
    from db.demo.seed import is_seeded, seed_demo
    from domain.clock import mexico_today

    settings = get_settings()
    engine = _engine(settings)
    if seed_if_empty and not is_seeded(engine):
        typer.echo("Loading the demo data (first start only)...")
        report = seed_demo(engine, seed=settings.demo.seed, history_days=settings.demo.history_days)
        seed_delivery_day(engine, mexico_today(), seed=settings.demo.seed)
        typer.echo(
            f"Demo data: {report.products} products, {report.orders} orders, "
            f"{report.sales_rows} sales rows."
        )
        if settings.environment == "development":
            _demo_key(engine, settings)
    _prepare_chat(settings, engine)
    host, port = host or settings.host, port or settings.port
    log_level = settings.log_level.lower()
    if workers == 1:
        uvicorn.run(create_app(settings, engine=engine), host=host, port=port, log_level=log_level)
        return
    # Each worker builds its own app from the same environment; the shared socket listens as
    # soon as the first of them has started. What must happen once happened above (migrations,
    # demo data, training) or happens here (the checkpointer's tables), not once per worker.
    _prepare_workers(settings, workers)
    engine.dispose()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        # uvicorn kills a worker that does not answer its health check in time (5 s by default)
        # and starts another: a worker still loading the model on a busy machine was killed
        # and replaced over and over, and never served.
        timeout_worker_healthcheck=WORKER_START_S,
    )


def _prepare_workers(settings: Settings, workers: int) -> None:
    """Create the conversation checkpointer's tables before the workers start, so they never
    race to create them; say what is shared among workers and what is not."""
    from graphs.checkpointer import open_checkpointer

    with open_checkpointer(settings):
        pass
    if not settings.redis_url:
        typer.echo(
            f"{workers} workers without TOPLLANTAS_REDIS_URL: each keeps its own rate-limit "
            "budgets (a key may send up to N times its limit)."
        )


def _prepare_chat(settings: Settings, engine: Engine) -> None:
    """Train (first start) or load the Spanish model before listening: no customer waits."""
    import time

    from conversation.service import load_nlu

    typer.echo("Preparing the Spanish model (it trains on the first start only)...")
    started = time.perf_counter()
    load_nlu(settings, engine)
    typer.echo(f"Spanish model ready in {time.perf_counter() - started:.1f} s.")


def _demo_key(engine: Engine, settings: Settings) -> None:
    """On a fresh development database, make an admin key so the first curl works."""
    from db.repositories.api_keys import create_key, list_keys

    with session_scope(engine, write=True) as session:
        if list_keys(session):
            return
        key, _ = create_key(session, role="admin", name="demo-admin", actor=CLI_ACTOR)
    path = settings.data_dir / "demo_admin_key.txt"
    path.write_text(key + "\n")
    path.chmod(0o600)
    typer.echo(f"Demo admin API key (also in {path}): {key}")


@app.command()
def seed(
    reset: Annotated[
        bool, typer.Option(help="Delete all data (not API keys) and load it again")
    ] = False,
    anchor: Annotated[
        str | None, typer.Option(help="Last day of history + 1, YYYY-MM-DD (default today)")
    ] = None,
    history_days: Annotated[int | None, typer.Option(help="Days of sales history")] = None,
) -> None:
    """Load the deterministic demo data; does nothing on an already seeded database."""
    from db.demo.deliveries import seed_delivery_day
    from db.demo.seed import seed_demo
    from domain.clock import mexico_today

    settings = get_settings()
    try:
        anchor_day = date.fromisoformat(anchor) if anchor else None
    except ValueError:
        _fail(f"--anchor '{anchor}' is not a date like 2026-11-27")
        return
    report = seed_demo(
        _engine(settings),
        seed=settings.demo.seed,
        anchor=anchor_day,
        history_days=history_days or settings.demo.history_days,
        reset=reset,
    )
    if report.skipped:
        typer.echo("The database already has data; nothing done (use --reset to reload).")
        return
    day = seed_delivery_day(
        _engine(settings), anchor_day or mexico_today(), seed=settings.demo.seed
    )
    typer.echo(f"Demo delivery day {day.day}: {day.deliveries} deliveries.")
    typer.echo(
        f"Seeded: {report.products} products, {report.fitment} fitment rows, "
        f"{report.customers} customers, "
        f"{report.orders} orders, {report.sales_rows} daily sales rows."
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin, staff, technician, evaluator or integration")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
) -> None:
    """Create an API key and print it once."""
    from db.repositories.api_keys import create_key

    try:
        with session_scope(_engine(get_settings()), write=True) as session:
            key, info = create_key(session, role=role, name=name, actor=CLI_ACTOR)
    except DomainError as exc:
        _fail(exc.message)
        return
    typer.echo(key)
    typer.echo(
        f"(role {info.role.value}, prefix {info.prefix}; store it now, it is not shown again; "
        f"OAuth client_id = {info.prefix})",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """List keys (prefix, role, name, state)."""
    from db.repositories.api_keys import list_keys

    with session_scope(_engine(get_settings())) as session:
        rows = list_keys(session)
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        typer.echo(f"{row.prefix}  {row.role.value:<12} {state:<18} {row.name}")
    if not rows:
        typer.echo("No API keys.")


@keys_app.command("revoke")
def keys_revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix, as listed")]) -> None:
    """Revoke a key."""
    from db.repositories.api_keys import revoke_key

    try:
        with session_scope(_engine(get_settings()), write=True) as session:
            info = revoke_key(session, prefix, actor=CLI_ACTOR)
    except DomainError as exc:
        _fail(exc.message)
        return
    typer.echo(f"Revoked {info.prefix} ({info.name}).")


def _read_csv(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
        return ""


def _import(label: str, path: Path, run: Callable[[Session, str], ImportReport]) -> None:
    """Read a CSV, import it in one transaction, and report; a bad file changes nothing."""
    text = _read_csv(path)
    try:
        with session_scope(_engine(get_settings()), write=True) as session:
            report = run(session, text)
    except DomainError as exc:
        _fail(f"nothing imported: {exc.message}")
        return
    typer.echo(f"{label}: {report.rows} rows ({report.created} new, {report.updated} updated).")


@fitment_app.command("import")
def fitment_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV: make,model,year_from,year_to,trim,front_size,rear_size,notes"),
    ],
) -> None:
    """Import a licensed fitment catalogue; any bad row aborts the whole import."""
    from adapters.erp.csv_import import import_fitment

    _import(
        "Fitment",
        path,
        lambda session, text: import_fitment(
            session, text, actor=CLI_ACTOR, current_year=date.today().year
        ),
    )


@import_app.command("products")
def import_products_cmd(path: Path) -> None:
    """Upsert products by SKU from a CSV (prices in pesos, net of IVA)."""
    from adapters.erp.csv_import import import_products

    _import("Products", path, lambda session, text: import_products(session, text, actor=CLI_ACTOR))


@import_app.command("stock")
def import_stock_cmd(path: Path) -> None:
    """Set stock per SKU and branch from a CSV."""
    from adapters.erp.csv_import import import_stock

    _import("Stock", path, lambda session, text: import_stock(session, text, actor=CLI_ACTOR))


@erp_app.command("sync")
def erp_sync() -> None:
    """Pull products and stock from the ERP at TOPLLANTAS_ERP__REST_BASE_URL."""
    from adapters.erp.rest import RestErp
    from adapters.erp.sync import sync_catalog

    settings = get_settings()
    erp = settings.erp
    key = erp.rest_api_key.get_secret_value() if erp.rest_api_key else None
    secret = erp.rest_client_secret.get_secret_value() if erp.rest_client_secret else None
    if key is None and not (erp.rest_client_id and secret):
        _fail("set TOPLLANTAS_ERP__REST_API_KEY, or REST_CLIENT_ID and REST_CLIENT_SECRET")
        return
    source = RestErp(
        erp.rest_base_url,
        api_key=key,
        client_id=erp.rest_client_id,
        client_secret=secret,
        timeout_s=settings.erp.rest_timeout_seconds,
        retries=settings.erp.rest_retries,
    )
    try:
        report = sync_catalog(source, _engine(settings), actor=f"{CLI_ACTOR}:sync")
    except DomainError as exc:
        _fail(exc.message)
        return
    finally:
        source.close()
    typer.echo(
        f"Synced: {report.products_created} new and {report.products_updated} updated products, "
        f"{report.stock_rows} stock rows ({report.skipped_unknown_branch} skipped)."
    )


@app.command("expire-reservations")
def expire_reservations_cmd() -> None:
    """Cancel reserved orders whose hold has expired and release their stock."""
    from db.repositories.orders import expire_reservations

    with session_scope(_engine(get_settings()), write=True) as session:
        folios = expire_reservations(session, actor=f"{CLI_ACTOR}:expiry")
    typer.echo(
        f"Expired {len(folios)} reservations" + (f": {', '.join(folios)}" if folios else ".")
    )


@app.command()
def chat(
    as_: Annotated[str, typer.Option("--as", help="customer, staff or technician")] = "customer",
    phone: Annotated[
        str | None, typer.Option(help="The customer's phone: +5215512345678 or 55 1234 5678")
    ] = None,
) -> None:
    """Chat with the agents in the terminal, on this machine's database (write 'salir' to end)."""
    from conversation.service import open_chat_service
    from db.repositories.chat import customer_by_phone, start_session

    if as_ not in ("customer", "staff", "technician"):
        _fail("--as must be customer, staff or technician")
    if phone and as_ != "customer":
        _fail("--phone goes only with --as customer")
    if phone:
        try:
            phone = normalize_mx_phone(phone)
        except ValueError as exc:
            _fail(f"--phone: {exc}")
    settings = get_settings()
    engine = _engine(settings)
    with open_chat_service(settings, engine) as service:
        with session_scope(engine, write=True) as session:
            customer_id = (
                customer_by_phone(session, phone, name="Cliente (terminal)", actor=CLI_ACTOR).id
                if phone
                else None
            )
            chat_session = start_session(
                session,
                owner=f"cli:{phone or as_}",
                role=as_,
                channel="cli",
                customer_id=customer_id,
            )
        typer.echo(
            f"Conversación {chat_session.id} como {as_}{' ' + phone if phone else ''}. Escribe 'salir' para terminar."
        )

        def turn(text: str) -> None:
            result = service.run_turn(chat_session, text)
            typer.echo(f"[{result.agent}] {result.reply}")

        prompt_loop(turn)


app.command()(worker)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except DomainError as exc:  # a last guard: domain errors are user errors, not tracebacks
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
