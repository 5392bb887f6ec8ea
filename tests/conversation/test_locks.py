"""Conversation locks hold across threads and across processes (``serve --workers N``)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from conversation.locks import ConversationLocks, fcntl


def _hold_for(directory: str, key: str, seconds: float, ready: object) -> None:
    with ConversationLocks(Path(directory)).hold(key):
        ready.set()  # type: ignore[attr-defined]
        time.sleep(seconds)


def test_one_holder_per_key_among_threads(tmp_path: Path) -> None:
    locks = ConversationLocks(tmp_path)
    inside, most = [0], [0]
    guard = threading.Lock()

    def turn() -> None:
        with locks.hold("chat:abc"):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=turn) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


@pytest.mark.skipif(fcntl is None, reason="flock is POSIX")
def test_another_process_waits_for_the_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    other = ctx.Process(
        target=_hold_for, args=(str(tmp_path), "whatsapp:+5215512345678", 1.0, ready)
    )
    other.start()
    try:
        assert ready.wait(60)
        started = time.monotonic()
        with ConversationLocks(tmp_path).hold("whatsapp:+5215512345678"):
            waited = time.monotonic() - started
        with ConversationLocks(tmp_path).hold("chat:another"):
            pass  # another key does not wait (unless it shares a lock file, 1 in 1024)
    finally:
        other.join(30)
    assert waited > 0.3


def test_a_process_keeps_no_lock_for_conversations_it_is_done_with(tmp_path: Path) -> None:
    locks = ConversationLocks(tmp_path)
    for n in range(200):
        with locks.hold(f"chat:{n}"):
            assert locks.held_keys() == 1
    assert locks.held_keys() == 0  # thousands of conversations must not grow the process


def test_on_postgresql_workers_on_other_machines_wait_for_the_conversation(
    engine: Engine, tmp_path: Path
) -> None:
    """Two lock sets as on two machines (no shared lock directory): only the database can
    order the turns, and it does."""
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs on one machine (flock above)")
    here = ConversationLocks(tmp_path / "machine-a", engine)
    there = ConversationLocks(tmp_path / "machine-b", engine)
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with here.hold("chat:s1"):
            holding.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with there.hold("chat:s2"):  # another conversation does not wait
            assert time.monotonic() - started < 0.3
        with there.hold("chat:s1"):
            order.append("second")
        assert order == ["first done", "second"]
        assert not (tmp_path / "machine-a").exists()  # no file lock was involved
    finally:
        thread.join()
        here.close()
        there.close()
