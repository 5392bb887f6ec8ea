"""Transfers between branches before buying: units above one branch's order-up-to level go
to a branch of the same SKU at or below its reorder point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engines.replenishment.model import ItemState, Policy


@dataclass(frozen=True, slots=True)
class TransferSuggestion:
    """Move ``quantity`` of ``sku`` from ``from_branch`` (surplus) to ``to_branch`` (short)."""

    sku: str
    from_branch: str
    to_branch: str
    quantity: int
    label: str = ""
    product_id: int | None = None
    donor_surplus: int = 0  # units above the donor's order-up-to before the move
    receiver_position: int = 0  # the receiver's inventory position before the move
    receiver_reorder_point: int = 0


def suggest_transfers(
    items: Sequence[ItemState],
    policies: Mapping[tuple[str, str], Policy],
    *,
    min_quantity: int = 2,
) -> list[TransferSuggestion]:
    """Greedy per SKU: the branch furthest below its reorder point takes first, from the branch
    with the largest surplus. A donor never drops below its own order-up-to level, so a
    transfer never creates the shortage it cures; moves under ``min_quantity`` are not worth
    the trip."""
    by_sku: dict[str, list[ItemState]] = {}
    for item in items:
        by_sku.setdefault(item.sku, []).append(item)
    out: list[TransferSuggestion] = []
    for sku in sorted(by_sku):
        group = by_sku[sku]
        surplus = {}
        short = {}
        for item in group:
            p = policies.get((item.sku, item.branch))
            if p is None:
                continue
            extra = item.available - max(p.order_up_to, p.reorder_point + 1)
            if extra > 0:
                surplus[item.branch] = extra
            elif item.position <= p.reorder_point:
                short[item.branch] = p.order_up_to - item.position
        if not surplus or not short:
            continue
        items_by_branch = {i.branch: i for i in group}
        for to in sorted(short, key=lambda b: (-short[b], b)):
            wanted = short[to]
            for frm in sorted(surplus, key=lambda b: (-surplus[b], b)):
                qty = min(wanted, surplus[frm])
                if qty < min_quantity:
                    continue
                receiver = items_by_branch[to]
                out.append(
                    TransferSuggestion(
                        sku=sku,
                        from_branch=frm,
                        to_branch=to,
                        quantity=qty,
                        label=receiver.label,
                        product_id=receiver.product_id,
                        donor_surplus=surplus[frm],
                        receiver_position=receiver.position,
                        receiver_reorder_point=policies[(sku, to)].reorder_point,
                    )
                )
                surplus[frm] -= qty
                wanted -= qty
                if wanted <= 0:
                    break
    return out
