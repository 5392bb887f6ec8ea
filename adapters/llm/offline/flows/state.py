"""Applying slot commands to the dialogue state, and repairing what depended on a correction."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.dialogue import (
    Command,
    CommandKind,
    DialogueState,
    FulfillmentMode,
    TerrainPreference,
    TimeWindow,
    VehicleSlot,
)

_PRODUCT_SEARCH = (
    "size", "rim", "brand", "terrain", "run_flat", "light_truck", "max_unit_price_pesos",
)  # fmt: skip


def _forget_search(state: DialogueState) -> None:
    """A new vehicle or size: the options shown and the choice no longer apply."""
    slots = state.slots
    slots.offers = []
    slots.chosen_sku = None


def apply_commands(state: DialogueState, commands: list[Command]) -> list[str]:
    """Write every set/corrected slot into ``state``; returns the slots that changed."""
    changed: list[str] = []
    slots = state.slots
    for command in commands:
        if command.kind not in (CommandKind.SET_SLOT, CommandKind.CORRECT_SLOT) or not command.slot:
            continue
        name, value = command.slot, command.value
        if name == "vehicle":
            data: dict[str, Any] = dict(value)
            same_model = bool(slots.vehicle.model) and slots.vehicle.model == data.get("model")
            if same_model:
                data["year"] = data.get("year") or slots.vehicle.year
            slots.vehicle = VehicleSlot(**data)
            slots.size = None
            if not same_model:
                slots.trims = []  # the same car's trims still tell "es la SE" apart
            _forget_search(state)
        elif name == "vehicle.year":
            slots.vehicle.year = int(value)
            slots.vehicle.trim = None
            slots.size = None
            _forget_search(state)
        elif name == "vehicle.trim":
            slots.vehicle.trim = str(value)
            slots.size = None
            _forget_search(state)
        elif name == "size":
            slots.size = str(value)
            slots.vehicle = VehicleSlot()
            slots.trims = []
            _forget_search(state)
        elif name == "terrain":
            slots.terrain = TerrainPreference(value)
        elif name == "rim":
            slots.rim = int(value)
            if slots.vehicle.model:
                slots.size = None
                _forget_search(state)
        elif name in ("brand", "run_flat", "light_truck", "max_unit_price_pesos", "quantity",
                      "branch", "chosen_sku", "order_folio"):  # fmt: skip
            setattr(slots, name, value)
        elif name == "fulfillment.mode":
            slots.fulfillment.mode = FulfillmentMode(value)
        elif name == "fulfillment.day":
            slots.fulfillment.day = date.fromisoformat(str(value))
        elif name == "fulfillment.window":
            slots.fulfillment.window = TimeWindow(value)
        elif name == "fulfillment.address":
            slots.fulfillment.address = str(value)
        elif name.startswith("invoice."):
            setattr(slots.invoice, name.removeprefix("invoice."), value)
        else:
            continue
        changed.append(name)
    return changed


def search_changed(changed: list[str]) -> bool:
    """Whether a slot the tire search depends on changed."""
    return any(c.startswith("vehicle") or c in _PRODUCT_SEARCH for c in changed)
