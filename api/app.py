"""create_app(): the FastAPI application, built by a factory, nothing connected at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from adapters.channels.notifier import Notifier
from adapters.reports.schedule import sweep_once as reports_sweep
from api.container import Container, open_container
from api.docs import install_docs
from api.errors import install_error_handlers
from api.pages import dashboard_pages, signin
from api.pages import logistics as logistics_pages
from api.pages.render import STATIC_DIR
from api.routes import (
    analytics,
    appointments,
    auth,
    cases,
    chat,
    dashboard,
    driver,
    health,
    inventory,
    logistics,
    orders,
    parties,
    payments,
    products,
    replenishment,
    whatsapp,
)
from core.settings import Settings, get_settings
from db.backup import scheduled_backup
from db.delivery_planning import evening_plan_due, run_evening_plan
from db.engine import make_engine, session_scope
from db.inventory_job import nightly_due, ran_on, run_nightly
from db.leadership import Leadership
from db.repositories.appointments import queue_reminders
from db.repositories.orders import expire_reservations
from domain.clock import mexico_today


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app; the engine is created here unless the caller (a test) passes one."""
    settings = settings or get_settings()
    owns_engine = engine is None
    db_engine = engine or make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything, the chat service included, is built before the first request is accepted.
        async with open_container(settings, db_engine) as container:
            app.state.container = container
            await _warm_up(app)
            await asyncio.to_thread(_recover, container)  # what a crashed predecessor left
            sweeper = None
            if settings.reservation_sweep_seconds > 0:
                sweeper = asyncio.create_task(_sweep(db_engine, settings, container))
            try:
                yield
            finally:
                if sweeper is not None:
                    sweeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeper
        if owns_engine:
            db_engine.dispose()

    app = FastAPI(
        title="TopLlantas AI",
        version="0.1.0",
        description="ERP REST API of the TopLlantas store of record. Authenticate with "
        "`Authorization: Bearer <API key>` or an OAuth 2.0 access token from `/oauth/token`.",
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: /docs must work without a CDN
    )
    install_error_handlers(app)
    install_docs(app)
    for module in (
        health,
        auth,
        products,
        inventory,
        orders,
        parties,
        analytics,
        payments,
        cases,
        appointments,
        replenishment,
        chat,
        whatsapp,
        dashboard,
        signin,
        dashboard_pages,
    ):
        app.include_router(module.router)
    for module in (logistics, driver):
        app.include_router(module.router)
    logistics_pages.install(app)
    # The pages' own assets (charts included): nothing is loaded from a CDN.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    logging.getLogger("topllantas").setLevel(settings.log_level)
    return app


