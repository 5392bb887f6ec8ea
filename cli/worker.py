"""topllantas worker: the sweep and the scheduled jobs in a process of their own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import date
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from core.settings import Settings, get_settings

log = logging.getLogger("topllantas.worker")


def worker(
    once: Annotated[
        bool, typer.Option(help="One pass of the sweep, then exit (cron, tests)")
    ] = False,
) -> None:
    """Run the sweep and scheduled jobs apart from the web servers.

    Expired holds, reminders, the nightly forecast, tomorrow's routes, reports and follow-ups,
    the outbox and backups: one sweep at a time among every worker and server (a PostgreSQL
    advisory lock, or a file lock on one machine), so extra workers stand by. Pair it with
    TOPLLANTAS_SWEEP_IN_SERVER=false on the servers to keep that work off their cores.
    """
    from db.engine import make_engine
    from db.migrate import upgrade

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    try:
        asyncio.run(run_worker(engine, settings, once=once))
    finally:
        engine.dispose()


async def run_worker(engine: Engine, settings: Settings, *, once: bool = False) -> None:
    """Sweep whenever this process holds the sweep's role, until SIGTERM or SIGINT (a job in
    flight is stopped with it; its lock goes too, so the next leader runs it again)."""
    from adapters.channels.notifier import Notifier
    from api.app import sweep_leadership, sweep_once

    notifier = Notifier(engine, settings)
    leader = sweep_leadership(engine, settings)
    attempted: dict[str, date] = {}
    interval = settings.reservation_sweep_seconds or 60.0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker started; sweeping every %.0f s when it holds the sweep", interval)
    was_leader = False
    try:
        while not stop.is_set():
            leading = await asyncio.to_thread(leader.hold)
            if leading != was_leader:
                log.info("this worker %s the sweep", "runs" if leading else "stands by for")
                was_leader = leading
            if leading:
                sweep = asyncio.create_task(sweep_once(engine, settings, notifier, attempted))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({sweep, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if not sweep.done():
                    sweep.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    try:
                        await sweep
                    except Exception:  # a failed pass must not stop the next one
                        log.exception("sweep failed")
            if once:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        leader.close()
        log.info("worker stopped")
