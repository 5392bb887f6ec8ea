"""Integer bounds of the store of record: ids, offsets and amounts fit their columns.

Every integer column is a 32-bit ``INTEGER`` on PostgreSQL (SQLite stores 64 bits), so a value
a client sends is checked against that range at the edge (422 naming the field), never found
out by the driver (``OverflowError`` / "integer out of range" → 500).
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

INT_COLUMN_MAX = 2**31 - 1

DbId = Annotated[int, Ge(1), Le(INT_COLUMN_MAX)]
"""A row id as clients send it (path, query or body)."""

Offset = Annotated[int, Ge(0), Le(INT_COLUMN_MAX)]
"""How many rows a page skips."""

Cents = Annotated[int, Ge(0), Le(INT_COLUMN_MAX)]
"""An amount of money in cents (MXN) that lands in an integer column."""
