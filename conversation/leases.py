"""Who holds a lease: a worker id (host, pid, a nonce), a liveness test and the renewal thread.

The lease's expiry is what recovery relies on; on the worker's own machine a dead process is
also seen at once (its pid is gone), so a restarted server re-runs its predecessor's messages
without waiting for the leases to run out.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from sqlalchemy.engine import Engine

from db.repositories.inbound_leases import renew_leases

log = logging.getLogger("topllantas.leases")
_HOST = socket.gethostname()[:40]
_LIVE: set[str] = set()  # owners alive in this process (several apps in one test process)


def new_owner() -> str:
    """A worker id unique across restarts: host:pid:nonce."""
    owner = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


def retire(owner: str) -> None:
    """This worker stops (its open leases then run out, or are seen dead at once here)."""
    _LIVE.discard(owner)


def owner_alive(owner: str) -> bool:
    """False only when we know the owner is gone: a retired owner of this process, or a
    process of this machine that no longer exists. Other machines' owners: their lease says."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        return owner in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LeaseKeeper:
    """Renews this worker's open leases every third of their length until stopped."""

    def __init__(self, engine: Engine, owner: str, seconds: float) -> None:
        self.engine, self.owner, self.seconds = engine, owner, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                renew_leases(self.engine, self.owner, self.seconds)
            except Exception:  # a missed renewal is retried; the lease is three periods long
                log.exception("lease renewal failed")

    def stop(self) -> None:
        """Stop renewing (the turns are done)."""
        self._stop.set()
        self._thread.join(timeout=5)
        retire(self.owner)
