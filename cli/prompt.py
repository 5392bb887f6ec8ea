"""The interactive loop shared by the terminal chat and the WhatsApp simulator."""

from __future__ import annotations

from collections.abc import Callable

import typer

QUIT = frozenset({"salir", "exit", "quit"})


def prompt_loop(handle: Callable[[str], None]) -> None:
    """Read lines until EOF, Ctrl-C or 'salir', handing each one to ``handle``."""
    while True:
        try:
            text = input("tú> ")
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if text.strip().lower() in QUIT:
            return
        handle(text)