async def _warm_up(app: FastAPI) -> None:
    """One request through the app in process before it listens: FastAPI builds its routes
    and their dependencies on the first request (about half a second), not the first customer.
    An empty chat message reaches the chat route and writes nothing."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://warm-up") as client:
        await client.post("/v1/chat", json={"message": ""})


def _recover(container: Container) -> None:
    """Crash recovery: run again the WhatsApp messages whose worker died (expired lease), then
    send outbox rows written but never sent (stored replies included)."""
    log = logging.getLogger("topllantas.recovery")
    taken = container.whatsapp.recover(container.chat)
    if taken:
        log.warning("took over %d WhatsApp messages whose worker died", taken)
    sent = container.notifier.deliver_queued()
    if sent:
        log.info("sent %d queued outbox messages", sent)


async def _sweep(engine: Engine, settings: Settings, container: Container) -> None:
    """The in-process scheduler. Every server process re-runs the WhatsApp messages whose
    worker died (their leases make that safe); the rest of the sweep runs in one process at a
    time, the sweep's leader (``sweep_once``), unless ``TOPLLANTAS_SWEEP_IN_SERVER`` is off
    because a `topllantas worker` runs it."""
    log = logging.getLogger("topllantas.sweeper")
    leader = sweep_leadership(engine, settings) if settings.sweep_in_server else None
    attempted: dict[str, date] = {}
    try:
        while True:
            try:
                taken = await asyncio.to_thread(container.whatsapp.recover, container.chat)
                if taken:
                    log.warning("took over %d WhatsApp messages whose worker died", taken)
                if leader is not None and await asyncio.to_thread(leader.hold):
                    await sweep_once(engine, settings, container.notifier, attempted)
            except Exception:  # a failed sweep must not stop the next one
                log.exception("sweep failed")
            await asyncio.sleep(settings.reservation_sweep_seconds)
    finally:
        if leader is not None:
            leader.close()


def sweep_leadership(engine: Engine, settings: Settings) -> Leadership:
    """The role of running the sweep: one process of all the servers and workers at a time."""
    return Leadership(engine, settings.data_dir / "locks", "sweep")


async def sweep_once(
    engine: Engine, settings: Settings, notifier: Notifier, attempted: dict[str, date]
) -> None:
    """One pass of the scheduled work (in the sweep's leader only): release expired holds,
    queue tomorrow's appointment reminders (once each), the nightly job and tomorrow's route
    plan when due, reports and follow-ups, outbox messages left unsent, the backup when due.
    ``attempted`` remembers the heavy jobs this process already tried today."""
    log = logging.getLogger("topllantas.sweeper")
    folios = await asyncio.to_thread(_expire_once, engine)
    if folios:
        log.info("released expired reservations: %s", ", ".join(folios))
    reminded = await asyncio.to_thread(_remind_once, engine)
    if reminded:
        log.info("queued %d appointment reminders", reminded)
    day = await asyncio.to_thread(nightly_due, engine, settings)
    # once a day from TOPLLANTAS_INVENTORY__NIGHTLY_HOUR; a failed run is not retried
    # by this process the same day (a minute of CPU every pass would starve the chat)
    if day is not None and attempted.get("nightly") != day:
        attempted["nightly"] = day
        await _heavy_job(engine, settings, "nightly", day)
    # scheduled reports to subscribers, CRM follow-up of open quotes and leads
    await asyncio.to_thread(reports_sweep, engine, settings)
    tomorrow = await asyncio.to_thread(evening_plan_due, engine, settings)
    # TOPLLANTAS_LOGISTICS__PLAN_HOUR, once per day
    if tomorrow is not None and attempted.get("evening_plan") != tomorrow:
        attempted["evening_plan"] = tomorrow
        await _heavy_job(engine, settings, "evening_plan", tomorrow)
    sent = await asyncio.to_thread(notifier.deliver_queued)
    if sent:
        log.info("sent %d queued outbox messages", sent)
    archive = await asyncio.to_thread(scheduled_backup, settings)  # when due (off: 0 h)
    if archive is not None:
        log.info("backup written: %s", archive)


# The scheduled jobs of a minute's CPU, by the name the sweep gives them.
_HEAVY_JOBS: dict[str, Callable[[Engine, Settings, date], object]] = {
    "nightly": run_nightly,
    "evening_plan": run_evening_plan,
}


# Whether a job is still to do for its day, asked again under the job's own lock: a job that
# another process finished meanwhile is not run twice.
_STILL_DUE: dict[str, Callable[[Engine, Settings, date], bool]] = {
    "nightly": lambda engine, _settings, day: not ran_on(engine, day),
    "evening_plan": lambda engine, settings, day: evening_plan_due(engine, settings) == day,
}


def run_exclusive(engine: Engine, settings: Settings, job: str, day: date) -> bool:
    """Run a scheduled job for ``day`` unless another process runs it right now or it is done
    already: exactly once, whichever servers and workers reach it. True when it ran here."""
    log = logging.getLogger("topllantas.sweeper")
    with Leadership(engine, settings.data_dir / "locks", f"job:{job}") as held:
        if not held:
            log.info("scheduled job %s for %s is running in another process", job, day)
            return False
        if not _STILL_DUE[job](engine, settings, day):
            return False
        _HEAVY_JOBS[job](engine, settings, day)
        return True


def run_job(settings: Settings, job: str, day: date) -> None:
    """A scheduled job in a process of its own (the nightly forecast, tomorrow's routes)."""
    engine = make_engine(settings.resolved_database_url)
    try:
        run_exclusive(engine, settings, job, day)
    finally:
        engine.dispose()


async def _heavy_job(engine: Engine, settings: Settings, job: str, day: date) -> None:
    """Run a job of a minute's CPU (the demo's nightly forecast takes about 50 s) in a fresh
    interpreter, so the chat keeps this process's GIL and the job takes the other core; an
    in-memory database (tests) cannot be shared, so there it runs in a thread."""
    url = settings.resolved_database_url
    if url.startswith("sqlite") and (url.endswith(":memory:") or url.rstrip("/") == "sqlite:"):
        await asyncio.to_thread(run_exclusive, engine, settings, job, day)
        return
    # Not daemonic: the forecasting engine starts worker processes of its own, which a daemonic
    # process may not ("daemonic processes are not allowed to have children": the nightly run
    # failed on every fresh `make run`). A stopping server terminates it below.
    process = multiprocessing.get_context("spawn").Process(
        target=run_job, args=(settings, job, day), name=f"topllantas-{job}"
    )
    process.start()
    try:
        while process.is_alive():
            await asyncio.sleep(0.5)
    except asyncio.CancelledError:  # the server is stopping: the job goes with it
        process.terminate()
        await asyncio.to_thread(process.join, 10)
        raise
    if process.exitcode != 0:
        raise RuntimeError(f"scheduled job {job} for {day} exited with {process.exitcode}")


def _remind_once(engine: Engine) -> int:
    tomorrow = mexico_today() + timedelta(days=1)
    with session_scope(engine, write=True) as session:
        return len(queue_reminders(session, tomorrow, actor="system:reminders"))


def _expire_once(engine: Engine) -> list[str]:
    with session_scope(engine, write=True) as session:
        return expire_reservations(session, actor="system:expiry")
