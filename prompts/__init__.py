"""Prompt files (Spanish), loaded by name; a missing or unused variable is an error."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

PROMPTS = Path(__file__).resolve().parent


@cache
def _text(name: str) -> str:
    path = PROMPTS / f"{name}.md"
    if not path.exists():
        raise KeyError(f"no prompt named {name!r} in {PROMPTS}")
    return path.read_text(encoding="utf-8")


def load_prompt(name: str, **variables: str) -> str:
    """The prompt ``prompts/<name>.md`` with ``{variables}`` filled in.

    Raises:
        KeyError: unknown prompt, or a variable the prompt uses was not given.
        ValueError: a variable was given that the prompt does not use.
    """
    text = _text(name)
    used = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    missing, unused = used - variables.keys(), variables.keys() - used
    if missing:
        raise KeyError(f"prompt {name!r} needs {sorted(missing)}")
    if unused:
        raise ValueError(f"prompt {name!r} does not use {sorted(unused)}")
    return text.format(**variables)
